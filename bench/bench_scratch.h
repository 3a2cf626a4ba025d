// The one scratch directory crashbench-bench writes into: under $TMPDIR (or
// /tmp), named after the process, and removed on every way out: a normal
// exit, or SIGINT/SIGTERM/SIGHUP/SIGABRT (the handler removes it with async-signal-safe
// calls only, then dies of the same signal). A benchmark that needs files
// takes a fresh subdirectory of it.
//
//   std::string dir = BenchScratch::Get().NewSubdir();  // "" on failure
#pragma once

#include <string>

namespace crashbench {

class BenchScratch {
 public:
  static BenchScratch& Get();
  // A new empty directory inside the scratch root; "" when it cannot be made.
  std::string NewSubdir();
  const std::string& root() const { return root_; }

 private:
  BenchScratch();
  ~BenchScratch();
  std::string root_;
  int next_ = 0;
};

}  // namespace crashbench
