// Fault "oom": the target runs out of memory the way a leak does, by one of
// two methods (results say which ran):
//  - "cgroup", where root has a writable memory cgroup (v1 or v2): the trial
//    makes one limited to 64 MiB; at the trigger the target moves itself into
//    it and allocates and touches memory until the kernel's OOM killer kills
//    it (SIGKILL).
//  - "rlimit", always available: its address space is capped a little above
//    what it uses now (RLIMIT_AS) and it allocates until allocation fails; the
//    std::bad_alloc then terminates the process with SIGABRT, as an uncaught
//    one does.
// "auto" takes cgroup where it is possible and falls back to rlimit; a
// scenario that asks for cgroup by name gets a harness error saying why not.
// Either way its stdio buffers are lost and the page cache survives.
// From the supervisor it is delivered as SIGUSR2: the target fires at its next
// fault point (allocation is not async-signal-safe, so never in the handler).
#include "faults/oom.h"

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "faults/scene_env.h"
#include "harness/base/sys.h"
#include "harness/inject/fault.h"

namespace crashbench {
namespace {

constexpr long long kCgroupLimitBytes = 64LL << 20;

bool SwapIsOn() {
  Result<std::string> swaps = ReadFileToString("/proc/swaps");
  // A header line, then one line per swap area.
  return swaps.ok() && std::count(swaps->begin(), swaps->end(), '\n') > 1;
}

// The trial's own cgroup paths, as /proc/self/cgroup names them: v1's
// "N:memory:/path" and v2's "0::/path" ("" when absent).
struct OwnCgroups {
  std::string v1, v2;
};
Result<OwnCgroups> ReadOwnCgroups() {
  Result<std::string> self = ReadFileToString("/proc/self/cgroup");
  if (!self.ok()) return self.status();
  OwnCgroups own;
  size_t pos = 0;
  while (pos < self->size()) {
    size_t end = self->find('\n', pos);
    if (end == std::string::npos) end = self->size();
    const std::string line = self->substr(pos, end - pos);
    pos = end + 1;
    const size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    if (controllers == "memory") own.v1 = path;
    if (line.compare(0, 3, "0::") == 0) own.v2 = path;
  }
  return own;
}

// A memory cgroup of the trial's own under its current one: v1 where the
// memory controller is mounted, else v2 where the root offers memory.
Result<std::string> CreateMemoryCgroup() {
  if (::geteuid() != 0) return Status::Error("not running as root");
  Result<OwnCgroups> own = ReadOwnCgroups();
  if (!own.ok()) return own.status();
  const std::string leaf = "/crashbench-oom-" + std::to_string(::getpid());
  std::string dir, limit_file;
  if (!own->v1.empty() && ::access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0) {
    dir = "/sys/fs/cgroup/memory" + (own->v1 == "/" ? "" : own->v1) + leaf;
    limit_file = "memory.limit_in_bytes";
  } else if (Result<std::string> c = ReadFileToString("/sys/fs/cgroup/cgroup.controllers");
             c.ok() && c->find("memory") != std::string::npos) {
    dir = "/sys/fs/cgroup" + (own->v2 == "/" ? "" : own->v2) + leaf;
    limit_file = "memory.max";
  } else {
    return Status::Error("no memory cgroup controller (v1 or v2) is mounted");
  }
  if (::mkdir(dir.c_str(), 0755) != 0) return ErrnoStatus("mkdir " + dir, errno);
  Status s = WriteSmallFile(dir + "/" + limit_file, std::to_string(kCgroupLimitBytes));
  if (!s.ok()) {
    ::rmdir(dir.c_str());
    return s;
  }
  // No swap to escape into: with swap on and no way to cap it, the target
  // would swap instead of meeting the OOM killer, so the method is refused.
  const bool capped =
      WriteSmallFile(dir + "/memory.memsw.limit_in_bytes", std::to_string(kCgroupLimitBytes))
          .ok() ||
      WriteSmallFile(dir + "/memory.swap.max", "0").ok();
  if (!capped && SwapIsOn()) {
    ::rmdir(dir.c_str());
    return Status::Error("swap is on and the memory cgroup cannot cap it");
  }
  return dir;
}

class CgroupScene final : public FaultScene {
 public:
  explicit CgroupScene(std::string cgroup) : FaultScene("cgroup"), cgroup_(std::move(cgroup)) {}
  Status TearDown() override {
    // The killed target may take a moment to leave it after being reaped.
    int rc = -1;
    for (int i = 0; i < 100 && (rc = ::rmdir(cgroup_.c_str())) != 0 && errno == EBUSY; ++i)
      ::usleep(10000);
    if (rc != 0 && errno != ENOENT) return ErrnoStatus("removing the oom cgroup " + cgroup_, errno);
    return Status::Ok();
  }

 private:
  std::string cgroup_;
};

// Moves the calling process into the published cgroup; false when it could not.
bool JoinCgroup(const std::string& cgroup) {
  if (cgroup.empty()) return false;
  return WriteSmallFile(cgroup + "/cgroup.procs", std::to_string(::getpid())).ok();
}

long long CurrentAddressSpaceBytes() {
  long long pages = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "re")) {
    if (std::fscanf(f, "%lld", &pages) != 1) pages = 0;
    std::fclose(f);
  }
  return pages * ::sysconf(_SC_PAGESIZE);
}

[[noreturn]] void LeakUnderRlimit() {
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

class OomFault final : public Fault {
 public:
  std::string_view name() const override { return "oom"; }
  std::string_view models() const override {
    return "out of memory through a leak (RLIMIT_AS, std::bad_alloc, then termination): stdio "
           "buffers are lost, the page cache survives";
  }
  FaultNeeds needs() const override { return {FaultNeed::kSignal, FaultNeed::kInProcessHook}; }
  void FireInSelf(TargetProcess&) const override {
    if (JoinCgroup(PublishedSceneOfThisProcess().cgroup)) {
      // The OOM killer ends this; the bound only stops a limit that did not hold.
      for (int i = 0; i < 4096; ++i) std::memset(new char[1 << 20], 1, 1 << 20);
      std::abort();
    }
    LeakUnderRlimit();
  }
  Status FireAt(int pidfd) const override { return SignalThroughPidfd(pidfd, SIGUSR2); }
  bool acts_at_next_point() const override { return true; }

  std::vector<FaultMethod> methods() const override {
    return {{"auto", {}}, {"rlimit", {}}, {"cgroup", {FaultNeed::kOwnSetUp}}};
  }
  Result<std::unique_ptr<FaultScene>> PrepareScene(const SceneRequest& request) const override;
  Status ProbeMethod(std::string_view method) const override {
    return method == "cgroup" ? ProbeSceneInChild(*this, method) : Status::Ok();
  }
};

Result<std::unique_ptr<FaultScene>> OomFault::PrepareScene(const SceneRequest& request) const {
  std::unique_ptr<FaultScene> scene = std::make_unique<FaultScene>("rlimit");
  std::string cgroup;
  if (request.method != "rlimit") {
    Result<std::string> cg = CreateMemoryCgroup();
    if (cg.ok()) {
      cgroup = *cg;
      scene = std::make_unique<CgroupScene>(cgroup);
    } else if (request.method == "cgroup") {
      return Status::Error("oom method cgroup is not possible here: " + cg.status().message() +
                           " (it needs root and a writable memory cgroup; method auto falls back "
                           "to rlimit)");
    }
  }
  PublishScene({scene->method(), "", cgroup});
  return scene;
}

// The directories crashbench-oom-<pid> cgroups are made in (v1, v2).
std::vector<std::string> OomCgroupParents() {
  std::vector<std::string> parents;
  Result<OwnCgroups> own = ReadOwnCgroups();
  if (!own.ok()) return parents;
  if (!own->v1.empty())
    parents.push_back("/sys/fs/cgroup/memory" + (own->v1 == "/" ? "" : own->v1));
  if (!own->v2.empty()) parents.push_back("/sys/fs/cgroup" + (own->v2 == "/" ? "" : own->v2));
  return parents;
}

}  // namespace

std::vector<std::string> RemoveStaleOomCgroups() {
  std::vector<std::string> removed;
  const std::string prefix = "crashbench-oom-";
  for (const std::string& parent : OomCgroupParents()) {
    DIR* d = ::opendir(parent.c_str());
    if (!d) continue;
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
    ::closedir(d);
    for (const std::string& name : names) {
      if (name.rfind(prefix, 0) != 0 || name.size() > prefix.size() + 9) continue;
      const std::string digits = name.substr(prefix.size());
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;
      const pid_t pid = static_cast<pid_t>(std::stol(digits));
      if (pid <= 0 || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
      const std::string dir = parent + "/" + name;
      if (::rmdir(dir.c_str()) == 0)
        removed.push_back("removed the memory cgroup " + dir + " of a dead trial (pid " + digits +
                          ")");
    }
  }
  return removed;
}

std::unique_ptr<Fault> MakeOomFault() { return std::make_unique<OomFault>(); }

}  // namespace crashbench
