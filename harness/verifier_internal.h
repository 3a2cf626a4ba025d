// Internals of the verifier, shared by the two layouts' files and by
// verifier.cc. Not part of the verifier's interface: include verifier.h.
//
// Each layout turns one output file into anomalies about its bytes (torn,
// interleaved, corrupt, duplicate) and into traces in a Ledger: which records
// of which task a reader can see, and which are explained by a damage already
// reported. AccountTasks then turns the Ledger and the acknowledgement log
// into lost-acked, partial-visible and lost-unacked.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/anomaly.h"
#include "harness/record.h"
#include "harness/verifier.h"

namespace crashbench::verifier_internal {

// What the output showed of one task.
struct TaskTrace {
  std::map<long long, int> visible;  // seq -> times visible as a valid record
  std::set<long long> accounted;     // seqs explained by a reported anomaly
  // A torn or corrupt per-task document explains every record of its task.
  bool all_accounted = false;
  bool torn = false;                 // some record or document of the task is torn
  std::optional<long long> of;       // records in the task, from crc-valid data
  std::optional<long long> of_hint;  // the same from damaged data, used only as a fallback
  // The first trace (visible record or damage) in file order.
  bool traced = false;
  const FileContents* file = nullptr;
  long long offset = -1;
  long long line = -1;
};

using Ledger = std::map<long long, TaskTrace>;

// Records that `task` left a trace at (file, offset, line); keeps the first.
void NoteTrace(Ledger* ledger, long long task, const FileContents& file, long long offset,
               long long line);

// 1-based line number of the byte at `offset`.
long long LineAt(std::string_view bytes, size_t offset);

// An anomaly located in `file`, with the excerpt starting at `offset`.
// offset -1 means "no location inside the file".
Anomaly MakeAnomaly(AnomalyKind kind, const FileContents& file, long long offset, long long task,
                    long long seq, std::string detail);
// Same, when the line is already known (saves a scan of the file).
Anomaly MakeAnomalyAtLine(AnomalyKind kind, const FileContents& file, long long offset,
                          long long line, long long task, long long seq, std::string detail);

// What a JSON parser makes of a text.
struct JsonProbe {
  bool complete = false;   // exactly one JSON value (surrounding whitespace allowed)
  bool cut_short = false;  // not complete, and the first error is at the end of input:
                           // the text is a strict prefix of some JSON text
  size_t error_index = 0;  // index of the byte where parsing failed (size() when cut short)
};
JsonProbe ProbeJson(std::string_view text);

// The integer after the first `"key":` in text, if it is there whole (digits
// followed by something that is not a digit: a number at the very end of the
// text may have been cut). Text need not be valid JSON.
std::optional<long long> ScanIntField(std::string_view text, std::string_view key);

// The keys of the record contract.
inline constexpr std::string_view kRecordKeys[] = {"task", "seq", "of", "payload", "crc"};

// Whitespace in the JSON sense: space, tab, CR, LF.
bool IsBlank(std::string_view s);
std::string_view TrimRight(std::string_view s);

// Index of the '}' closing the object that text[0] opens, by a lexical scan
// (strings and escapes respected); npos if it never closes.
size_t ObjectEnd(std::string_view text);

// A reassembled text counts only when it is exactly a record: the five keys,
// once each, and a crc that matches. ParseRecord tolerates extra keys, but a
// key glued together from two writers' bytes (`"crc` + `payload":"...` makes
// a key "crcpayload") must not let a wrong split pass the crc check.
bool IsExactRecord(std::string_view text, Record* record);

// True when text names one of the record's keys twice ("crc" ... "crc"): one
// writer never does that, so the bytes of two records are mixed.
bool HasRepeatedRecordKey(std::string_view text);

// The layouts. Anomalies are appended to *anomalies in file order.
void VerifySharedFile(const FileContents& file, const VerifyOptions& options, Ledger* ledger,
                      std::vector<Anomaly>* anomalies, long long* records_visible);
void VerifyPerTaskFile(const FileContents& file, long long task, const VerifyOptions& options,
                       Ledger* ledger, std::vector<Anomaly>* anomalies, long long* records_visible);

}  // namespace crashbench::verifier_internal
