// Child processes the harness starts and therefore may signal and must reap.
// Every child dies with its parent (PR_SET_PDEATHSIG), keeps only the
// descriptors it is given, and is held by a pidfd, so that a signal can never
// reach a recycled pid and every wait can carry a deadline (poll on the pidfd).
//
//   Result<Child> c = ForkChild({fd_a, fd_b}, /*new_group=*/false, [&] { ...; _exit(0); });
//   ... poll c->pidfd() ...
//   c->Kill(); c->Reap();
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/base/sys.h"

namespace crashbench {

class Child {
 public:
  Child() = default;
  Child(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  // A moved-from Child holds nothing. Assigning over a Child that still holds
  // a running child kills and reaps that one first, so it is never lost.
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  // Never lets a child go unreaped: kills and reaps it if still running.
  ~Child();

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  bool reaped() const { return reaped_; }
  int wait_status() const { return wait_status_; }
  // Sends SIGKILL through the pidfd (no effect once the child is reaped).
  void Kill() const;
  // Non-blocking: true if the child has ended and is now reaped.
  bool TryReap();
  // Blocking (for a child already killed).
  void Reap();
  // "exited 0", "killed by SIGKILL", ...
  std::string Describe() const;
  // Died of a signal or exited non-zero.
  bool Failed() const;

 private:
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  bool reaped_ = false;
  int wait_status_ = 0;
};

// Forks a child that runs body() and must not return (it calls _exit). In the
// child, before body: PR_SET_PDEATHSIG(SIGKILL) (and exit if the parent is
// already gone), a new process group if new_group, SIGPIPE/SIGINT/SIGTERM/SIGHUP back
// to their defaults, and every descriptor above 2 not in keep_fds closed.
// REQUIRES: the calling process is single-threaded; stdio was flushed.
Result<Child> ForkChild(const std::vector<int>& keep_fds, bool new_group,
                        const std::function<void()>& body);

// Closes every descriptor > 2 that is not in sorted_keep (async-signal-safe:
// it allocates nothing; falls back to close() one by one without close_range).
void CloseAllExcept(const std::vector<int>& sorted_keep);

std::string DescribeWaitStatus(int wait_status);

}  // namespace crashbench
