// A write strategy: how a task's records reach their final place on disk.
// Each strategy is one file in strategies/ behind this interface plus one line
// in strategies/registry.cc. Strategies use the real libc calls a real program
// would (stdio buffering included): their damage is the finding.
//
// Lifecycle, for one trial:
//   supervisor: SetUp()            open what workers inherit, start a writer
//   supervisor: WorkersStarted()   drop the supervisor's copies of worker ends
//   worker:     WorkerStart()      once per worker process
//   worker:     RunTask() ...      returns Ok only once the task is committed,
//                                  by this strategy's own definition; only then
//                                  is the task acknowledged
//   worker:     WorkerExit()       a normal exit (interpreter shutdown flushes)
//   supervisor: TearDown()         after every worker is gone
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/base/status.h"
#include "harness/contract/layout.h"
#include "strategies/worker_context.h"

namespace crashbench {

// What the pool offers a strategy during SetUp (supervisor side).
class PoolHost {
 public:
  virtual ~PoolHost() = default;
  // Every worker inherits fd, at the same number, across exec in spawn mode.
  // Returns the slot to pass to WorkerContext::SharedFd().
  virtual int ShareWithWorkers(int fd) = 0;
  // Starts the strategy's writer process: a child of the supervisor that runs
  // body(ctx) and exits with its return value. It keeps only keep_fds open.
  // The pool watches it like a worker (deadline, faults aimed at "writer" or
  // "pool", reaping) and counts its death as a pipeline failure.
  virtual Status StartWriter(const std::vector<int>& keep_fds,
                             std::function<int(WorkerContext&)> body) = 0;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual Status SetUp(const StrategyConfig& config, PoolHost& host) {
    (void)config, (void)host;
    return Status::Ok();
  }
  virtual void WorkersStarted() {}
  virtual Status WorkerStart(WorkerContext& ctx) {
    (void)ctx;
    return Status::Ok();
  }
  virtual Status RunTask(WorkerContext& ctx, long long task) = 0;
  virtual void WorkerExit(WorkerContext& ctx) { (void)ctx; }
  virtual Status TearDown() { return Status::Ok(); }
};

struct OptionSpec {
  std::string_view key;
  std::vector<std::string_view> values;  // the valid values, default first
  std::string_view help;
};

struct StrategyInfo {
  std::string_view name;
  Layout layout;
  std::string_view summary;
  std::vector<OptionSpec> options;
  std::unique_ptr<Strategy> (*make)();
};

const std::vector<StrategyInfo>& AllStrategies();
const StrategyInfo* FindStrategy(std::string_view name);
std::string StrategyNameList();

// The option spec every strategy shares: durability.
OptionSpec FsyncOption(std::string_view default_value);

// Checks options against the strategy's spec and fills in defaults. The error
// names the bad key or value and the valid choices.
Status ResolveOptions(const StrategyInfo& info, std::map<std::string, std::string>* options);

}  // namespace crashbench
