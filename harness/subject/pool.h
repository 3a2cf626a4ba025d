// The worker pool of one trial: a single-threaded supervisor that starts W
// worker processes (and a strategy's writer), hands them tasks over pipes,
// logs their acknowledgements, fires the armed fault, and waits for all of
// them with one deadline. A deadline that passes becomes a diagnosed hang:
// which process was blocked in which system call, then everything is killed
// and reaped. It is the first Subject (subject.h): MakePoolSubject.
//
// Pool policy on a worker's death (PoolConfig::on_worker_death):
//  - fail-pool, like Python's BrokenProcessPool: no new task is dispatched;
//    the other workers finish the task they hold and exit; the dead worker's
//    task and every task never dispatched fail; the pipeline reports failure.
//  - fail-task: the dead worker's task fails; a new worker takes its place.
//  - retry-task, like loky or a job queue: the task runs again on a new worker,
//    up to kMaxAttempts runs in all, then fails.
// The writer of a strategy is never replaced: its death breaks the pool.
//
// It hosts every need a fault may have (kBuiltInPoolHost, harness/inject/fault.h).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "harness/inject/fault_agent.h"
#include "harness/subject/subject.h"
#include "scenarios/scenario.h"
#include "strategies/strategy.h"
#include "strategies/worker_context.h"

namespace crashbench {

struct PoolConfig {
  const StrategyInfo* strategy = nullptr;
  StrategyConfig strategy_config;
  int workers = 1;
  long long tasks = 0;
  long long deadline_ms = 10000;
  StartMethod start_method = StartMethod::kFork;
  ArmedFault fault;  // fault.impl may be null: no fault
  std::string fault_kind = "none";
  std::string fault_method;  // how it is produced: its scene's method (Fault::PrepareScene)
  std::string self_exe;      // the crashbench binary, for spawn mode
  WorkerDeathPolicy on_worker_death = WorkerDeathPolicy::kFailPool;
  std::set<long long> skip_tasks;  // a restart: tasks not dispatched at all
  // When set, the supervisor appends "<task>\n" to this file at each
  // acknowledgement as it takes it: a recorded run (the syscall tap watching
  // the file) then has every ack in its one order of events, after the
  // worker's calls that committed the task. "" writes nothing.
  std::string ack_file;
};

// One run of the pool; its outcome carries PoolStats.
Result<SubjectOutcome> RunPool(const PoolConfig& config);

// The pool as a Subject, configured from the scenario, writing into dir.
// ack_file: PoolConfig::ack_file.
std::unique_ptr<Subject> MakePoolSubject(const Scenario& s, const std::string& dir,
                                         const std::string& self_exe,
                                         const std::string& ack_file = "");

}  // namespace crashbench
