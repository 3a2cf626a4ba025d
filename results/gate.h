// The CI gate: compares a current results file with a baseline and says, one
// short line per finding, what got less safe or slower.
//
//   Result<nlohmann::json> base = LoadResultsFile("results/baseline.json");
//   Result<nlohmann::json> cur = LoadResultsFile("out/results.json");
//   GateReport report = RunGate(*base, *cur, GateOptions{});
//   std::cout << report.Render();
//   return report.ExitCode(/*strict=*/false);
//
// Integrity (always compared):
//   - a scenario of the current run whose expectation failed (a forbidden
//     anomaly appeared) is bad, with the trials it appeared in and the replay
//     command of one failing trial;
//   - a violation kind the baseline's same scenario never showed is bad at
//     once (a counterexample, not a rate), naming the trial and its replay;
//   - a violation rate that rose against the baseline's same scenario is bad
//     when a one-sided Fisher exact test gives p < alpha: one more trial with a
//     violation in 40 is never enough (p = 0.5), 0/40 -> 8/40 is (p = 0.003).
// Cost (only when both files come from the same kind of machine):
//   - per scenario, the fault-free trials' throughputs (records_visible /
//     duration, each trial one sample) are compared: regressed when the
//     one-sided Mann-Whitney U test says current is lower (p < alpha) AND the
//     95% Hodges-Lehmann interval of the slowdown lies wholly beyond the
//     threshold (fsync none: CPU-bound, default 5%; fsync task/record:
//     fsync-bound, default 10%). Fewer than min_samples a side, or a median
//     slowdown beyond the threshold that the test cannot confirm, is
//     inconclusive.
// Scenarios are matched by name, strategy, options, workers, workload and fault.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "results/load_results.h"

namespace crashbench {

struct GateOptions {
  double cpu_threshold = 0.05;    // fsync none
  double fsync_threshold = 0.10;  // fsync task or record
  double alpha = 0.01;
  int min_samples = 5;         // a side; with fewer the U test cannot reach p < 0.01 anyway
  bool compare_timing = true;  // false: integrity only (gate --no-timing)
  // The command that replays a trial of the current run, its "NAME:I"
  // appended ("/abs/crashbench replay /abs/results.json --trial"); "" prints
  // only each trial's own rerun line.
  std::string replay_command;
};

// How to see a failing trial again: "replay: COMMAND 'NAME:I'" (the damaged
// bytes) where replay_command is given, then the trial's own rerun line.
std::string TrialReplayLines(const nlohmann::json& trial, const std::string& scenario,
                             const std::string& replay_command);

enum class Verdict { kOk, kBad, kInconclusive, kHarness, kNote };

struct Finding {
  Verdict verdict = Verdict::kNote;
  std::string scenario;  // "" for the whole file
  std::string message;   // may hold a second, indented line (the replay command)
};

// The cost decision on two sets of throughput samples (higher is better).
struct CostDecision {
  Verdict verdict = Verdict::kOk;  // kOk, kBad (regressed) or kInconclusive
  size_t n_base = 0, n_cur = 0;
  double median_base = 0, median_cur = 0;
  double p = 1;                             // one-sided Mann-Whitney
  double slowdown = 0;                      // 1 - current/baseline (Hodges-Lehmann)
  double slowdown_lo = 0, slowdown_hi = 0;  // its 95% interval
  bool interval_bounded = false;            // false: too few samples for 95%
  double threshold = 0;
  std::string Explain() const;  // one line
};
CostDecision DecideCost(const std::vector<double>& base, const std::vector<double>& cur,
                        double threshold, const GateOptions& options);

struct GateReport {
  std::vector<Finding> findings;
  int integrity_compared = 0;  // scenarios of the current file judged for integrity
  int timing_compared = 0;     // fault-free scenario pairs judged for cost
  std::string Render() const;
  // 1 with any bad finding; else 3 for a harness failure in the current run,
  // or for anything inconclusive under strict; else 0.
  int ExitCode(bool strict) const;
};

// What the gate relies on beyond LoadResultsFile: every trial an object and
// every anomaly count a non-negative integer ("torn": "many" would otherwise
// read as clean). The error names the file and the field.
Status CheckGateInput(const nlohmann::json& doc, const std::string& path);

// The violation kinds the current scenario shows that its baseline never
// showed, one message each: "new violation: torn in 1 of 4 trials, in none of
// the 4 baseline trials" and, indented on the next line, the first trial that
// shows it and that trial's "replay" command. A counterexample is bad at once,
// however few trials show it (a rate test cannot tell 0/4 from 1/4). Kinds the
// scenario forbids are left out: the gate reports those as a failed expectation.
std::vector<std::string> NewViolationKinds(const std::string& replay_command,
                                           const nlohmann::json& current_scenario,
                                           const nlohmann::json& baseline_scenario);

GateReport RunGate(const nlohmann::json& baseline, const nlohmann::json& current,
                   const GateOptions& options);

// Pieces the gate and `crashbench compare` share.
// One sample per fault-free trial that ran: records_visible / duration (records/s).
std::vector<double> ThroughputSamples(const nlohmann::json& scenario);
bool IsFault(const nlohmann::json& scenario);  // fault kind other than none
// The threshold for this scenario's configuration (fsync none: CPU-bound).
double CostThreshold(const nlohmann::json& scenario, const GateOptions& options);
// name|strategy|options|workers|workload|fault, the key scenarios are matched by.
std::string ScenarioKey(const nlohmann::json& scenario);
// "" when both contexts are the same machine kind for timing; otherwise what
// differs ("cpu 'A' here, 'B' in the baseline; ...").
std::string ContextDifference(const nlohmann::json& baseline_context,
                              const nlohmann::json& current_context);

}  // namespace crashbench
