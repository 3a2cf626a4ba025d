// Fault "pipe-full": the reader of a pipe stops reading.
//  - Aimed at queue-writer's writer: at the trigger it stalls forever, the
//    pipe (shrunk to one page with F_SETPIPE_SZ so it fills quickly) fills up,
//    and every worker blocks in write(2).
//  - Aimed at a worker: the supervisor, the reader of the worker's result
//    pipe, stops draining it. The worker's report lies unread; the pool hands
//    out work only against reports, so the worker waits for a task forever.
// Nothing crashes; the run simply never ends, which the supervisor's deadline
// turns into a diagnosed hang (which process, which system call, which pipe),
// then kills and reaps everything.
// To a writer it is delivered as SIGUSR2: the writer stalls at its next fault
// point.
#include <signal.h>
#include <unistd.h>

#include <memory>

#include "harness/inject/fault.h"

namespace crashbench {
namespace {

class PipeFullFault final : public Fault {
 public:
  std::string_view name() const override { return "pipe-full"; }
  std::string_view models() const override {
    return "a pipe reader that stops reading (a stuck consumer): writers block in write(2) "
           "until something kills them";
  }
  FaultNeeds needs() const override {
    return FaultNeeds{FaultNeed::kSignal, FaultNeed::kInProcessHook}.WithResultPipe(
        ResultPipe::kStall);
  }
  void FireInSelf(TargetProcess&) const override {
    for (;;) ::pause();  // stalls, holding the pipe open: writers block, not EPIPE
  }
  Status FireAt(int pidfd) const override { return SignalThroughPidfd(pidfd, SIGUSR2); }
  bool acts_at_next_point() const override { return true; }
  int pipe_bytes() const override { return 4096; }
};

}  // namespace

std::unique_ptr<Fault> MakePipeFullFault() { return std::make_unique<PipeFullFault>(); }

}  // namespace crashbench
