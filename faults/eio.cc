// Fault "eio": the target's next write or fsync fails with EIO, once, as a
// failing sector or a lost network block device does. Injected at the
// strategy's calls ("method": "injected"). The strategy must report the task
// failed rather than acknowledge it; the verifier shows what stayed visible.
// From the supervisor it is delivered as SIGUSR2 (acts at the next point).
#include <errno.h>
#include <signal.h>

#include <memory>

#include "harness/inject/fault.h"
#include "harness/inject/io_error.h"

namespace crashbench {
namespace {

class EioFault final : public Fault {
 public:
  std::string_view name() const override { return "eio"; }
  std::string_view models() const override {
    return "an I/O error on one write or fsync (EIO); the process lives on";
  }
  void FireInSelf() const override { InjectIoError(EIO, /*persistent=*/false); }
  Status FireAt(int pidfd) const override { return SignalThroughPidfd(pidfd, SIGUSR2); }
  bool acts_at_next_point() const override { return true; }
  bool ends_process() const override { return false; }
};

}  // namespace

std::unique_ptr<Fault> MakeEioFault() { return std::make_unique<EioFault>(); }

}  // namespace crashbench
