// The gate's statistics against values worked out by hand from the textbook
// definitions (counting arrangements, the hypergeometric distribution).
#include "results/stats.h"

#include <gtest/gtest.h>

#include <cmath>

namespace crashbench {
namespace {

TEST(MannWhitney, CompleteSeparationOfFiveAndFiveIsOneArrangementIn252) {
  MannWhitney r = MannWhitneyLess({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10});
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.u, 0);
  EXPECT_NEAR(r.p, 1.0 / 252, 1e-12);  // C(10,5) = 252 arrangements, one has U = 0
}

TEST(MannWhitney, ThreeAndThreeMatchesTheCountedDistribution) {
  // For m = n = 3 the 20 arrangements give U = 0..9 with counts 1,1,2,3,3,3,3,2,1,1.
  MannWhitney r = MannWhitneyLess({1, 2, 4}, {3, 5, 6});
  EXPECT_EQ(r.u, 1);
  EXPECT_NEAR(r.p, 2.0 / 20, 1e-12);
  EXPECT_NEAR(MannWhitneyExactCdf(3, 3, 2), 4.0 / 20, 1e-12);
  EXPECT_NEAR(MannWhitneyExactCdf(3, 3, 4), 10.0 / 20, 1e-12);
  EXPECT_NEAR(MannWhitneyExactCdf(3, 3, 9), 1.0, 1e-12);
}

TEST(MannWhitney, ExactDistributionIsSymmetric) {
  for (int m : {1, 4, 7})
    for (int n : {1, 5, 9})
      for (int u = 0; u < m * n; ++u)
        EXPECT_NEAR(MannWhitneyExactCdf(m, n, u) + MannWhitneyExactCdf(m, n, m * n - u - 1), 1.0,
                    1e-12)
            << m << " " << n << " " << u;
}

TEST(MannWhitney, LargerSamplesUseTheNormalApproximation) {
  std::vector<double> x, y;
  for (int i = 1; i <= 30; ++i) x.push_back(i);
  for (int i = 16; i <= 45; ++i) y.push_back(i + 0.5);
  MannWhitney r = MannWhitneyLess(x, y);
  EXPECT_FALSE(r.exact);
  EXPECT_EQ(r.u, 105);
  // z = (105 + 0.5 - 450) / sqrt(900 * 61 / 12) = -5.0932
  EXPECT_NEAR(r.p, 1.7600288e-7, 1e-12);
}

TEST(MannWhitney, TiesCountOneHalfAndShrinkTheVariance) {
  // Ties {2,2,2} and {3,3,3}: variance 20/12 * (10 - 48/72) = 15.556.
  MannWhitney r = MannWhitneyLess({1, 2, 2, 3}, {2, 3, 3, 4, 5});
  EXPECT_FALSE(r.exact);
  EXPECT_EQ(r.u, 3);
  EXPECT_NEAR(r.p, 0.0496711239, 1e-9);
}

TEST(MannWhitney, AllEqualSamplesCarryNoEvidence) {
  MannWhitney r = MannWhitneyLess({7, 7, 7, 7, 7}, {7, 7, 7, 7, 7});
  EXPECT_EQ(r.u, 12.5);
  EXPECT_EQ(r.p, 1);
}

TEST(MannWhitney, OneValueEachCanNeverBeSignificant) {
  MannWhitney r = MannWhitneyLess({1}, {2});
  EXPECT_TRUE(r.exact);
  EXPECT_NEAR(r.p, 0.5, 1e-12);
  EXPECT_EQ(MannWhitneyLess({}, {1, 2}).p, 1);
}

TEST(MannWhitney, TheOtherDirectionIsNotEvidence) {
  MannWhitney r = MannWhitneyLess({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5});
  EXPECT_EQ(r.u, 25);
  EXPECT_NEAR(r.p, 1.0, 1e-12);
}

TEST(HodgesLehmann, FiveAndFiveShiftedByFive) {
  // Differences x_i - y_j run -9..-1 with counts 1,2,3,4,5,4,3,2,1. The 95%
  // interval uses k = 3 (P(U <= 2) = 4/252 <= 0.025 < P(U <= 3) = 7/252).
  ShiftInterval r = HodgesLehmannShift({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}, 0.95);
  EXPECT_TRUE(r.bounded);
  EXPECT_EQ(r.estimate, -5);
  EXPECT_EQ(r.lo, -8);
  EXPECT_EQ(r.hi, -2);
}

TEST(HodgesLehmann, TooFewSamplesGiveTheWholeRange) {
  // With 2 and 2 no interval reaches 95%: P(U <= 0) = 1/6.
  ShiftInterval r = HodgesLehmannShift({1, 2}, {5, 9}, 0.95);
  EXPECT_FALSE(r.bounded);
  EXPECT_EQ(r.lo, -8);
  EXPECT_EQ(r.hi, -3);
}

TEST(HodgesLehmann, LargeSamplesRecoverAnExactShift) {
  std::vector<double> x, y;
  for (int i = 0; i < 40; ++i) {
    y.push_back(i * 1.5);
    x.push_back(i * 1.5 + 3);
  }
  ShiftInterval r = HodgesLehmannShift(x, y, 0.95);
  EXPECT_TRUE(r.bounded);
  EXPECT_DOUBLE_EQ(r.estimate, 3);
  EXPECT_LT(r.lo, 3);
  EXPECT_GT(r.hi, 3);
}

TEST(Fisher, LadyTastingTea) {
  // 3 of 4 right against 1 of 4: P = (C(4,3)C(4,1) + C(4,4)C(4,0)) / C(8,4) = 17/70.
  EXPECT_NEAR(FisherExactGreater(3, 4, 1, 4), 17.0 / 70, 1e-12);
}

TEST(Fisher, AllVersusNone) {
  EXPECT_NEAR(FisherExactGreater(5, 5, 0, 5), 1.0 / 252, 1e-12);
  EXPECT_NEAR(FisherExactGreater(0, 10, 0, 10), 1.0, 1e-12);
  EXPECT_NEAR(FisherExactGreater(0, 10, 5, 10), 1.0, 1e-12);
}

TEST(Fisher, OneTrialIsNotARise) {
  EXPECT_GT(FisherExactGreater(1, 40, 0, 40), 0.4);  // exactly 1/2
  EXPECT_LT(FisherExactGreater(8, 40, 0, 40), 0.01);
}

TEST(Median, OddEvenEmpty) {
  EXPECT_EQ(Median({3, 1, 2}), 2);
  EXPECT_EQ(Median({4, 1, 2, 3}), 2.5);
  EXPECT_EQ(Median({}), 0);
}

}  // namespace
}  // namespace crashbench
