#include "results/stats.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace crashbench {
namespace {

// counts[u] = the number of arrangements of m x's and n y's in which u pairs
// have the x above the y. The largest of the m+n values is either an x (above
// all n y's) or a y (above none), which gives
//   f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u).
std::vector<double> UCounts(int m, int n) {
  const size_t max_u = static_cast<size_t>(m) * static_cast<size_t>(n);
  // prev[j] = f(i-1, j, .), cur[j] = f(i, j, .)
  std::vector<std::vector<double>> prev(static_cast<size_t>(n) + 1,
                                        std::vector<double>(max_u + 1, 0));
  for (auto& v : prev) v[0] = 1;  // f(0, j, 0) = 1
  for (int i = 1; i <= m; ++i) {
    std::vector<std::vector<double>> cur(static_cast<size_t>(n) + 1,
                                         std::vector<double>(max_u + 1, 0));
    cur[0][0] = 1;  // f(i, 0, 0) = 1
    for (int j = 1; j <= n; ++j) {
      const size_t sj = static_cast<size_t>(j);
      for (size_t u = 0; u <= max_u; ++u) {
        double v = cur[sj - 1][u];
        if (u >= sj) v += prev[sj][u - sj];
        cur[sj][u] = v;
      }
    }
    prev = std::move(cur);
  }
  return prev[static_cast<size_t>(n)];
}

}  // namespace

double NormalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

double MannWhitneyExactCdf(int m, int n, double u) {
  if (u < 0) return 0;
  const std::vector<double> counts = UCounts(m, n);
  const size_t last = std::min(counts.size() - 1, static_cast<size_t>(std::floor(u + 1e-9)));
  double below = 0, total = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    total += counts[i];
    if (i <= last) below += counts[i];
  }
  return below / total;
}

MannWhitney MannWhitneyLess(const std::vector<double>& x, const std::vector<double>& y) {
  MannWhitney r;
  if (x.empty() || y.empty()) return r;
  for (double a : x)
    for (double b : y) r.u += a > b ? 1.0 : a == b ? 0.5 : 0.0;
  const double m = static_cast<double>(x.size()), n = static_cast<double>(y.size());
  std::map<double, int> ties;
  for (double a : x) ties[a]++;
  for (double b : y) ties[b]++;
  double tie_term = 0;
  for (const auto& [value, t] : ties) tie_term += static_cast<double>(t) * t * t - t;
  const bool has_ties = ties.size() < x.size() + y.size();
  if (!has_ties && x.size() <= kMannWhitneyExactMax && y.size() <= kMannWhitneyExactMax) {
    r.exact = true;
    r.p = MannWhitneyExactCdf(static_cast<int>(x.size()), static_cast<int>(y.size()), r.u);
    return r;
  }
  const double total = m + n;
  const double variance = m * n / 12.0 * ((total + 1) - tie_term / (total * (total - 1)));
  if (variance <= 0) return r;  // every value equal: no evidence either way, p = 1
  r.p = std::clamp(NormalCdf((r.u + 0.5 - m * n / 2) / std::sqrt(variance)), 0.0, 1.0);
  return r;
}

ShiftInterval HodgesLehmannShift(const std::vector<double>& x, const std::vector<double>& y,
                                 double confidence) {
  ShiftInterval r;
  std::vector<double> d;
  d.reserve(x.size() * y.size());
  for (double a : x)
    for (double b : y) d.push_back(a - b);
  std::sort(d.begin(), d.end());
  r.estimate = Median(d);
  r.lo = d.front();
  r.hi = d.back();
  const int m = static_cast<int>(x.size()), n = static_cast<int>(y.size());
  const double tail = (1 - confidence) / 2;
  // The interval [d_(k), d_(mn+1-k)] covers the shift with probability
  // 1 - 2 P(U <= k-1): take the largest k that keeps that at `confidence`.
  long long k = 0;
  if (m <= kMannWhitneyExactMax && n <= kMannWhitneyExactMax) {
    const std::vector<double> counts = UCounts(m, n);
    double total = 0;
    for (double c : counts) total += c;
    double cum = 0;
    for (size_t u = 0; u < counts.size(); ++u) {
      cum += counts[u];
      if (cum / total > tail) break;
      k = static_cast<long long>(u) + 1;  // P(U <= k-1) <= tail
    }
  } else {
    // z_{1-tail} by bisection on the normal distribution function.
    double lo = 0, hi = 10;
    for (int i = 0; i < 100; ++i) {
      double mid = (lo + hi) / 2;
      (NormalCdf(mid) < 1 - tail ? lo : hi) = mid;
    }
    const double mn = static_cast<double>(m) * n;
    k = static_cast<long long>(std::floor(mn / 2 - lo * std::sqrt(mn * (m + n + 1) / 12.0)));
  }
  const long long count = static_cast<long long>(d.size());
  if (k >= 1 && k <= count + 1 - k) {
    r.lo = d[static_cast<size_t>(k - 1)];
    r.hi = d[static_cast<size_t>(count - k)];
    r.bounded = true;
  }
  return r;
}

double FisherExactGreater(long long a_events, long long a_total, long long b_events,
                          long long b_total) {
  const long long total = a_total + b_total, events = a_events + b_events;
  auto log_choose = [](long long n, long long k) {
    return std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(k) + 1) -
           std::lgamma(static_cast<double>(n - k) + 1);
  };
  const double log_all = log_choose(total, a_total);
  double p = 0;
  for (long long k = a_events; k <= std::min(events, a_total); ++k) {
    if (events - k > b_total) continue;
    p += std::exp(log_choose(events, k) + log_choose(total - events, a_total - k) - log_all);
  }
  return std::clamp(p, 0.0, 1.0);
}

}  // namespace crashbench
