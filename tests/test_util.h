// Helpers shared by the test suites.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace crashbench::testing {

// A scratch directory under $TMPDIR (or /tmp), removed with everything in it
// when the object goes away, so no test leaves a directory behind.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes a file (relative name) with exactly these bytes.
  void Write(const std::string& name, const std::string& bytes) const;

 private:
  std::string path_;
};

// True when a process with this pid exists (zombies included).
bool ProcessExists(int pid);

// The names in dir, without "." and ".."; empty when it cannot be read.
std::set<std::string> Entries(const std::string& dir);

}  // namespace crashbench::testing

namespace crashbench::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

// In tests/e2e/process_util.cc (end-to-end tests only).
// Runs the crashbench binary with args (no shell), cwd as given, optional extra
// environment entries ("K=V"). If interrupt_after_ms > 0, sends SIGINT then.
// With as_uid >= 0 (and root), it runs as that user and group, no supplementary groups.
CommandResult RunCrashbench(const std::vector<std::string>& args, const std::string& cwd,
                            const std::vector<std::string>& extra_env = {},
                            int interrupt_after_ms = 0, int as_uid = -1);

// Pids of live processes whose environment holds `entry` exactly.
std::vector<int> ProcessesWithEnv(const std::string& entry);

}  // namespace crashbench::testing
