// One trial: a fresh scratch directory, the subject with the armed fault,
// the verifier, and a TrialResult. A trial runs in a child process of its own,
// in a process group of its own, so the runner can run several at once and
// kill a whole trial (supervisor, workers, writer) by the group it holds.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/base/process.h"
#include "harness/base/stage_clock.h"
#include "harness/base/trial_clock.h"
#include "harness/contract/anomaly.h"
#include "harness/inject/fault_agent.h"
#include "harness/inject/trigger_sites.h"
#include "scenarios/scenario.h"

namespace crashbench {

// What a fault-free run of the scenario looked like: how long it took and how
// often each trigger site was reached. Random moments and unspecified
// occurrences are drawn from these, so they fall inside the run.
struct Calibration {
  long long duration_us = 0;
  TriggerSiteCounts trigger_sites;
  // A command subject under a syscall trigger: the signatures of the events
  // that matched it, in order (occurrence K is the K-th); a trial that fires
  // elsewhere is a nondeterministic subject, not a verdict.
  std::vector<std::string> syscall_matches;
  // A command subject judged old-or-new: the output directory a fault-free
  // run left (the "new" state), kept in the run's scratch root; "" none.
  // Lives only as long as the run: never persisted.
  std::string new_state_dir;
};
// {"duration_us", "point_counts"}: the shape results.json keeps it in.
nlohmann::json CalibrationToJson(const Calibration& c);
Calibration CalibrationFromJson(const nlohmann::json& j);

uint64_t TrialSeed(uint64_t scenario_seed, int index);

// Makes every choice the scenario leaves to the seed (which worker, which
// occurrence, which moment). REQUIRES: cal when the trigger is random or a
// point without an occurrence. impl is left null: set it in the process that fires.
ArmedFault ArmFault(const Scenario& s, uint64_t trial_seed, const Calibration* cal);
// A syscall trigger whose occurrence crashbench chose (drawn from the seed, or
// --explore's visit) aims at the fault-free run's event there by content
// (ArmedFault::syscall_point); an occurrence the scenario fixed stays the
// K-th matching call.
void AddressSyscallPoint(const Scenario& s, const Calibration* cal, ArmedFault* a);
// Whether ArmFault needs a calibration for this scenario.
bool NeedsCalibration(const Scenario& s);

struct TrialResult {
  int index = 0;
  uint64_t seed = 0;
  nlohmann::json fired;  // null: the fault never fired
  long long acked_tasks = 0;
  long long failed_tasks = 0;
  long long lost_in_flight = 0;  // tasks a worker held when it died
  long long retried_tasks = 0;   // runs started again by the retry-task policy
  long long lost_tasks = 0;      // neither acknowledged nor reported failed: the pipeline lost them
  long long resumed_tasks = -1;  // resume: tasks the restart ran (the rest it skipped); -1 none
  bool pipeline_ok = false;
  // Every anomaly in the trial process; after the result crossed into the
  // runner, only the first kMaxDetailsPerKind of each kind. `counts` is complete.
  std::vector<Anomaly> anomalies;
  AnomalyCounts counts;
  double duration_ms = 0;
  std::string kept_dir;     // set when the scratch directory was kept
  std::string error;        // the harness itself failed this trial
  std::string stderr_head;  // the first bytes the trial's processes wrote to stderr
  nlohmann::json processes = nlohmann::json::array();
  Calibration observed;  // trigger-site counts and duration of this very trial
  std::vector<long long> task_latency_us;
  std::array<long long, kNumStages> stage_ns{};
  long long records_visible = 0;
  long long spill_offset = -1;  // where its full JSON line starts in the spill file
  int trial_pgid = 0;           // the process group the trial ran in (its supervisor's pid)
  // A power-loss trial (a fault that needs a recorded run): the crash states
  // {"enumerated","distinct","checked","violating","per_s","complete"}, and
  // {"model","cuts","states_with","examples","recording"}; null otherwise.
  nlohmann::json crash_states;
  nlohmann::json power_loss;
  // The recorded log did not replay to the bytes on disk: the crash states
  // were not judged (power_loss.why says why).
  bool inconclusive = false;
  // Nanoseconds by TrialStage (harness/base/trial_clock.h), then the trial's
  // whole life: kept only under --profile (RunOptions::profile), else empty.
  std::vector<long long> profile_ns;
  long long result_ready_ns = 0;  // StageNowNanos() when the trial process had its result
  long long violations() const;
  long long count(AnomalyKind kind) const;
};

// Anomaly details kept per kind and trial; the counts always cover every anomaly.
inline constexpr int kMaxDetailsPerKind = 10;
nlohmann::json TrialResultToJson(const TrialResult& r, bool with_internals);
TrialResult TrialResultFromJson(const nlohmann::json& j);

struct TrialPlan {
  const Scenario* scenario = nullptr;
  int index = 0;
  uint64_t seed = 0;
  ArmedFault armed;                     // impl null; filled in the trial process
  bool fault_free = false;              // calibration: run with no fault at all
  std::optional<TriggerVisit> explore;  // --explore: this exact visit
  std::string dir;                      // the scratch directory, created by the caller
  std::string self_exe;
  const Calibration* calibration = nullptr;  // the scenario's, when it has one
  long long max_states = 0;  // power loss: crash states checked at most (--max-states); 0 default
};

// A trial running in its own child process.
class TrialJob {
 public:
  static Result<TrialJob> Start(const TrialPlan& plan);
  int result_fd() const { return result_r_.get(); }
  Child& child() { return child_; }
  // Reads what the trial sent so far (non-blocking); true at end of stream.
  bool ReadSome();
  // The result, once the child ended: parsed, or a harness error.
  TrialResult Finish(const TrialPlan& plan);

 private:
  Child child_;
  UniqueFd result_r_;
  std::string received_;
};

// Runs a trial's body in the current process (the trial child): the subject,
// then the verifier.
TrialResult RunTrialHere(const TrialPlan& plan);

}  // namespace crashbench
