#include "harness/run/calibrate.h"

#include <poll.h>
#include <unistd.h>

#include "harness/base/sys.h"
#include "harness/run/interrupt.h"

namespace crashbench {
namespace {

// One fault-free run to its end. False, with *error set unless interrupted,
// when it did not give a result.
bool RunOnce(const TrialPlan& plan, TrialResult* out, std::string* error) {
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
  (void)RemoveTree(plan.dir);
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

}  // namespace

bool Calibrate(TrialPlan plan, ScenarioResult* sr) {
  plan.fault_free = true;
  plan.index = -1;
  TrialResult fastest;
  for (int run = 0; run < 3; ++run) {
    TrialResult one;
    if (!RunOnce(plan, &one, &sr->error)) return false;
    if (run == 0 || one.observed.duration_us < fastest.observed.duration_us)
      fastest = std::move(one);
  }
  sr->calibration = fastest.observed;
  return CheckPointReached(fastest.observed, sr);
}

}  // namespace crashbench
