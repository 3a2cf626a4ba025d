// Shared by the syscall tap's tests: the fixture program (tests/tap/tap_fixture.cc)
// run under the tap in a scratch directory, with its stdout kept.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <string>
#include <vector>

#include "harness/base/sys.h"
#include "harness/tap/tap.h"
#include "tests/test_util.h"

namespace crashbench::testing {

#define SKIP_WITHOUT_TAP()                                                              \
  do {                                                                                  \
    if (::crashbench::Status tap_st = ::crashbench::TapAvailable(); !tap_st.ok())       \
      GTEST_SKIP() << "skipped: the syscall tap cannot run here: " << tap_st.message(); \
  } while (0)

// scratch/out is watched; the fixture runs there; its stdout goes to scratch/stdout.
struct TapRun {
  ScratchDir scratch;
  std::string out, stdout_path;
  TapCommand cmd;
  TapRun() : out(scratch.path() + "/out"), stdout_path(scratch.path() + "/stdout") {
    EXPECT_TRUE(MakeDirs(out).ok());
    cmd.watch_dir = out;
    cmd.cwd = out;
    cmd.deadline_ms = 60000;  // not a timing: a test that hangs fails instead of blocking ctest
  }
  // Runs the fixture with these arguments; the outcome, or the test fails.
  TapOutcome Run(const std::vector<std::string>& args, TapObserver& observer) {
    cmd.argv = {CRASHBENCH_TAP_FIXTURE};
    cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
    UniqueFd so(::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    cmd.stdout_fd = so.get();
    Result<TapOutcome> r = RunTapped(cmd, observer);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::move(*r) : TapOutcome{};
  }
  std::string Stdout() const {
    Result<std::string> s = ReadFileToString(stdout_path);
    return s.ok() ? *s : "";
  }
  std::string File(const std::string& rel) const {
    Result<std::string> s = ReadFileToString(out + "/" + rel);
    return s.ok() ? *s : "<absent>";
  }
};

// The fixture's "records" lines: "record 000 ....................\n", 32 bytes each.
inline std::string Records(int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) {
    char line[64];
    std::snprintf(line, sizeof line, "record %03d ....................\n", i);
    s += line;
  }
  return s;
}

}  // namespace crashbench::testing
