// The processes one supervisor started and answers for, as a tree it watches
// with one deadline: a wait on their pidfds and pipes that never sleeps past
// the deadline, and, when the deadline passes, the hang declared: what each
// live process is blocked in, then every one of them killed and reaped.
//
//   Deadline deadline(start_us, budget_us);
//   PollSet<MyEvent> poll;  poll.Add(child.pidfd(), MyEvent::kExit);
//   RETURN_IF_ERROR(poll.Wait(deadline.RemainingUs(NowMicros())));
//   for (MyEvent e : poll.Ready()) ...
//   if (deadline.Passed(NowMicros())) {
//     diagnosis = DescribeBlocked(tree);  // read while each is still blocked
//     KillAndReap(tree);                  // stops the whole tree, then kills it
//   }
#pragma once

#include <poll.h>

#include <string>
#include <vector>

#include "harness/base/process.h"
#include "harness/base/status.h"

namespace crashbench {

// ppoll(2) on fds for at most timeout_us (a negative timeout does not sleep):
// how many descriptors are ready; 0 on timeout, or when a signal interrupted it.
Result<int> PollFds(std::vector<pollfd>& fds, long long timeout_us);

// One deadline for a whole supervised run.
class Deadline {
 public:
  Deadline(long long start_us, long long budget_us) : at_us_(start_us + budget_us) {}
  bool Passed(long long now_us) const { return now_us >= at_us_; }
  long long RemainingUs(long long now_us) const { return at_us_ - now_us; }

 private:
  long long at_us_;
};

// Waits on many descriptors at once; each carries the event its readiness
// (readable, hung up, a pidfd's process ended) means to the caller.
template <typename Event>
class PollSet {
 public:
  void Clear() {
    fds_.clear();
    events_.clear();
    ready_ = 0;
  }
  void Add(int fd, Event event) {
    fds_.push_back({fd, POLLIN, 0});
    events_.push_back(event);
  }
  // Sleeps until a descriptor is ready or timeout_us passes (see PollFds).
  Status Wait(long long timeout_us) {
    Result<int> ready = PollFds(fds_, timeout_us);
    if (!ready.ok()) return ready.status();
    ready_ = *ready;
    return Status::Ok();
  }
  // What the last Wait() found ready, in the order the descriptors were added.
  std::vector<Event> Ready() const {
    std::vector<Event> out;
    if (ready_ <= 0) return out;
    for (size_t k = 0; k < fds_.size(); ++k)
      if (fds_[k].revents) out.push_back(events_[k]);
    return out;
  }

 private:
  std::vector<pollfd> fds_;
  std::vector<Event> events_;
  int ready_ = 0;
};

// A process of the tree, by the name a diagnosis calls it ("worker 3").
struct TreeMember {
  std::string name;
  Child* child = nullptr;
};

// Where every member still running is blocked ("worker 0 (pid 42) blocked in
// write(2) on fd 5 (pipe:[7])"), "; "-joined; members already reaped are left out.
std::string DescribeBlocked(const std::vector<TreeMember>& tree);

// SIGSTOPs every member still running and returns once each one is stopped
// (or has ended). Stopping a process changes nothing another member can see:
// no pipe closes, no lock is released. Afterwards nothing of the tree runs.
void StopTree(const std::vector<TreeMember>& tree);

// Stops the whole tree (StopTree), then SIGKILLs every member and reaps them
// all. Killing one member closes its pipes and frees its locks; were the rest
// still running, one of them (a writer whose producers' pipes just closed, a
// waiter that now gets the lock) could act on that and write before its own
// SIGKILL lands, and what it wrote would be counted as the trial's damage.
// Stopped first, none can: the output is what it was at the deadline.
void KillAndReap(const std::vector<TreeMember>& tree);

}  // namespace crashbench
