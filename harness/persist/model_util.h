// Pieces the persistence models share: grouping a cut's unsynced operations
// by file, and the lengths a file may persist at when its unsynced writes
// reach the disk as a prefix.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/persist/crash_state.h"

namespace crashbench {

inline constexpr long long kPageBytes = 4096;

// The ops (indices into log.ops) grouped by the file they act on, each group ascending.
std::map<FileId, std::vector<int>> GroupByFile(const OpLog& log, const std::vector<int>& ops);

// a and b merged, ascending, without repeats.
std::vector<int> SortedUnion(const std::vector<int>& a, const std::vector<int>& b);
// a without the elements of b (both ascending).
std::vector<int> SortedMinus(const std::vector<int>& a, const std::vector<int>& b);

// One way a file's unsynced ops persist as a prefix.
struct PrefixChoice {
  std::vector<int> dropped;             // the ops of the file that did not persist
  std::optional<PartialWrite> partial;  // the one write cut inside
};

// The prefixes of `ops` (one file's unsynced writes and truncates, ascending)
// that may persist: none of them, then after each whole op, and inside each
// write at every `page` boundary of the file's offsets. Leaves out the
// prefix that is all of them (the most durable state has it).
std::vector<PrefixChoice> PrefixChoices(const OpLog& log, const std::vector<int>& ops,
                                        long long page = kPageBytes);

// "no fsync of the file after it" / "no fsync of its directory after it": what
// a strict reading of POSIX says lost it, shared by lazyfs and posix-weak.
std::string PosixWhyLost(const Op& op);

}  // namespace crashbench
