#include "harness/supervise/process_tree.h"

#include <time.h>

#include <cerrno>

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

void KillAndReap(const std::vector<TreeMember>& tree) {
  for (const TreeMember& m : tree) m.child->Kill();
  for (const TreeMember& m : tree) m.child->Reap();
}

}  // namespace crashbench
