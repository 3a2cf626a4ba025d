// What the tap does at a stopped call: build the event, ask the observer,
// act (let it run, kill, abort, exit, fail, cut its length), and the same at
// the call's exit stop and at the alarm.
//
// How each action is made real (x86_64):
//  - kill before: SIGKILL at the seccomp stop; the kernel skips a call whose
//    process has a fatal signal pending, so the call never runs.
//  - abort / exit before: the call is rewritten into tgkill(self, SIGABRT) or
//    exit_group(0) (seccomp checks the new call again; neither is stopped).
//  - fail: the call number becomes -1 (skipped) and its return value -err.
//  - after the call (its exit stop): signals as above; exit by stepping back
//    over the 2-byte `syscall` instruction with exit_group's number in rax.
//  - short write: the length argument halved (the vector calls: the iovec
//    count cut, or the iovec holding the middle patched in the tracee's
//    memory and restored at the exit stop).
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness/tap/tap_tracer.h"

namespace crashbench::tap_internal {
namespace {

bool SetRegs(pid_t tid, user_regs_struct& r) {
  return ::ptrace(PTRACE_SETREGS, tid, nullptr, &r) == 0;
}

bool IsKill(const TapAction& a) {
  return a.kind == TapAction::kKillCaller || a.kind == TapAction::kKillTree;
}

}  // namespace

bool Tracer::AtCaller(const TapAction& a, pid_t caller_tgid) {
  return a.scope != TapAction::kRoot || caller_tgid == root_;
}

bool Tracer::SignalTargets(const TapAction& a, pid_t caller_tgid, int sig, pid_t tid) {
  if (a.kind == TapAction::kKillTree || a.scope == TapAction::kTree) {
    if (cgroup_ && sig == SIGKILL) (void)cgroup_->Kill();  // at once, setsid or not
    if (procs_.count(root_)) ::kill(-root_, sig);
    for (const auto& [tgid, proc] : procs_) ::kill(tgid, sig);
    return true;
  }
  const pid_t target = a.scope == TapAction::kRoot ? root_ : caller_tgid;
  if (!procs_.count(target)) return false;
  if (target == caller_tgid && tid > 0)
    ::syscall(SYS_tgkill, target, tid, sig);  // the calling thread takes it
  else
    ::kill(target, sig);
  return target == caller_tgid;
}

void Tracer::Seccomp(pid_t tid) {
  user_regs_struct r;
  if (::ptrace(PTRACE_GETREGS, tid, nullptr, &r) != 0) return;
  const TappedCall* call = FindTappedCall(static_cast<long>(r.orig_rax));
  TapEvent e;
  if (!call || !decoder_.Decode(tid, r, *call, &e)) {
    if (call && call->fsync_like && cmd_.skip_fsync) {
      r.orig_rax = static_cast<unsigned long long>(-1);
      r.rax = 0;
      SetRegs(tid, r);
    }
    return Resume(tid);
  }
  const pid_t tgid = tgid_of_[tid];
  e.seq = ++seq_;
  e.process = procs_[tgid].name;
  e.pid = tgid;
  e.tid = tid;
  Before(tid, r, *call, std::move(e));
}

void Tracer::Before(pid_t tid, user_regs_struct& r, const TappedCall& call, TapEvent e) {
  const pid_t tgid = e.pid;
  TapAction a = observer_.OnEvent(e, TapPhase::kBefore);
  if (a.kind == TapAction::kRun && pending_root_ && tgid == root_) {
    a = *pending_root_;
    a.scope = TapAction::kCaller;
    pending_root_.reset();
  }
  const bool on_call = a.kind == TapAction::kExitCaller || a.kind == TapAction::kFail ||
                       a.kind == TapAction::kShortWrite;
  if (on_call && !AtCaller(a, tgid)) {
    pending_root_ = a;  // aimed at the root, which is not the caller: its next call
    a = {};
  }
  bool caller_goes = false;
  if (IsKill(a)) caller_goes = SignalTargets(a, tgid, SIGKILL, 0);
  if (a.kind == TapAction::kAbortCaller) {
    if (a.scope == TapAction::kCaller || (a.scope == TapAction::kRoot && tgid == root_)) {
      r.orig_rax = SYS_tgkill;  // the call becomes the raise() abort() makes
      r.rdi = static_cast<unsigned long long>(tgid);
      r.rsi = static_cast<unsigned long long>(tid);
      r.rdx = SIGABRT;
      caller_goes = SetRegs(tid, r);
    } else {
      caller_goes = SignalTargets(a, tgid, SIGABRT, tid);
      if (caller_goes) {  // tree: the caller's own call must not run either
        r.orig_rax = static_cast<unsigned long long>(-1);
        r.rax = static_cast<unsigned long long>(-EINTR);
        SetRegs(tid, r);
      }
    }
  }
  if (a.kind == TapAction::kExitCaller) {
    r.orig_rax = SYS_exit_group;
    r.rdi = 0;
    caller_goes = SetRegs(tid, r);
  }
  if (caller_goes) {
    Record(std::move(e));
    return Resume(tid);  // a SIGKILLed tracee needs no resume; harmless
  }
  const bool skip_sync = call.fsync_like && cmd_.skip_fsync;
  if (a.kind == TapAction::kFail || skip_sync) {
    const long long ret = a.kind == TapAction::kFail ? -a.err : 0;
    r.orig_rax = static_cast<unsigned long long>(-1);
    r.rax = static_cast<unsigned long long>(ret);
    SetRegs(tid, r);
    e.result = ret;
    Record(std::move(e));
    return Resume(tid);
  }
  InFlight f;
  f.tid = tid;
  f.event = std::move(e);
  const bool cut = a.kind == TapAction::kShortWrite && call.write_like && CutLength(tid, r, &f) &&
                   SetRegs(tid, r);
  if (!cut && !cmd_.results && !observer_.WantsAfter(f.event)) {
    Record(std::move(f.event));  // no one needs its exit: one stop for this call
    return Resume(tid);
  }
  inflight_ = std::move(f);
  ::ptrace(PTRACE_SYSCALL, tid, nullptr, nullptr);  // to its exit stop
}

// Halves what a write-like call writes; false when there is nothing to cut.
bool Tracer::CutLength(pid_t tid, user_regs_struct& r, InFlight* f) {
  const long long len = f->event.length;  // decoded: bytes the call will write
  if (len < 2) return false;
  const unsigned long long half = static_cast<unsigned long long>(len / 2);
  switch (static_cast<long>(r.orig_rax)) {
    case SYS_write:
    case SYS_pwrite64:
      r.rdx = half;
      return true;
    case SYS_copy_file_range:
      r.r8 = half;
      return true;
    case SYS_sendfile:
      r.r10 = half;
      return true;
    default:
      break;
  }
  // writev, pwritev, pwritev2: (fd, iov, count, ...).
  unsigned long long sum = 0;
  for (unsigned long long i = 0; i < r.rdx; ++i) {
    iovec v;
    const uint64_t at = r.rsi + i * sizeof(iovec);
    if (!ReadTracee(tid, at, &v, sizeof v)) return false;
    if (sum + v.iov_len < half) {
      sum += v.iov_len;
      continue;
    }
    r.rdx = i + 1;  // this iovec is the last one written
    if (sum + v.iov_len == half) return true;
    f->patched_iov = at;
    f->original = v;
    v.iov_len = half - sum;
    return WriteTracee(tid, at, &v, sizeof v);
  }
  return false;
}

void Tracer::SyscallExit(pid_t tid) {
  InFlight f = std::move(*inflight_);
  inflight_.reset();
  if (f.patched_iov) WriteTracee(tid, f.patched_iov, &f.original, sizeof f.original);
  user_regs_struct r;
  if (::ptrace(PTRACE_GETREGS, tid, nullptr, &r) != 0) return Record(std::move(f.event));
  f.event.result = static_cast<long long>(r.rax);
  const TapAction a = observer_.OnEvent(f.event, TapPhase::kAfter);
  Record(std::move(f.event));
  After(tid, r, a);
}

void Tracer::After(pid_t tid, user_regs_struct& r, const TapAction& a) {
  const pid_t tgid = tgid_of_[tid];
  if (IsKill(a) && SignalTargets(a, tgid, SIGKILL, 0)) return;
  if (a.kind == TapAction::kAbortCaller) SignalTargets(a, tgid, SIGABRT, tid);
  if (a.kind == TapAction::kExitCaller) {
    if (AtCaller(a, tgid)) {
      r.rip -= 2;  // back over `syscall`: the same instruction now makes exit_group(0)
      r.rax = SYS_exit_group;
      r.rdi = 0;
      SetRegs(tid, r);
    } else {
      pending_root_ = a;
    }
  }
  Resume(tid);  // kFail and kShortWrite act only before a call
}

void Tracer::Alarm() {
  TapAction a = observer_.OnAlarm();
  if (a.kind == TapAction::kRun) return;
  if (a.scope == TapAction::kCaller) a.scope = TapAction::kRoot;  // no caller at an alarm
  if (IsKill(a)) {
    SignalTargets(a, 0, SIGKILL, 0);
  } else if (a.kind == TapAction::kAbortCaller) {
    SignalTargets(a, 0, SIGABRT, 0);
  } else {
    pending_root_ = a;
  }
}

}  // namespace crashbench::tap_internal
