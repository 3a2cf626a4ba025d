// The runner: every trial of every scenario, each in a fresh scratch directory
// under one temp root, up to --jobs at once, with a progress line on a
// terminal. Ctrl-C (SIGINT/SIGTERM, and SIGHUP of a closed terminal) kills every running trial by
// the process group the runner holds, removes the scratch directories and returns what finished,
// marked interrupted.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/run/limits.h"
#include "harness/run/trial.h"
#include "scenarios/scenario.h"

namespace crashbench {

struct RunOptions {
  int jobs = 1;
  bool keep = false;                          // keep scratch directories
  std::optional<int> only_trial;              // run just this trial index (replay)
  std::optional<long long> random_window_us;  // replay: the window the original run drew from
  // replay: the matching calls of the original run's fault-free run, which a
  // syscall trigger's chosen occurrence indexes (a pool's next fault-free run
  // may make them in another order)
  std::optional<std::vector<std::string>> syscall_matches;
  bool explore = false;        // point triggers: one trial per reachable (point, occurrence)
  long long max_states = 0;    // power loss: crash states checked per trial at most; 0 default
  std::string scratch_parent;  // default: $TMPDIR or /tmp
  std::string self_exe;        // the crashbench binary (spawn mode)
  bool progress = false;       // draw a progress line on stderr
  bool measure_limits = true;  // calibrate the machine's limits for fault-free scenarios
  bool profile = false;        // keep each trial's TrialResult::profile_ns (--profile)
  // When set, each finished trial's full result is appended to this file and
  // only a summary stays in memory (TrialResult::spill_offset says where).
  std::string spill_path;
  // --shard I/N: run only the trials whose ordinal over the whole run (every
  // scenario's trials in order) is I modulo N. A shard calibrates only the
  // scenarios it has trials of, and leaves the "fault never fired" verdict to
  // `crashbench merge`, which sees every trial.
  int shard_index = 0;
  int shard_count = 1;
};

struct ScenarioResult {
  Scenario scenario;
  std::optional<Calibration> calibration;
  std::vector<TrialResult> trials;
  std::string error;  // the scenario could not run (e.g. its fault point is never reached)
  bool input_error = false;
  // The forbidden kinds that appeared, with the number of trials each appeared in.
  std::map<std::string, int> forbidden_seen() const;
  // Only the guarantees (expect.forbid) and errors decide whether it held.
  bool expectation_held() const { return error.empty() && forbidden_seen().empty(); }
  // The kinds to demonstrate (expect.show) that appeared, with the trials each
  // appeared in, and those that appeared in no trial: reported, never a failure.
  std::map<std::string, int> shown() const;
  std::vector<std::string> not_shown() const;
  // No expect.forbid and no expect.show: nothing was checked.
  bool has_expectations() const { return !scenario.forbid.empty() || !scenario.show.empty(); }
};

struct RunOutcome {
  std::vector<ScenarioResult> scenarios;
  std::string scratch_root;
  std::string fs_type;  // of the scratch root
  bool interrupted = false;
  std::map<std::string, MachineLimits> limits;  // by WorkloadKey, for fault-free scenarios
  std::string limits_error;
  std::string spill_path;  // as in RunOptions
  // Set when the run stopped because its results could no longer be kept
  // (a spill write failed: a full disk); says what failed.
  std::string results_lost;
  // What dead runs left under the scratch parent and this run removed.
  std::vector<std::string> leftovers_removed;
  int shard_index = 0, shard_count = 1;  // as in RunOptions
};

// A fault aimed at a point or a record count that fired in none of the
// scenario's trials tested nothing: sets sr->error (an input error for those
// triggers). No-op for fault-free scenarios, interrupted runs or no trials.
void CheckFaultFired(ScenarioResult* sr, bool interrupted);

RunOutcome RunScenarios(const std::vector<Scenario>& scenarios, const RunOptions& options);

// Installs SIGINT/SIGTERM/SIGHUP handlers that make RunScenarios stop, and makes
// this process a child subreaper, so that workers orphaned when a trial is
// killed are reparented to it and reaped (call once, from the command line).
void InstallInterruptHandlers();

}  // namespace crashbench
