// The arithmetic of planning a run, apart from running it: which trials a
// shard holds, which trial indexes a scenario runs, and when the next queued
// trial may start. No I/O, so each rule is tested on its own
// (tests/run/run_plan_test.cc).
#pragma once

#include <optional>

namespace crashbench {

// --shard I/N. A trial belongs to shard I when its ordinal over the whole run
// (every scenario's trials, in order) is I modulo N, so slices differ by at
// most one trial.
struct ShardSlice {
  int index = 0;
  int count = 1;
  bool Holds(long long ordinal) const { return ordinal % count == index; }
  // Whether any of the n trials from first_ordinal on is this shard's.
  bool HoldsAnyOf(long long first_ordinal, long long n) const;
  // How many of the first `total` ordinals are this shard's.
  long long ShareOf(long long total) const;
};

// The trial indexes [first, last) of one scenario a run starts.
struct TrialRange {
  int first = 0;
  int last = 0;
};
// All `trials`, or only_trial alone (replay); nullopt when the first of them
// does not exist (a scenario of no trials included).
std::optional<TrialRange> TrialsToRun(std::optional<int> only_trial, int trials);

// Whether the next queued trial may start now. Up to `jobs` trials run at
// once, except that a fault-free trial is also a cost measurement: it starts
// only when nothing runs, and nothing starts beside it, so that its timings
// are not another trial's load.
bool MayStartNext(int running, bool a_running_trial_measures, bool next_measures, int jobs);

}  // namespace crashbench
