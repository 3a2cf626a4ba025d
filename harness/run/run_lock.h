// What a run owns, marked so that a dead run's leftovers can be proved dead.
// A run holds an flock on a lock file in its output directory and in its
// scratch root for its whole life; the kernel drops the lock when the process
// dies however it dies (kill -9 included), so a lock file nobody holds is a
// dead run's. The file says which run took it (pid, start time) so that a
// second run can name the first. Scratch roots also carry the pid in their
// name ("crashbench-<pid>-XXXXXX"): they are removed only when the lock is
// free AND that pid is gone.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/base/sys.h"

namespace crashbench {

inline constexpr const char* kLockFileName = ".crashbench.lock";
inline constexpr const char* kSpillFileName = ".trials.jsonl.tmp";

// An flock held on a lock file until destroyed; then the file is removed.
class RunLock {
 public:
  RunLock() = default;
  RunLock(RunLock&&) = default;
  RunLock& operator=(RunLock&&) = default;
  ~RunLock();
  // Takes the lock file `path` (created if missing) without waiting. Held by
  // a live run: an error naming that run's pid and start time.
  static Result<RunLock> Take(const std::string& path);
  bool held() const { return fd_.valid(); }
  // Drops the lock and removes the file.
  void Release();
  // Drops the lock and leaves the file, still naming the run that took it
  // before (a later clean can prove it dead).
  void Abandon() { fd_.Reset(); }

 private:
  std::string path_;
  UniqueFd fd_;
};

// What the lock file at path says about the run that took it ("pid 123,
// started 2026-01-01T00:00:00Z"); "" when unreadable.
std::string DescribeLockHolder(const std::string& lock_path);
// True when nobody holds the lock at path (it exists and can be taken now).
bool LockIsFree(const std::string& lock_path);
bool ProcessIsGone(pid_t pid);

// In a directory whose lock this process holds: removes the spill and the
// results temp files of dead runs (dead_holder: the lock file's words before
// this process took it). Returns one line per removal, for the user.
std::vector<std::string> RemoveDeadRunFiles(const std::string& dir, const std::string& dead_holder);

// Removes what dead runs left: in out_dir, a free lock file with the spill
// file and results temp files beside it; under scratch_parent, every
// crashbench-<pid>-* scratch root whose lock is free and whose pid is gone.
// Either may be "". Returns one line per removal, for the user.
std::vector<std::string> RemoveDeadOutDirLeftovers(const std::string& out_dir);
std::vector<std::string> RemoveDeadScratchRoots(const std::string& scratch_parent);

// $TMPDIR or /tmp.
std::string DefaultScratchParent();

}  // namespace crashbench
