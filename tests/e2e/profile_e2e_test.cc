// crashbench run --profile (RunOptions::profile): every trial's stages are
// timed by the processes that live them, and they fit inside the trial's life.
#include <gtest/gtest.h>

#include <numeric>

#include "harness/base/trial_clock.h"
#include "results/profile.h"
#include "tests/e2e/e2e_util.h"

namespace crashbench::testing {
namespace {

long long StageNs(const TrialResult& t, TrialStage s) {
  return t.profile_ns.at(static_cast<size_t>(s));
}

TEST(Profile, EachTrialsStagesAreTimedAndFitInsideItsLife) {
  Scenario s = WithRandomKill(MakeScenario("atomic-rename", 2, {8, 2, 64}, 3));
  RunOptions opt = TestRunOptions();
  opt.profile = true;
  RunOutcome out = RunScenarios({s}, opt);
  const ScenarioResult& sr = out.scenarios[0];
  ASSERT_EQ(sr.error, "");
  ASSERT_EQ(sr.trials.size(), 3u);
  for (const TrialResult& t : sr.trials) {
    ASSERT_EQ(t.error, "") << t.index;
    ASSERT_EQ(t.profile_ns.size(), static_cast<size_t>(kNumTrialStages) + 1) << t.index;
    // Each side timed its part: the runner, the trial process, its supervisor.
    for (TrialStage stage :
         {TrialStage::kScratchSetUp, TrialStage::kForkTrial, TrialStage::kForkWorkers,
          TrialStage::kWrites, TrialStage::kVerify, TrialStage::kReport, TrialStage::kCollect,
          TrialStage::kScratchRemoval})
      EXPECT_GT(StageNs(t, stage), 0) << TrialStageName(stage) << " of trial " << t.index;
    // The stages are disjoint stretches of the trial's one timeline.
    const long long stages = std::accumulate(t.profile_ns.begin(), t.profile_ns.end() - 1, 0LL);
    EXPECT_LE(stages, t.profile_ns.back()) << t.index;
  }
  const std::string table = RenderProfileTable(out);
  for (int i = 0; i < kNumTrialStages; ++i)
    EXPECT_NE(table.find(TrialStageName(static_cast<TrialStage>(i))), std::string::npos) << table;
  EXPECT_NE(table.find("whole trial"), std::string::npos) << table;
}

TEST(Profile, WithoutProfileNoTrialKeepsOne) {
  Scenario s = WithRandomKill(MakeScenario("atomic-rename", 2, {4, 2, 64}, 2));
  RunOutcome out = RunScenarios({s}, TestRunOptions());
  ASSERT_EQ(out.scenarios[0].trials.size(), 2u);
  for (const TrialResult& t : out.scenarios[0].trials) EXPECT_TRUE(t.profile_ns.empty());
  EXPECT_EQ(RenderProfileTable(out), "");
}

}  // namespace
}  // namespace crashbench::testing
