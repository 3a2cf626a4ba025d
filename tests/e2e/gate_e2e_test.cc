// The gate and compare as a CI job meets them: real runs, real results files,
// the real binary's exit codes and messages.
#include <gtest/gtest.h>

#include "tests/e2e/e2e_util.h"
#include "tests/test_util.h"

namespace crashbench::testing {
namespace {

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// A small kill-at-mid-record scenario on atomic-rename, with its commit option.
std::string AtomicRenameKilled(const std::string& commit) {
  return R"({"name":"ar-kill","strategy":"atomic-rename","options":{"commit":")" + commit +
         R"("},"workers":2,"workload":{"tasks":8,"records_per_task":4,"record_bytes":64},
  "fault":{"kind":"sigkill","target":"worker","trigger":{"point":"mid-record"}},
  "trials":3,"seed":11,"deadline_ms":20000,
  "expect":{"forbid":["torn","interleaved","corrupt","duplicate","lost-acked","partial-visible","hang"]}})";
}

// 256 records: enough that writing, not forking two workers, is the cost, so
// an fsync per record is tens of times slower than none even on a fast disk.
std::string Tiny(const std::string& name, const std::string& fsync) {
  return R"({"name":")" + name + R"(","strategy":"naive","options":{"fsync":")" + fsync +
         R"("},"workers":2,"workload":{"tasks":8,"records_per_task":32,"record_bytes":256},"trials":1,"seed":3})";
}

TEST(GateE2e, WeakenedAtomicRenameFailsTheGateNamingTheAnomalyAndTheReplay) {
  ScratchDir d;
  d.Write("base.json", AtomicRenameKilled("rename"));
  d.Write("weak.json", AtomicRenameKilled("direct-write-UNSAFE-test-only"));
  CommandResult base =
      RunCrashbench({"run", "base.json", "--out", "base", "--no-progress"}, d.path());
  ASSERT_EQ(base.exit_code, 0) << base.out << base.err;
  CommandResult weak =
      RunCrashbench({"run", "weak.json", "--out", "weak", "--no-progress"}, d.path());
  ASSERT_EQ(weak.exit_code, 1) << weak.out << weak.err;

  CommandResult gate =
      RunCrashbench({"gate", "--baseline", "base/results.json", "weak/results.json"}, d.path());
  EXPECT_EQ(gate.exit_code, 1) << gate.out << gate.err;
  EXPECT_TRUE(Contains(gate.out,
                       "FAIL  ar-kill: expectation failed (strategy atomic-rename, fault "
                       "sigkill@mid-record): forbidden"))
      << gate.out;
  EXPECT_TRUE(Contains(gate.out, "torn in 3 of 3 trials")) << gate.out;
  // Runnable from any directory: the replay that shows the damaged bytes,
  // then the rerun.
  EXPECT_TRUE(Contains(gate.out, "replay: " + std::string(CRASHBENCH_BINARY) + " replay " +
                                     d.path() + "/weak/results.json --trial ar-kill:0"))
      << gate.out;
  EXPECT_TRUE(Contains(gate.out, "rerun:  " + std::string(CRASHBENCH_BINARY) + " run " + d.path() +
                                     "/weak.json --scenario ar-kill --trial 0"))
      << gate.out;

  // The unweakened run against itself passes.
  CommandResult same =
      RunCrashbench({"gate", "--baseline", "base/results.json", "base/results.json"}, d.path());
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
}

TEST(GateE2e, BadInputExits2NamingTheFile) {
  ScratchDir d;
  d.Write("v9.json", R"({"schema_version": 9, "scenarios": []})");
  d.Write("tiny.json", Tiny("t", "none"));
  CommandResult missing =
      RunCrashbench({"gate", "--baseline", "nowhere.json", "v9.json"}, d.path());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(Contains(missing.err, "nowhere.json")) << missing.err;
  CommandResult v9 = RunCrashbench({"gate", "--baseline", "v9.json", "v9.json"}, d.path());
  EXPECT_EQ(v9.exit_code, 2);
  EXPECT_TRUE(Contains(v9.err, "v9.json: schema_version 9 is not supported")) << v9.err;
  // A scenario file is not a results file.
  CommandResult scenario =
      RunCrashbench({"gate", "--baseline", "tiny.json", "tiny.json"}, d.path());
  EXPECT_EQ(scenario.exit_code, 2);
  EXPECT_TRUE(Contains(scenario.err, "tiny.json: not a crashbench results file")) << scenario.err;
}

// A count that is not a number must not read as zero: the trial is not clean.
TEST(GateE2e, ANonIntegerAnomalyCountExits2NamingTheField) {
  ScratchDir d;
  const std::string trial =
      R"({"index":0,"anomalies":{"torn":"many"},"violations":1,"replay":"r"})";
  d.Write("bad.json", R"({"schema_version":1,"context":{},"scenarios":[{"name":"s","trials":[)" +
                          trial + "]}]}");
  d.Write("good.json",
          R"({"schema_version":1,"context":{},"scenarios":[{"name":"s","trials":[]}]})");
  CommandResult r = RunCrashbench({"gate", "--baseline", "good.json", "bad.json"}, d.path());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "bad.json: scenarios[0].trials[0].anomalies.torn")) << r.err;
  EXPECT_TRUE(Contains(r.err, "\"many\"")) << r.err;
  CommandResult as_baseline =
      RunCrashbench({"gate", "--baseline", "bad.json", "good.json"}, d.path());
  EXPECT_EQ(as_baseline.exit_code, 2) << as_baseline.out << as_baseline.err;
}

TEST(GateE2e, HelpSaysTheExitCodesAsGitBisectReadsThem) {
  ScratchDir d;
  CommandResult r = RunCrashbench({"--help"}, d.path());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.out, "git bisect run")) << r.out;
  EXPECT_TRUE(Contains(r.out, "3 inconclusive under --strict")) << r.out;
  EXPECT_TRUE(Contains(r.out, "125 cannot test here")) << r.out;
}

TEST(GateE2e, ListMarksTheTestOnlyCommit) {
  ScratchDir d;
  CommandResult r = RunCrashbench({"list"}, d.path());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.out, "direct-write-UNSAFE-test-only: TEST-ONLY")) << r.out;
  EXPECT_TRUE(Contains(r.out, "commit: rename | direct-write-UNSAFE-test-only (default rename)"))
      << r.out;
}

TEST(CompareE2e, AScenarioAgainstItselfIsNotARegression) {
  ScratchDir d;
  d.Write("a.json", Tiny("a", "none"));
  CommandResult r = RunCrashbench(
      {"compare", "a.json", "a.json", "--rounds", "5", "--scratch", d.path()}, d.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "5 vs 5 samples")) << r.out;
  EXPECT_FALSE(Contains(r.out, "FAIL")) << r.out;
}

TEST(CompareE2e, FsyncPerRecordIsReportedSlowerThanNoFsync) {
  ScratchDir d;
  d.Write("none.json", Tiny("no-fsync", "none"));
  d.Write("record.json", Tiny("fsync-record", "record"));
  CommandResult r = RunCrashbench(
      {"compare", "none.json", "record.json", "--rounds", "5", "--scratch", d.path()}, d.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "FAIL  B regressed  no-fsync (A) vs fsync-record (B)")) << r.out;
}

TEST(CompareE2e, TwoBinariesRunOneScenarioFile) {
  ScratchDir d;
  d.Write("a.json", Tiny("a", "none"));
  CommandResult r =
      RunCrashbench({"compare", "a.json", "--binary-a", CRASHBENCH_BINARY, "--binary-b",
                     CRASHBENCH_BINARY, "--rounds", "2", "--scratch", d.path()},
                    d.path());
  // Two rounds are too few samples to decide: inconclusive, which is exit 0
  // unless --strict.
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "INCONCLUSIVE  a (A) vs a (B)")) << r.out;
  EXPECT_TRUE(Contains(r.out, "2 vs 2 samples")) << r.out;
  CommandResult half =
      RunCrashbench({"compare", "a.json", "--binary-a", CRASHBENCH_BINARY}, d.path());
  EXPECT_EQ(half.exit_code, 2) << half.out << half.err;
}

}  // namespace
}  // namespace crashbench::testing
