// Oracles: how the output of a program crashbench did not write is judged.
// The built-in strategies are judged by the record verifier (harness/verify);
// a command subject names one of these in its scenario:
//   "verify": {"oracle": "records", "layout": "shared" | "per-task"}
//   "verify": {"oracle": "json" | "jsonl", "files": ["out/*.json"], "count": 64}
//   "verify": {"oracle": "old-or-new", "files": ["data.csv"]}
//   "verify": {"oracle": "command", "command": ["python3", "{scenario_dir}/check.py"]}
// Every glob is relative to the output directory; "{out}/" in front is dropped.
// In a glob '*' matches within one path component, '**' across components,
// '?' one character; a '.' that begins a component is matched only by a glob
// component that begins with '.' (a hidden temp file is a stray file, not
// output). A glob without wildcards names a file that must exist. json, jsonl
// and old-or-new report the files no glob matches as stray (orphan-temp or
// unexpected-file).
#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/base/status.h"
#include "harness/contract/anomaly.h"
#include "harness/contract/layout.h"

namespace crashbench {

enum class OracleKind { kRecords, kJson, kJsonl, kOldOrNew, kCommand };
inline constexpr std::string_view kOracleNames = "records, json, jsonl, old-or-new, command";
// "records", "json", ..., as scenario files name them.
std::string_view OracleName(OracleKind kind);
std::optional<OracleKind> OracleFromName(std::string_view name);

struct OracleSpec {
  OracleKind kind = OracleKind::kRecords;
  Layout layout = Layout::kShared;   // records
  std::vector<std::string> files;    // json, jsonl, old-or-new: globs
  std::optional<long long> count;    // json, jsonl: documents or lines expected
  std::vector<std::string> command;  // command: argv, placeholders already replaced
};

// A file's bytes, by path relative to the output directory.
using DirSnapshot = std::map<std::string, std::string>;

// Reads every regular file under dir (recursively). For old-or-new's "old"
// (after setup) and "new" (a fault-free run) states.
Result<DirSnapshot> SnapshotDirectory(const std::string& dir);

struct OracleInput {
  std::string out_dir;
  std::string ack_file;            // given to a command oracle; "" none
  std::set<long long> acked;       // tasks the subject acknowledged
  std::optional<long long> tasks;  // records: tasks submitted
  std::optional<long long> records_per_task;
  bool exited_ok = false;                  // the run (or its restart) exited 0
  const DirSnapshot* old_state = nullptr;  // old-or-new: before the run (after setup)
  const DirSnapshot* new_state = nullptr;  // old-or-new: what a fault-free run leaves
  long long deadline_ms = 10000;           // command: the checker's own deadline
};

struct OracleReport {
  std::vector<Anomaly> anomalies;
  // What a reader would take: records (records), documents (json), lines
  // (jsonl), files in their old or new state (old-or-new); 0 for command.
  long long records_visible = 0;
};

// Parses "verify" from a scenario; errors name `where` ("x.json: scenario
// 'cp-over': verify.files[0]") and the valid choices.
Result<OracleSpec> ParseOracleSpec(const nlohmann::json& verify, const std::string& where);
nlohmann::json OracleSpecToJson(const OracleSpec& spec);

// Judges out_dir. An error only when the oracle could not run at all (the
// directory is missing, old-or-new lacks its states, the checker cannot be
// started or passes its deadline); the anomalies each oracle reports are
// listed at the top of its file (harness/oracle/<name>_oracle.cc).
Result<OracleReport> RunOracle(const OracleSpec& spec, const OracleInput& input);

}  // namespace crashbench
