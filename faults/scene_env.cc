#include "faults/scene_env.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "harness/base/sys.h"

namespace crashbench {
namespace {

constexpr const char* kMethodEnv = "CRASHBENCH_FAULT_METHOD";
constexpr const char* kDirEnv = "CRASHBENCH_FAULT_DIR";
constexpr const char* kCgroupEnv = "CRASHBENCH_FAULT_CGROUP";

// In the child: the scene is made and undone; a failure is written to w.
[[noreturn]] void ProbeChild(const Fault& fault, std::string_view method, const char* dir, int w) {
  Result<std::unique_ptr<FaultScene>> scene =
      fault.PrepareScene({std::string(method), dir, 1 << 20});
  if (scene.ok() && (!*scene || (*scene)->TearDown().ok())) ::_exit(0);
  const std::string msg = scene.ok() ? "tear-down failed" : scene.status().message();
  (void)WriteFull(w, msg.data(), msg.size());
  ::_exit(1);
}

// In the parent: what the child said, "" when it succeeded.
std::string AwaitProbe(pid_t pid, int r) {
  std::string why;
  char buf[512];
  ssize_t n;
  while ((n = RetryOnEintr([&] { return ::read(r, buf, sizeof buf); })) > 0)
    why.append(buf, static_cast<size_t>(n));
  int status = 0;
  RetryOnEintr([&] { return ::waitpid(pid, &status, 0); });
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  return why.empty() ? "the probe ended abnormally" : why;
}

}  // namespace

void PublishScene(const PublishedScene& s) {
  ::setenv(kMethodEnv, s.method.c_str(), 1);
  ::setenv(kDirEnv, s.dir.c_str(), 1);
  ::setenv(kCgroupEnv, s.cgroup.c_str(), 1);
}

PublishedScene PublishedSceneOfThisProcess() {
  auto get = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  return {get(kMethodEnv), get(kDirEnv), get(kCgroupEnv)};
}

Status WriteSmallFile(const std::string& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("open " + path, errno);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return ErrnoStatus("write " + path, errno);
  return Status::Ok();
}

Status ProbeSceneInChild(const Fault& fault, std::string_view method) {
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
      ProbeChild(fault, method, dir, w.get());
    }
    w.Reset();
    why = pid < 0 ? "fork: " + std::string(std::strerror(errno)) : AwaitProbe(pid, r.get());
  } else {
    why = made.message();
  }
  ::rmdir(dir);
  return why.empty() ? Status::Ok() : Status::Error(why);
}

}  // namespace crashbench
