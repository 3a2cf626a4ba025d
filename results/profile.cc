#include "results/profile.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <sstream>
#include <vector>

#include "harness/base/trial_clock.h"
#include "results/costs.h"

namespace crashbench {
namespace {

// Milliseconds of stage i over the scenario's profiled trials (the stages,
// then the whole trial at kNumTrialStages); empty when none was profiled.
std::vector<double> StageMs(const ScenarioResult& sr, size_t i) {
  std::vector<double> ms;
  for (const TrialResult& t : sr.trials)
    if (t.profile_ns.size() > i) ms.push_back(static_cast<double>(t.profile_ns[i]) / 1e6);
  return ms;
}

struct Spread {
  double p50 = 0, p25 = 0, p75 = 0, max = 0;
};

Spread SpreadOf(const std::vector<double>& ms) {
  return {Percentile(ms, 0.5), Percentile(ms, 0.25), Percentile(ms, 0.75), Percentile(ms, 1.0)};
}

std::string Ms(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

void RenderOne(const ScenarioResult& sr, std::ostringstream& out) {
  std::vector<std::vector<std::string>> rows = {
      {"stage", "median ms", "IQR ms", "max ms", "share of the stages' medians"}};
  std::vector<Spread> spreads;
  double sum = 0;
  for (int i = 0; i < kNumTrialStages; ++i) {
    spreads.push_back(SpreadOf(StageMs(sr, static_cast<size_t>(i))));
    sum += spreads.back().p50;
  }
  for (int i = 0; i < kNumTrialStages; ++i) {
    const Spread& s = spreads[static_cast<size_t>(i)];
    char share[16];
    std::snprintf(share, sizeof share, "%.0f%%", sum > 0 ? 100 * s.p50 / sum : 0.0);
    rows.push_back({std::string(TrialStageName(static_cast<TrialStage>(i))), Ms(s.p50),
                    Ms(s.p25) + "-" + Ms(s.p75), Ms(s.max), share});
  }
  const Spread total = SpreadOf(StageMs(sr, kNumTrialStages));
  rows.push_back({"sum of the medians", Ms(sum), "", "", ""});
  rows.push_back(
      {"whole trial", Ms(total.p50), Ms(total.p25) + "-" + Ms(total.p75), Ms(total.max), ""});
  std::vector<size_t> w(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], r[i].size());
  out << sr.scenario.name << ": " << StageMs(sr, kNumTrialStages).size() << " trials\n";
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i)
      out << "  " << std::left << std::setw(static_cast<int>(w[i])) << r[i];
    out << "\n";
  }
}

}  // namespace

std::string RenderProfileTable(const RunOutcome& outcome) {
  std::ostringstream out;
  for (const ScenarioResult& sr : outcome.scenarios)
    if (!StageMs(sr, kNumTrialStages).empty()) RenderOne(sr, out);
  if (out.str().empty()) return "";
  out << "where a trial's wall time goes (crashbench run --profile): median over the trials, "
         "IQR p25-p75; a trial's life runs from its scratch directory to its spill line, and "
         "with --jobs above 1 trials overlap\n";
  return out.str();
}

}  // namespace crashbench
