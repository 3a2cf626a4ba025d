// Command subjects end to end, as a user runs them: a small Python program
// (tests/e2e/fixtures/json_writer.py) named in a scenario file, a fault at
// the write that carries a chosen record, the verdict, --explore, replay,
// restart, and the errors a bad scenario gets.
#include <gtest/gtest.h>
#include <stdio.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>

#include "harness/base/sys.h"
#include "harness/tap/tap.h"
#include "tests/test_util.h"

namespace crashbench::testing {
namespace {

using nlohmann::json;

constexpr const char* kPython = "/usr/bin/python3";
const std::string kFixture =
    std::string(CRASHBENCH_SOURCE_DIR) + "/tests/e2e/fixtures/json_writer.py";

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// A scenario running the fixture in `mode`; 3 tasks of 2 records, so a
// document is 4 writes (header, two records, footer) and a run 12.
std::string Scenario(const std::string& name, const std::string& mode, const std::string& fault,
                     const std::string& extra = "") {
  return R"({"name": ")" + name + R"(", "subject": {"command": [")" + kPython + R"(", ")" +
         kFixture + R"(", ")" + mode + R"("]},
    "verify": {"oracle": "json", "files": ["part-*.json"], "count": 3},
    "workers": 1, "workload": {"tasks": 3, "records_per_task": 2, "record_bytes": 40},
    "fault": )" +
         fault + extra + R"(, "trials": 1, "seed": 3, "deadline_ms": 20000})";
}

std::string KillAtRecord(const std::string& marker, const std::string& target = "caller") {
  return R"({"kind": "sigkill", "target": ")" + target +
         R"(", "trigger": {"syscall": {"ops": ["write"], "path": "part-*.json",
                                        "contains": ")" +
         marker + R"(", "occurrence": 1}}})";
}

class CommandSubjectE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kPython, X_OK) != 0)
      GTEST_SKIP() << "skipped: no " << kPython << " (Debian's python3) on this machine";
    if (Status st = TapAvailable(); !st.ok())
      GTEST_SKIP() << "skipped: the syscall tap cannot run here: " << st.message();
  }

  // Runs `crashbench run` on the scenario text; returns its results.json's scenarios.
  json Run(const std::string& scenario, int expected_exit, std::vector<std::string> args = {}) {
    d_.Write("s.json", scenario);
    std::vector<std::string> argv = {"run", "s.json", "--no-progress", "--out", "o"};
    argv.insert(argv.end(), args.begin(), args.end());
    last_ = RunCrashbench(argv, d_.path());
    EXPECT_EQ(last_.exit_code, expected_exit) << last_.out << last_.err;
    Result<std::string> text = ReadFileToString(d_.path() + "/o/results.json");
    if (!text.ok()) return json();
    return json::parse(*text)["scenarios"];
  }

  static long long Count(const json& trial, const std::string& kind) {
    return trial["anomalies"].value(kind, 0LL);
  }

  ScratchDir d_;
  CommandResult last_;
};

TEST_F(CommandSubjectE2E, WriteAtFinalNameKilledAtAChosenRecordIsTorn) {
  json s = Run(Scenario("final", "final", KillAtRecord("t1r1-")), 0);
  ASSERT_TRUE(s.is_array()) << last_.err;
  const json& t = s[0]["trials"][0];
  EXPECT_FALSE(t.contains("error")) << t.dump();
  // Fired at task 1's second record, before the write ran.
  EXPECT_TRUE(Contains(t["fired"].value("signature", ""), "write part-1.json")) << t.dump();
  EXPECT_GE(Count(t, "torn"), 1) << t.dump();
  bool torn_at_part1 = false;
  for (const json& a : t["details"])
    torn_at_part1 |= a["kind"] == "torn" && a.value("file", "") == "part-1.json";
  EXPECT_TRUE(torn_at_part1) << t.dump();
  // Task 0 was complete and acknowledged before the fault; task 1 was not.
  EXPECT_EQ(t["acked_tasks"], 1) << t.dump();
  EXPECT_FALSE(t["pipeline_ok"].get<bool>());
}

TEST_F(CommandSubjectE2E, WriteTempAndReplaceNeverTearsAtAnyWrite) {
  const std::string fault = R"({"kind": "sigkill", "target": "caller",
      "trigger": {"syscall": {"ops": ["write"], "path": "part-*"}}})";
  json s =
      Run(Scenario("atomic", "atomic", fault, R"(, "expect": {"forbid": ["torn", "corrupt"]})"), 0,
          {"--explore"});
  ASSERT_TRUE(s.is_array()) << last_.err;
  const json& trials = s[0]["trials"];
  EXPECT_EQ(trials.size(), 12u) << s[0]["summary"].dump();
  long long orphans = 0;
  for (const json& t : trials) {
    EXPECT_FALSE(t.contains("error")) << t.dump();
    EXPECT_EQ(Count(t, "torn") + Count(t, "corrupt"), 0) << t.dump();
    orphans += Count(t, "orphan-temp");
  }
  // Killed inside a temp file's writes, the temp file is left beside the output.
  EXPECT_GT(orphans, 0) << s[0]["summary"].dump();
}

TEST_F(CommandSubjectE2E, ExploreVisitsEveryMatchingWriteOnce) {
  const std::string fault = R"({"kind": "sigkill", "target": "caller",
      "trigger": {"syscall": {"ops": ["write"], "path": "part-*.json"}}})";
  json s = Run(Scenario("explore", "final", fault), 0, {"--explore"});
  ASSERT_TRUE(s.is_array()) << last_.err;
  const json& trials = s[0]["trials"];
  ASSERT_EQ(trials.size(), 12u) << s[0]["summary"].dump();
  std::set<std::string> visited;
  long long torn = 0;
  for (const json& t : trials) {
    EXPECT_FALSE(t.contains("error")) << t.dump();
    visited.insert(t["fired"].value("signature", ""));
    torn += Count(t, "torn") > 0;
  }
  EXPECT_EQ(visited.size(), 12u);
  // Killed before any of a document's writes, the file at its final name is
  // empty (before the header) or cut short: every point tears.
  EXPECT_EQ(torn, 12) << s[0]["summary"].dump();
  EXPECT_EQ(s[0]["summary"]["calibration"]["syscall_matches"].size(), 12u);
}

// Three children writing at once make their calls in another order on every
// run: --explore aims each trial at a fault-free run's write by its content,
// so every write is visited, none is "nondeterministic", and each trial's
// fault lands on the bytes it names, whichever turn they came in.
TEST_F(CommandSubjectE2E, ExploreOnConcurrentChildrenVisitsEveryWriteByContent) {
  const std::string fault = R"({"kind": "sigkill", "target": "caller",
      "trigger": {"syscall": {"ops": ["write"], "path": "part-*.json"}}})";
  json s = Run(Scenario("children", "forked", fault), 0, {"--explore"});
  ASSERT_TRUE(s.is_array()) << last_.err;
  const json& trials = s[0]["trials"];
  ASSERT_EQ(trials.size(), 12u) << s[0]["summary"].dump();
  std::set<std::string> visited;
  for (const json& t : trials) {
    EXPECT_FALSE(t.contains("error")) << t.dump();
    const std::string sig = t["fired"].value("signature", "");
    ASSERT_NE(sig, "") << t.dump();
    EXPECT_EQ(sig.substr(sig.find(' ') + 1), t["fired"].value("point", "")) << t.dump();
    visited.insert(t["fired"].value("point", ""));
  }
  EXPECT_EQ(visited.size(), 12u);
}

TEST_F(CommandSubjectE2E, ChildKilledWhileTheParentExitsZeroIsASilentFailure) {
  json s = Run(Scenario("forked", "forked", KillAtRecord("t1r0-")), 0);
  ASSERT_TRUE(s.is_array()) << last_.err;
  const json& t = s[0]["trials"][0];
  EXPECT_GE(Count(t, "torn"), 1) << t.dump();
  EXPECT_EQ(Count(t, "silent-failure"), 1) << t.dump();
  EXPECT_TRUE(t["pipeline_ok"].get<bool>()) << t.dump();
  EXPECT_NE(t["fired"].value("process", "0"), "0") << t.dump();  // a child, not the parent
}

TEST_F(CommandSubjectE2E, ARestartThatSkipsTheTornFileExitsZeroOverDamage) {
  json s = Run(
      Scenario("restart", "skip-existing", KillAtRecord("t1r1-", "tree"), R"(, "restart": true)"),
      0);
  ASSERT_TRUE(s.is_array()) << last_.err;
  const json& t = s[0]["trials"][0];
  EXPECT_GE(Count(t, "torn"), 1) << t.dump();
  EXPECT_EQ(Count(t, "silent-failure"), 1) << t.dump();
  // The restart ran (and exited 0): its processes are listed after the run's.
  bool restart_listed = false;
  for (const json& p : t["processes"])
    restart_listed |= p.value("role", "").rfind("restart-", 0) == 0;
  EXPECT_TRUE(restart_listed) << t.dump();
}

TEST_F(CommandSubjectE2E, AcksFromStandardOutputThroughTheRegex) {
  json s = Run(Scenario("stdout", "stdout-acks", R"({"kind": "none"})",
                        R"(, "acks": {"stdout": "^done (\\d+)$"})"),
               0);
  ASSERT_TRUE(s.is_array()) << last_.err;
  const json& t = s[0]["trials"][0];
  EXPECT_EQ(t["acked_tasks"], 3) << t.dump();
  EXPECT_EQ(t["violations"], 0) << t.dump();
  EXPECT_TRUE(t["pipeline_ok"].get<bool>());
}

TEST_F(CommandSubjectE2E, AMomentKillsTheWholeTreeThroughTheAlarm) {
  // No target: at a moment, the whole tree.
  json s =
      Run(Scenario("moment", "forked", R"({"kind": "sigkill", "trigger": {"after_ms": 1}})"), 0);
  ASSERT_TRUE(s.is_array()) << last_.err;
  const json& t = s[0]["trials"][0];
  EXPECT_EQ(t["fired"].value("at_us", -1LL), 1000) << t.dump();
  EXPECT_EQ(t["fired"].value("action", ""), "kill-tree") << t.dump();
  EXPECT_FALSE(t["pipeline_ok"].get<bool>()) << t.dump();
  for (const json& p : t["processes"]) EXPECT_EQ(p["end"], "killed by SIGKILL") << t.dump();
}

TEST_F(CommandSubjectE2E, OldOrNewComparesWithTheSetupAndAFaultFreeRun) {
  // setup leaves an old part-0.json; the program overwrites it in place, and
  // killed inside that, leaves neither the old nor the new bytes.
  const std::string scenario = R"({"name": "overwrite", "subject": {"command": [")" +
                               std::string(kPython) + R"(", ")" + kFixture + R"(", "final"],
          "setup": ["/bin/sh", "-c", "printf 'old\\n' > part-0.json"]},
        "verify": {"oracle": "old-or-new", "files": ["part-0.json"]},
        "workers": 1, "workload": {"tasks": 1, "records_per_task": 2, "record_bytes": 40},
        "fault": {"kind": "sigkill", "trigger": {"syscall": {"ops": ["write"], "occurrence": 3}}},
        "trials": 1, "seed": 3})";
  json s = Run(scenario, 0, {"--explore"});
  ASSERT_TRUE(s.is_array()) << last_.err;
  const json& trials = s[0]["trials"];
  ASSERT_EQ(trials.size(), 4u) << s[0]["summary"].dump();
  for (const json& t : trials) {
    EXPECT_FALSE(t.contains("error")) << t.dump();
    // Cut at every write: the file holds the first writes of the new document only.
    EXPECT_EQ(Count(t, "torn"), 1) << t.dump();
  }
}

TEST_F(CommandSubjectE2E, ReplayReproducesTheTrial) {
  json s = Run(Scenario("final", "final", KillAtRecord("t2r0-")), 0);
  ASSERT_TRUE(s.is_array()) << last_.err;
  CommandResult r = RunCrashbench(
      {"replay", "o/results.json", "--trial", "final:0", "--scratch", d_.path()}, d_.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "reproduced: the same anomaly counts")) << r.out;
  EXPECT_TRUE(Contains(r.out, "write part-2.json")) << r.out;
}

TEST_F(CommandSubjectE2E, ASubjectThatWritesOtherBytesEachRunIsNondeterministic) {
  json s = Run(Scenario("random", "random", KillAtRecord("t1r1-")), 3);
  ASSERT_TRUE(s.is_array()) << last_.err;
  const json& t = s[0]["trials"][0];
  EXPECT_TRUE(Contains(t.value("error", ""), "nondeterministic subject")) << t.dump();
  EXPECT_EQ(t["violations"], 0) << t.dump();  // no verdict about another point
}

// The user's CI gate: a baseline of the safe pipeline (write-temp, fsync,
// os.replace), then the same scenario after a change to writing at the final
// name. The kill at every write finds torn files the baseline never showed,
// and the gate fails at once, naming the kind and how to replay it.
TEST_F(CommandSubjectE2E, TheGateFailsWhenThePipelineIsChangedToAnUnsafeWrite) {
  const std::string fault = R"({"kind": "sigkill", "target": "caller",
      "trigger": {"syscall": {"ops": ["write"], "path": "part-*"}}})";
  json base = Run(Scenario("pipeline", "atomic", fault), 0, {"--explore"});
  ASSERT_TRUE(base.is_array()) << last_.err;
  ASSERT_EQ(::rename((d_.path() + "/o").c_str(), (d_.path() + "/base").c_str()), 0);
  json changed = Run(Scenario("pipeline", "final", fault), 0, {"--explore"});
  ASSERT_TRUE(changed.is_array()) << last_.err;
  CommandResult same =
      RunCrashbench({"gate", "--baseline", "base/results.json", "base/results.json"}, d_.path());
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  CommandResult gate =
      RunCrashbench({"gate", "--baseline", "base/results.json", "o/results.json"}, d_.path());
  EXPECT_EQ(gate.exit_code, 1) << gate.out << gate.err;
  EXPECT_TRUE(Contains(gate.out, "pipeline")) << gate.out;
  EXPECT_TRUE(Contains(gate.out, "torn")) << gate.out;
  EXPECT_TRUE(Contains(gate.out, "replay")) << gate.out;
}

TEST_F(CommandSubjectE2E, BadSubjectKeysExit2NamingFilePlaceAndChoices) {
  d_.Write("bad.json", R"({"name": "b", "subject": {"comand": ["true"]},
                           "verify": {"oracle": "json", "files": ["*"]}})");
  CommandResult r = RunCrashbench({"run", "bad.json", "--out", "o"}, d_.path());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "bad.json: scenario 'b': subject: unknown key 'comand'")) << r.err;
  EXPECT_TRUE(Contains(r.err, "command, setup, env")) << r.err;

  // A fault that needs a hook inside the program cannot be aimed at a command.
  d_.Write("hook.json", Scenario("h", "final", R"({"kind": "sigkill", "target": "tree",
                                   "trigger": {"point": "mid-record"}})"));
  r = RunCrashbench({"run", "hook.json", "--out", "o"}, d_.path());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "hook.json")) << r.err;
  EXPECT_TRUE(Contains(r.err, "a command subject")) << r.err;
}

}  // namespace
}  // namespace crashbench::testing
