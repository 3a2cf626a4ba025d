// Power loss, from one recorded run: checks that the log replays to the
// bytes on disk, then walks the crash states a persistence model allows
// (explore.h), judges each in memory (judge.h) and reports how many states
// were enumerated, distinct, checked and violating, with a few examples of
// each violation kind, each naming the model, the cut and what was dropped.
//
//   PowerLossOptions opt;
//   opt.model = "ext4-ordered";
//   opt.verify.layout = Layout::kPerTask;  opt.verify.tasks = 64;
//   Result<PowerLossReport> r = CheckPowerLoss(log, &on_disk, opt);
//   if (r->inconclusive) ...;   // the log did not replay to the disk: not judged
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/contract/anomaly.h"
#include "harness/persist/explore.h"
#include "harness/verify/verifier.h"

namespace crashbench {

struct PowerLossOptions {
  std::string model = "ext4-ordered";
  ModelOptions model_options;
  ExploreOptions explore;
  VerifyOptions verify;          // layout, tasks, records_per_task (acked: each state's own)
  size_t examples_per_kind = 3;  // examples kept per violation kind: the first, in priority
                                 // order, of that many states
};

struct PowerLossExample {
  std::string state;     // the model's label for the state
  int cut = 0;           // ops [0, cut) were issued
  long long event = -1;  // the recorded event of the op before the cut, -1 hand-built
  Anomaly anomaly;       // detail: the model, the cut, what was dropped and why
};

struct PowerLossReport {
  std::string model;
  bool inconclusive = false;  // the log did not replay to the disk: nothing was judged
  std::string inconclusive_why;
  ExploreCounts counts;
  long long violating = 0;    // states with at least one violation
  AnomalyCounts states_with;  // per violation kind: states that showed it
  double seconds = 0;         // building and judging the states
  double per_s = 0;           // states checked per second of that time
  std::vector<PowerLossExample> examples;
};

// on_disk: the output directory after the run; nullptr skips the replay check
// (a hand-built log). An error only for a bad model or option.
Result<PowerLossReport> CheckPowerLoss(const OpLog& log, const FsState* on_disk,
                                       const PowerLossOptions& options);

// {"model": ..., "crash_states": {"enumerated": N, "distinct": N, "checked": N,
//  "violating": N, "per_s": X, "complete": true}, "states_with": {...},
//  "examples": [{"state", "cut", "event", "kind", "file", "task", "seq", "detail"}]}
// and "inconclusive": true with "why" when the log did not replay.
nlohmann::json PowerLossJson(const PowerLossReport& report);

}  // namespace crashbench
