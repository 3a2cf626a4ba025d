// A self-contained SVG bar chart of throughput: one bar per fault-free
// scenario, with the matching machine limit drawn as a tick over each bar.
#pragma once

#include <string>

#include "harness/runner.h"

namespace crashbench {

std::string RenderCostChartSvg(const RunOutcome& outcome, const std::string& title);

}  // namespace crashbench
