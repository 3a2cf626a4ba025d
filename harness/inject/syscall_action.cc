#include "harness/inject/syscall_action.h"

#include <string.h>

namespace crashbench {

std::string DescribeSyscallAction(const SyscallAction& a) {
  std::string s;
  switch (a.kind) {
    case SyscallAction::kRun:
      return "run";
    case SyscallAction::kKillCaller:
      s = "kill";
      break;
    case SyscallAction::kKillTree:
      return "kill-tree";
    case SyscallAction::kAbortCaller:
      s = "abort";
      break;
    case SyscallAction::kExitCaller:
      s = "exit-no-flush";
      break;
    case SyscallAction::kFail: {
      const char* name = strerrorname_np(a.err);
      s = std::string("fail ") + (name ? name : std::to_string(a.err).c_str());
      break;
    }
    case SyscallAction::kShortWrite:
      s = "short-write";
      break;
  }
  if (a.scope == SyscallAction::kRoot) s += "@root";
  if (a.scope == SyscallAction::kTree) s += "@tree";
  return s;
}

}  // namespace crashbench
