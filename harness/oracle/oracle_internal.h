// Internals of the oracles, shared by their files. Not part of the
// interface: include oracle.h.
//
// Each oracle is one file with one Run function; oracle.cc lists them in its
// registry (name, the "verify" keys it takes, its Run function), so a new
// oracle is one file plus one registration line (and its OracleKind).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/oracle/oracle.h"

namespace crashbench::oracle_internal {

using RunFn = Result<OracleReport> (*)(const OracleSpec&, const OracleInput&);

struct OracleDef {
  OracleKind kind;
  std::string_view name;
  std::vector<std::string_view> keys;      // "verify" keys besides "oracle"
  std::vector<std::string_view> required;  // of those, the ones it must have
  RunFn run;
};
const std::vector<OracleDef>& Registry();
const OracleDef* FindOracle(OracleKind kind);
const OracleDef* FindOracle(std::string_view name);

// The oracles, one file each.
Result<OracleReport> RunRecordsOracle(const OracleSpec& spec, const OracleInput& input);
Result<OracleReport> RunJsonOracle(const OracleSpec& spec, const OracleInput& input);
Result<OracleReport> RunJsonlOracle(const OracleSpec& spec, const OracleInput& input);
Result<OracleReport> RunOldOrNewOracle(const OracleSpec& spec, const OracleInput& input);
Result<OracleReport> RunCommandOracle(const OracleSpec& spec, const OracleInput& input);

// ---- paths and globs (oracle_files.cc) -----------------------------------

// '*' matches a run of characters inside one path component, '**' a run that
// may cross components ("**/" also matches no directory at all), '?' one
// character other than '/'. As in the shell, a '.' that begins a path
// component is matched only by a glob component that begins with '.': "*"
// and "*.json" do not take ".data.json.swp" or ".json", so an editor's or a
// safe-save library's hidden temp file is reported as a stray file, not
// judged as output.
bool GlobMatches(std::string_view glob, std::string_view path);
// True when glob holds no wildcard: it names one file, which must exist.
bool IsLiteralGlob(std::string_view glob);
// The glob as matched: "{out}/" (or the output directory itself and a '/')
// in front dropped.
std::string NormalizeGlob(std::string_view glob, const std::string& out_dir);
bool MatchesAny(const std::vector<std::string>& globs, const std::string& path);

// A non-directory entry under the output directory, by relative path.
struct TreeEntry {
  std::string path;
  bool regular = false;  // a regular file (a symlink to one counts, as for a reader)
  std::string what;      // for others: "a FIFO", "a dangling symlink", ...
};
// Every non-directory entry under dir, recursively (directory symlinks are
// not followed), sorted by path. An error when dir is missing or unreadable.
Result<std::vector<TreeEntry>> ListTree(const std::string& dir);
// Reads a regular file without blocking on FIFOs or devices.
Result<std::string> ReadRegularFile(const std::string& path);

// orphan-temp or unexpected-file (StrayFileKind on the base name).
Anomaly StrayFile(const TreeEntry& entry);

// An excerpt of bytes for an anomaly at `at`: from the start of at's line,
// or from 40 bytes before `at` when the line began earlier; a file's tail
// when at is its end.
std::string ExcerptAt(std::string_view bytes, size_t at);
long long LineOf(std::string_view bytes, size_t at);  // 1-based

// ---- JSON (json_check.cc) --------------------------------------------------

inline constexpr int kMaxJsonDepth = 512;

struct JsonCheck {
  enum Outcome { kValid, kCutShort, kBad } outcome = kValid;
  size_t error_index = 0;  // kBad: the offending byte; kCutShort: the text's size
  std::string message;     // kBad: what is wrong, without echoing the value
};
// Exactly one JSON value, whitespace around it allowed, nested at most
// kMaxJsonDepth deep. kCutShort: the text is a strict prefix of some JSON text
// (an empty or whitespace-only text included): a writer stopped mid-value.
// Builds no document (SAX), so memory stays bounded by the input.
JsonCheck CheckJsonText(std::string_view text);

// ---- the driver of json and jsonl (oracle_files.cc) -----------------------

struct Tally {
  long long valid = 0;    // documents or lines a reader takes
  long long damaged = 0;  // torn or corrupt ones, each already reported
};
// Judges out_dir for a file oracle: calls judge(path, bytes) on every regular
// file a glob of spec.files matches; every other entry is a stray file; a
// literal glob that matches nothing is a missing file (lost-acked when the
// run exited 0, lost-unacked otherwise). Returns how many were missing.
using JudgeFn =
    std::function<void(const std::string& path, const std::string& bytes, OracleReport*, Tally*)>;
Result<long long> JudgeFiles(const OracleSpec& spec, const OracleInput& input, const JudgeFn& judge,
                             OracleReport* report, Tally* tally);
// lost-acked (run exited 0) or lost-unacked when fewer than spec.count
// `unit`s ("documents", "lines") are accounted for: valid, damaged (each
// reported already) or in a missing file that was reported (reported_missing
// of them).
void ReportShortfall(const OracleSpec& spec, const OracleInput& input, const Tally& tally,
                     long long reported_missing, std::string_view unit, OracleReport* report);

}  // namespace crashbench::oracle_internal
