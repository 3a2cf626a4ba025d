// Fault "exit-no-flush": the target leaves with _exit(0) while its stdio
// buffers hold data, as Python's os._exit() does (and a forked child that
// skips its interpreter's shutdown). The exit status says success; only the
// pool noticing that the worker left while holding a task tells otherwise.
// From the supervisor (random moments, siblings) it is delivered as SIGUSR1,
// whose handler in every worker and writer calls _exit(0).
#include <signal.h>
#include <unistd.h>

#include <memory>

#include "harness/inject/fault.h"

namespace crashbench {
namespace {

class ExitNoFlushFault final : public Fault {
 public:
  std::string_view name() const override { return "exit-no-flush"; }
  std::string_view models() const override {
    return "os._exit(0) with unflushed stdio buffers: buffered records are lost, the exit "
           "status says success";
  }
  // SIGUSR1 from the supervisor acts through the handler the hook installs.
  FaultNeeds needs() const override { return {FaultNeed::kSignal, FaultNeed::kInProcessHook}; }
  void FireInSelf(TargetProcess&) const override { ::_exit(0); }
  Status FireAt(int pidfd) const override { return SignalThroughPidfd(pidfd, SIGUSR1); }
  // At a stopped call the call becomes exit_group(0): no user-space code runs again.
  std::optional<SyscallAction> at_syscall() const override {
    return SyscallAction{SyscallAction::kExitCaller};
  }
};

}  // namespace

std::unique_ptr<Fault> MakeExitNoFlushFault() { return std::make_unique<ExitNoFlushFault>(); }

}  // namespace crashbench
