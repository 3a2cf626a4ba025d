// Fault "pipe-broken": the process reading a pipe dies, and whoever writes to
// it next gets EPIPE (SIGPIPE is ignored, as Python ignores it, so it is an
// error value, not a signal).
//  - target writer (queue-writer): the writer leaves as a consumer does on an
//    unhandled exception: what it already wrote to its file is flushed (its
//    `with` block closes the file), then the process exits 3. The frames still
//    in the pipe die with its read end; producers meet EPIPE at their next
//    send and fail their task.
//  - target worker: the pool's reader of that worker's result pipe dies (a
//    ProcessPoolExecutor's result thread, a parent that went away): the
//    supervisor closes its read end. The worker goes on with its task, whose
//    output is committed, and meets EPIPE when it reports it: the work is done
//    and the pipeline never hears of it.
// From the supervisor it is delivered as SIGUSR2 to a writer (it acts at its
// next fault point); a worker's result pipe the supervisor closes itself.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "harness/inject/fault.h"

namespace crashbench {
namespace {

class PipeBrokenFault final : public Fault {
 public:
  std::string_view name() const override { return "pipe-broken"; }
  std::string_view models() const override {
    return "the reader of a pipe dies (a crashed consumer, a parent gone): the next write meets "
           "EPIPE; the page cache survives";
  }
  FaultNeeds needs() const override {
    return FaultNeeds{FaultNeed::kSignal, FaultNeed::kInProcessHook}.WithResultPipe(
        ResultPipe::kClose);
  }
  void FireInSelf(TargetProcess&) const override {
    // Runs at a fault point, never in a signal handler (acts_at_next_point).
    std::fflush(nullptr);
    ::_exit(3);
  }
  Status FireAt(int pidfd) const override { return SignalThroughPidfd(pidfd, SIGUSR2); }
  bool acts_at_next_point() const override { return true; }
  // Whoever it acts in dies of it with a failing status (exit 3, or 1 of
  // EPIPE), which the pool sees for itself.
  bool ends_process() const override { return false; }
};

}  // namespace

std::unique_ptr<Fault> MakePipeBrokenFault() { return std::make_unique<PipeBrokenFault>(); }

}  // namespace crashbench
