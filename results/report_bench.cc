// bench.json: the cost results in Google Benchmark's JSON format, so tools
// written for it (compare.py and its U test among them) read crashbench's
// numbers. One benchmark a fault-free scenario; one iteration is one record
// committed; each fault-free trial is one repetition, followed by the mean,
// median and stddev aggregates, as --benchmark_repetitions writes them.
#include <algorithm>
#include <cmath>

#include "results/costs.h"
#include "results/report.h"

namespace crashbench {
namespace {

using nlohmann::json;

struct Repetition {
  long long records = 0;
  double us_per_record = 0;
  double records_per_s = 0;
};

// The same trials and formula as ComputeCosts: error-free trials, acknowledged
// records over the trial's wall time.
std::vector<Repetition> Repetitions(const json& scenario) {
  const long long per_task =
      scenario.value("workload", json::object()).value("records_per_task", 0LL);
  std::vector<Repetition> reps;
  for (const json& t : Member(scenario, "trials")) {
    if (!t.is_object() || t.contains("error")) continue;
    const double ms = t.value("duration_ms", 0.0);
    const long long records = t.value("acked_tasks", 0LL) * per_task;
    if (ms <= 0 || records <= 0) continue;
    reps.push_back({records, ms * 1000.0 / static_cast<double>(records),
                    static_cast<double>(records) / (ms / 1000.0)});
  }
  return reps;
}

}  // namespace

std::string RenderBenchmarkJson(const json& results) {
  const json ctx = results.value("context", json::object());
  const json tool = results.value("tool", json::object());
  json context = {{"date", ctx.value("date", std::string())},
                  {"host_name", ctx.value("host_name", std::string())},
                  {"executable", "crashbench"},
                  {"num_cpus", ctx.value("num_cpus", 0)},
                  {"caches", json::array()},
                  {"load_avg", json::array()},
                  {"crashbench_version", tool.value("version", std::string())},
                  {"crashbench_git_sha", tool.value("git_sha", std::string())},
                  {"fs_type", ctx.value("fs_type", std::string())},
                  {"kernel", ctx.value("kernel", std::string())},
                  {"note",
                   "one iteration is one committed record; cpu_time is not measured and repeats "
                   "real_time; each fault-free trial is one repetition"}};
  json benchmarks = json::array();
  int family = 0;
  for (const json& s : Member(results, "scenarios")) {
    if (!s.is_object() || !s.contains("costs") || !s["costs"].is_object()) continue;
    const std::vector<Repetition> reps = Repetitions(s);
    if (reps.empty()) continue;
    const json& costs = s["costs"];
    const double rate = costs.value("records_per_s", 0.0);
    const double bytes_per_record = rate > 0 ? costs.value("bytes_per_s", 0.0) / rate : 0;
    const std::string name = s.value("name", std::string("?"));
    const int n = static_cast<int>(reps.size());
    json base = {{"name", name},
                 {"family_index", family},
                 {"per_family_instance_index", 0},
                 {"run_name", name},
                 {"repetitions", n},
                 {"threads", 1},
                 {"time_unit", "us"},
                 {"workers", s.value("workers", 0)},
                 {"strategy", s.value("strategy", std::string())}};
    std::vector<double> times;
    for (int i = 0; i < n; ++i) {
      json b = base;
      b["run_type"] = "iteration";
      b["repetition_index"] = i;
      b["iterations"] = reps[static_cast<size_t>(i)].records;
      b["real_time"] = b["cpu_time"] = reps[static_cast<size_t>(i)].us_per_record;
      b["items_per_second"] = reps[static_cast<size_t>(i)].records_per_s;
      b["bytes_per_second"] = reps[static_cast<size_t>(i)].records_per_s * bytes_per_record;
      times.push_back(reps[static_cast<size_t>(i)].us_per_record);
      benchmarks.push_back(std::move(b));
    }
    double mean = 0;
    for (double t : times) mean += t / n;
    double var = 0;
    for (double t : times) var += (t - mean) * (t - mean);
    const double stddev = n > 1 ? std::sqrt(var / (n - 1)) : 0;
    for (const auto& [agg, value] : {std::pair<const char*, double>{"mean", mean},
                                     {"median", Percentile(times, 0.5)},
                                     {"stddev", stddev}}) {
      json b = base;
      b["name"] = name + "_" + agg;
      b["run_type"] = "aggregate";
      b["aggregate_name"] = agg;
      b["aggregate_unit"] = "time";
      b["iterations"] = n;
      b["real_time"] = b["cpu_time"] = value;
      if (std::string(agg) != "stddev" && value > 0) b["items_per_second"] = 1e6 / value;
      benchmarks.push_back(std::move(b));
    }
    ++family;
  }
  return json{{"context", context}, {"benchmarks", benchmarks}}.dump(2) + "\n";
}

}  // namespace crashbench
