// What a trial runs: a subject, the pipeline under test. A subject starts its
// processes (the tree it supervises), lets the armed fault fire where its
// trigger is reached, waits for every process within the scenario's deadline
// (a deadline that passes is a diagnosed hang), kills and reaps them all, and
// reports one SubjectOutcome. The trial then hands the output directory to
// the verifier; it never needs to know which subject ran.
//
// The built-in worker pool (pool.h) is the first subject. Whatever only a
// pool has (retries, per-task latencies, stage times) is optional here, so
// that a subject with no such notion (a user's command) leaves it out.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "harness/base/stage_clock.h"
#include "harness/base/status.h"
#include "harness/base/trial_clock.h"
#include "harness/inject/fault_agent.h"
#include "harness/inject/trigger_sites.h"

namespace crashbench {

// The fault one run carries, with every choice already made.
struct FaultSchedule {
  ArmedFault armed;           // armed.impl null: no fault
  std::string kind = "none";  // the fault's name, reported with where it fired
  std::string method;         // how it is produced, when the fault has methods (Fault::methods())
};

struct ProcessEnd {
  std::string role;  // "worker" or "writer"; a command subject's: "command" or "process"
  int index = 0;
  int pid = 0;
  std::string end;  // "exited 0", "killed by SIGKILL"
  bool failed = false;
  bool handled = false;  // it died and the subject's own policy took care of it
  std::string place;     // a command subject's: the place in its tree, "0", "0.2"; else ""
};

// What only a worker pool measures.
struct PoolStats {
  long long retried = 0;                   // task runs started again after a death
  std::vector<long long> task_latency_us;  // dispatch to acknowledgement
  std::array<long long, kNumStages> stage_ns{};
  // The supervisor's own time by trial stage: set-up, forks, dispatch,
  // waiting while the workers write, the fault, reaping (crashbench run --profile).
  TrialClock profile;
};

struct SubjectOutcome {
  std::vector<std::pair<long long, long long>> acks;  // (task, microseconds since start)
  std::vector<std::pair<long long, std::string>> failed_tasks;
  std::vector<long long> lost_in_flight;  // tasks held by a process when it died
  // What the pipeline itself reported: every task acknowledged, no task
  // failed, every process exited 0. A pipeline that says "ok" while a process
  // died is a silent failure.
  bool pipeline_ok = false;
  bool hang = false;
  std::string hang_diagnosis;
  nlohmann::json fired;             // null when the fault never fired
  TriggerSiteCounts trigger_sites;  // how often each site was reached
  long long duration_us = 0;
  std::vector<ProcessEnd> processes;
  std::optional<PoolStats> pool_stats;
};

class Subject {
 public:
  virtual ~Subject() = default;
  // One run with fault armed. An error means the harness could not run the
  // subject at all; whatever the subject did is in the outcome.
  virtual Result<SubjectOutcome> Run(const FaultSchedule& fault) = 0;
  // The operator's restart after a run: the same subject again with no
  // fault, taking done_tasks as finished (it runs only the others).
  virtual Result<SubjectOutcome> Restart(const std::set<long long>& done_tasks) = 0;
};

}  // namespace crashbench
