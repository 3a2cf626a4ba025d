// Fault "sigkill": kill -9. The process stops at once, with no chance to flush
// its stdio buffers, release user-space locks or finish a write. The kernel's
// page cache survives: what reached write(2) is on disk for any later reader.
#include <signal.h>
#include <unistd.h>

#include <memory>

#include "harness/inject/fault.h"

namespace crashbench {
namespace {

class SigkillFault final : public Fault {
 public:
  std::string_view name() const override { return "sigkill"; }
  std::string_view models() const override {
    return "kill -9 (the OOM killer, a preempted container): process memory and stdio buffers "
           "are lost, the page cache survives";
  }
  FaultNeeds needs() const override { return {FaultNeed::kSignal}; }
  void FireInSelf(TargetProcess&) const override {
    ::kill(::getpid(), SIGKILL);
    for (;;) ::pause();  // SIGKILL is not deliverable late, but never return into the strategy
  }
  Status FireAt(int pidfd) const override { return SignalThroughPidfd(pidfd, SIGKILL); }
  // At a stopped call: before, the call never runs; after, it ran and the process dies.
  std::optional<SyscallAction> at_syscall() const override {
    return SyscallAction{SyscallAction::kKillCaller};
  }
};

}  // namespace

std::unique_ptr<Fault> MakeSigkillFault() { return std::make_unique<SigkillFault>(); }

}  // namespace crashbench
