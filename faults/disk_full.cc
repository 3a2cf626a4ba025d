// Fault "disk-full": from the trigger on, writes fail with ENOSPC, fsyncs
// too, and the final flush of a stdio stream fails and drops the buffer (as
// glibc's fclose does on a write error). Two methods:
//  - "tmpfs", where root may mount: the trial's output directory is a small
//    tmpfs mounted in a mount namespace of the trial's own (nothing leaks into
//    the host's mount table, even if the trial is killed); at the trigger the
//    target fills it. The disk is full for every process, and the errors are
//    the kernel's own (a write into a page a file already has may still
//    succeed, as on any full filesystem).
//  - "injected" elsewhere: ENOSPC at the target's own write, fsync and close
//    calls in strategy code (the subject's failing system call).
// "auto" takes tmpfs where it is possible and falls back to injected; a
// scenario that asks for tmpfs by name gets a harness error saying why not.
// The process keeps running: what matters is whether the strategy reports the
// task failed and what stays visible.
// From the supervisor it is delivered as SIGUSR2 (acts at the next point).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <memory>
#include <utility>
#include <vector>

#include "faults/scene_env.h"
#include "harness/base/sys.h"
#include "harness/inject/fault.h"

namespace crashbench {
namespace {

constexpr const char* kFillerName = "/.crashbench-filler";

std::string TmpfsOptions(long long bytes) { return "size=" + std::to_string(bytes) + ",mode=0755"; }

Status MountTmpfs(const std::string& dir, long long bytes) {
  if (::geteuid() != 0) return Status::Error("not running as root");
  // A mount namespace of the trial's own: the mount is seen only by the trial
  // and its workers, and goes away with them however they end.
  if (::unshare(CLONE_NEWNS) != 0) return ErrnoStatus("unshare(CLONE_NEWNS)", errno);
  if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return ErrnoStatus("making / private in the new mount namespace", errno);
  const std::string opts = TmpfsOptions(bytes);
  if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0)
    return ErrnoStatus("mount -t tmpfs " + dir, errno);
  return Status::Ok();
}

// The output directory is a small tmpfs; the target fills it at the trigger.
class TmpfsScene final : public FaultScene {
 public:
  TmpfsScene(std::string dir, long long bytes)
      : FaultScene("tmpfs"), dir_(std::move(dir)), bytes_(bytes) {}
  // The room comes back before the verifier reads or a restart runs (the
  // filesystem its full size again, the filler, which is not output, gone).
  void BeforeReading() override {
    (void)::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT | MS_NOSUID | MS_NODEV,
                  TmpfsOptions(bytes_).c_str());
    ::unlink((dir_ + kFillerName).c_str());
  }
  Status TearDown() override;

 private:
  std::string dir_;
  long long bytes_;
};

Status TmpfsScene::TearDown() {
  // Copy the output off the tmpfs, unmount, and put it back in the real
  // directory underneath: a kept trial keeps what the reader saw.
  std::vector<std::pair<std::string, std::string>> files;
  if (DIR* d = ::opendir(dir_.c_str())) {
    while (dirent* e = ::readdir(d)) {
      const std::string path = dir_ + "/" + e->d_name;
      struct stat st;
      if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      if (std::string("/") + e->d_name == kFillerName) continue;  // not output
      if (Result<std::string> text = ReadFileToString(path); text.ok())
        files.emplace_back(e->d_name, std::move(*text));
    }
    ::closedir(d);
  }
  if (::umount2(dir_.c_str(), MNT_DETACH) != 0) return ErrnoStatus("umount " + dir_, errno);
  Status result;
  for (const auto& [name, text] : files) {
    Status s = WriteFileAtomic(dir_ + "/" + name, text);
    if (!s.ok() && result.ok()) result = s;
  }
  return result;
}

// Makes the tmpfs at dir full at once: remounted at the size it holds now.
// One system call, after which every allocation in it fails, for every
// process; filling it by writing takes milliseconds, during which the other
// workers write on, and how far they got depended on the scheduler (a replay
// of the same point saw a full disk or none). A write already inside the
// kernel, or into a page a file already has, may still succeed, as on any
// full filesystem. Retried while others allocate between the count and the
// remount (the kernel refuses a size below what is in use).
bool ShrinkToUsed(const std::string& dir) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    struct statfs st {};
    if (::statfs(dir.c_str(), &st) != 0) return false;
    const long long used = static_cast<long long>(st.f_blocks - st.f_bfree) * st.f_bsize;
    const std::string opts = "size=" + std::to_string(used);
    if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_REMOUNT | MS_NOSUID | MS_NODEV, opts.c_str()) ==
        0)
      return true;
    if (errno != EINVAL) return false;
  }
  return false;
}

// Fills the filesystem of dir up to ENOSPC: at once where it can be
// remounted, else by writing a filler file.
void FillFilesystem(const std::string& dir) {
  if (ShrinkToUsed(dir)) return;
  static char zeros[1 << 16];
  UniqueFd fd(::open((dir + kFillerName).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!fd.valid()) return;
  // Big pieces, then small ones, down to the last byte the filesystem takes.
  for (size_t chunk = sizeof zeros; chunk >= 1; chunk /= 16)
    while (::write(fd.get(), zeros, chunk) == static_cast<ssize_t>(chunk)) {
    }
}

class DiskFullFault final : public Fault {
 public:
  std::string_view name() const override { return "disk-full"; }
  std::string_view models() const override {
    return "a full disk: every later write, fsync and final flush fails with ENOSPC; the process "
           "lives on";
  }
  FaultNeeds needs() const override {
    return {FaultNeed::kSignal, FaultNeed::kInProcessHook, FaultNeed::kFailingSyscall};
  }
  void FireInSelf(TargetProcess& self) const override {
    const PublishedScene scene = PublishedSceneOfThisProcess();
    if (scene.method == "tmpfs")
      FillFilesystem(scene.dir);
    else
      self.FailSystemCalls(ENOSPC, /*persistent=*/true);
  }
  Status FireAt(int pidfd) const override { return SignalThroughPidfd(pidfd, SIGUSR2); }
  bool acts_at_next_point() const override { return true; }
  bool ends_process() const override { return false; }
  // At a stopped call: the call does not run and returns ENOSPC.
  std::optional<SyscallAction> at_syscall() const override {
    return SyscallAction{SyscallAction::kFail, ENOSPC};
  }

  std::vector<FaultMethod> methods() const override {
    return {{"auto", {}}, {"injected", {}}, {"tmpfs", {FaultNeed::kOwnSetUp}}};
  }
  Result<std::unique_ptr<FaultScene>> PrepareScene(const SceneRequest& request) const override;
  Status ProbeMethod(std::string_view method) const override {
    return method == "tmpfs" ? ProbeSceneInChild(*this, method) : Status::Ok();
  }
};

Result<std::unique_ptr<FaultScene>> DiskFullFault::PrepareScene(const SceneRequest& request) const {
  std::unique_ptr<FaultScene> scene = std::make_unique<FaultScene>("injected");
  if (request.method != "injected") {
    // Sized well above what the fault-free workload writes.
    const long long bytes = 2 * request.bytes_needed + (1 << 20);
    Status mounted = MountTmpfs(request.dir, bytes);
    if (mounted.ok()) {
      scene = std::make_unique<TmpfsScene>(request.dir, bytes);
    } else if (request.method == "tmpfs") {
      return Status::Error("disk-full method tmpfs is not possible here: " + mounted.message() +
                           " (it needs root and permission to mount; method auto falls back to "
                           "injected ENOSPC)");
    }
  }
  PublishScene({scene->method(), scene->method() == "tmpfs" ? request.dir : "", ""});
  return scene;
}

}  // namespace

std::unique_ptr<Fault> MakeDiskFullFault() { return std::make_unique<DiskFullFault>(); }

}  // namespace crashbench
