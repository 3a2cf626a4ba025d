// The checks a run makes before its first trial, so that a path it cannot
// write, a directory another run holds, or a disk without room is said at
// once (exit 2, or 125 for room) instead of after every trial ran.
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "harness/cli/commands.h"
#include "harness/run/run_lock.h"
#include "scenarios/scenario.h"

namespace crashbench {
namespace {

// A spilled trial line and its copy in results.json, with room to spare: a
// trial's details are capped (kMaxDetailsPerKind), so this bounds it loosely.
constexpr long long kResultBytesPerTrial = 16 << 10;
constexpr long long kResultBytesFixed = 4 << 20;  // reports, headers

int Refuse(const std::string& message, int code = 2) {
  std::cerr << "crashbench: " << message << "\n";
  return code;
}

long long FreeBytes(const std::string& dir) {
  struct statvfs v {};
  if (::statvfs(dir.c_str(), &v) != 0) return -1;
  return static_cast<long long>(v.f_bavail) * static_cast<long long>(v.f_frsize);
}

std::string Mib(long long bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB"; }

// 0, or 125 when dir has less than need bytes free (a full disk is found
// before the first trial, not after the last).
int CheckRoom(const std::string& what, const std::string& dir, long long need) {
  const long long free_bytes = FreeBytes(dir);
  if (free_bytes < 0 || free_bytes >= need) return 0;
  return Refuse("cannot test here: " + what + " " + dir + " has " + Mib(free_bytes) +
                    " free; this run needs about " + Mib(need),
                125);
}

// Room first: on a full disk even the lock file cannot be written.
int CheckRoomAndLock(const std::string& out_dir, const std::string& scratch_parent,
                     const std::vector<Scenario>& scenarios, int jobs, RunLock* lock) {
  long long trials = 0, biggest_workload = 0;
  for (const Scenario& s : scenarios) {
    trials += s.trials;
    const Workload& w = s.workload;
    biggest_workload = std::max(biggest_workload, w.tasks * w.records_per_task * w.record_bytes);
  }
  if (int code = CheckRoom("--out", out_dir, kResultBytesFixed + trials * kResultBytesPerTrial);
      code != 0)
    return code;
  // Every running trial writes its workload, twice where a strategy stages it.
  const std::string parent = scratch_parent.empty() ? DefaultScratchParent() : scratch_parent;
  if (int code =
          CheckRoom("the scratch parent", parent, 2LL * std::max(1, jobs) * biggest_workload);
      code != 0)
    return code;
  const std::string lock_path = out_dir + "/" + kLockFileName;
  const std::string dead_holder = DescribeLockHolder(lock_path);  // if a dead run left it
  Result<RunLock> taken = RunLock::Take(lock_path);
  if (!taken.ok()) return Refuse("--out " + out_dir + ": " + taken.status().message());
  *lock = std::move(*taken);
  // This run holds the directory now: a spill or temp file in it is a dead run's.
  for (const std::string& line :
       RemoveDeadRunFiles(out_dir, dead_holder.empty() ? "an earlier run" : dead_holder))
    std::cerr << line << "\n";
  return 0;
}

}  // namespace

int CheckScratchParent(const std::string& scratch_parent) {
  if (scratch_parent.empty()) return 0;
  struct stat st {};
  if (::stat(scratch_parent.c_str(), &st) != 0)
    return Refuse("--scratch " + scratch_parent + ": " + std::strerror(errno) +
                  " (it must be an existing directory)");
  if (!S_ISDIR(st.st_mode)) return Refuse("--scratch " + scratch_parent + ": not a directory");
  if (::access(scratch_parent.c_str(), W_OK | X_OK) != 0)
    return Refuse("--scratch " + scratch_parent + ": not writable (" + std::strerror(errno) + ")");
  return 0;
}

int PrepareRunPaths(const std::string& out_dir, const std::string& scratch_parent,
                    const std::vector<Scenario>& scenarios, int jobs, RunLock* lock) {
  if (int code = CheckScratchParent(scratch_parent); code != 0) return code;
  struct stat st {};
  const bool existed = ::stat(out_dir.c_str(), &st) == 0;
  if (existed && !S_ISDIR(st.st_mode))
    return Refuse("--out " + out_dir + ": exists and is not a directory (--out names the " +
                  "directory results.json goes in)");
  if (Status s = MakeDirs(out_dir); !s.ok())
    return Refuse("--out " + out_dir + " cannot be a results directory: " + s.message());
  const int code = CheckRoomAndLock(out_dir, scratch_parent, scenarios, jobs, lock);
  if (code != 0 && !existed) ::rmdir(out_dir.c_str());  // a refused run writes nothing
  return code;
}

}  // namespace crashbench
