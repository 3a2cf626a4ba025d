// A trial's result as JSON: what the trial process sends the runner, what a
// spill file line and a results.json trial hold.
#include "harness/run/trial.h"

namespace crashbench {
namespace {

nlohmann::json AnomalyToJson(const Anomaly& a) {
  nlohmann::json j = {{"kind", std::string(AnomalyName(a.kind))}};
  if (!a.file.empty()) j["file"] = a.file;
  if (a.offset >= 0) j["offset"] = a.offset;
  if (a.end >= 0) j["end"] = a.end;
  if (a.line >= 0) j["line"] = a.line;
  if (a.task >= 0) j["task"] = a.task;
  if (a.seq >= 0) j["seq"] = a.seq;
  if (!a.excerpt.empty()) j["excerpt"] = a.excerpt;
  if (!a.detail.empty()) j["detail"] = a.detail;
  return j;
}

Anomaly AnomalyFromJson(const nlohmann::json& j) {
  Anomaly a{AnomalyFromName(j.value("kind", "corrupt")).value_or(AnomalyKind::kCorrupt)};
  a.file = j.value("file", "");
  a.offset = j.value("offset", -1LL);
  a.end = j.value("end", -1LL);
  a.line = j.value("line", -1LL);
  a.task = j.value("task", -1LL);
  a.seq = j.value("seq", -1LL);
  a.excerpt = j.value("excerpt", "");
  a.detail = j.value("detail", "");
  return a;
}

}  // namespace

long long TrialResult::violations() const {
  long long n = 0;
  for (const auto& [kind, c] : counts) {
    auto k = AnomalyFromName(kind);
    if (k && IsViolation(*k)) n += c;
  }
  return n;
}

long long TrialResult::count(AnomalyKind kind) const {
  auto it = counts.find(std::string(AnomalyName(kind)));
  return it == counts.end() ? 0 : it->second;
}

nlohmann::json TrialResultToJson(const TrialResult& r, bool with_internals) {
  // Counts are always complete; details stop at kMaxDetails per kind, so a
  // run of ten thousand trials does not carry ten thousand long lists.
  nlohmann::json details = nlohmann::json::array();
  std::map<AnomalyKind, int> shown;
  long long omitted = 0;
  for (const Anomaly& a : r.anomalies) {
    if (shown[a.kind]++ < kMaxDetailsPerKind)
      details.push_back(AnomalyToJson(a));
    else
      ++omitted;
  }
  nlohmann::json j = {{"index", r.index},
                      {"seed", r.seed},
                      {"fired", r.fired},
                      {"acked_tasks", r.acked_tasks},
                      {"failed_tasks", r.failed_tasks},
                      {"lost_in_flight", r.lost_in_flight},
                      {"retried_tasks", r.retried_tasks},
                      {"lost_tasks", r.lost_tasks},
                      {"pipeline_ok", r.pipeline_ok},
                      {"anomalies", r.counts},
                      {"violations", r.violations()},
                      {"duration_ms", r.duration_ms},
                      {"records_visible", r.records_visible},
                      {"processes", r.processes},
                      {"details", details}};
  if (omitted) j["details_omitted"] = omitted;
  if (!r.kept_dir.empty()) j["kept_dir"] = r.kept_dir;
  if (!r.error.empty()) j["error"] = r.error;
  if (!r.stderr_head.empty()) j["stderr"] = r.stderr_head;
  if (r.resumed_tasks >= 0) j["resumed_tasks"] = r.resumed_tasks;
  if (!r.crash_states.is_null()) j["crash_states"] = r.crash_states;
  if (!r.power_loss.is_null()) j["power_loss"] = r.power_loss;
  if (r.inconclusive) j["inconclusive"] = true;
  if (with_internals) {
    j["point_counts"] = r.observed.trigger_sites.ToJson();
    if (!r.observed.syscall_matches.empty()) j["syscall_matches"] = r.observed.syscall_matches;
    j["duration_us"] = r.observed.duration_us;
    j["task_latency_us"] = r.task_latency_us;
    j["stage_ns"] = r.stage_ns;
    if (!r.profile_ns.empty()) j["profile_ns"] = r.profile_ns;
    if (r.result_ready_ns) j["result_ready_ns"] = r.result_ready_ns;
  }
  return j;
}

TrialResult TrialResultFromJson(const nlohmann::json& j) {
  TrialResult r;
  r.index = j.value("index", 0);
  r.seed = j.value("seed", 0ULL);
  r.fired = j.value("fired", nlohmann::json());
  r.acked_tasks = j.value("acked_tasks", 0LL);
  r.failed_tasks = j.value("failed_tasks", 0LL);
  r.lost_in_flight = j.value("lost_in_flight", 0LL);
  r.retried_tasks = j.value("retried_tasks", 0LL);
  r.lost_tasks = j.value("lost_tasks", 0LL);
  r.resumed_tasks = j.value("resumed_tasks", -1LL);
  r.pipeline_ok = j.value("pipeline_ok", false);
  r.duration_ms = j.value("duration_ms", 0.0);
  r.records_visible = j.value("records_visible", 0LL);
  r.processes = j.value("processes", nlohmann::json::array());
  r.kept_dir = j.value("kept_dir", "");
  r.error = j.value("error", "");
  r.stderr_head = j.value("stderr", "");
  r.crash_states = j.value("crash_states", nlohmann::json());
  r.power_loss = j.value("power_loss", nlohmann::json());
  r.inconclusive = j.value("inconclusive", false);
  if (j.contains("details"))
    for (const auto& d : j["details"]) r.anomalies.push_back(AnomalyFromJson(d));
  if (j.contains("anomalies")) r.counts = j["anomalies"].get<AnomalyCounts>();
  if (j.contains("point_counts"))
    r.observed.trigger_sites = TriggerSiteCounts::FromJson(j["point_counts"]);
  r.observed.duration_us = j.value("duration_us", 0LL);
  if (j.contains("syscall_matches"))
    r.observed.syscall_matches = j["syscall_matches"].get<std::vector<std::string>>();
  if (j.contains("task_latency_us"))
    r.task_latency_us = j["task_latency_us"].get<std::vector<long long>>();
  if (j.contains("stage_ns")) r.stage_ns = j["stage_ns"];
  if (j.contains("profile_ns")) r.profile_ns = j["profile_ns"].get<std::vector<long long>>();
  r.result_ready_ns = j.value("result_ready_ns", 0LL);
  return r;
}

nlohmann::json CalibrationToJson(const Calibration& c) {
  nlohmann::json j = {{"duration_us", c.duration_us}, {"point_counts", c.trigger_sites.ToJson()}};
  if (!c.syscall_matches.empty()) j["syscall_matches"] = c.syscall_matches;
  return j;
}

Calibration CalibrationFromJson(const nlohmann::json& j) {
  Calibration c;
  c.duration_us = j.value("duration_us", 0LL);
  if (j.contains("point_counts")) c.trigger_sites = TriggerSiteCounts::FromJson(j["point_counts"]);
  if (j.contains("syscall_matches") && j["syscall_matches"].is_array())
    for (const auto& m : j["syscall_matches"])
      if (m.is_string()) c.syscall_matches.push_back(m.get<std::string>());
  return c;
}

}  // namespace crashbench
