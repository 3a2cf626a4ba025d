// Fault "oom": the target runs out of memory the way a leak does, by one of
// two methods (faults/real_methods.h; results say which ran):
//  - "cgroup", where root has a writable memory cgroup: the target moves into
//    a cgroup limited to 64 MiB and allocates and touches memory until the
//    kernel's OOM killer kills it (SIGKILL).
//  - "rlimit", always available: its address space is capped a little above
//    what it uses now (RLIMIT_AS) and it allocates until allocation fails; the
//    std::bad_alloc then terminates the process with SIGABRT, as an uncaught
//    one does.
// Either way its stdio buffers are lost and the page cache survives.
// From the supervisor it is delivered as SIGUSR2: the target fires at its next
// fault point (allocation is not async-signal-safe, so never in the handler).
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "faults/real_methods.h"
#include "harness/inject/fault.h"

namespace crashbench {
namespace {

long long CurrentAddressSpaceBytes() {
  long long pages = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "re")) {
    if (std::fscanf(f, "%lld", &pages) != 1) pages = 0;
    std::fclose(f);
  }
  return pages * ::sysconf(_SC_PAGESIZE);
}

class OomFault final : public Fault {
 public:
  std::string_view name() const override { return "oom"; }
  std::string_view models() const override {
    return "out of memory through a leak (RLIMIT_AS, std::bad_alloc, then termination): stdio "
           "buffers are lost, the page cache survives";
  }
  void FireInSelf() const override {
    if (JoinCgroup(CurrentFaultScene())) {
      // The OOM killer ends this; the bound only stops a limit that did not hold.
      for (int i = 0; i < 4096; ++i) std::memset(new char[1 << 20], 1, 1 << 20);
      std::abort();
    }
    const rlimit cap = {static_cast<rlim_t>(CurrentAddressSpaceBytes() + (32 << 20)),
                        static_cast<rlim_t>(CurrentAddressSpaceBytes() + (32 << 20))};
    ::setrlimit(RLIMIT_AS, &cap);
    std::vector<char*> leak;
    try {
      for (;;) {
        char* block = new char[1 << 20];
        std::memset(block, 1, 1 << 20);
        leak.push_back(block);
      }
    } catch (const std::bad_alloc&) {
      // What an uncaught std::bad_alloc does, without unwinding anything.
      static const char kMessage[] =
          "terminate called after throwing an instance of 'std::bad_alloc' (crashbench oom, "
          "rlimit)\n";
      (void)!::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
      std::abort();
    }
  }
  Status FireAt(int pidfd) const override { return SignalThroughPidfd(pidfd, SIGUSR2); }
  bool acts_at_next_point() const override { return true; }
};

}  // namespace

std::unique_ptr<Fault> MakeOomFault() { return std::make_unique<OomFault>(); }

}  // namespace crashbench
