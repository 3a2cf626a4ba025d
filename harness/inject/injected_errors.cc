#include "harness/inject/injected_errors.h"

namespace crashbench {
namespace {

class ThisProcess final : public TargetProcess {
 public:
  constexpr ThisProcess() = default;
  void FailSystemCalls(int err, bool persistent) override {
    InjectedErrors::OfThisProcess().Arm(err, persistent);
  }
};

// Constant-initialized: no guard, nothing that could allocate or lock in a
// forked child.
constinit InjectedErrors g_injected_errors;
constinit ThisProcess g_this_process;

}  // namespace

InjectedErrors& InjectedErrors::OfThisProcess() { return g_injected_errors; }

void InjectedErrors::Arm(int err, bool persistent) {
  err_ = err;
  persistent_ = persistent;
}

int InjectedErrors::TakeForNextCall() {
  const int err = err_;
  if (!persistent_) err_ = 0;
  return err;
}

TargetProcess& ThisProcessAsTarget() { return g_this_process; }

}  // namespace crashbench
