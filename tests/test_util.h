// Helpers shared by the test suites.
#pragma once

#include <string>

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

}  // namespace crashbench::testing
