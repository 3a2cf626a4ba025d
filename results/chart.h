// Self-contained SVG bar charts of throughput: one bar per fault-free
// scenario (median, whiskers min-max), with the matching machine limit drawn
// as a red tick over each bar.
#pragma once

#include <string>
#include <vector>

#include "harness/run/runner.h"

namespace crashbench {

struct CostBar {
  std::string label;
  double median = 0, min = 0, max = 0;  // records/s
  double limit = 0;                     // records/s of the matching machine limit; 0: none
  std::string limit_name;
};

// Bars with class="cost-bar", limit ticks with class="limit-line".
std::string RenderCostBarsSvg(const std::vector<CostBar>& bars, const std::string& title);
std::string RenderCostChartSvg(const RunOutcome& outcome, const std::string& title);

}  // namespace crashbench
