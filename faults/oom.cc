// Fault "oom": the target runs out of memory the way a leak does. Method
// "rlimit" (always available, no root): its address space is capped a little
// above what it uses now (RLIMIT_AS) and it allocates and touches memory
// until allocation fails; the std::bad_alloc then terminates the process with
// SIGABRT, as an uncaught one does, losing its stdio buffers. The kernel OOM killer in
// a memory cgroup (SIGKILL) is the planned second method; results say
// "method": "rlimit" so the two are never confused.
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

#include "faults/fault.h"

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
          "terminate called after throwing an instance of 'std::bad_alloc' (crashbench oom, rlimit)\n";
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
