// What a strategy costs, from its fault-free trials (each trial one
// repetition): throughput with median and spread, task latency percentiles,
// where the time went per stage (summed over workers), the share spent on
// serialization and inter-process traffic, and the fraction of the matching
// machine limit measured in the same run.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "harness/run/limits.h"
#include "harness/run/runner.h"

namespace crashbench {

struct Costs {
  double records_per_s = 0, records_per_s_min = 0, records_per_s_max = 0;
  double bytes_per_s = 0;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0;
  // A command subject's trials have neither task latencies nor stage timers
  // (nothing inside the program reports them): "-" in tables, null in JSON.
  bool has_latency = false, has_stages = false;
  std::array<double, kNumStages> stages_ms{};  // per trial, median over trials
  double serialization_share = 0;
  std::string limit_name;
  double limit_records_per_s = 0;
  double fraction_of_limit = 0;
  int repetitions = 0;
  // The share of the run's CPU time (wall time x usable cores) that the
  // stage timers themselves cost (two clock reads a timer, measured in the
  // same run): under 5%, or the numbers distort what they measure.
  double instrumentation_share = 0;
  bool noisy = false;  // the spread says the machine was busy: read with care
};

// Costs of a scenario whose fault is "none"; nullopt otherwise or with no trials.
std::optional<Costs> ComputeCosts(const ScenarioResult& sr, const MachineLimits* limits);
nlohmann::json CostsToJson(const Costs& c);
// One row per fault-free scenario.
std::string RenderCostTable(const RunOutcome& outcome);

// The latency and ser+ipc cells of a costs object as read back from
// results.json: "p50/p95/p99" and "43%", or "-" where the trials had none.
std::string LatencyCell(const nlohmann::json& costs);
std::string SerializationCell(const nlohmann::json& costs);

// Rates as every table and report prints them: 381.4k, 2.88M.
std::string HumanNumber(double v);

double Percentile(std::vector<double> v, double p);

}  // namespace crashbench
