// The machine's own limits, measured in the same run on the same filesystem
// as the strategies, so that every strategy's throughput can be read as a
// fraction of what this disk and kernel allow:
//
//   raw-write           one process, write(2) of every record line, no fsync
//   write-fsync-task    the same, fsync after each task's records (shared file)
//   write-fsync-record  the same, fsync after every record
//   create-write-fsync  per task: create a file, write it, fsync, close
//   write-fsync-rename  per task: temp file, write, fsync, rename, fsync directory
//   fdatasync           latency of one fdatasync after a small write
//   fork-reap           fork, child _exit, waitpid
//   stage-timer         one StageTimer: what crashbench's own timing costs
//
//   MachineLimits lim = MeasureLimits(dir, workload, /*repetitions=*/3);
//   const Limit* l = lim.Find("raw-write");
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "scenarios/scenario.h"

namespace crashbench {

struct Limit {
  std::string name;
  double records_per_s = 0;  // median over repetitions; 0 for latency-only limits
  double latency_us = 0;     // per operation (fdatasync, fork-reap, per task otherwise)
};

struct MachineLimits {
  std::vector<Limit> limits;
  const Limit* Find(const std::string& name) const;
};

// Measures every limit with the workload's record size and task shape, in a
// scratch directory under dir (removed afterwards). Single-threaded, one process.
Result<MachineLimits> MeasureLimits(const std::string& dir, const Workload& workload,
                                    int repetitions);

// The limit a strategy with these options is held against.
std::string MatchingLimit(const std::string& strategy, const std::string& fsync);

nlohmann::json LimitsToJson(const MachineLimits& limits);

// The key limits are stored under: one set per workload shape.
std::string WorkloadKey(const Workload& w);

}  // namespace crashbench
