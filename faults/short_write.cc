// Fault "short-write": a write-like call writes only the first half of its
// bytes and returns that count, as a write to a full pipe, a signal, a quota
// or a network filesystem can make it do. Only at a system call stopped by the
// syscall tap (a syscall trigger): the length argument is cut, so the kernel
// really writes half, and the program sees the short count. A program that
// ignores it (one write call, no loop) leaves a torn record; the process lives on.
#include <memory>

#include "harness/inject/fault.h"

namespace crashbench {
namespace {

class ShortWriteFault final : public Fault {
 public:
  std::string_view name() const override { return "short-write"; }
  std::string_view models() const override {
    return "a short write (half the bytes written, the count returned): the process lives on, "
           "what it does with the count decides what a reader sees";
  }
  FaultNeeds needs() const override { return {FaultNeed::kSyscallStop}; }
  // Never reached: validation refuses this fault anywhere but at a syscall trigger.
  void FireInSelf(TargetProcess&) const override {}
  Status FireAt(int) const override {
    return Status::Error("fault 'short-write' acts only at a system call stopped by the tap");
  }
  bool ends_process() const override { return false; }
  std::optional<SyscallAction> at_syscall() const override {
    return SyscallAction{SyscallAction::kShortWrite};
  }
};

}  // namespace

std::unique_ptr<Fault> MakeShortWriteFault() { return std::make_unique<ShortWriteFault>(); }

}  // namespace crashbench
