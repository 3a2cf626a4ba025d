// The runner's scheduler: starts queued trials, up to --jobs at once (a
// fault-free trial alone, run_plan.h), waits on all of them in one poll,
// collects each result into its scenario, spills it when asked (a spill
// that fails stops the run at once: a full disk must not be found only after
// every trial ran), and draws the progress line. Interrupted, it kills every running trial by the
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
  size_t scenario_index = 0;       // of into, in the run (spill lines name it)
};

class TrialScheduler {
 public:
  // total_trials: the progress line's denominator.
  TrialScheduler(const RunOptions& options, long long total_trials)
      : options_(options), total_(total_trials) {}

  // Opens options.spill_path: a header line (the run's pid and scenarios, so
  // that `crashbench recover` can rebuild a results file from it), then each
  // finished trial's full result is appended there and only a summary stays
  // in memory. Returns the path in use, "" when none was asked for; an error
  // when it cannot be written (the run must not start: nothing would be kept).
  Result<std::string> OpenSpill(const std::vector<ScenarioResult>& scenarios);
  // Why the run stopped early with its results no longer kept ("" if it did not).
  const std::string& spill_error() const { return spill_error_; }
  void Enqueue(QueuedTrial trial);
  // Runs every queued trial to its end; false when interrupted first.
  bool RunAll();

 private:
  struct Running {
    QueuedTrial trial;
    std::unique_ptr<TrialJob> job;
    long long backstop_us = 0;
    bool done = false;
    // --profile: the runner's own stages of this trial, when it began
    // (before its scratch directory) and when its result was all read.
    TrialClock clock;
    long long began_ns = 0, received_ns = 0;
  };
  void StartQueued();
  bool Start(QueuedTrial trial);
  void Collect();
  void Finish(Running& r);
  void KeepProfile(Running& r, TrialResult& t) const;
  void Spill(TrialResult& t, const Scenario& scenario, size_t scenario_index);
  void KillRunning();
  void Tick(const std::string& label, long long violations);

  const RunOptions& options_;
  std::deque<QueuedTrial> queue_;
  std::vector<Running> running_;
  UniqueFd spill_;
  long long spill_size_ = 0;
  std::string spill_error_;
  long long violating_trials_ = 0;
  long long total_ = 0, done_ = 0, last_tick_us_ = 0;
};

}  // namespace crashbench
