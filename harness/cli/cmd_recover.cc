// crashbench recover DIR and crashbench clean [DIR...]: what a dead run left.
// A run spills every finished trial to DIR/.trials.jsonl.tmp and holds
// DIR/.crashbench.lock for its life (harness/run/run_lock.h); a run killed
// with -9 leaves both, with the lock free. recover turns the spill into a
// results file; clean removes leftovers it can prove dead (a free lock, a
// pid that is gone) and nothing else.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>

#include "faults/oom.h"
#include "harness/cli/commands.h"
#include "harness/run/run_lock.h"
#include "harness/supervise/cgroup.h"
#include "results/recover.h"
#include "results/results.h"

namespace crashbench {
namespace {

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

int Fail(const std::string& message, int code = 2) {
  std::cerr << "crashbench: " << message << "\n";
  return code;
}

std::vector<std::string> ListSubdirectories(const std::string& dir) {
  std::vector<std::string> subs;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return subs;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != ".." && IsDirectory(dir + "/" + name))
      subs.push_back(dir + "/" + name);
  }
  ::closedir(d);
  return subs;
}

long long TrialCount(const RunOutcome& outcome) {
  long long n = 0;
  for (const ScenarioResult& sr : outcome.scenarios) n += static_cast<long long>(sr.trials.size());
  return n;
}

}  // namespace

int RunRecoverCommand(const RecoverCommand& cmd) {
  if (!IsDirectory(cmd.dir)) return Fail("recover " + cmd.dir + ": not a directory");
  const std::string spill = cmd.dir + "/" + kSpillFileName;
  if (::access(spill.c_str(), F_OK) != 0)
    return Fail("recover " + cmd.dir + ": no spilled trials here (" + kSpillFileName +
                " is what a run that died leaves)");
  const std::string lock_path = cmd.dir + "/" + kLockFileName;
  const std::string holder = DescribeLockHolder(lock_path);
  Result<RunLock> lock = RunLock::Take(lock_path);
  if (!lock.ok()) return Fail("recover " + cmd.dir + ": " + lock.status().message());
  const std::string out = cmd.out.empty() ? cmd.dir + "/results.json" : cmd.out;
  if (cmd.out.empty() && ::access(out.c_str(), F_OK) == 0)
    return lock->Abandon(), Fail("recover " + cmd.dir + ": " + out +
                                 " exists already; name another file with -o to keep both");
  if (IsDirectory(out))
    return lock->Abandon(), Fail("recover -o " + out + ": is a directory (name a file)");
  Result<RunOutcome> outcome = RecoverSpilledRun(spill);
  if (!outcome.ok()) return lock->Abandon(), Fail(outcome.status().message());
  if (Status st = WriteResultsFile(out, *outcome, ReplayInfo{}); !st.ok())
    return lock->Abandon(), Fail("could not write results: " + st.message() +
                                     "; the spilled trials stay in " + spill,
                                 3);
  ::unlink(spill.c_str());
  std::cout << "recovered " << TrialCount(*outcome) << " finished trials of "
            << outcome->scenarios.size() << " scenarios"
            << (holder.empty() ? "" : " from the dead run (" + holder + ")") << "\n"
            << "results: " << out << " (marked interrupted)\n";
  return 0;
}

int RunCleanCommand(const CleanCommand& cmd) {
  std::vector<std::string> dirs = cmd.dirs;
  if (dirs.empty()) {
    dirs.push_back(DefaultScratchParent());
    if (IsDirectory("results/runs")) dirs.push_back("results/runs");
  }
  std::vector<std::string> lines;
  auto add = [&](std::vector<std::string> more) {
    lines.insert(lines.end(), more.begin(), more.end());
  };
  for (const std::string& dir : dirs) {
    if (!IsDirectory(dir)) return Fail("clean " + dir + ": not a directory");
    // DIR as a results directory, as a scratch parent, and as the parent of
    // results directories (results/runs).
    add(RemoveDeadOutDirLeftovers(dir));
    add(RemoveDeadScratchRoots(dir));
    for (const std::string& sub : ListSubdirectories(dir)) add(RemoveDeadOutDirLeftovers(sub));
  }
  add(RemoveStaleOomCgroups());
  add(RemoveStaleSubjectCgroups());
  for (const std::string& line : lines) std::cout << line << "\n";
  if (lines.empty()) std::cout << "nothing a dead crashbench run left was found\n";
  return 0;
}

}  // namespace crashbench
