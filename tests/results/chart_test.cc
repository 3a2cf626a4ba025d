#include "results/chart.h"

#include <gtest/gtest.h>

#include "results/costs.h"

namespace crashbench {
namespace {

size_t Occurrences(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

ScenarioResult FaultFree(const std::string& name, double duration_ms) {
  ScenarioResult sr;
  sr.scenario.name = name;
  sr.scenario.strategy = "naive";
  sr.scenario.options = {{"fsync", "none"}};
  for (int i = 0; i < 3; ++i) {
    TrialResult t;
    t.acked_tasks = sr.scenario.workload.tasks;
    t.duration_ms = duration_ms + i;
    sr.trials.push_back(t);
  }
  return sr;
}

TEST(Chart, OneBarPerFaultFreeScenarioWithItsLimitAndEscapedLabels) {
  RunOutcome outcome;
  outcome.scenarios.push_back(FaultFree("a<b", 10));
  outcome.scenarios.push_back(FaultFree("c", 20));
  ScenarioResult faulty = FaultFree("killed", 10);
  faulty.scenario.fault.kind = "sigkill";
  outcome.scenarios.push_back(faulty);  // no costs: no bar
  MachineLimits limits;
  limits.limits.push_back({"raw-write", 1e6, 1});
  outcome.limits[WorkloadKey(Workload{})] = limits;
  const std::string svg = RenderCostChartSvg(outcome, "title & more");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(Occurrences(svg, "<rect"), 2u);
  EXPECT_EQ(Occurrences(svg, "stroke=\"#c0392b\""), 2u);  // one limit tick a bar
  EXPECT_NE(svg.find("a&lt;b"), std::string::npos);
  EXPECT_EQ(svg.find("a<b"), std::string::npos);
  EXPECT_NE(svg.find("title &amp; more"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

}  // namespace
}  // namespace crashbench
