// Fault "disk-full": from the trigger on, writes fail with ENOSPC, fsyncs
// too, and the final flush of a stdio stream fails and drops the buffer (as
// glibc's fclose does on a write error). Two methods (faults/real_methods.h):
//  - "tmpfs", where root may mount: the output directory is a small tmpfs and
//    the target fills it at the trigger. The disk is full for every process,
//    and the errors are the kernel's own (a write into a page a file already
//    has may still succeed, as on any full filesystem).
//  - "injected" elsewhere: ENOSPC at the target's own write, fsync and close
//    calls in strategy code.
// The process keeps running: what matters is whether the strategy reports the
// task failed and what stays visible.
// From the supervisor it is delivered as SIGUSR2 (acts at the next point).
#include <errno.h>
#include <signal.h>

#include <memory>

#include "faults/real_methods.h"
#include "harness/inject/fault.h"
#include "harness/inject/io_error.h"

namespace crashbench {
namespace {

class DiskFullFault final : public Fault {
 public:
  std::string_view name() const override { return "disk-full"; }
  std::string_view models() const override {
    return "a full disk: every later write, fsync and final flush fails with ENOSPC; the process "
           "lives on";
  }
  void FireInSelf() const override {
    const FaultScene scene = CurrentFaultScene();
    if (scene.method == "tmpfs")
      FillFilesystem(scene);
    else
      InjectIoError(ENOSPC, /*persistent=*/true);
  }
  Status FireAt(int pidfd) const override { return SignalThroughPidfd(pidfd, SIGUSR2); }
  bool acts_at_next_point() const override { return true; }
  bool ends_process() const override { return false; }
};

}  // namespace

std::unique_ptr<Fault> MakeDiskFullFault() { return std::make_unique<DiskFullFault>(); }

}  // namespace crashbench
