// What a fault does to a system call the syscall tap has stopped
// (harness/tap/tap.h): let it run, kill or abort the caller (or the whole
// tree, or the root), make the caller exit with no user-space flush, fail the
// call with an errno, or cut its length. It lives in the inject layer so that
// a Fault can say what it does at a stopped call (Fault::at_syscall()) without
// knowing the tap.
//
//   SyscallAction a{SyscallAction::kFail, EIO};   // the call returns -EIO, unrun
#pragma once

#include <string>

namespace crashbench {

struct SyscallAction {
  enum Kind {
    kRun,          // let the call run
    kKillCaller,   // SIGKILL the calling process (before: the call never runs)
    kKillTree,     // SIGKILL every process of the subject at once
    kAbortCaller,  // SIGABRT the caller (its handlers and core dump as usual)
    kExitCaller,   // the caller exits 0 at once, with no user-space flush (os._exit)
    kFail,         // the call does not run and returns -err
    kShortWrite,   // a write-like call runs with half its length: a real short write
  };
  // Whom kKillCaller and kAbortCaller signal (kKillTree is kKillCaller at
  // kTree). kExitCaller, kFail and kShortWrite act on a call: at kRoot, when
  // the caller is not the root, they wait for the root's next stopped call.
  enum Scope { kCaller, kRoot, kTree };

  Kind kind = kRun;
  int err = 0;  // kFail: EIO, ENOSPC, ...
  Scope scope = kCaller;
};

// "kill", "kill-tree", "abort", "exit-no-flush", "fail EIO", "short-write"
// (with "@root", "@tree" when not at the caller).
std::string DescribeSyscallAction(const SyscallAction& a);

}  // namespace crashbench
