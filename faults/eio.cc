// Fault "eio": the target's next write or fsync fails with EIO, once, as a
// failing sector or a lost network block device does. Injected at the
// strategy's calls ("method": "injected"). The strategy must report the task
// failed rather than acknowledge it; the verifier shows what stayed visible.
// From the supervisor it is delivered as SIGUSR2 (acts at the next point).
#include <errno.h>
#include <signal.h>

#include <memory>

#include "harness/inject/fault.h"

namespace crashbench {
namespace {

class EioFault final : public Fault {
 public:
  std::string_view name() const override { return "eio"; }
  std::string_view models() const override {
    return "an I/O error on one write or fsync (EIO); the process lives on";
  }
  FaultNeeds needs() const override {
    return {FaultNeed::kSignal, FaultNeed::kInProcessHook, FaultNeed::kFailingSyscall};
  }
  void FireInSelf(TargetProcess& self) const override {
    self.FailSystemCalls(EIO, /*persistent=*/false);
  }
  Status FireAt(int pidfd) const override { return SignalThroughPidfd(pidfd, SIGUSR2); }
  bool acts_at_next_point() const override { return true; }
  bool ends_process() const override { return false; }
  // At a stopped call: the call does not run and returns EIO.
  std::optional<SyscallAction> at_syscall() const override {
    return SyscallAction{SyscallAction::kFail, EIO};
  }
  // One method, reported as such: the error is injected at the strategy's calls.
  Result<std::unique_ptr<FaultScene>> PrepareScene(const SceneRequest&) const override {
    return std::make_unique<FaultScene>("injected");
  }
};

}  // namespace

std::unique_ptr<Fault> MakeEioFault() { return std::make_unique<EioFault>(); }

}  // namespace crashbench
