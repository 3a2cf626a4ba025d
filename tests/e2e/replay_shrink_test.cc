// replay and shrink, as a person with a failing trial uses them.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "harness/base/sys.h"
#include "scenarios/scenario.h"
#include "tests/test_util.h"

namespace crashbench::testing {
namespace {

using nlohmann::json;

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

bool IsDir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

json Load(const std::string& path) {
  Result<std::string> text = ReadFileToString(path);
  EXPECT_TRUE(text.ok()) << path;
  return text.ok() ? json::parse(*text) : json();
}

// naive, one worker, records larger than stdio's buffer, killed between the
// two halves of the 6th record: the file always ends in a cut record.
constexpr const char* kTearing = R"({"name":"naive-tear","strategy":"naive","workers":1,
  "workload":{"tasks":4,"records_per_task":3,"record_bytes":5000},
  "fault":{"kind":"sigkill","trigger":{"point":"mid-record","occurrence":6}},"trials":2,"seed":4})";

TEST(Replay, RerunsTheTrialKeepsItsDirectoryAndDumpsTheBytesAtTheAnomaly) {
  ScratchDir d;
  d.Write("s.json", kTearing);
  CommandResult run = RunCrashbench({"run", "s.json", "--no-progress", "--out", "o"}, d.path());
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const json trial = Load(d.path() + "/o/results.json")["scenarios"][0]["trials"][1];
  long long offset = -1;
  for (const json& a : trial["details"])
    if (a["kind"] == "torn") offset = a["offset"];
  ASSERT_GT(offset, 0) << trial.dump();

  ASSERT_EQ(::mkdir((d.path() + "/scratch").c_str(), 0755), 0);
  CommandResult r = RunCrashbench(
      {"replay", "o/results.json", "--trial", "naive-tear:1", "--scratch", d.path() + "/scratch"},
      d.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // torn is not forbidden by this scenario
  EXPECT_TRUE(Contains(r.out, "reproduced: the same anomaly counts")) << r.out;
  // The dump marks the anomaly's offset, in the row that holds it.
  EXPECT_TRUE(Contains(r.out, "^^ offset " + std::to_string(offset))) << r.out;
  char row[32];
  std::snprintf(row, sizeof row, "> %08llx", offset / 16 * 16);
  EXPECT_TRUE(Contains(r.out, row)) << r.out;
  EXPECT_TRUE(Contains(r.out, "(end of file: cut short)")) << r.out;
  // The kept directory exists and holds the damaged file; the test removes it.
  const std::string marker = "scratch directory kept: ";
  const size_t at = r.out.find(marker);
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string kept =
      r.out.substr(at + marker.size(), r.out.find('\n', at) - at - marker.size());
  EXPECT_EQ(kept.rfind(d.path() + "/scratch/", 0), 0u) << kept;
  EXPECT_TRUE(IsDir(kept)) << kept;
  EXPECT_TRUE(ReadFileToString(kept + "/records.jsonl").ok());
  EXPECT_TRUE(RemoveTree(d.path() + "/scratch").ok());
  EXPECT_FALSE(IsDir(kept));
}

TEST(Replay, BadTrialIdsExit2NamingTheValidOnes) {
  ScratchDir d;
  d.Write("s.json", kTearing);
  ASSERT_EQ(RunCrashbench({"run", "s.json", "--no-progress", "--out", "o"}, d.path()).exit_code, 0);
  for (const char* id : {"nope:0", "naive-tear:9", "naive-tear:x", ""}) {
    CommandResult r = RunCrashbench({"replay", "o/results.json", "--trial", id}, d.path());
    EXPECT_EQ(r.exit_code, 2) << id << r.err;
    EXPECT_TRUE(Contains(r.err, "naive-tear:0..1")) << id << r.err;
  }
}

// retry-task on appends: the killed task's records stay and the retry appends
// them again (duplicate), which fail-pool never does. A replay that rebuilt
// the scenario without on_worker_death ran it under fail-pool and missed it.
TEST(Replay, ARetryTaskTrialReplaysUnderItsOwnPolicy) {
  ScratchDir d;
  d.Write("s.json", R"({"name":"la-retry","strategy":"locked-append","workers":1,
    "workload":{"tasks":4,"records_per_task":3,"record_bytes":300},
    "fault":{"kind":"sigkill","trigger":{"point":"mid-record","occurrence":5}},
    "on_worker_death":"retry-task","trials":1,"seed":4})");
  CommandResult run = RunCrashbench({"run", "s.json", "--no-progress", "--out", "o"}, d.path());
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const json trial = Load(d.path() + "/o/results.json")["scenarios"][0]["trials"][0];
  ASSERT_GT(trial["anomalies"].value("duplicate", 0), 0) << trial.dump();
  CommandResult r = RunCrashbench(
      {"replay", "o/results.json", "--trial", "la-retry:0", "--scratch", d.path()}, d.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "reproduced: the same anomaly counts")) << r.out;
  EXPECT_FALSE(Contains(r.out, "NOT reproduced")) << r.out;
  const std::string marker = "(remove it with: rm -rf ";
  const size_t at = r.out.find(marker);
  ASSERT_NE(at, std::string::npos) << r.out;
  EXPECT_TRUE(
      RemoveTree(r.out.substr(at + marker.size(), r.out.find(')', at) - at - marker.size())).ok());
}

// What "reproduced" compares, against a results file edited to say what the
// original trial showed: the firing place and the verdict always; the kinds
// no expectation names only with one process. Two naive workers, duplicate
// forbidden, killed at the 5th mid-record; the replay shows neither hang nor
// duplicate, which the edits claim for the original.
class ReplayVerdict : public ::testing::Test {
 protected:
  void SetUp() override {
    d_.Write("s.json", R"([{"name":"two","strategy":"naive","workers":2,
      "workload":{"tasks":4,"records_per_task":4,"record_bytes":64},"expect":{"forbid":["duplicate"]},
      "fault":{"kind":"sigkill","trigger":{"point":"mid-record","occurrence":5}},"trials":1,"seed":4},
      {"name":"one","strategy":"naive","workers":1,
      "workload":{"tasks":4,"records_per_task":4,"record_bytes":64},"expect":{"forbid":["duplicate"]},
      "fault":{"kind":"sigkill","trigger":{"point":"mid-record","occurrence":5}},"trials":1,"seed":4}])");
    CommandResult run = RunCrashbench({"run", "s.json", "--no-progress", "--out", "o"}, d_.path());
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  }
  // Replays trial 0 of `scenario` from a copy of the results with edit applied to it.
  std::string Replay(int scenario, const std::function<void(json&)>& edit) {
    json results = Load(d_.path() + "/o/results.json");
    json& trial = results["scenarios"][scenario]["trials"][0];
    edit(trial);
    d_.Write("edited.json", results.dump());
    const std::string name = results["scenarios"][scenario]["name"];
    CommandResult r = RunCrashbench(
        {"replay", "edited.json", "--trial", name + ":0", "--scratch", d_.path()}, d_.path());
    return r.out + r.err;
  }
  ScratchDir d_;
};

TEST_F(ReplayVerdict, AKindNoExpectationNamesMayDifferWithSeveralProcesses) {
  const std::string out = Replay(0, [](json& t) { t["anomalies"]["hang"] = 1; });
  EXPECT_TRUE(Contains(out, "reproduced: the same verdict (guarantees held)")) << out;
  EXPECT_TRUE(Contains(out, "-hang")) << out;
  EXPECT_FALSE(Contains(out, "NOT reproduced")) << out;
}

TEST_F(ReplayVerdict, WithOneProcessEveryViolationKindMustMatch) {
  const std::string out = Replay(1, [](json& t) { t["anomalies"]["hang"] = 1; });
  EXPECT_TRUE(Contains(out, "NOT reproduced exactly: the violation kinds differ (-hang")) << out;
}

TEST_F(ReplayVerdict, ABrokenGuaranteeTheReplayDoesNotShowIsNotReproduced) {
  const std::string out = Replay(0, [](json& t) { t["anomalies"]["duplicate"] = 1; });
  EXPECT_TRUE(Contains(out, "NOT reproduced")) << out;
  EXPECT_TRUE(Contains(out, "original guarantees broken: duplicate, replay guarantees held"))
      << out;
}

TEST_F(ReplayVerdict, AFaultThatFiredElsewhereIsNotReproduced) {
  const std::string out = Replay(0, [](json& t) { t["fired"]["occurrence"] = 9; });
  EXPECT_TRUE(Contains(out, "NOT reproduced: the fault fired elsewhere")) << out;
}

TEST(Shrink, FindsASmallerWorkloadThatStillTearsAndPrintsARunnableScenario) {
  ScratchDir d;
  d.Write("s.json", R"({"name":"ptf","strategy":"per-task-file","workers":2,
    "workload":{"tasks":8,"records_per_task":4,"record_bytes":200},
    "fault":{"kind":"sigkill","trigger":{"point":"mid-record","occurrence":5}},"trials":2,"seed":3})");
  ASSERT_EQ(RunCrashbench({"run", "s.json", "--no-progress", "--out", "o"}, d.path()).exit_code, 0);
  CommandResult r = RunCrashbench({"shrink", "o/results.json", "--trial", "0", "--out",
                                   "small.json", "--max-runs", "20", "--scratch", d.path()},
                                  d.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "shrink [1/20]")) << "progress is shown: " << r.err;
  Result<std::vector<Scenario>> printed = ParseScenarios(r.out, "stdout");
  ASSERT_TRUE(printed.ok()) << printed.status().message() << "\n" << r.out;
  Result<std::vector<Scenario>> written = LoadScenarioFile(d.path() + "/small.json");
  ASSERT_TRUE(written.ok()) << written.status().message();
  const Scenario& s = written->front();
  const long long before[] = {8, 4, 2, 200};
  const long long after[] = {s.workload.tasks, s.workload.records_per_task, s.workers,
                             s.workload.record_bytes};
  bool smaller = false;
  for (int i = 0; i < 4; ++i) {
    EXPECT_LE(after[i], before[i]) << "dimension " << i;
    smaller |= after[i] < before[i];
  }
  EXPECT_TRUE(smaller) << r.out;
  EXPECT_TRUE(s.forbid.count(AnomalyKind::kTorn));
  // "reproduce with" names this binary and the written file absolutely, like
  // run's replay lines, so it works from any directory with no crashbench on PATH.
  const std::string label = "reproduce with: ";
  const size_t at = r.err.find(label);
  ASSERT_NE(at, std::string::npos) << r.err;
  const std::string line =
      r.err.substr(at + label.size(), r.err.find('\n', at) - at - label.size());
  EXPECT_EQ(line, std::string(CRASHBENCH_BINARY) + " run " + d.path() + "/small.json") << r.err;
  // The printed scenario reproduces the kind: run the printed line's words from
  // another directory, torn appears, the run fails.
  ASSERT_EQ(::mkdir((d.path() + "/elsewhere").c_str(), 0755), 0);
  CommandResult again = RunCrashbench(
      {"run", d.path() + "/small.json", "--no-progress", "--out", "o2"}, d.path() + "/elsewhere");
  EXPECT_EQ(again.exit_code, 1) << again.out << again.err;
  EXPECT_GT(
      Load(d.path() + "/elsewhere/o2/results.json")["scenarios"][0]["summary"]["anomalies"].value(
          "torn", 0),
      0);
}

TEST(Shrink, ATrialWithoutViolationsHasNothingToShrink) {
  ScratchDir d;
  d.Write("s.json", R"({"name":"clean","strategy":"atomic-rename","workers":1,
    "workload":{"tasks":2,"records_per_task":2,"record_bytes":16},"trials":1,
    "fault":{"kind":"sigkill","trigger":{"point":"mid-record","occurrence":2}}})");
  ASSERT_EQ(RunCrashbench({"run", "s.json", "--no-progress", "--out", "o"}, d.path()).exit_code, 0);
  CommandResult r = RunCrashbench({"shrink", "o/results.json", "--trial", "clean:0"}, d.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "no violation")) << r.err;
}

}  // namespace
}  // namespace crashbench::testing
