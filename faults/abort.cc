// Fault "abort": the target calls abort(), as a failed assertion does. Like
// kill -9 it loses the process's stdio buffers and keeps the page cache; the
// process ends with SIGABRT. Core dumps are disabled for every process a run
// starts (RLIMIT_CORE 0), so a thousand trials do not fill the disk.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "harness/inject/fault.h"

namespace crashbench {
namespace {

class AbortFault final : public Fault {
 public:
  std::string_view name() const override { return "abort"; }
  std::string_view models() const override {
    return "abort() from a failed assertion: stdio buffers are lost, the page cache survives, "
           "the process dies of SIGABRT";
  }
  FaultNeeds needs() const override { return {FaultNeed::kSignal}; }
  void FireInSelf(TargetProcess&) const override { std::abort(); }
  Status FireAt(int pidfd) const override { return SignalThroughPidfd(pidfd, SIGABRT); }
  std::optional<SyscallAction> at_syscall() const override {
    return SyscallAction{SyscallAction::kAbortCaller};
  }
};

}  // namespace

std::unique_ptr<Fault> MakeAbortFault() { return std::make_unique<AbortFault>(); }

}  // namespace crashbench
