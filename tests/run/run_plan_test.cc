// The runner's planning rules, apart from running anything: shard slices,
// the trial indexes a scenario runs, and when a queued trial may start.
#include "harness/run/run_plan.h"

#include <gtest/gtest.h>

namespace crashbench {
namespace {

TEST(ShardSlice, OneShardHoldsEverything) {
  const ShardSlice all;
  for (long long ordinal = 0; ordinal < 10; ++ordinal) EXPECT_TRUE(all.Holds(ordinal));
  EXPECT_EQ(all.ShareOf(7), 7);
  EXPECT_TRUE(all.HoldsAnyOf(5, 1));
  EXPECT_FALSE(all.HoldsAnyOf(5, 0));
}

TEST(ShardSlice, SlicesPartitionTheRunAndDifferByAtMostOne) {
  for (int count = 1; count <= 5; ++count) {
    for (long long total = 0; total <= 12; ++total) {
      long long sum = 0, least = total, most = 0;
      for (int index = 0; index < count; ++index) {
        const ShardSlice shard{index, count};
        long long held = 0;
        for (long long ordinal = 0; ordinal < total; ++ordinal) held += shard.Holds(ordinal);
        EXPECT_EQ(shard.ShareOf(total), held) << index << "/" << count << " of " << total;
        sum += held;
        least = std::min(least, held);
        most = std::max(most, held);
      }
      EXPECT_EQ(sum, total);
      EXPECT_LE(most - least, 1);
    }
  }
}

TEST(ShardSlice, HoldsAnyOfAgreesWithLookingAtEachTrial) {
  for (int count = 1; count <= 4; ++count)
    for (int index = 0; index < count; ++index)
      for (long long first = 0; first < 8; ++first)
        for (long long n = 0; n < 6; ++n) {
          const ShardSlice shard{index, count};
          bool any = false;
          for (long long i = 0; i < n; ++i) any |= shard.Holds(first + i);
          EXPECT_EQ(shard.HoldsAnyOf(first, n), any)
              << index << "/" << count << " from " << first << " n " << n;
        }
}

TEST(TrialsToRun, EveryTrialOrTheOneAReplayNames) {
  std::optional<TrialRange> all = TrialsToRun(std::nullopt, 5);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->first, 0);
  EXPECT_EQ(all->last, 5);
  std::optional<TrialRange> one = TrialsToRun(3, 5);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->first, 3);
  EXPECT_EQ(one->last, 4);
}

TEST(TrialsToRun, ATrialBeyondTheScenarioDoesNotExist) {
  EXPECT_FALSE(TrialsToRun(5, 5));
  EXPECT_FALSE(TrialsToRun(9, 5));
  // An explored scenario whose targets reach no site has no trial 0 either.
  EXPECT_FALSE(TrialsToRun(std::nullopt, 0));
}

TEST(MayStartNext, UpToJobsAtOnce) {
  EXPECT_TRUE(MayStartNext(0, false, false, 2));
  EXPECT_TRUE(MayStartNext(1, false, false, 2));
  EXPECT_FALSE(MayStartNext(2, false, false, 2));
  // Fewer than one job still runs one trial at a time.
  EXPECT_TRUE(MayStartNext(0, false, false, 0));
  EXPECT_FALSE(MayStartNext(1, false, false, 0));
}

TEST(MayStartNext, AMeasuringTrialRunsAlone) {
  EXPECT_TRUE(MayStartNext(0, false, true, 4));   // it starts when nothing runs
  EXPECT_FALSE(MayStartNext(1, false, true, 4));  // not beside another trial
  EXPECT_FALSE(MayStartNext(1, true, false, 4));  // and nothing starts beside it
  EXPECT_FALSE(MayStartNext(1, true, true, 4));
}

}  // namespace
}  // namespace crashbench
