// The worker side of the pool: read a task, run the strategy, acknowledge
// only what the strategy committed. Runs in a forked child (fork mode) or in
// a re-executed crashbench (spawn mode); never returns.
//
// The pool (pool_workers.cc) starts workers through this header; the worker
// knows nothing of the pool beyond its descriptors and the frames on them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/inject/fault_agent.h"
#include "strategies/strategy.h"

namespace crashbench {

struct WorkerFds {
  int task = -1;            // reads {"task":T} frames; end of stream: no more work
  int ack = -1;             // writes ack / fail frames
  int fire = -1;            // one byte: "a fault fired, act on the other targets"
  int region = -1;          // the fault region's memfd
  std::vector<int> shared;  // the strategy's inherited descriptors, by slot
};

[[noreturn]] void WorkerMain(Strategy& strategy, const StrategyConfig& config,
                             const ArmedFault& fault, FaultShared* shared, int index,
                             const WorkerFds& fds);

// The spec a spawned worker is started with, and its inverse.
nlohmann::json WorkerSpecToJson(const StrategyConfig& config, const std::string& strategy,
                                const std::string& fault_kind, const ArmedFault& fault, int index,
                                const WorkerFds& fds);

// Spawn mode: the re-executed worker's entry point (crashbench __worker SPEC),
// SPEC being WorkerSpecToJson's text.
[[noreturn]] void SpawnedWorkerMain(const std::string& spec_json);

}  // namespace crashbench
