// The loop and the process tree: waiting, fork/clone/exec events, exits, the
// deadline. What happens at a stopped call is in tap_actions.cc.
#include "harness/tap/tap_tracer.h"

#include <dirent.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "harness/base/process.h"
#include "harness/base/sys.h"
#include "harness/supervise/diagnose.h"

namespace crashbench::tap_internal {
namespace {

constexpr long long kReapAfterKillUs = 10'000'000;  // SIGKILLed processes get this long to go

// The thread-group id of a task, from /proc; 0 when it cannot be read.
pid_t TgidOf(pid_t tid) {
  Result<std::string> status = ReadFileToString("/proc/" + std::to_string(tid) + "/status");
  if (!status.ok()) return 0;
  const size_t at = status->find("\nTgid:");
  return at == std::string::npos ? 0 : static_cast<pid_t>(std::atol(status->c_str() + at + 6));
}

std::vector<pid_t> TasksOf(pid_t tgid) {
  std::vector<pid_t> out;
  DIR* d = ::opendir(("/proc/" + std::to_string(tgid) + "/task").c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') out.push_back(static_cast<pid_t>(std::atol(e->d_name)));
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Tracer::Tracer(const TapCommand& cmd, TapObserver& observer, pid_t root)
    : cmd_(cmd),
      observer_(observer),
      decoder_(cmd.watch_dir, cmd.extra_files, cmd.keep_bytes),
      root_(root) {
  procs_[root] = {"0"};
  tgid_of_[root] = root;
  order_.push_back(root);
}

void Tracer::Run(TapOutcome* out) {
  const long long start = NowMicros();
  deadline_us_ = start + cmd_.deadline_ms * 1000;
  if (cmd_.alarm_us) alarm_us_ = start + std::max(0LL, *cmd_.alarm_us);
  while (!procs_.empty()) {
    // While a watched call runs, nothing else is handled: one operation in flight.
    const pid_t want = inflight_ ? inflight_->tid : -1;
    int status = 0;
    const pid_t got = ::waitpid(want, &status, __WALL | __WNOTHREAD | WNOHANG);
    if (got > 0) {
      Handle(got, status);
    } else if (got < 0 && errno == ECHILD) {
      if (!inflight_) break;  // nothing left to wait for, whatever the books say
      Record(std::move(inflight_->event));
      inflight_.reset();
    } else if (!WaitForChange()) {
      break;
    }
  }
  // A process that ended before its parent, which then died, is a zombie the
  // tracer (its subreaper) inherited after it saw it end: reap it now.
  for (pid_t p : order_) {
    int ignored = 0;
    if (p != root_) ::waitpid(p, &ignored, __WALL | __WNOTHREAD | WNOHANG);
  }
  out->events = std::move(events_);
  for (pid_t p : order_) {
    auto it = ends_.find(p);
    if (it != ends_.end()) {
      out->processes.push_back(it->second);
    } else if (gave_up_) {
      out->processes.push_back({procs_.count(p) ? procs_[p].name : "?", p, "not reaped", 0});
    }
  }
  out->root_status = root_status_;
  out->hang = hang_;
  out->hang_diagnosis = diagnosis_;
  out->duration_us = NowMicros() - start;
}

// Sleeps until a child changes state or the next moment (alarm, deadline)
// comes, and acts at that moment. False: give up (killed processes that
// would not go).
bool Tracer::WaitForChange() {
  const long long now = NowMicros();
  if (alarm_us_ >= 0 && now >= alarm_us_) {
    alarm_us_ = -1;
    Alarm();
    return true;
  }
  if (!hang_ && now >= deadline_us_) {
    Hang();
    return true;
  }
  if (hang_ && now >= give_up_us_) {
    gave_up_ = true;
    diagnosis_ +=
        "; still not reaped " + std::to_string(kReapAfterKillUs / 1000) + " ms after SIGKILL";
    return false;
  }
  long long next = hang_ ? give_up_us_ : deadline_us_;
  if (alarm_us_ >= 0) next = std::min(next, alarm_us_);
  const long long wait = std::max(1LL, next - now);
  timespec ts{static_cast<time_t>(wait / 1000000), static_cast<long>(wait % 1000000) * 1000};
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  ::sigtimedwait(&chld, nullptr, &ts);
  return true;
}

void Tracer::Handle(pid_t tid, int status) {
  if (WIFEXITED(status) || WIFSIGNALED(status)) return Ended(tid, status);
  if (!WIFSTOPPED(status)) return;
  if (!tgid_of_.count(tid)) {
    unnamed_.insert(tid);  // stays stopped until its creator's event names it
    return;
  }
  const int event = status >> 16;
  const int sig = WSTOPSIG(status);
  switch (event) {
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
    case PTRACE_EVENT_CLONE:
      NewTask(tid);
      return Resume(tid);
    case PTRACE_EVENT_EXEC:
      Exec(tid);
      return Resume(tid);
    case PTRACE_EVENT_SECCOMP:
      return Seccomp(tid);
    case PTRACE_EVENT_STOP:
      // A group stop (SIGSTOP and friends) stays one until SIGCONT; anything
      // else (a new task's first stop) goes on.
      if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
        ::ptrace(PTRACE_LISTEN, tid, nullptr, nullptr);
        return;
      }
      return Resume(tid);
    default:
      break;
  }
  if (sig == (SIGTRAP | 0x80)) {
    if (inflight_ && inflight_->tid == tid) return SyscallExit(tid);
    return Resume(tid);
  }
  Resume(tid, sig);  // a signal for the tracee: delivered as it was sent
}

void Tracer::Ended(pid_t tid, int status) {
  unnamed_.erase(tid);
  if (inflight_ && inflight_->tid == tid) {  // died in its call: no result, no after
    Record(std::move(inflight_->event));
    inflight_.reset();
  }
  auto it = tgid_of_.find(tid);
  if (it == tgid_of_.end()) return;
  const pid_t tgid = it->second;
  tgid_of_.erase(it);
  if (tid != tgid) return;  // a thread
  ends_[tgid] = {procs_[tgid].name, tgid, DescribeWaitStatus(status), status};
  if (tgid == root_) root_status_ = status;
  procs_.erase(tgid);
  for (auto t = tgid_of_.begin(); t != tgid_of_.end();)
    t = t->second == tgid ? tgid_of_.erase(t) : std::next(t);
}

// A fork, vfork or clone: a thread joins its creator's process, a process is
// named after its creator ("0.1" is the second process "0" made).
void Tracer::NewTask(pid_t parent_tid) {
  unsigned long msg = 0;
  if (::ptrace(PTRACE_GETEVENTMSG, parent_tid, nullptr, &msg) != 0) return;
  const pid_t child = static_cast<pid_t>(msg);
  const pid_t parent = tgid_of_[parent_tid];
  if (TgidOf(child) == parent) {
    tgid_of_[child] = parent;
  } else {
    Proc& p = procs_[parent];
    procs_[child] = {p.name + "." + std::to_string(p.children++)};
    tgid_of_[child] = child;
    order_.push_back(child);
  }
  if (unnamed_.erase(child)) Resume(child);
}

// After an exec by a thread other than the leader, that thread has taken the
// leader's id; the others are gone.
void Tracer::Exec(pid_t tid) {
  const pid_t tgid = tgid_of_[tid];
  for (auto t = tgid_of_.begin(); t != tgid_of_.end();)
    t = (t->second == tgid && t->first != tid) ? tgid_of_.erase(t) : std::next(t);
}

void Tracer::Resume(pid_t tid, int sig) {
  ::ptrace(PTRACE_CONT, tid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
}

// The deadline: every thread of every live process diagnosed, then all killed.
void Tracer::Hang() {
  hang_ = true;
  give_up_us_ = NowMicros() + kReapAfterKillUs;
  std::string d;
  for (pid_t p : order_) {
    if (!procs_.count(p)) continue;
    const std::vector<pid_t> tasks = TasksOf(p);
    for (pid_t t : tasks) {
      std::string who = "process " + procs_[p].name;
      if (tasks.size() > 1) who += t == p ? " main thread" : " thread " + std::to_string(t);
      (d += d.empty() ? "" : "; ") += DiagnoseBlockedProcess(who, t);
    }
  }
  diagnosis_ = d.empty() ? "no process left to diagnose" : d;
  if (cgroup_) (void)cgroup_->Kill();                // all at once, wherever they went
  if (procs_.count(root_)) ::kill(-root_, SIGKILL);  // the group, while its leader holds its id
  for (const auto& [tgid, proc] : procs_) ::kill(tgid, SIGKILL);
}

}  // namespace crashbench::tap_internal
