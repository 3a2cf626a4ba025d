// The command oracle: the user's checker gets CRASHBENCH_OUT_DIR and
// CRASHBENCH_ACK_FILE, exit 0 accepts, anything else is one anomaly whose
// kind is the first word of its first line when that names a kind (corrupt
// otherwise); a checker past its deadline has its group killed and no
// verdict; nothing it starts outlives it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "tests/oracle/oracle_fixtures.h"

namespace crashbench {
namespace {

using namespace oracle_testing;  // NOLINT: test helpers
using testing::ScratchDir;

OracleSpec Checker(const std::string& script) {
  OracleSpec s;
  s.kind = OracleKind::kCommand;
  s.command = {"/bin/sh", "-c", script};
  return s;
}

// True once pid is gone or a zombie (reaped here if it became this
// process's child). Waits for the kernel to finish a SIGKILL already sent:
// the bound only keeps a broken oracle from hanging the suite.
bool GoneSoon(pid_t pid) {
  for (int i = 0; i < 1000; ++i) {
    ::waitpid(pid, nullptr, WNOHANG);
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string s;
    if (!stat || !std::getline(stat, s)) return true;
    const size_t paren = s.rfind(')');
    if (paren != std::string::npos && paren + 2 < s.size() && s[paren + 2] == 'Z') return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

pid_t ReadPid(const std::string& path) {
  std::ifstream f(path);
  pid_t pid = -1;
  f >> pid;
  return pid;
}

TEST(CommandOracle, ExitZeroAccepts) {
  ScratchDir out;
  Put(out, "data.json", "{}");
  OracleReport r = Judge(Checker("test -s \"$CRASHBENCH_OUT_DIR/data.json\""), InputFor(out));
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{});
}

TEST(CommandOracle, CheckerSeesTheOutputDirectoryAndTheAckFile) {
  ScratchDir out, work;
  ::setenv("CRASHBENCH_OUT_DIR", "/stale/from/the/parent", 1);
  OracleInput in = InputFor(out);
  in.ack_file = work.path() + "/acks";
  OracleReport r = Judge(Checker("[ \"$CRASHBENCH_OUT_DIR\" = \"" + out.path() +
                                 "\" ] && [ \"$CRASHBENCH_ACK_FILE\" = \"" + in.ack_file +
                                 "\" ] || { echo \"env: $CRASHBENCH_OUT_DIR\"; exit 1; }"),
                         in);
  ::unsetenv("CRASHBENCH_OUT_DIR");
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{}) << r.anomalies[0].excerpt;
}

TEST(CommandOracle, FirstWordNamesTheKind) {
  ScratchDir out;
  OracleReport r =
      Judge(Checker("echo; echo 'torn: line 3 is cut short'; echo 'rows 4..9 gone'; exit 1"),
            InputFor(out));
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 1}}));
  EXPECT_EQ(r.anomalies[0].excerpt, "torn: line 3 is cut short");
  EXPECT_EQ(r.anomalies[0].detail,
            "checker `/bin/sh -c echo; echo 'torn: line 3 is cut short'; echo "
            "'rows 4..9 gone'; exit 1` exited 1; then: rows 4..9 gone\\n");
  OracleReport lost = Judge(Checker("echo 'Lost-Acked 2 rows'; exit 2"), InputFor(out));
  ASSERT_EQ(CountAnomalies(lost.anomalies), (AnomalyCounts{{"lost-acked", 1}}));
}

TEST(CommandOracle, AnyOtherMessageIsCorruptAndStderrCounts) {
  ScratchDir out;
  OracleReport r = Judge(Checker("echo 'total is 41, expected 42' >&2; exit 3"), InputFor(out));
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 1}}));
  EXPECT_EQ(r.anomalies[0].excerpt, "total is 41, expected 42");
  EXPECT_NE(r.anomalies[0].detail.find("exited 3"), std::string::npos);
  OracleReport word = Judge(Checker("echo 'tornado'; exit 1"), InputFor(out));
  EXPECT_EQ(CountAnomalies(word.anomalies), (AnomalyCounts{{"corrupt", 1}}));
}

TEST(CommandOracle, SilentRejectionAndDeathBySignalAreRejections) {
  ScratchDir out;
  OracleReport silent = Judge(Checker("exit 1"), InputFor(out));
  ASSERT_EQ(CountAnomalies(silent.anomalies), (AnomalyCounts{{"corrupt", 1}}));
  EXPECT_EQ(silent.anomalies[0].excerpt, "");
  EXPECT_EQ(silent.anomalies[0].detail, "checker `/bin/sh -c exit 1` exited 1, printing nothing");
  OracleReport killed = Judge(Checker("kill -SEGV $$"), InputFor(out));
  ASSERT_EQ(CountAnomalies(killed.anomalies), (AnomalyCounts{{"corrupt", 1}}));
  EXPECT_NE(killed.anomalies[0].detail.find("killed by SIGSEGV"), std::string::npos);
}

TEST(CommandOracle, MuchOutputIsDrainedAndTheExcerptStaysShort) {
  ScratchDir out;
  OracleReport r = Judge(Checker("head -c 2000000 /dev/zero | tr '\\0' x; exit 1"), InputFor(out));
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_LT(r.anomalies[0].excerpt.size(), 100u);
  EXPECT_LT(r.anomalies[0].detail.size(), 400u);
}

TEST(CommandOracle, PastItsDeadlineTheGroupIsKilledAndNoVerdictIsMade) {
  ScratchDir out, work;
  const std::string pid_file = work.path() + "/pid";
  OracleInput in = InputFor(out);
  // Long enough for sh to start its sleep and print on a loaded machine; the
  // checker never ends, so the deadline is what ends it.
  in.deadline_ms = 2000;
  Result<OracleReport> r =
      RunOracle(Checker("sleep 1000 & echo $! > '" + pid_file + "'; echo waiting; wait"), in);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(
      r.status().message().find("did not finish within 2000 ms: its process group was killed"),
      std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("(it printed: waiting\\n)"), std::string::npos)
      << r.status().message();
  const pid_t sleeper = ReadPid(pid_file);
  ASSERT_GT(sleeper, 0);
  EXPECT_TRUE(GoneSoon(sleeper));
}

TEST(CommandOracle, WhatTheCheckerLeavesRunningIsKilled) {
  ScratchDir out, work;
  const std::string pid_file = work.path() + "/pid";
  OracleInput in = InputFor(out);
  in.deadline_ms = 600000;  // the background sleep holds the pipe: only the kill ends the read
  OracleReport r = Judge(Checker("sleep 1000 & echo $! > '" + pid_file + "'; exit 0"), in);
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{});
  const pid_t sleeper = ReadPid(pid_file);
  ASSERT_GT(sleeper, 0);
  EXPECT_TRUE(GoneSoon(sleeper));
}

TEST(CommandOracle, ACheckerThatCannotStartIsAnError) {
  ScratchDir out, work;
  OracleSpec missing;
  missing.kind = OracleKind::kCommand;
  missing.command = {"crashbench-no-such-checker-anywhere"};
  Result<OracleReport> r = RunOracle(missing, InputFor(out));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("checker 'crashbench-no-such-checker-anywhere' not found in "
                                      "PATH"),
            std::string::npos);

  work.Write("not-a-program", "garbage, not a program\n");
  const std::string path = work.path() + "/not-a-program";
  ASSERT_EQ(::chmod(path.c_str(), 0755), 0);
  OracleSpec garbage = missing;
  garbage.command = {path};
  r = RunOracle(garbage, InputFor(out));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot execute checker `" + path + "`: Exec format error"),
            std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace crashbench
