// The tap's ptrace loop: one stopped process handled at a time. Internal to
// harness/tap/ (RunTapped in tap.cc starts the root and hands it over).
#pragma once

#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>

#include <map>
#include <optional>
#include <set>
#include <vector>

#include "harness/supervise/cgroup.h"
#include "harness/tap/tap.h"
#include "harness/tap/tap_decode.h"

namespace crashbench::tap_internal {

class Tracer {
 public:
  // root: seized with the tap's options, not yet running the command.
  Tracer(const TapCommand& cmd, TapObserver& observer, pid_t root);
  // Until every process of the tree ended, or the deadline passed and they
  // were killed and reaped. REQUIRES: SIGCHLD blocked in the calling thread.
  void Run(TapOutcome* out);
  // The subject's own cgroup, if it has one: tree kills go through it too.
  void UseCgroup(SubjectCgroup* cgroup) { cgroup_ = cgroup; }

 private:
  struct Proc {
    std::string name;
    int children = 0;
  };
  // A watched call let run to its exit stop.
  struct InFlight {
    pid_t tid = 0;
    TapEvent event;
    uint64_t patched_iov = 0;  // short write: the iovec cut in place, restored after
    iovec original{};
  };

  bool WaitForChange();
  void Handle(pid_t tid, int status);
  void Ended(pid_t tid, int status);
  void NewTask(pid_t parent_tid);
  void Exec(pid_t tid);
  void Seccomp(pid_t tid);
  void Before(pid_t tid, user_regs_struct& r, const TappedCall& call, TapEvent e);
  void SyscallExit(pid_t tid);
  void After(pid_t tid, user_regs_struct& r, const TapAction& a);
  bool CutLength(pid_t tid, user_regs_struct& r, InFlight* f);
  void Alarm();
  void Hang();
  // Signals the processes an action aims at; true when the caller is one.
  bool SignalTargets(const TapAction& a, pid_t caller_tgid, int sig, pid_t tid);
  bool AtCaller(const TapAction& a, pid_t caller_tgid);
  void Resume(pid_t tid, int sig = 0);
  void Record(TapEvent e) { events_.push_back(std::move(e)); }

  const TapCommand& cmd_;
  TapObserver& observer_;
  Decoder decoder_;
  const pid_t root_;
  SubjectCgroup* cgroup_ = nullptr;
  std::map<pid_t, Proc> procs_;     // live processes, by thread-group id
  std::map<pid_t, pid_t> tgid_of_;  // live traced tasks: tid -> thread-group id
  std::set<pid_t> unnamed_;         // new tasks stopped before their creator's event
  std::vector<pid_t> order_;        // every process, in the order they were made
  std::map<pid_t, TapProcessEnd> ends_;
  std::optional<InFlight> inflight_;
  std::optional<TapAction> pending_root_;  // waits for the root's next watched call
  std::vector<TapEvent> events_;
  long long seq_ = 0;
  long long deadline_us_ = 0, alarm_us_ = -1, give_up_us_ = -1;
  bool hang_ = false, gave_up_ = false;
  std::string diagnosis_;
  int root_status_ = 0;
};

}  // namespace crashbench::tap_internal
