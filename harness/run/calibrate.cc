#include "harness/run/calibrate.h"

#include <poll.h>
#include <unistd.h>

#include "harness/base/sys.h"
#include "harness/run/interrupt.h"

namespace crashbench {
namespace {

// One fault-free run to its end. False, with *error set unless interrupted,
// when it did not give a result. keep_output_as: where its output directory
// is moved instead of removed ("" removes it).
bool RunOnce(const TrialPlan& plan, TrialResult* out, std::string* error,
             const std::string& keep_output_as = "") {
  if (Status s = MakeDirs(plan.dir); !s.ok()) {
    *error = s.message();
    return false;
  }
  Result<TrialJob> job = TrialJob::Start(plan);
  if (!job.ok()) {
    *error = job.status().message();
    return false;
  }
  while (!job->ReadSome()) {
    pollfd p{job->result_fd(), POLLIN, 0};
    ::poll(&p, 1, 100);
    if (Interrupted()) return false;
  }
  *out = job->Finish(plan);
  if (!keep_output_as.empty() && ::rename(plan.dir.c_str(), keep_output_as.c_str()) != 0 &&
      out->error.empty())
    out->error = ErrnoStatus("cannot keep " + plan.dir + " as " + keep_output_as, errno).message();
  (void)RemoveTree(plan.dir);
  (void)RemoveTree(plan.dir + ".side");
  ::unlink((plan.dir + ".stderr").c_str());
  if (!out->error.empty()) {
    *error = "calibration run failed: " + out->error;
    return false;
  }
  return true;
}

// A point trigger the targeted processes never reach tests nothing: an input
// error naming the points they do reach.
bool CheckPointReached(const Calibration& cal, ScenarioResult* sr) {
  const TriggerSpec& trig = sr->scenario.fault.trigger;
  const Role role = TriggerRole(sr->scenario.fault.target);
  if (trig.type != TriggerType::kPoint || cal.trigger_sites.at({role, trig.point}) > 0) return true;
  std::string reached;
  for (const TriggerSite& site : cal.trigger_sites.Reached(role))
    (reached += reached.empty() ? "" : ", ") += FaultPointName(site.point);
  sr->error = std::string("the ") + (role == Role::kWriter ? "writer" : "workers") +
              " of strategy '" + sr->scenario.strategy + "' never reach fault point '" +
              std::string(FaultPointName(trig.point)) + "' (they reach: " + reached + ")";
  sr->input_error = true;
  return false;
}

// A syscall trigger that no event of a fault-free run matches, or an
// occurrence beyond the matches, tests nothing: an input error.
bool CheckSyscallMatched(const Calibration& cal, ScenarioResult* sr) {
  const Scenario& s = sr->scenario;
  if (!s.subject || s.fault.kind == "none" || s.fault.trigger.type != TriggerType::kSyscall)
    return true;
  const long long matches = static_cast<long long>(cal.syscall_matches.size());
  const std::optional<long long> k = s.fault.trigger.syscall.value_or(SyscallTrigger{}).occurrence;
  if (matches > 0 && (!k || *k <= matches)) return true;
  sr->error = matches == 0
                  ? "no system call of a fault-free run of the command matches the "
                    "trigger (check its ops, path and contains)"
                  : "the trigger's occurrence " + std::to_string(*k) + " lies beyond the " +
                        std::to_string(matches) + " matching calls of a fault-free run";
  sr->input_error = true;
  return false;
}

}  // namespace

bool Calibrate(TrialPlan plan, ScenarioResult* sr) {
  plan.fault_free = true;
  plan.index = -1;
  // A command judged old-or-new keeps the first run's output: the "new" state.
  const Scenario& s = sr->scenario;
  const std::string new_state =
      s.subject && s.subject->verify.kind == OracleKind::kOldOrNew ? plan.dir + ".new-state" : "";
  TrialResult fastest, first;
  for (int run = 0; run < 3; ++run) {
    TrialResult one;
    if (!RunOnce(plan, &one, &sr->error, run == 0 ? new_state : "")) return false;
    if (run == 0) first = one;
    if (run == 0 || one.observed.duration_us < fastest.observed.duration_us)
      fastest = std::move(one);
  }
  sr->calibration = fastest.observed;
  // Events and the new state come from one run, the first: a trial compares
  // its fired event with that run's, at the same occurrence.
  sr->calibration->syscall_matches = first.observed.syscall_matches;
  sr->calibration->new_state_dir = new_state;
  return CheckPointReached(fastest.observed, sr) && CheckSyscallMatched(*sr->calibration, sr);
}

}  // namespace crashbench
