// The runner's scheduler: starts queued trials, up to --jobs at once (a
// fault-free trial alone, run_plan.h), waits on all of them in one poll,
// collects each result into its scenario, spills it when asked, and draws
// the progress line. Interrupted, it kills every running trial by the
// process group it holds and removes its scratch directory.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "harness/base/sys.h"
#include "harness/run/runner.h"
#include "harness/run/trial.h"

namespace crashbench {

// A trial waiting to run: its fault is armed when it starts.
struct QueuedTrial {
  TrialPlan plan;
  ScenarioResult* into = nullptr;  // where its result goes
};

class TrialScheduler {
 public:
  // total_trials: the progress line's denominator.
  TrialScheduler(const RunOptions& options, long long total_trials)
      : options_(options), total_(total_trials) {}

  // Opens options.spill_path: each finished trial's full result is appended
  // there and only a summary stays in memory. Returns the path in use: ""
  // when none was asked for or it could not be created (every trial then
  // stays whole in memory).
  std::string OpenSpill();
  void Enqueue(QueuedTrial trial);
  // Runs every queued trial to its end; false when interrupted first.
  bool RunAll();

 private:
  struct Running {
    QueuedTrial trial;
    std::unique_ptr<TrialJob> job;
    long long backstop_us = 0;
    bool done = false;
  };
  void StartQueued();
  bool Start(QueuedTrial trial);
  void Collect();
  void Finish(Running& r);
  void Spill(TrialResult& t, const Scenario& scenario);
  void KillRunning();
  void Tick(const std::string& label, long long violations);

  const RunOptions& options_;
  std::deque<QueuedTrial> queue_;
  std::vector<Running> running_;
  UniqueFd spill_;
  long long spill_size_ = 0;
  long long violating_trials_ = 0;
  long long total_ = 0, done_ = 0, last_tick_us_ = 0;
};

}  // namespace crashbench
