// Fault "disk-full": from the trigger on, the target's writes fail with ENOSPC,
// its fsyncs too, and the final flush of a stdio stream fails and drops the
// buffer (as glibc's fclose does on a write error). Injected at the
// strategy's calls ("method": "injected"); a real size-limited tmpfs, where
// root may mount, is not used yet. The process keeps running: what matters is
// whether the strategy reports the task failed and what stays visible.
// From the supervisor it is delivered as SIGUSR2 (acts at the next point).
#include <errno.h>
#include <signal.h>

#include <memory>

#include "faults/fault.h"
#include "faults/io_error.h"

namespace crashbench {
namespace {

class DiskFullFault final : public Fault {
 public:
  std::string_view name() const override { return "disk-full"; }
  std::string_view models() const override {
    return "a full disk: every later write, fsync and final flush fails with ENOSPC; the process "
           "lives on";
  }
  void FireInSelf() const override { InjectIoError(ENOSPC, /*persistent=*/true); }
  Status FireAt(int pidfd) const override { return SignalThroughPidfd(pidfd, SIGUSR2); }
  bool acts_at_next_point() const override { return true; }
};

}  // namespace

std::unique_ptr<Fault> MakeDiskFullFault() { return std::make_unique<DiskFullFault>(); }

}  // namespace crashbench
