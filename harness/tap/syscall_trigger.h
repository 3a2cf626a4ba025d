// A fault aimed at a system call: which stopped calls of a tapped run match,
// and which match fires. The scenario's trigger
//   {"syscall": {"ops": ["write"], "path": "part-*.jsonl", "occurrence": 3,
//                "contains": "task 17", "when": "before"}}
// The path is a glob relative to the watched directory ("*" stays inside one
// directory, "**" crosses them; "{out}/" in front is accepted and dropped).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/tap/tap.h"

namespace crashbench {

struct SyscallTrigger {
  std::vector<std::string> ops;  // kernel call names; empty: every watched call
  std::string path_glob;         // "" matches every path
  std::string contains;          // "" matches any bytes
  TapPhase when = TapPhase::kBefore;
  // The occurrence-th matching event (1 is the first); unset: drawn from the
  // trial's seed among the matches of a fault-free recording run ("random").
  std::optional<long long> occurrence;
  // Set by crashbench, never by a scenario: only events at this point, by
  // content (SignatureWithoutProcess of an earlier run's event; SameEventPoint),
  // match; occurrence then counts among those.
  std::string point;
};

// Whether e matches every condition of t (ops, path, bytes). Extra-file
// events (acks) never match.
bool TriggerMatches(const SyscallTrigger& t, const TapEvent& e);

// "*" within one path component, "**" across components, "?" one character.
bool GlobMatches(const std::string& glob, const std::string& path);

// The kernel call names a trigger may list, for error messages.
const std::vector<std::string>& TappedCallNames();
// Those of them that carry bytes (write, pwrite64, writev, pwritev, pwritev2,
// copy_file_range, sendfile): the calls a short write can cut.
const std::vector<std::string>& WriteLikeCallNames();

}  // namespace crashbench
