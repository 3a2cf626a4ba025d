// The costs of fault-free scenarios: medians and spread of the trials' rates;
// where the trials carry no task latencies or stage timers (a command
// subject: nothing inside the program reports them) the tables say "-" and
// results.json holds null, never a measured-looking 0.00.
#include "results/costs.h"

#include <gtest/gtest.h>

namespace crashbench {
namespace {

ScenarioResult FaultFree(bool with_timings) {
  ScenarioResult sr;
  sr.scenario.name = "subject/none";
  sr.scenario.workload.tasks = 4;
  sr.scenario.workload.records_per_task = 10;
  sr.scenario.workload.record_bytes = 16;
  sr.scenario.workers = 2;
  for (int i = 0; i < 3; ++i) {
    TrialResult t;
    t.index = i;
    t.acked_tasks = 4;
    t.duration_ms = 10.0 * (i + 1);  // 4000, 2000 and 1333 records/s
    if (with_timings) {
      t.task_latency_us = {1000, 2000, 3000};
      t.stage_ns[static_cast<size_t>(Stage::kSerialize)] = 1000000;
      t.stage_ns[static_cast<size_t>(Stage::kWrite)] = 3000000;
    }
    sr.trials.push_back(t);
  }
  return sr;
}

TEST(Costs, MedianAndSpreadOfTheTrialsRates) {
  std::optional<Costs> c = ComputeCosts(FaultFree(true), nullptr);
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(c->records_per_s, 2000.0);
  EXPECT_NEAR(c->records_per_s_min, 1333.3, 0.1);
  EXPECT_DOUBLE_EQ(c->records_per_s_max, 4000.0);
  EXPECT_TRUE(c->has_latency);
  EXPECT_DOUBLE_EQ(c->p50_ms, 2.0);
  EXPECT_TRUE(c->has_stages);
  EXPECT_DOUBLE_EQ(c->serialization_share, 0.25);
  const nlohmann::json j = CostsToJson(*c);
  EXPECT_EQ(LatencyCell(j), "2.00/3.00/3.00");
  EXPECT_EQ(SerializationCell(j), "25%");
}

TEST(Costs, NoLatenciesOrStagesIsADashAndNullNotZero) {
  std::optional<Costs> c = ComputeCosts(FaultFree(false), nullptr);
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(c->records_per_s, 2000.0);
  EXPECT_FALSE(c->has_latency);
  EXPECT_FALSE(c->has_stages);
  const nlohmann::json j = CostsToJson(*c);
  EXPECT_TRUE(j["task_latency_ms"].is_null());
  EXPECT_TRUE(j["serialization_share"].is_null());
  EXPECT_EQ(LatencyCell(j), "-");
  EXPECT_EQ(SerializationCell(j), "-");
  RunOutcome outcome;
  outcome.scenarios.push_back(FaultFree(false));
  const std::string table = RenderCostTable(outcome);
  EXPECT_NE(table.find("subject/none"), std::string::npos) << table;
  EXPECT_EQ(table.find("0.00/0.00/0.00"), std::string::npos) << table;
}

}  // namespace
}  // namespace crashbench
