#include "results/merge.h"

#include <algorithm>
#include <map>
#include <regex>

#include "harness/run/trial_ref.h"
#include "results/costs.h"
#include "results/results.h"
#include "scenarios/scenario.h"

namespace crashbench {
namespace {

using nlohmann::json;

// The keys of a scenario object that are results, not definition.
const char* const kScenarioResultKeys[] = {"summary", "costs", "trials", "fault_label"};

json Definition(const json& scenario) {
  json d = scenario;
  for (const char* k : kScenarioResultKeys) d.erase(k);
  return d;
}

struct Shard {
  const ShardFile* file = nullptr;
  int index = 0, count = 1;
  std::vector<long long> scenario_trials;
  std::string Label() const { return std::to_string(index) + "/" + std::to_string(count); }
};

Status Refuse(const std::string& what) { return Status::Error("merge refused: " + what); }

Result<Shard> ReadShard(const ShardFile& f) {
  const json& d = f.doc;
  if (!d.is_object() || !d.contains("scenarios") || !d["scenarios"].is_array() ||
      !d.contains("tool") || !d.contains("schema_version"))
    return Refuse(f.path +
                  " is not a crashbench results file (no schema_version, tool, scenarios)");
  if (d["schema_version"] != kResultsSchemaVersion)
    return Refuse(f.path + " has schema_version " + d["schema_version"].dump() +
                  "; this build reads " + std::to_string(kResultsSchemaVersion));
  Shard s;
  s.file = &f;
  const json& scenarios = d["scenarios"];
  if (d.contains("shard")) {
    const json& sh = d["shard"];
    s.index = sh.value("index", -1);
    s.count = sh.value("count", 0);
    if (s.count < 1 || s.index < 0 || s.index >= s.count || !sh.contains("scenario_trials") ||
        sh["scenario_trials"].size() != scenarios.size())
      return Refuse(f.path + ": its \"shard\" block is malformed: " + sh.dump());
    s.scenario_trials = sh["scenario_trials"].get<std::vector<long long>>();
  } else {
    // An unsharded run is the one shard of one.
    for (const json& sc : scenarios) s.scenario_trials.push_back(sc["trials"].size());
  }
  return s;
}

MachineLimits LimitsFromJson(const json& j) {
  MachineLimits l;
  for (auto it = j.begin(); it != j.end(); ++it)
    l.limits.push_back({it.key(), it->value("records_per_s", 0.0), it->value("latency_us", 0.0)});
  return l;
}

// Every shard must hold the same run: same build, same scenarios in the same
// order with the same definitions and trial counts, same shard count, each
// index once.
Status CheckShardsMatch(const std::vector<Shard>& shards) {
  const Shard& a = shards.front();
  const json& da = a.file->doc;
  std::map<int, const Shard*> by_index;
  for (const Shard& b : shards) {
    const json& db = b.file->doc;
    if (db["tool"] != da["tool"])
      return Refuse(b.file->path + " was written by " + db["tool"].dump() + ", " + a.file->path +
                    " by " + da["tool"].dump() + ": shards must come from one build");
    if (b.count != a.count)
      return Refuse(a.file->path + " is shard " + a.Label() + " but " + b.file->path +
                    " is shard " + b.Label() +
                    ": every shard must split the run the same number of ways");
    if (auto [it, fresh] = by_index.emplace(b.index, &b); !fresh)
      return Refuse("shard " + b.Label() + " is given twice: " + it->second->file->path + " and " +
                    b.file->path);
    const json& sa = da["scenarios"];
    const json& sb = db["scenarios"];
    if (sa.size() != sb.size())
      return Refuse(b.file->path + " holds " + std::to_string(sb.size()) + " scenarios, " +
                    a.file->path + " " + std::to_string(sa.size()) + ": not the same run");
    for (size_t i = 0; i < sa.size(); ++i) {
      const json da_i = Definition(sa[i]), db_i = Definition(sb[i]);
      if (da_i != db_i || a.scenario_trials[i] != b.scenario_trials[i]) {
        std::string key = "trials";
        for (auto it = da_i.begin(); it != da_i.end(); ++it)
          if (!db_i.contains(it.key()) || db_i[it.key()] != *it) key = it.key();
        for (auto it = db_i.begin(); it != db_i.end(); ++it)
          if (!da_i.contains(it.key())) key = it.key();
        return Refuse("scenario #" + std::to_string(i + 1) + " ('" + sa[i].value("name", "") +
                      "') differs between " + a.file->path + " and " + b.file->path + " in '" +
                      key + "': shards must run the same scenarios with the same seeds");
      }
    }
  }
  std::string missing;
  for (int i = 0; i < a.count; ++i)
    if (!by_index.count(i))
      (missing += missing.empty() ? "" : ", ") += std::to_string(i) + "/" + std::to_string(a.count);
  if (!missing.empty()) {
    std::string have;
    for (const auto& [i, s] : by_index)
      (have += have.empty() ? "" : ", ") += s->Label() + " (" + s->file->path + ")";
    return Refuse("missing shard" +
                  std::string(missing.find(',') == std::string::npos ? " " : "s ") + missing +
                  " (given: " + have + ")");
  }
  return Status::Ok();
}

// A scenario's definition, parsed back into a Scenario for the summary and costs.
Result<Scenario> ScenarioFromResultsOrRefuse(const json& scenario, long long trials,
                                             const std::string& path) {
  Result<Scenario> s = ScenarioFromResults(scenario, trials, path);
  if (!s.ok()) return Refuse(path + ": a scenario does not load: " + s.status().message());
  return s;
}

// The shards of files, sorted by index, refused unless they are one run.
Result<std::vector<Shard>> ReadShards(const std::vector<ShardFile>& files) {
  if (files.empty()) return Refuse("no results files given");
  std::vector<Shard> shards;
  for (const ShardFile& f : files) {
    Result<Shard> s = ReadShard(f);
    if (!s.ok()) return s.status();
    shards.push_back(*s);
  }
  std::sort(shards.begin(), shards.end(),
            [](const Shard& a, const Shard& b) { return a.index < b.index; });
  RETURN_IF_ERROR(CheckShardsMatch(shards));
  return shards;
}

// The merged context: host fields from shard 0; limits a shard did not measure
// (it ran no trial of that workload) from the lowest shard that did. Fills the
// outcome's interrupted flag, file system and limits.
json MergeContext(const std::vector<Shard>& shards, RunOutcome* outcome) {
  const json& first = shards.front().file->doc;
  RunOutcome& out = *outcome;
  json context = first.value("context", json::object());
  json limits = context.value("limits", json::object());
  json merged_from = json::array();
  for (const Shard& s : shards) {
    const json c = s.file->doc.value("context", json::object());
    const json shard_limits = c.value("limits", json::object());
    for (auto it = shard_limits.begin(); it != shard_limits.end(); ++it)
      if (!limits.contains(it.key())) limits[it.key()] = *it;
    merged_from.push_back({{"file", s.file->path},
                           {"shard", s.Label()},
                           {"host_name", c.value("host_name", "")},
                           {"date", c.value("date", "")}});
    out.interrupted |= s.file->doc.value("interrupted", false);
  }
  context["limits"] = limits;
  context["merged_from"] = merged_from;
  out.fs_type = context.value("fs_type", "");
  for (auto it = limits.begin(); it != limits.end(); ++it)
    out.limits[it.key()] = LimitsFromJson(*it);
  return context;
}

// A scenario's trials from every shard, by index.
using TrialsByIndex = std::map<long long, std::pair<json, const Shard*>>;

// Gathers scenario si's trials from every shard into *by_index, and the first
// error and calibration any shard recorded into *result. Refuses a trial out of
// range, in a shard it does not belong to, or in two shards.
Status CollectTrials(const std::vector<Shard>& shards, size_t si, long long total,
                     const std::string& name, ScenarioResult* result, TrialsByIndex* by_index) {
  ScenarioResult& sr = *result;
  TrialsByIndex& trials = *by_index;
  for (const Shard& sh : shards) {
    const json& sc = sh.file->doc["scenarios"][si];
    const json& summary = sc.value("summary", json::object());
    if (sr.error.empty() && summary.contains("error")) {
      sr.error = summary["error"].get<std::string>();
      sr.input_error = summary.value("input_error", false);
    }
    if (!sr.calibration && summary.contains("calibration"))
      sr.calibration = CalibrationFromJson(summary["calibration"]);
    // The ordinal of the scenario's first trial over the whole run.
    long long base = 0;
    for (size_t k = 0; k < si; ++k) base += sh.scenario_trials[k];
    for (const json& t : sc.value("trials", json::array())) {
      const long long index = t.value("index", -1LL);
      if (index < 0 || index >= total)
        return Refuse(sh.file->path + ": scenario '" + name + "' holds trial " +
                      std::to_string(index) + " of " + std::to_string(total));
      if ((base + index) % sh.count != sh.index)
        return Refuse(sh.file->path + " (shard " + sh.Label() + "): scenario '" + name +
                      "' trial " + std::to_string(index) + " belongs to shard " +
                      std::to_string((base + index) % sh.count) + "/" + std::to_string(sh.count));
      if (auto [it, fresh] = trials.emplace(index, std::make_pair(t, &sh)); !fresh)
        return Refuse("scenario '" + name + "' trial " + std::to_string(index) + " is in both " +
                      it->second.second->file->path + " and " + sh.file->path);
    }
  }
  return Status::Ok();
}

// The trials in index order: each parsed into sr, its document returned
// without the cost samples (they live in the parsed trial).
json TakeTrials(TrialsByIndex& trials, ScenarioResult* sr) {
  json trial_docs = json::array();
  for (auto& [index, entry] : trials) {
    json& t = entry.first;
    TrialResult r = TrialResultFromJson(t);
    if (t.contains("cost_samples")) {
      r.task_latency_us = t["cost_samples"].value("task_latency_us", std::vector<long long>{});
      if (t["cost_samples"].contains("stage_ns")) r.stage_ns = t["cost_samples"]["stage_ns"];
      t.erase("cost_samples");
    }
    sr->trials.push_back(std::move(r));
    trial_docs.push_back(std::move(t));
  }
  return trial_docs;
}

// Scenario si of the run, merged over every shard: its document, and its
// result appended to out->scenarios.
Result<json> MergeScenario(const std::vector<Shard>& shards, size_t si, RunOutcome* outcome) {
  RunOutcome& out = *outcome;
  const json& first = shards.front().file->doc;
  const json& head = first["scenarios"][si];
  const std::string name = head.value("name", "");
  const long long total = shards.front().scenario_trials[si];
  Result<Scenario> scenario = ScenarioFromResultsOrRefuse(head, total, shards.front().file->path);
  if (!scenario.ok()) return scenario.status();
  ScenarioResult sr{*scenario};
  sr.scenario.trials = static_cast<int>(total);
  TrialsByIndex trials;
  RETURN_IF_ERROR(CollectTrials(shards, si, total, name, &sr, &trials));
  if (!out.interrupted && sr.error.empty() && static_cast<long long>(trials.size()) != total) {
    for (long long i = 0; i < total; ++i)
      if (!trials.count(i))
        return Refuse("scenario '" + name + "' trial " + std::to_string(i) +
                      " is in no shard, and no shard says it was interrupted");
  }
  json trial_docs = TakeTrials(trials, &sr);
  // Recomputed over every trial, as the runner does at the end of a run.
  CheckFaultFired(&sr, out.interrupted);
  json sj = head;
  sj.erase("costs");
  sj["summary"] = ScenarioSummary(sr);
  auto lim = out.limits.find(WorkloadKey(sr.scenario.workload));
  if (auto c = ComputeCosts(sr, lim == out.limits.end() ? nullptr : &lim->second))
    sj["costs"] = CostsToJson(*c);
  sj["trials"] = std::move(trial_docs);
  out.scenarios.push_back(std::move(sr));
  return sj;
}

}  // namespace

Result<MergedResults> MergeShards(const std::vector<ShardFile>& files) {
  Result<std::vector<Shard>> read = ReadShards(files);
  if (!read.ok()) return read.status();
  const std::vector<Shard>& shards = *read;

  const json& first = shards.front().file->doc;
  MergedResults m;
  RunOutcome& out = m.outcome;
  json context = MergeContext(shards, &out);

  json scenarios = json::array();
  const size_t n_scenarios = first["scenarios"].size();
  for (size_t si = 0; si < n_scenarios; ++si) {
    Result<json> sj = MergeScenario(shards, si, &out);
    if (!sj.ok()) return sj.status();
    scenarios.push_back(std::move(*sj));
  }
  m.doc = {{"schema_version", first["schema_version"]},
           {"tool", first["tool"]},
           {"context", context},
           {"interrupted", out.interrupted},
           {"scenarios", std::move(scenarios)}};
  return m;
}

std::string RenderResultsDocument(const json& doc) {
  json head = doc;
  head.erase("scenarios");
  std::string text = head.dump(1);
  text.pop_back();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  text += ",\n\"scenarios\": [";
  const json& scenarios = doc["scenarios"];
  for (size_t si = 0; si < scenarios.size(); ++si) {
    json sj = scenarios[si];
    json trials = sj["trials"];
    sj.erase("trials");
    std::string s = sj.dump();
    s.pop_back();
    text += std::string(si ? ",\n" : "\n") + s + ",\"trials\":[";
    for (size_t ti = 0; ti < trials.size(); ++ti)
      text += std::string(ti ? ",\n  " : "\n  ") + trials[ti].dump();
    text += "]}";
  }
  return text + "\n]\n}\n";
}

json WithoutTimingAndHost(json doc) {
  static const std::regex kWindow(" --random-window-us [0-9]+");
  doc.erase("context");
  if (!doc.contains("scenarios")) return doc;
  for (json& s : doc["scenarios"]) {
    s.erase("costs");
    if (s.contains("summary") && s["summary"].contains("calibration"))
      s["summary"]["calibration"].erase("duration_us");
    if (!s.contains("trials")) continue;
    for (json& t : s["trials"]) {
      for (const char* k : {"duration_ms", "kept_dir", "stderr", "cost_samples"}) t.erase(k);
      if (t.contains("fired") && t["fired"].is_object())
        for (const char* k : {"pid", "acted_pid", "at_us"}) t["fired"].erase(k);
      if (t.contains("processes"))
        for (json& p : t["processes"]) p.erase("pid");
      if (t.contains("replay") && t["replay"].is_string())
        t["replay"] = std::regex_replace(t["replay"].get<std::string>(), kWindow, "");
    }
  }
  return doc;
}

}  // namespace crashbench
