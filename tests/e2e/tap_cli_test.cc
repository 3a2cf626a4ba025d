// crashbench tap as a user meets it: the calls a command makes under --out,
// each with the signature a syscall trigger matches.
#include <gtest/gtest.h>

#include "harness/tap/tap.h"
#include "tests/test_util.h"

namespace crashbench::testing {
namespace {

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

TEST(TapCli, ListsTheCommandsCallsWithSignaturesAndBytes) {
  if (Status st = TapAvailable(); !st.ok()) GTEST_SKIP() << "skipped: " << st.message();
  ScratchDir d;
  CommandResult r =
      RunCrashbench({"tap", "--out", "out", "--keep-bytes", "--", "sh", "-c",
                     "echo 'task 17' > out/a.txt; mv out/a.txt out/b.txt; echo elsewhere > c.txt"},
                    d.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "#1 0 openat a.txt [wronly,creat,trunc] = ")) << r.out;
  EXPECT_TRUE(Contains(r.out, " 0 write a.txt @0+8 crc=")) << r.out;
  EXPECT_TRUE(Contains(r.out, "= 8 \"task 17\\n\"")) << r.out;
  EXPECT_TRUE(Contains(r.out, " 0.0 rename")) << r.out;  // mv's own process; renameat2 today
  EXPECT_TRUE(Contains(r.out, " a.txt -> b.txt = 0")) << r.out;
  EXPECT_FALSE(Contains(r.out, "c.txt")) << r.out;  // not under --out
  EXPECT_TRUE(Contains(r.out, "0.0 (pid ")) << r.out;
}

TEST(TapCli, ACommandThatFailsExits1AndOneThatCannotStartExits2) {
  if (Status st = TapAvailable(); !st.ok()) GTEST_SKIP() << "skipped: " << st.message();
  ScratchDir d;
  CommandResult failed =
      RunCrashbench({"tap", "--out", "out", "--", "sh", "-c", "exit 3"}, d.path());
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_TRUE(Contains(failed.out, "the command exited 3")) << failed.out;
  CommandResult missing =
      RunCrashbench({"tap", "--out", "out", "--", "crashbench-no-such-command"}, d.path());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(Contains(missing.err, "cannot run crashbench-no-such-command")) << missing.err;
  EXPECT_EQ(RunCrashbench({"tap", "--", "true"}, d.path()).exit_code, 2);  // no --out
}

}  // namespace
}  // namespace crashbench::testing
