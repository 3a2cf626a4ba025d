// The worker pool of one trial: a single-threaded supervisor that starts W
// worker processes (and a strategy's writer), hands them tasks over pipes,
// logs their acknowledgements, fires the armed fault, and waits for all of
// them with one deadline. A deadline that passes becomes a diagnosed hang:
// which process was blocked in which system call, then everything is killed
// and reaped.
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

#include <array>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "harness/base/stage_clock.h"
#include "harness/inject/fault_agent.h"
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
};

struct ProcessEnd {
  std::string role;  // "worker" or "writer"
  int index = 0;
  int pid = 0;
  std::string end;  // "exited 0", "killed by SIGKILL"
  bool failed = false;
  bool handled = false;  // a worker died and the pool policy took care of it (not fail-pool)
};

struct PoolOutcome {
  std::vector<std::pair<long long, long long>> acks;  // (task, microseconds since start)
  std::vector<std::pair<long long, std::string>> failed_tasks;
  std::vector<long long> lost_in_flight;  // tasks held by a worker when it died
  long long retried = 0;                  // task runs started again after a death
  // What the pipeline itself reported: every task acknowledged, no task failed,
  // every process exited 0. A built-in pool never hides a death; a pipeline that
  // says "ok" while a process died is a silent failure.
  bool pipeline_ok = false;
  bool hang = false;
  std::string hang_diagnosis;
  nlohmann::json fired;  // null when the fault never fired
  std::array<std::array<long long, kNumFaultPoints>, 2> point_counts{};
  long long duration_us = 0;
  std::vector<ProcessEnd> processes;
  std::vector<long long> task_latency_us;  // dispatch to acknowledgement
  std::array<long long, kNumStages> stage_ns{};
};

Result<PoolOutcome> RunPool(const PoolConfig& config);

// Spawn mode: the re-executed worker's entry point (crashbench __worker SPEC).
[[noreturn]] void SpawnedWorkerMain(const std::string& spec_json);

}  // namespace crashbench
