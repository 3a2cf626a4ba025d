// Judges crash states in memory with the record verifier: for a state and
// the tasks acknowledged before its cut, the anomalies VerifyFiles reports on
// the state's output files, with the other names beside them.
//
// Most crash states differ from the previous one in one or two files, so the
// per-task layout is judged file by file with a cache: a file's verdict is
// keyed by its name, a hash of its bytes and whether its task is
// acknowledged. That split is exact when every record in task-<T>.json
// belongs to task T (nothing in one file then changes the verdict of
// another); a state where that does not hold is judged whole. The shared
// layout has one file whose verdict depends on the whole acknowledged set:
// its cache is keyed by both.
//
//   CrashJudge judge(base);                       // layout, tasks, records_per_task
//   for (const Anomaly* a : judge.Judge(state, acked)) ...
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "harness/contract/anomaly.h"
#include "harness/persist/fs_state.h"
#include "harness/verify/verifier.h"

namespace crashbench {

class CrashJudge {
 public:
  // base.acked is ignored: each state brings its own.
  explicit CrashJudge(VerifyOptions base);

  // The anomalies of the state, in no particular order. They point into the
  // judge's caches: valid until the next call.
  const std::vector<const Anomaly*>& Judge(const FsState& state, const std::set<long long>& acked);

  long long cache_hits() const { return hits_; }
  long long cache_misses() const { return misses_; }
  long long whole_checks() const { return whole_; }  // states judged whole, without the split

 private:
  // (name, bytes hash, bytes size, acknowledged); size -1: the file is absent.
  using FileKey = std::tuple<std::string, uint64_t, long long, bool>;

  const std::vector<const Anomaly*>& Point(const std::vector<Anomaly>& anomalies);
  const std::vector<Anomaly>& TaskVerdict(long long task, const std::string* bytes, uint64_t hash,
                                          bool acked);
  const std::vector<Anomaly>& OtherVerdict(const std::string& name);
  bool SpeaksOfItsTaskOnly(long long task, const std::string& bytes, uint64_t hash);

  VerifyOptions base_;
  std::vector<Anomaly> whole_result_;  // the last state judged whole
  std::vector<const Anomaly*> result_;
  std::map<FileKey, std::vector<Anomaly>> files_;
  std::map<std::tuple<long long, uint64_t, long long>, bool> only_task_;
  std::map<std::string, std::vector<Anomaly>> others_;
  std::map<std::tuple<uint64_t, long long, uint64_t, uint64_t>, std::vector<Anomaly>> shared_;
  long long hits_ = 0, misses_ = 0, whole_ = 0;
};

// Whether every record key "task" in bytes holds `task` (a per-task file that
// speaks only of its own task).
bool OnlyTask(std::string_view bytes, long long task);

}  // namespace crashbench
