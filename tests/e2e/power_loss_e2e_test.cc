// Fault "power-loss" end to end: the built-in pool recorded whole under the
// syscall tap, its crash states judged under a persistence model; a Python
// subject the same way; and the CI gate failing when the directory fsync goes.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "harness/tap/tap.h"
#include "tests/e2e/e2e_util.h"
#include "tests/test_util.h"

namespace crashbench::testing {
namespace {

#define SKIP_WITHOUT_TAP()                                                              \
  do {                                                                                  \
    if (Status tap_st = TapAvailable(); !tap_st.ok())                                   \
      GTEST_SKIP() << "skipped: the syscall tap cannot run here: " << tap_st.message(); \
  } while (0)

// atomic-rename, 2 workers, 8 small tasks, under `model`.
std::string AtomicRename(const std::string& name, const std::string& options,
                         const std::string& model, const std::string& expect = "{}") {
  return R"({"name":")" + name + R"(","strategy":"atomic-rename","options":)" + options +
         R"(,"workers":2,"workload":{"tasks":8,"records_per_task":4,"record_bytes":64},
  "fault":{"kind":"power-loss","model":")" +
         model + R"("},"trials":1,"seed":5,"expect":)" + expect + "}";
}

Scenario Parse(const std::string& text) {
  Result<std::vector<Scenario>> s = ParseScenarios(text, "e2e.json");
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? s->at(0) : Scenario{};
}

long long StatesWith(const TrialResult& t, const char* kind) {
  return t.power_loss.is_object() ? t.power_loss["states_with"].value(kind, 0LL) : -1;
}

bool AnyDetail(const TrialResult& t, AnomalyKind kind, const std::string& text) {
  for (const Anomaly& a : t.anomalies)
    if (a.kind == kind && a.detail.find(text) != std::string::npos) return true;
  return false;
}

// The trial was judged on a log that replayed to the disk, with states checked.
void ExpectJudged(const TrialResult& t, long long tasks = 8) {
  EXPECT_TRUE(t.error.empty()) << t.error;
  EXPECT_FALSE(t.inconclusive) << t.power_loss.dump();
  ASSERT_TRUE(t.crash_states.is_object());
  EXPECT_GT(t.crash_states["checked"].get<long long>(), 0);
  EXPECT_LE(t.crash_states["checked"].get<long long>(),
            t.crash_states["distinct"].get<long long>());
  EXPECT_EQ(t.power_loss["recording"]["skip_fsync"], true);
  EXPECT_EQ(t.acked_tasks, tasks);  // the recorded run itself ran to the end
}

TEST(PowerLossE2e, AtomicRenameFsyncNoneVsTaskVsNoDirsyncUnderExt4Ordered) {
  SKIP_WITHOUT_TAP();
  RunOutcome out = RunAll({
      Parse(AtomicRename("none", R"({"fsync":"none"})", "ext4-ordered")),
      Parse(AtomicRename("task", R"({"fsync":"task","dirsync":"on"})", "ext4-ordered")),
      Parse(AtomicRename("nodirsync", R"({"fsync":"task","dirsync":"off"})", "ext4-ordered")),
  });
  ASSERT_EQ(out.scenarios.size(), 3u);
  for (const ScenarioResult& sr : out.scenarios) ExpectJudged(sr.trials.at(0));
  const TrialResult& none = out.scenarios[0].trials.at(0);
  // A rename to a new name: the journal may commit it before the delayed data.
  EXPECT_GT(StatesWith(none, "torn"), 0) << none.power_loss.dump();
  EXPECT_GT(StatesWith(none, "lost-acked"), 0) << none.power_loss.dump();
  EXPECT_TRUE(AnyDetail(none, AnomalyKind::kTorn, "ext4-ordered: crash after #"))
      << Describe(out.scenarios[0]);
  EXPECT_TRUE(AnyDetail(none, AnomalyKind::kTorn, "no fsync of the file before the rename"));
  EXPECT_TRUE(AnyDetail(none, AnomalyKind::kTorn, "dropped: #"));
  EXPECT_EQ(none.count(AnomalyKind::kTorn), StatesWith(none, "torn"));

  const TrialResult& task = out.scenarios[1].trials.at(0);
  EXPECT_EQ(task.crash_states["violating"], 0) << Describe(out.scenarios[1]);
  EXPECT_EQ(task.violations(), 0);

  const TrialResult& nodirsync = out.scenarios[2].trials.at(0);
  EXPECT_GT(StatesWith(nodirsync, "lost-acked"), 0) << nodirsync.power_loss.dump();
  EXPECT_EQ(StatesWith(nodirsync, "torn"), 0) << "the data was synced before each rename";
  EXPECT_TRUE(AnyDetail(nodirsync, AnomalyKind::kLostAcked, "the rename that names"));
  EXPECT_EQ(ProcessesLeftInTrialGroups(out), std::vector<int>{});
}

TEST(PowerLossE2e, UnderLazyfsOnlyTheFileFsyncMatters) {
  SKIP_WITHOUT_TAP();
  RunOutcome out = RunAll({
      Parse(AtomicRename("none", R"({"fsync":"none"})", "lazyfs")),
      Parse(AtomicRename("nodirsync", R"({"fsync":"task","dirsync":"off"})", "lazyfs")),
  });
  const TrialResult& none = out.scenarios[0].trials.at(0);
  ExpectJudged(none);
  EXPECT_GT(StatesWith(none, "torn"), 0) << none.power_loss.dump();
  EXPECT_EQ(StatesWith(none, "lost-acked"), 0) << "lazyfs persists names at once";
  const TrialResult& nodirsync = out.scenarios[1].trials.at(0);
  ExpectJudged(nodirsync);
  EXPECT_EQ(nodirsync.crash_states["violating"], 0) << nodirsync.power_loss.dump();
}

TEST(PowerLossE2e, TheStatesBoundCapsWhatIsChecked) {
  SKIP_WITHOUT_TAP();
  RunOutcome out = RunAll({Parse(R"({"name":"capped","strategy":"atomic-rename",
    "options":{"fsync":"none"},"workers":2,
    "workload":{"tasks":8,"records_per_task":4,"record_bytes":64},
    "fault":{"kind":"power-loss","model":"posix-weak","states":10},"trials":1})")});
  const TrialResult& t = out.scenarios[0].trials.at(0);
  ExpectJudged(t);
  EXPECT_EQ(t.crash_states["checked"], 10);
  EXPECT_EQ(t.crash_states["complete"], false);
  EXPECT_EQ(t.crash_states["stopped_by"], "max-states");
}

std::string PythonSubject(const std::string& name, const std::string& extra,
                          const std::string& model) {
  return R"({"name":")" + name +
         R"(","subject":{"command":["python3",")" CRASHBENCH_SOURCE_DIR
         R"(/subjects/python/crashbench_records.py","write","per-task")" +
         extra + R"(]},"verify":{"oracle":"records","layout":"per-task"},
    "workload":{"tasks":6,"records_per_task":4,"record_bytes":64},
    "fault":{"kind":"power-loss","model":")" +
         model + R"("},"trials":1})";
}

TEST(PowerLossE2e, APythonSubjectWithoutFsyncFailsUnderLazyfsAndWithItHoldsUnderEveryModel) {
  SKIP_WITHOUT_TAP();
  if (std::system("python3 -c 'import sys' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "skipped: no python3 here";
  std::vector<Scenario> scenarios = {Parse(PythonSubject("nofsync", R"(,"--no-fsync")", "lazyfs"))};
  for (const char* model : {"lazyfs", "ext4-ordered", "posix-weak"})
    scenarios.push_back(Parse(PythonSubject(std::string("fsync-") + model, "", model)));
  RunOutcome out = RunAll(scenarios);
  const TrialResult& nofsync = out.scenarios[0].trials.at(0);
  ExpectJudged(nofsync, 6);
  EXPECT_GT(StatesWith(nofsync, "torn"), 0) << nofsync.power_loss.dump();
  for (size_t i = 1; i < out.scenarios.size(); ++i) {
    const TrialResult& t = out.scenarios[i].trials.at(0);
    ExpectJudged(t, 6);
    EXPECT_EQ(t.crash_states["violating"], 0)
        << out.scenarios[i].scenario.name << ": " << t.power_loss.dump();
  }
}

TEST(PowerLossE2e, MaxStatesOnTheCommandLineBoundsEveryTrial) {
  SKIP_WITHOUT_TAP();
  ScratchDir d;
  d.Write("pl.json", AtomicRename("capped", R"({"fsync":"none"})", "ext4-ordered"));
  CommandResult run = RunCrashbench(
      {"run", "pl.json", "--out", "out", "--no-progress", "--max-states", "7"}, d.path());
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("/7 states]"), std::string::npos) << run.out;
  Result<std::string> text = ReadFileToString(d.path() + "/out/results.json");
  ASSERT_TRUE(text.ok());
  const nlohmann::json trial = nlohmann::json::parse(*text)["scenarios"][0]["trials"][0];
  EXPECT_EQ(trial["crash_states"]["checked"], 7) << trial.dump();
  EXPECT_EQ(trial["crash_states"]["stopped_by"], "max-states");
  EXPECT_EQ(trial["power_loss"]["model"], "ext4-ordered");
}

// A run the models cannot represent (a symlink) is inconclusive: no crash
// state is judged, and the results say why.
TEST(PowerLossE2e, ARunTheModelsCannotRepresentIsInconclusiveNotJudged) {
  SKIP_WITHOUT_TAP();
  RunOutcome out = RunAll({Parse(R"({"name":"symlink","subject":{"command":["sh","-c",
    "ln -s nowhere link"]},"verify":{"oracle":"records","layout":"per-task"},
    "workload":{"tasks":1,"records_per_task":1,"record_bytes":8},
    "fault":{"kind":"power-loss","model":"lazyfs"},"trials":1})")});
  const TrialResult& t = out.scenarios.at(0).trials.at(0);
  EXPECT_TRUE(t.inconclusive) << t.power_loss.dump();
  EXPECT_TRUE(t.crash_states.is_null());
  EXPECT_NE(t.power_loss.value("why", "").find("cannot be modelled"), std::string::npos)
      << t.power_loss.dump();
}

TEST(PowerLossE2e, TheGateFailsWhenTheDirectoryFsyncGoes) {
  SKIP_WITHOUT_TAP();
  ScratchDir d;
  const std::string forbid =
      R"({"forbid":["torn","corrupt","duplicate","lost-acked","partial-visible"]})";
  d.Write("base.json",
          AtomicRename("ar-power", R"({"fsync":"task","dirsync":"on"})", "ext4-ordered", forbid));
  d.Write("weak.json",
          AtomicRename("ar-power", R"({"fsync":"task","dirsync":"off"})", "ext4-ordered", forbid));
  CommandResult base =
      RunCrashbench({"run", "base.json", "--out", "base", "--no-progress"}, d.path());
  ASSERT_EQ(base.exit_code, 0) << base.out << base.err;
  CommandResult weak =
      RunCrashbench({"run", "weak.json", "--out", "weak", "--no-progress"}, d.path());
  ASSERT_EQ(weak.exit_code, 1) << weak.out << weak.err;
  EXPECT_NE(weak.out.find(" states]"), std::string::npos) << weak.out;
  CommandResult gate =
      RunCrashbench({"gate", "--baseline", "base/results.json", "weak/results.json"}, d.path());
  EXPECT_EQ(gate.exit_code, 1) << gate.out << gate.err;
  EXPECT_NE(gate.out.find("FAIL  ar-power: expectation failed (strategy atomic-rename, fault "
                          "power-loss@ext4-ordered): forbidden lost-acked in 1 of 1 trials"),
            std::string::npos)
      << gate.out;
}

// The same scenario before and after a change that drops the directory
// fsync: the change is stood for by running dirsync off and writing the
// baseline's options into its results, so that the gate matches the two. A
// violation kind the baseline never showed fails at once, with no forbid.
TEST(PowerLossE2e, AViolationKindNewAgainstTheBaselineFailsTheGateAtOnce) {
  SKIP_WITHOUT_TAP();
  ScratchDir d;
  d.Write("base.json", AtomicRename("ar", R"({"fsync":"task","dirsync":"on"})", "ext4-ordered"));
  d.Write("weak.json", AtomicRename("ar", R"({"fsync":"task","dirsync":"off"})", "ext4-ordered"));
  for (const char* which : {"base", "weak"}) {
    CommandResult run = RunCrashbench(
        {"run", std::string(which) + ".json", "--out", which, "--no-progress"}, d.path());
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  }
  Result<std::string> text = ReadFileToString(d.path() + "/weak/results.json");
  ASSERT_TRUE(text.ok());
  nlohmann::json weak = nlohmann::json::parse(*text);
  weak["scenarios"][0]["options"]["dirsync"] = "on";
  d.Write("weak/changed.json", weak.dump());
  CommandResult gate =
      RunCrashbench({"gate", "--baseline", "base/results.json", "weak/changed.json"}, d.path());
  EXPECT_EQ(gate.exit_code, 1) << gate.out << gate.err;
  EXPECT_NE(gate.out.find("new violation: lost-acked in 1 of 1 trials, in none of the 1 baseline "
                          "trials"),
            std::string::npos)
      << gate.out;
}

}  // namespace
}  // namespace crashbench::testing
