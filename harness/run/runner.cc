// RunScenarios in named steps: a scratch root, then each scenario planned in
// order (calibrated where its trials need it, --explore's visits enumerated,
// its trials of this shard queued), the scheduler runs the queue, the
// machine's limits are measured, and the results are put in trial order.
#include "harness/run/runner.h"

#include <stdlib.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "faults/oom.h"
#include "harness/base/sys.h"
#include "harness/run/calibrate.h"
#include "harness/run/interrupt.h"
#include "harness/run/run_lock.h"
#include "harness/run/run_plan.h"
#include "harness/run/scheduler.h"
#include "harness/supervise/cgroup.h"

namespace crashbench {
namespace {

std::string FsType(const std::string& path) {
  struct statfs s;
  if (::statfs(path.c_str(), &s) != 0) return "unknown";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53:
      return "ext4";
    case 0x01021994:
      return "tmpfs";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x794C7630:
      return "overlayfs";
    case 0x6969:
      return "nfs";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(s.f_type));
      return buf;
    }
  }
}

class Runner {
 public:
  explicit Runner(const RunOptions& options) : options_(options) {
    out_.shard_index = options.shard_index;
    out_.shard_count = std::max(1, options.shard_count);
    shard_ = {out_.shard_index, out_.shard_count};
  }
  RunOutcome Run(const std::vector<Scenario>& scenarios);

 private:
  bool MakeScratchRoot();
  long long TrialsInThisShard(const std::vector<Scenario>& scenarios) const;
  void PlanScenario(size_t si, TrialScheduler& scheduler);
  bool CalibrateIfNeeded(size_t si, bool explore);
  void MeasureMachineLimits();
  void Conclude();

  const RunOptions& options_;
  RunOutcome out_;
  ShardSlice shard_;
  std::string root_;
  RunLock scratch_lock_;        // held while the scratch root is in use
  long long ordinal_base_ = 0;  // the run-wide ordinal of the next scenario's first trial
};

RunOutcome Runner::Run(const std::vector<Scenario>& scenarios) {
  if (!MakeScratchRoot()) return std::move(out_);
  TrialScheduler scheduler(options_, TrialsInThisShard(scenarios));
  // Scenario results are referred to by address from here on: no reallocation.
  out_.scenarios.reserve(scenarios.size());
  for (size_t si = 0; si < scenarios.size(); ++si) {
    out_.scenarios.push_back(ScenarioResult{scenarios[si]});
    PlanScenario(si, scheduler);
  }
  if (Result<std::string> spill = scheduler.OpenSpill(out_.scenarios); spill.ok()) {
    out_.spill_path = *spill;
    if (!scheduler.RunAll()) out_.interrupted = true;
    out_.results_lost = scheduler.spill_error();
  } else {
    out_.results_lost = spill.status().message();
    out_.interrupted = true;
  }
  MeasureMachineLimits();
  if (!options_.keep) (void)RemoveTree(root_);
  // A kept root is the user's now: without its lock file it is never taken
  // for a dead run's leftovers.
  scratch_lock_.Release();
  Conclude();
  return std::move(out_);
}

// The root is named by this process's pid and locked for the run's life, so
// that the next run can tell a dead run's root and remove it (run_lock.h);
// those are removed first.
bool Runner::MakeScratchRoot() {
  const std::string parent =
      !options_.scratch_parent.empty() ? options_.scratch_parent : DefaultScratchParent();
  out_.leftovers_removed = RemoveDeadScratchRoots(parent);
  for (std::string& line : RemoveStaleOomCgroups())
    out_.leftovers_removed.push_back(std::move(line));
  for (std::string& line : RemoveStaleSubjectCgroups())
    out_.leftovers_removed.push_back(std::move(line));
  std::string root = parent + "/crashbench-" + std::to_string(::getpid()) + "-XXXXXX";
  Result<RunLock> lock = Status::Error("");
  if (::mkdtemp(root.data())) lock = RunLock::Take(root + "/" + kLockFileName);
  if (!lock.ok()) {
    ScenarioResult r;
    r.error = "cannot create a scratch directory under " + parent;
    out_.scenarios.push_back(r);
    return false;
  }
  scratch_lock_ = std::move(*lock);
  root_ = out_.scratch_root = root;
  out_.fs_type = FsType(root);
  return true;
}

// The progress line's denominator (before --explore sets trial counts).
long long Runner::TrialsInThisShard(const std::vector<Scenario>& scenarios) const {
  long long total = 0;
  for (const Scenario& s : scenarios) total += options_.only_trial ? 1 : s.trials;
  return shard_.ShareOf(total);
}

// Calibrates scenario si where it needs to, then queues its trials of this shard.
void Runner::PlanScenario(size_t si, TrialScheduler& scheduler) {
  ScenarioResult& sr = out_.scenarios[si];
  const Scenario& s = sr.scenario;
  const TriggerType trigger = s.fault.trigger.type;
  const bool explore = options_.explore && s.fault.kind != "none" &&
                       (trigger == TriggerType::kPoint || trigger == TriggerType::kSyscall);
  if (!CalibrateIfNeeded(si, explore)) {
    if (Interrupted()) out_.interrupted = true;
    ordinal_base_ += s.trials;
    return;
  }
  // --explore: one trial per visit to a trigger site of the targeted
  // processes in a fault-free run, in a fixed order, so trial N is the same
  // visit in every run of the same scenario.
  std::vector<TriggerVisit> visits;
  if (explore && trigger == TriggerType::kSyscall) {
    // A command's syscall trigger: one trial per matching event, in order.
    for (size_t k = 1; k <= sr.calibration->syscall_matches.size(); ++k)
      visits.push_back({{}, static_cast<long long>(k)});
    sr.scenario.trials = static_cast<int>(visits.size());
  } else if (explore) {
    visits = sr.calibration->trigger_sites.Visits(TriggerRole(s.fault.target));
    sr.scenario.trials = static_cast<int>(visits.size());
  }
  const std::optional<TrialRange> range = TrialsToRun(options_.only_trial, s.trials);
  if (!range) {
    sr.error = "trial " + std::to_string(options_.only_trial.value_or(0)) +
               " does not exist (the scenario has " + std::to_string(s.trials) + ")";
    sr.input_error = true;
    return;
  }
  const long long first_ordinal = ordinal_base_;
  ordinal_base_ += s.trials;
  for (int i = range->first; i < range->last; ++i) {
    if (!shard_.Holds(first_ordinal + i)) continue;
    QueuedTrial t;
    t.plan.scenario = &sr.scenario;
    t.plan.index = i;
    t.plan.seed = TrialSeed(s.seed, i);
    t.plan.dir = root_ + "/" + std::to_string(si) + "-" + std::to_string(i);
    t.plan.self_exe = options_.self_exe;
    t.plan.max_states = options_.max_states;
    if (!visits.empty()) t.plan.explore = visits[static_cast<size_t>(i)];
    t.into = &sr;
    t.scenario_index = si;
    scheduler.Enqueue(std::move(t));
  }
}

// False when the scenario's trials cannot run (sr.error says why) or the run
// was interrupted. A replay of a random trigger takes the window the original
// run drew from instead of measuring one.
bool Runner::CalibrateIfNeeded(size_t si, bool explore) {
  ScenarioResult& sr = out_.scenarios[si];
  const Scenario& s = sr.scenario;
  const bool window_given =
      options_.random_window_us && s.fault.trigger.type == TriggerType::kRandom;
  // A command subject calibrates anyway (old-or-new's new state), then takes the window.
  if (NeedsCalibration(s) && window_given && !s.subject)
    sr.calibration = Calibration{*options_.random_window_us, {}};
  if ((!NeedsCalibration(s) && !explore) || sr.calibration) return true;
  // A shard calibrates only what it runs trials of (--explore always: the
  // trial count itself comes from the calibration).
  if (!explore && !shard_.HoldsAnyOf(ordinal_base_, s.trials)) return true;
  TrialPlan plan;
  plan.scenario = &sr.scenario;
  plan.self_exe = options_.self_exe;
  plan.dir = root_ + "/calibration-" + std::to_string(si);
  if (!Calibrate(plan, &sr)) return false;
  if (window_given) sr.calibration->duration_us = *options_.random_window_us;
  if (options_.syscall_matches && s.fault.trigger.type == TriggerType::kSyscall)
    sr.calibration->syscall_matches = *options_.syscall_matches;
  return true;
}

// The machine's limits, once per workload shape, on the same filesystem.
void Runner::MeasureMachineLimits() {
  if (!options_.measure_limits || out_.interrupted) return;
  for (const ScenarioResult& sr : out_.scenarios) {
    const std::string key = WorkloadKey(sr.scenario.workload);
    if (sr.scenario.fault.kind != "none" || out_.limits.count(key)) continue;
    if (out_.shard_count > 1 && sr.trials.empty()) continue;  // another shard measures it
    Result<MachineLimits> lim = MeasureLimits(root_, sr.scenario.workload, 3);
    if (lim.ok())
      out_.limits[key] = *lim;
    else
      out_.limits_error = lim.status().message();
  }
}

// Trials in index order; "the fault never fired" only where this run saw
// every trial (a shard leaves it to `crashbench merge`).
void Runner::Conclude() {
  for (ScenarioResult& sr : out_.scenarios) {
    std::sort(sr.trials.begin(), sr.trials.end(),
              [](const TrialResult& a, const TrialResult& b) { return a.index < b.index; });
    if (options_.shard_count == 1) CheckFaultFired(&sr, out_.interrupted);
  }
}

}  // namespace

std::map<std::string, int> ScenarioResult::forbidden_seen() const {
  std::map<std::string, int> seen;
  for (const TrialResult& t : trials) {
    for (AnomalyKind k : scenario.forbid)
      if (t.count(k) > 0) seen[std::string(AnomalyName(k))]++;
  }
  return seen;
}

void CheckFaultFired(ScenarioResult* sr, bool interrupted) {
  const bool fired = std::any_of(sr->trials.begin(), sr->trials.end(),
                                 [](const TrialResult& t) { return !t.fired.is_null(); });
  if (sr->error.empty() && !interrupted && sr->scenario.fault.kind != "none" &&
      !sr->trials.empty() && !fired) {
    const TriggerType type = sr->scenario.fault.trigger.type;
    sr->input_error = type == TriggerType::kPoint || type == TriggerType::kAfterRecords;
    sr->error = "the fault never fired in " + std::to_string(sr->trials.size()) + " trial" +
                (sr->trials.size() == 1 ? "" : "s") +
                (sr->input_error ? " (the trigger lies beyond what the workload reaches)"
                                 : " (every moment fell after the run had ended)");
  }
}

RunOutcome RunScenarios(const std::vector<Scenario>& scenarios, const RunOptions& options) {
  return Runner(options).Run(scenarios);
}

}  // namespace crashbench
