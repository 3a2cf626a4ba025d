#include "results/costs.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include "harness/contract/record.h"

namespace crashbench {

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double idx = p * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(idx);
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (idx - static_cast<double>(lo));
}

std::optional<Costs> ComputeCosts(const ScenarioResult& sr, const MachineLimits* limits) {
  const Scenario& s = sr.scenario;
  if (s.fault.kind != "none" || sr.trials.empty()) return std::nullopt;
  Costs c;
  const double line_bytes = static_cast<double>(
      EncodeRecord(s.workload.tasks / 2, s.workload.records_per_task / 2,
                   s.workload.records_per_task,
                   std::string(static_cast<size_t>(s.workload.record_bytes), 'x'))
          .size() +
      1);
  std::vector<double> rates, latencies;
  double cpu_ms = 0;  // wall time x the cores the workers could use, summed over trials
  const double cores = std::min<double>(s.workers, std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
  std::array<std::vector<double>, kNumStages> stages;
  for (const TrialResult& t : sr.trials) {
    // A trial that hung measured its deadline, not the strategy.
    if (!t.error.empty() || t.duration_ms <= 0 || t.count(AnomalyKind::kHang) > 0) continue;
    rates.push_back(static_cast<double>(t.acked_tasks * s.workload.records_per_task) /
                    (t.duration_ms / 1000.0));
    cpu_ms += t.duration_ms * cores;
    for (long long us : t.task_latency_us) latencies.push_back(static_cast<double>(us) / 1000.0);
    for (int i = 0; i < kNumStages; ++i)
      stages[static_cast<size_t>(i)].push_back(
          static_cast<double>(t.stage_ns[static_cast<size_t>(i)]) / 1e6);
  }
  if (rates.empty()) return std::nullopt;
  c.repetitions = static_cast<int>(rates.size());
  c.records_per_s = Percentile(rates, 0.5);
  c.records_per_s_min = *std::min_element(rates.begin(), rates.end());
  c.records_per_s_max = *std::max_element(rates.begin(), rates.end());
  c.bytes_per_s = c.records_per_s * line_bytes;
  c.has_latency = !latencies.empty();
  c.p50_ms = Percentile(latencies, 0.5);
  c.p95_ms = Percentile(latencies, 0.95);
  c.p99_ms = Percentile(latencies, 0.99);
  double total = 0;
  for (int i = 0; i < kNumStages; ++i) {
    c.stages_ms[static_cast<size_t>(i)] = Percentile(stages[static_cast<size_t>(i)], 0.5);
    total += c.stages_ms[static_cast<size_t>(i)];
  }
  c.has_stages = total > 0;
  if (total > 0)
    c.serialization_share = (c.stages_ms[static_cast<size_t>(Stage::kSerialize)] +
                             c.stages_ms[static_cast<size_t>(Stage::kIpc)]) /
                            total;
  // Like hyperfine's outlier warning: a wide spread means the numbers mix
  // the strategy's cost with whatever else the machine was doing.
  c.noisy =
      c.repetitions >= 3 && (c.records_per_s_max - c.records_per_s_min) > 0.5 * c.records_per_s;
  c.limit_name =
      MatchingLimit(s.strategy, s.options.count("fsync") ? s.options.at("fsync") : "none");
  if (limits) {
    if (const Limit* timer = limits->Find("stage-timer"); timer && cpu_ms > 0) {
      // Two timers a record (serialize, write), about four a task (lock,
      // fsync, rename, the acknowledgement), against the run's CPU time.
      const double timers =
          static_cast<double>(c.repetitions) *
          static_cast<double>(s.workload.tasks * (2 * s.workload.records_per_task + 4));
      c.instrumentation_share = timers * timer->latency_us / 1000.0 / cpu_ms;
    }
    if (const Limit* l = limits->Find(c.limit_name)) {
      c.limit_records_per_s = l->records_per_s;
      if (l->records_per_s > 0) c.fraction_of_limit = c.records_per_s / l->records_per_s;
    }
  }
  return c;
}

nlohmann::json CostsToJson(const Costs& c) {
  nlohmann::json stages = nlohmann::json::object();
  for (int i = 0; i < kNumStages; ++i)
    stages[std::string(StageName(static_cast<Stage>(i)))] = c.stages_ms[static_cast<size_t>(i)];
  return {{"records_per_s", c.records_per_s},
          {"bytes_per_s", c.bytes_per_s},
          {"task_latency_ms",
           c.has_latency ? nlohmann::json{{"p50", c.p50_ms}, {"p95", c.p95_ms}, {"p99", c.p99_ms}}
                         : nlohmann::json()},
          {"stages_ms", stages},
          {"serialization_share",
           c.has_stages ? nlohmann::json(c.serialization_share) : nlohmann::json()},
          {"limit", {{"name", c.limit_name}, {"records_per_s", c.limit_records_per_s}}},
          {"fraction_of_limit", c.fraction_of_limit},
          {"repetitions", c.repetitions},
          {"instrumentation_share", c.instrumentation_share},
          {"spread", {{"min", c.records_per_s_min}, {"max", c.records_per_s_max}}},
          {"noisy", c.noisy}};
}

std::string LatencyCell(const nlohmann::json& costs) {
  const auto it = costs.find("task_latency_ms");
  if (it == costs.end() || !it->is_object()) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f/%.2f/%.2f", it->value("p50", 0.0), it->value("p95", 0.0),
                it->value("p99", 0.0));
  return buf;
}

std::string SerializationCell(const nlohmann::json& costs) {
  const auto it = costs.find("serialization_share");
  if (it == costs.end() || !it->is_number()) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", 100 * it->get<double>());
  return buf;
}

std::string HumanNumber(double v) {
  char buf[32];
  if (v >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
  else if (v >= 1e3)
    std::snprintf(buf, sizeof buf, "%.1fk", v / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string RenderCostTable(const RunOutcome& outcome) {
  std::vector<std::vector<std::string>> rows = {{"scenario", "records/s (min-max)", "MB/s",
                                                 "task ms p50/p95/p99", "ser+ipc", "limit",
                                                 "of limit"}};
  bool noisy = false;
  double worst_instrumentation = 0;
  for (const ScenarioResult& sr : outcome.scenarios) {
    auto it = outcome.limits.find(WorkloadKey(sr.scenario.workload));
    std::optional<Costs> c = ComputeCosts(sr, it == outcome.limits.end() ? nullptr : &it->second);
    if (!c) continue;
    const std::string& name = sr.scenario.name;
    char lat[64], mbs[32], share[16], frac[16];
    std::snprintf(lat, sizeof lat, "%.2f/%.2f/%.2f", c->p50_ms, c->p95_ms, c->p99_ms);
    std::snprintf(mbs, sizeof mbs, "%.1f", c->bytes_per_s / 1e6);
    std::snprintf(share, sizeof share, "%.0f%%", 100 * c->serialization_share);
    std::snprintf(frac, sizeof frac, "%.2f", c->fraction_of_limit);
    rows.push_back({name,
                    HumanNumber(c->records_per_s) + " (" + HumanNumber(c->records_per_s_min) + "-" +
                        HumanNumber(c->records_per_s_max) + ")" + (c->noisy ? " ~" : ""),
                    mbs, c->has_latency ? lat : "-", c->has_stages ? share : "-",
                    c->limit_name + " " + HumanNumber(c->limit_records_per_s) + "/s",
                    c->limit_records_per_s > 0 ? frac : "-"});
    noisy |= c->noisy;
    worst_instrumentation = std::max(worst_instrumentation, c->instrumentation_share);
  }
  if (rows.size() == 1) return "";
  std::vector<size_t> w(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], r[i].size());
  std::ostringstream out;
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i)
      out << (i ? "  " : "") << std::left << std::setw(static_cast<int>(w[i])) << r[i];
    out << "\n";
  }
  out << "costs from the fault-free trials (median of "
      << "each scenario's trials); limits measured "
      << "in this run on the same filesystem (" << outcome.fs_type << ")\n";
  char timing[160];
  std::snprintf(timing, sizeof timing,
                "stage timing itself costs at most %.1f%% of a run's CPU time\n",
                100 * worst_instrumentation);
  out << timing;
  if (noisy) out << "~ the spread is wide: the machine was busy, read these numbers with care\n";
  return out.str();
}

}  // namespace crashbench
