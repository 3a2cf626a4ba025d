#include "harness/supervise/process_tree.h"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "harness/supervise/diagnose.h"

namespace crashbench {

Result<int> PollFds(std::vector<pollfd>& fds, long long timeout_us) {
  if (timeout_us < 0) timeout_us = 0;
  struct timespec ts = {static_cast<time_t>(timeout_us / 1000000),
                        static_cast<long>((timeout_us % 1000000) * 1000)};
  const int n = ::ppoll(fds.data(), fds.size(), &ts, nullptr);
  if (n < 0 && errno != EINTR) return ErrnoStatus("ppoll", errno);
  return n < 0 ? 0 : n;
}

std::string DescribeBlocked(const std::vector<TreeMember>& tree) {
  std::string diagnosis;
  for (const TreeMember& m : tree) {
    if (m.child->reaped()) continue;
    if (!diagnosis.empty()) diagnosis += "; ";
    diagnosis += DiagnoseBlockedProcess(m.name, m.child->pid());
  }
  return diagnosis;
}

void StopTree(const std::vector<TreeMember>& tree) {
  for (const TreeMember& m : tree)
    if (!m.child->reaped()) ::syscall(SYS_pidfd_send_signal, m.child->pidfd(), SIGSTOP, nullptr, 0);
  // A signal is only queued when kill returns: wait until each has stopped.
  // WNOWAIT leaves the stop (or the end) to be reported again, so Reap() and
  // the caller's own waits see what they would have seen.
  for (const TreeMember& m : tree) {
    if (m.child->reaped()) continue;
    siginfo_t info;
    std::memset(&info, 0, sizeof info);
    RetryOnEintr(
        [&] { return ::waitid(P_PIDFD, m.child->pidfd(), &info, WSTOPPED | WEXITED | WNOWAIT); });
  }
}

void KillAndReap(const std::vector<TreeMember>& tree) {
  StopTree(tree);
  for (const TreeMember& m : tree) m.child->Kill();
  for (const TreeMember& m : tree) m.child->Reap();
}

}  // namespace crashbench
