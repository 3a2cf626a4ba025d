#include "harness/run/trial_ref.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "harness/base/json_file.h"

namespace crashbench {
namespace {

using nlohmann::json;

std::string ValidIds(const json& scenarios) {
  std::string ids;
  for (const json& s : scenarios) {
    const size_t n = s.value("trials", json::array()).size();
    (ids += ids.empty() ? "" : ", ") +=
        s.value("name", "?") + ":" + (n <= 1 ? "0" : "0.." + std::to_string(n - 1));
  }
  return ids;
}

}  // namespace

Result<Scenario> ScenarioFromResults(const json& stored, long long trials,
                                     const std::string& path) {
  if (!stored.is_object()) return Status::Error(path + ": a scenario is not a JSON object");
  json definition = stored;
  for (const char* results_only : {"fault_label", "source", "summary", "costs", "trials"})
    definition.erase(results_only);
  definition["trials"] = std::max(1LL, trials);
  Result<std::vector<Scenario>> parsed = ParseScenarios(definition.dump(), path);
  if (!parsed.ok()) return parsed.status();
  Scenario s = parsed->front();
  s.source.clear();
  return s;
}

std::string SelfExecutable() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "crashbench";
}

Result<TrialRef> FindTrial(const std::string& path, const std::string& id) {
  Result<json> read = ReadJsonFile(path);
  if (!read.ok()) return read.status();
  return FindTrial(*read, path, id);
}

Result<TrialRef> FindTrial(const json& doc, const std::string& path, const std::string& id) {
  if (!doc.is_object() || !doc.contains("scenarios") || !doc["scenarios"].is_array())
    return Status::Error(path + ": not a crashbench results file (no \"scenarios\" array)");
  const json& scenarios = doc["scenarios"];
  if (scenarios.empty()) return Status::Error(path + ": holds no scenario");
  // The index follows the last ':' (scenario names may hold '/' and '@').
  const size_t colon = id.rfind(':');
  const std::string name = colon == std::string::npos ? "" : id.substr(0, colon);
  const std::string index_text = colon == std::string::npos ? id : id.substr(colon + 1);
  const std::string valid = " (valid trials: " + ValidIds(scenarios) + ")";
  if (index_text.empty() || index_text.size() > 9 ||
      index_text.find_first_not_of("0123456789") != std::string::npos)
    return Status::Error("--trial " + id + ": expected SCENARIO:INDEX" + valid);
  const json* scenario_json = nullptr;
  if (colon == std::string::npos) {
    if (scenarios.size() != 1)
      return Status::Error("--trial " + id + ": " + path + " holds " +
                           std::to_string(scenarios.size()) +
                           " scenarios; name one as SCENARIO:INDEX" + valid);
    scenario_json = &scenarios[0];
  } else {
    for (const json& s : scenarios)
      if (s.value("name", "") == name) scenario_json = &s;
    if (!scenario_json)
      return Status::Error("--trial " + id + ": no scenario '" + name + "' in " + path + valid);
  }
  TrialRef ref;
  ref.index = std::stoi(index_text);
  for (const json& t : scenario_json->value("trials", json::array()))
    if (t.value("index", -1) == ref.index) ref.trial = t;
  if (ref.trial.is_null())
    return Status::Error("--trial " + id + ": " + path + " holds no such trial" + valid);
  ref.summary = scenario_json->value("summary", json::object());
  const long long trials = std::max<long long>(ref.index + 1, ref.summary.value("trials", 1LL));
  Result<Scenario> scenario = ScenarioFromResults(*scenario_json, trials, path);
  if (!scenario.ok())
    return Status::Error("the scenario of trial " + id +
                         " does not load: " + scenario.status().message());
  ref.scenario = std::move(*scenario);
  ref.explore = ref.trial.value("replay", "").find(" --explore") != std::string::npos;
  // The window the trial's moment was drawn from: its own replay command says
  // it (a merged file's trials come from shards with windows of their own).
  if (ref.scenario.fault.trigger.type == TriggerType::kSyscall &&
      ref.summary.contains("calibration")) {
    const json& m = ref.summary["calibration"].value("syscall_matches", json());
    if (m.is_array() &&
        std::all_of(m.begin(), m.end(), [](const json& x) { return x.is_string(); }))
      ref.syscall_matches = m.get<std::vector<std::string>>();
  }
  if (ref.scenario.fault.trigger.type == TriggerType::kRandom) {
    const std::string replay = ref.trial.value("replay", "");
    const std::string flag = "--random-window-us ";
    long long window = 0;
    if (size_t p = replay.find(flag); p != std::string::npos)
      window = std::atoll(replay.c_str() + p + flag.size());
    else if (ref.summary.contains("calibration"))
      window = ref.summary["calibration"].value("duration_us", 0LL);
    if (window > 0) ref.random_window_us = window;
  }
  return ref;
}

}  // namespace crashbench
