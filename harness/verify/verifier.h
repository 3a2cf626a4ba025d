// The verifier: reads an output directory the way a downstream reader would
// and reports every anomaly of DESIGN.md's taxonomy, with its location.
//
//   VerifyOptions opt;
//   opt.layout = Layout::kShared;
//   opt.tasks = 64;               // tasks 0..63 were submitted
//   opt.acked = {0, 1, 2};        // the supervisor's acknowledgements
//   Result<VerifyReport> r = VerifyDirectory("/tmp/out", opt);
//
// The verifier knows nothing about the worker pool or strategies: it judges
// bytes on disk against the record contract and the acknowledgement log, so
// it serves programs crashbench did not write as well as the built-ins.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/contract/anomaly.h"
#include "harness/contract/layout.h"

namespace crashbench {

struct VerifyOptions {
  Layout layout = Layout::kShared;
  // Tasks 0..tasks-1 were submitted. When unset, only tasks seen on disk or in
  // `acked` are known, and lost-unacked cannot be reported.
  std::optional<long long> tasks;
  // Records per task. When unset, taken from the records' "of" fields.
  std::optional<long long> records_per_task;
  std::set<long long> acked;
};

struct VerifyReport {
  std::vector<Anomaly> anomalies;  // in file order, then by task
  long long records_visible = 0;   // valid records a reader would take
};

// The most records one verification accounts for: the tasks it knows (0..tasks-1
// and every acknowledged one) times the records in each. Each of them may be
// listed as lost, an anomaly each (about 200 bytes): this many make a report
// of about 200 MiB, which takes seconds to build; a billion would not fit in
// memory. Record counts read from the files count against the same bound:
// past it they are not believed (the damage is still reported; how many more
// records are missing is not).
inline constexpr long long kMaxVerifyRecords = 1LL << 20;

// Refuses options whose report could exceed kMaxVerifyRecords, saying which
// values and the limit. `crashbench verify` checks its options with it.
Status CheckVerifyOptions(const VerifyOptions& options);

// REQUIRES: dir exists and is a directory (otherwise an error Status).
Result<VerifyReport> VerifyDirectory(const std::string& dir, const VerifyOptions& options);

// The same judgement on in-memory contents, for one file of the layout.
// Used by VerifyDirectory and by tests.
struct FileContents {
  std::string name;  // e.g. "records.jsonl" or "task-3.json"
  std::string bytes;
};
VerifyReport VerifyFiles(const std::vector<FileContents>& outputs,
                         const std::vector<std::string>& other_files, const VerifyOptions& options);

}  // namespace crashbench
