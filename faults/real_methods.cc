#include "faults/real_methods.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <utility>
#include <vector>

#include "harness/base/sys.h"

namespace crashbench {
namespace {

constexpr const char* kMethodEnv = "CRASHBENCH_FAULT_METHOD";
constexpr const char* kDirEnv = "CRASHBENCH_FAULT_DIR";
constexpr const char* kCgroupEnv = "CRASHBENCH_FAULT_CGROUP";
constexpr const char* kFillerName = "/.crashbench-filler";
constexpr long long kCgroupLimitBytes = 64LL << 20;

void Publish(const FaultScene& s) {
  ::setenv(kMethodEnv, s.method.c_str(), 1);
  ::setenv(kDirEnv, s.dir.c_str(), 1);
  ::setenv(kCgroupEnv, s.cgroup.c_str(), 1);
}

Status MountTmpfs(const std::string& dir, long long bytes) {
  if (::geteuid() != 0) return Status::Error("not running as root");
  // A mount namespace of the trial's own: the mount is seen only by the trial
  // and its workers, and goes away with them however they end.
  if (::unshare(CLONE_NEWNS) != 0) return ErrnoStatus("unshare(CLONE_NEWNS)", errno);
  if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return ErrnoStatus("making / private in the new mount namespace", errno);
  const std::string opts = "size=" + std::to_string(bytes) + ",mode=0755";
  if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0)
    return ErrnoStatus("mount -t tmpfs " + dir, errno);
  return Status::Ok();
}

Status WriteSmallFile(const std::string& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("open " + path, errno);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return ErrnoStatus("write " + path, errno);
  return Status::Ok();
}

bool SwapIsOn() {
  Result<std::string> swaps = ReadFileToString("/proc/swaps");
  // A header line, then one line per swap area.
  return swaps.ok() && std::count(swaps->begin(), swaps->end(), '\n') > 1;
}

// The trial's own memory cgroup, as /proc/self/cgroup names it: v1's
// "N:memory:/path", else v2's "0::/path" where the v2 root offers memory.
Result<std::string> CreateMemoryCgroup() {
  if (::geteuid() != 0) return Status::Error("not running as root");
  Result<std::string> self = ReadFileToString("/proc/self/cgroup");
  if (!self.ok()) return self.status();
  std::string v1, v2;
  size_t pos = 0;
  while (pos < self->size()) {
    size_t end = self->find('\n', pos);
    if (end == std::string::npos) end = self->size();
    const std::string line = self->substr(pos, end - pos);
    pos = end + 1;
    const size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    if (controllers == "memory") v1 = path;
    if (line.compare(0, 3, "0::") == 0) v2 = path;
  }
  const std::string leaf = "/crashbench-oom-" + std::to_string(::getpid());
  std::string dir, limit_file, limit;
  if (!v1.empty() && ::access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0) {
    dir = "/sys/fs/cgroup/memory" + (v1 == "/" ? "" : v1) + leaf;
    limit_file = "memory.limit_in_bytes";
  } else if (Result<std::string> c = ReadFileToString("/sys/fs/cgroup/cgroup.controllers");
             c.ok() && c->find("memory") != std::string::npos) {
    dir = "/sys/fs/cgroup" + (v2 == "/" ? "" : v2) + leaf;
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

}  // namespace

std::vector<std::string> FaultMethods(const std::string& kind) {
  if (kind == "disk-full") return {"auto", "injected", "tmpfs"};
  if (kind == "oom") return {"auto", "rlimit", "cgroup"};
  return {"auto"};
}

Result<FaultScene> PrepareFaultScene(const std::string& kind, const std::string& requested,
                                     const std::string& dir, long long bytes_needed) {
  FaultScene scene;
  if (kind == "disk-full") {
    scene.method = "injected";
    if (requested != "injected") {
      Status mounted = MountTmpfs(dir, 2 * bytes_needed + (1 << 20));
      if (mounted.ok()) {
        scene.method = "tmpfs";
        scene.dir = dir;
      } else if (requested == "tmpfs") {
        return Status::Error("disk-full method tmpfs is not possible here: " + mounted.message() +
                             " (it needs root and permission to mount; method auto falls back to "
                             "injected ENOSPC)");
      }
    }
  } else if (kind == "oom") {
    scene.method = "rlimit";
    if (requested != "rlimit") {
      Result<std::string> cg = CreateMemoryCgroup();
      if (cg.ok()) {
        scene.method = "cgroup";
        scene.cgroup = *cg;
      } else if (requested == "cgroup") {
        return Status::Error("oom method cgroup is not possible here: " + cg.status().message() +
                             " (it needs root and a writable memory cgroup; method auto falls back "
                             "to rlimit)");
      }
    }
  }
  Publish(scene);
  return scene;
}

Status ProbeFaultMethod(const std::string& kind, const std::string& method) {
  if (method != "tmpfs" && method != "cgroup") return Status::Ok();
  char dir[] = "/tmp/crashbench-probe-XXXXXX";
  if (!::mkdtemp(dir)) return ErrnoStatus("mkdtemp", errno);
  UniqueFd r, w;
  Status made = MakePipe(&r, &w);
  std::string why;
  if (made.ok()) {
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
      r.Reset();
      Result<FaultScene> scene = PrepareFaultScene(kind, method, dir, 1 << 20);
      if (scene.ok() && TearDownFaultScene(*scene).ok()) ::_exit(0);
      const std::string msg = scene.ok() ? "tear-down failed" : scene.status().message();
      (void)WriteFull(w.get(), msg.data(), msg.size());
      ::_exit(1);
    }
    w.Reset();
    if (pid < 0) {
      why = "fork: " + std::string(std::strerror(errno));
    } else {
      char buf[512];
      ssize_t n;
      while ((n = RetryOnEintr([&] { return ::read(r.get(), buf, sizeof buf); })) > 0)
        why.append(buf, static_cast<size_t>(n));
      int status = 0;
      RetryOnEintr([&] { return ::waitpid(pid, &status, 0); });
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        why.clear();
      else if (why.empty())
        why = "the probe ended abnormally";
    }
  } else {
    why = made.message();
  }
  ::rmdir(dir);
  return why.empty() ? Status::Ok() : Status::Error(why);
}

void RemoveFiller(const FaultScene& scene) {
  if (scene.method == "tmpfs") ::unlink((scene.dir + kFillerName).c_str());
}

Status TearDownFaultScene(const FaultScene& scene) {
  Status result;
  if (scene.method == "tmpfs") {
    // Copy the output off the tmpfs, unmount, and put it back in the real
    // directory underneath: a kept trial keeps what the reader saw.
    std::vector<std::pair<std::string, std::string>> files;
    if (DIR* d = ::opendir(scene.dir.c_str())) {
      while (dirent* e = ::readdir(d)) {
        const std::string path = scene.dir + "/" + e->d_name;
        struct stat st;
        if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (std::string("/") + e->d_name == kFillerName) continue;  // not output
        if (Result<std::string> text = ReadFileToString(path); text.ok())
          files.emplace_back(e->d_name, std::move(*text));
      }
      ::closedir(d);
    }
    if (::umount2(scene.dir.c_str(), MNT_DETACH) != 0)
      return ErrnoStatus("umount " + scene.dir, errno);
    for (const auto& [name, text] : files) {
      Status s = WriteFileAtomic(scene.dir + "/" + name, text);
      if (!s.ok() && result.ok()) result = s;
    }
  }
  if (scene.method == "cgroup") {
    // The killed target may take a moment to leave it after being reaped.
    int rc = -1;
    for (int i = 0; i < 100 && (rc = ::rmdir(scene.cgroup.c_str())) != 0 && errno == EBUSY; ++i)
      ::usleep(10000);
    if (rc != 0 && errno != ENOENT && result.ok())
      result = ErrnoStatus("removing the oom cgroup " + scene.cgroup, errno);
  }
  return result;
}

FaultScene CurrentFaultScene() {
  auto get = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  return {get(kMethodEnv), get(kDirEnv), get(kCgroupEnv)};
}

void FillFilesystem(const FaultScene& scene) {
  static char zeros[1 << 16];
  UniqueFd fd(
      ::open((scene.dir + kFillerName).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!fd.valid()) return;
  // Big pieces, then small ones, down to the last byte the filesystem takes.
  for (size_t chunk = sizeof zeros; chunk >= 1; chunk /= 16)
    while (::write(fd.get(), zeros, chunk) == static_cast<ssize_t>(chunk)) {
    }
}

bool JoinCgroup(const FaultScene& scene) {
  if (scene.cgroup.empty()) return false;
  return WriteSmallFile(scene.cgroup + "/cgroup.procs", std::to_string(::getpid())).ok();
}

}  // namespace crashbench
