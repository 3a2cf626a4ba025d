// A scenario's syscall trigger, {"syscall": {...}} under fault.trigger:
//   {"ops": ["write", ...], "path": "GLOB", "occurrence": K | "random",
//    "contains": "TEXT", "when": "before" | "after"}
// Every key is optional: no ops is every tapped call, no path every file
// under the output directory, no occurrence (or "random") one drawn from the
// trial's seed among the matches of a fault-free run. The glob is relative to
// the output directory ("{out}/" in front is dropped). A fault aimed at a
// syscall acts through Fault::at_syscall(), on the targets caller, tree, root.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "harness/base/status.h"
#include "harness/inject/fault.h"
#include "harness/tap/syscall_trigger.h"

namespace crashbench {

// Errors read "fault.trigger.syscall.ops: unknown call 'wirte' (valid calls: ...)".
Status ParseSyscallTrigger(const nlohmann::json& j, SyscallTrigger* out);
nlohmann::json SyscallTriggerToJson(const SyscallTrigger& t);
// "write#3", "write+pwrite64#random", "any#2", "rename#1/after"; a
// content-addressed one: write~"task 17"#1.
std::string SyscallTriggerLabel(const SyscallTrigger& t);

// Whether `fault` (kind `kind`) can act at this trigger on this target: it
// has an action at a stopped call; an action on the call itself (fail, short
// write, exit) is aimed at the caller or the root and, for fail and short
// write, acts before the call; a short write only cuts write-like calls.
Status CheckSyscallFault(const std::string& kind, const Fault& fault, FaultTarget target,
                         const SyscallTrigger& t);

}  // namespace crashbench
