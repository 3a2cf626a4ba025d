// Small-sample statistics for the CI gate: rank tests that stay honest with
// five samples a side and with ties, and no random numbers (the same inputs
// always give the same verdict).
//
//   MannWhitney mw = MannWhitneyLess(current, baseline);   // is current smaller?
//   if (mw.p < 0.01) ...
//   ShiftInterval ci = HodgesLehmannShift(log_current, log_baseline, 0.95);
//   double fisher_p = FisherExactGreater(5, 10, 0, 10);      // 5/10 versus 0/10
#pragma once

#include <vector>

namespace crashbench {

// One-sided Mann-Whitney U test of "x tends to be smaller than y".
// u counts the pairs (x_i, y_j) with x_i > y_j, a tie counting one half; a
// small u says x is smaller. p is P(U <= u) under the null hypothesis that
// both samples come from one distribution:
//   - exact (the distribution of U over every arrangement) when there are no
//     ties and both samples have at most kExactMax values;
//   - otherwise the normal approximation with continuity correction and the
//     tie correction of the variance.
// All values equal (no information): p = 1. Either sample empty: p = 1.
struct MannWhitney {
  double u = 0;
  double p = 1;
  bool exact = false;
};
inline constexpr int kMannWhitneyExactMax = 25;
MannWhitney MannWhitneyLess(const std::vector<double>& x, const std::vector<double>& y);

// P(U <= u) for samples of sizes m and n without ties, exactly.
// REQUIRES: m, n >= 1.
double MannWhitneyExactCdf(int m, int n, double u);

// Standard normal distribution function.
double NormalCdf(double z);

// The Hodges-Lehmann estimate of the shift d in "x = y + d" (the median of
// all differences x_i - y_j) with its distribution-free confidence interval
// (Moses): the k-th smallest and k-th largest difference, k taken from the
// distribution of U (exact for small samples, normal beyond). With too few
// samples for the requested confidence the interval is the whole range of
// differences and `bounded` is false.
struct ShiftInterval {
  double estimate = 0;
  double lo = 0, hi = 0;
  bool bounded = false;
};
// REQUIRES: x and y not empty; 0 < confidence < 1.
ShiftInterval HodgesLehmannShift(const std::vector<double>& x, const std::vector<double>& y,
                                 double confidence);

// One-sided Fisher exact test of "the rate in group a is greater than in group
// b": a_events of a_total against b_events of b_total. p = P(A >= a_events)
// under the hypergeometric distribution with the margins fixed.
// REQUIRES: 0 <= events <= total.
double FisherExactGreater(long long a_events, long long a_total, long long b_events,
                          long long b_total);

// The median (mean of the two middle values for an even count); 0 when empty.
double Median(std::vector<double> v);

}  // namespace crashbench
