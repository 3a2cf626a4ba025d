// Every point- or record-triggered trial of the default matrix replays as
// "reproduced" (issue 12): the --quick matrix's faulted scenarios with a point
// or after_records trigger, one trial each of a smaller workload, are run,
// then each trial is replayed from the results file by `crashbench replay`,
// as a person with a failing trial would. About 15 s on an idle 2-core
// machine (a minute at load 10): each replay calibrates again, and the
// pipe-full and process-mutex trials cost their 1 s deadline twice.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "harness/base/sys.h"
#include "scenarios/default_matrix.h"
#include "scenarios/scenario.h"
#include "tests/test_util.h"

namespace crashbench::testing {
namespace {

using nlohmann::json;

bool ReplaysExactly(const Scenario& s) {
  return s.fault.kind != "none" && (s.fault.trigger.type == TriggerType::kPoint ||
                                    s.fault.trigger.type == TriggerType::kAfterRecords);
}

TEST(ReplayMatrix, EveryPointOrRecordTrialOfTheQuickMatrixReplaysAsReproduced) {
  json scenarios = json::array();
  for (Scenario s : DefaultMatrix(/*quick=*/true)) {
    if (!ReplaysExactly(s)) continue;
    s.trials = 1;
    // Smaller still: 8 tasks of 4 records reach every fault point the quick
    // workload does (queue-writer's pipe-full fires at the writer's 5th record).
    s.workload.tasks = std::min(8LL, s.workload.tasks);
    s.workload.records_per_task = std::min(4LL, s.workload.records_per_task);
    scenarios.push_back(ScenarioToJson(s));
  }
  ASSERT_GT(scenarios.size(), 40u) << "the matrix lost its point-triggered scenarios";
  ScratchDir d;
  d.Write("matrix.json", scenarios.dump(1));
  CommandResult run = RunCrashbench(
      {"run", "matrix.json", "--no-progress", "--no-reports", "--out", "o", "--scratch", d.path()},
      d.path());
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  Result<std::string> text = ReadFileToString(d.path() + "/o/results.json");
  ASSERT_TRUE(text.ok());
  const json results = json::parse(*text);
  int replayed = 0;
  for (const json& s : results["scenarios"]) {
    const std::string id = s["name"].get<std::string>() + ":0";
    ASSERT_TRUE(s["trials"][0]["fired"].is_object()) << id << ": the fault never fired";
    CommandResult r = RunCrashbench(
        {"replay", "o/results.json", "--trial", id, "--scratch", d.path() + "/o"}, d.path());
    ++replayed;
    EXPECT_EQ(r.exit_code, 0) << id << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find("\n  reproduced: "), std::string::npos) << id << "\n" << r.out << r.err;
    EXPECT_EQ(r.out.find("NOT reproduced"), std::string::npos) << id << "\n" << r.out;
  }
  EXPECT_EQ(replayed, static_cast<int>(scenarios.size()));
}

}  // namespace
}  // namespace crashbench::testing
