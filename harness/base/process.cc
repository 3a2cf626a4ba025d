#include "harness/base/process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace crashbench {

namespace {
// close_range, or, where the kernel or a seccomp filter refuses it, one
// close() per descriptor up to the process's limit.
void CloseRange(unsigned int lo, unsigned int hi) {
  if (lo > hi) return;
  if (::syscall(SYS_close_range, lo, hi, 0) == 0) return;
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  const unsigned int top = static_cast<unsigned int>(std::min<rlim_t>(lim.rlim_cur, 1u << 20));
  for (unsigned int fd = lo; fd <= hi && fd < top; ++fd) ::close(static_cast<int>(fd));
}
}  // namespace

void CloseAllExcept(const std::vector<int>& sorted_keep) {
  unsigned int lo = 3;
  for (int fd : sorted_keep) {
    if (fd < static_cast<int>(lo)) continue;
    CloseRange(lo, static_cast<unsigned int>(fd) - 1);
    lo = static_cast<unsigned int>(fd) + 1;
  }
  CloseRange(lo, ~0U);
}

Result<Child> ForkChild(const std::vector<int>& keep_fds, bool new_group,
                        const std::function<void()>& body) {
  const pid_t parent = ::getpid();
  std::vector<int> keep = keep_fds;  // sorted here: the child allocates nothing
  std::sort(keep.begin(), keep.end());
  pid_t pid = ::fork();
  if (pid < 0) return ErrnoStatus("fork", errno);
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(120);  // the parent died before prctl
    if (new_group) ::setpgid(0, 0);
    const rlimit no_core = {0, 0};  // faults abort on purpose: no core files
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::signal(SIGPIPE, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGHUP, SIG_DFL);
    CloseAllExcept(keep);
    // The child's stack is a copy of the parent's: an exception must never
    // unwind into the parent's frames (a test runner's handler would go on
    // running the parent's code in the child). noexcept ends it here.
    [&]() noexcept { body(); }();
    ::_exit(121);  // body must not return
  }
  if (new_group) ::setpgid(pid, pid);  // both sides, so no race on who runs first
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    int err = errno;
    ::kill(pid, SIGKILL);  // still our unreaped child: the pid cannot be recycled
    ::waitpid(pid, nullptr, 0);
    return ErrnoStatus("pidfd_open", err);
  }
  return Child(pid, UniqueFd(pidfd));
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      reaped_(std::exchange(other.reaped_, false)),
      wait_status_(std::exchange(other.wait_status_, 0)) {}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !reaped_) {
      Kill();
      Reap();
    }
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    reaped_ = std::exchange(other.reaped_, false);
    wait_status_ = std::exchange(other.wait_status_, 0);
  }
  return *this;
}

Child::~Child() {
  if (pid_ > 0 && !reaped_) {
    Kill();
    Reap();
  }
}

void Child::Kill() const {
  if (pid_ > 0 && !reaped_) ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
}

bool Child::TryReap() {
  if (reaped_) return true;
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  if (RetryOnEintr([&] { return ::waitid(P_PIDFD, pidfd_.get(), &info, WEXITED | WNOHANG); }) != 0)
    return false;
  if (info.si_pid == 0) return false;
  reaped_ = true;
  wait_status_ =
      info.si_code == CLD_EXITED ? (info.si_status & 0xff) << 8 : (info.si_status & 0x7f);
  return true;
}

void Child::Reap() {
  if (reaped_) return;
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  if (RetryOnEintr([&] { return ::waitid(P_PIDFD, pidfd_.get(), &info, WEXITED); }) == 0) {
    reaped_ = true;
    wait_status_ =
        info.si_code == CLD_EXITED ? (info.si_status & 0xff) << 8 : (info.si_status & 0x7f);
  }
}

bool Child::Failed() const {
  return reaped_ && !(WIFEXITED(wait_status_) && WEXITSTATUS(wait_status_) == 0);
}

std::string DescribeWaitStatus(int st) {
  if (WIFEXITED(st)) return "exited " + std::to_string(WEXITSTATUS(st));
  if (WIFSIGNALED(st)) {
    const char* abbrev = sigabbrev_np(WTERMSIG(st));
    return std::string("killed by ") +
           (abbrev ? std::string("SIG") + abbrev : std::to_string(WTERMSIG(st)));
  }
  return "status " + std::to_string(st);
}

std::string Child::Describe() const {
  return reaped_ ? DescribeWaitStatus(wait_status_) : "running";
}

}  // namespace crashbench
