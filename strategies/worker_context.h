// What strategy code sees inside a worker (or a strategy's writer process):
// its configuration, the descriptors it inherited, and the fault agent that
// decides whether this moment is the one a fault was scheduled for.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "harness/base/stage_clock.h"
#include "harness/inject/fault.h"

namespace crashbench {

class FaultAgent;

enum class FsyncMode { kNone, kTask, kRecord };

struct StrategyConfig {
  std::string dir;                             // the output directory, absolute
  std::map<std::string, std::string> options;  // resolved: every key present
  uint64_t payload_seed = 0;
  long long records_per_task = 0;
  long long record_bytes = 0;
  long long tasks = 0;  // tasks this run will start (skipped ones not counted)
  int pipe_bytes = 0;   // capacity for pipes the strategy creates; 0: the kernel's default
  FsyncMode fsync() const;
  const std::string& option(const std::string& key) const { return options.at(key); }
};

class WorkerContext {
 public:
  WorkerContext(const StrategyConfig& config, FaultAgent* agent, std::vector<int> shared_fds)
      : config_(config), agent_(agent), shared_fds_(std::move(shared_fds)) {}

  const StrategyConfig& config() const { return config_; }
  // A place where a fault may be scheduled. May not return (the fault fired).
  void Point(FaultPoint p);
  // FaultAgent::PointDeferringSelf and FireNow: for a strategy whose damage
  // at a point is something only a dying process does (see queue-writer).
  bool PointDeferringSelf(FaultPoint p);
  void FireNow();
  // One more record has been handed to the output (after_records counts these).
  void RecordWritten();
  int SharedFd(int slot) const { return shared_fds_.at(static_cast<size_t>(slot)); }

  // The record line for (task, seq): JSON text, plus '\n' when with_newline.
  // Reuses one buffer: the returned reference is valid until the next call.
  const std::string& RecordText(long long task, long long seq, bool with_newline);

  StageClock& clock() { return clock_; }

 private:
  const StrategyConfig& config_;
  FaultAgent* agent_;
  std::vector<int> shared_fds_;
  std::string text_;
  StageClock clock_;
};

}  // namespace crashbench
