// The gate's counterexample rule and the checks it makes on its input files
// (declared in results/gate.h).
#include <map>
#include <set>
#include <string>

#include "harness/base/json_file.h"
#include "harness/contract/anomaly.h"
#include "results/gate.h"
#include "results/results.h"

namespace crashbench {
namespace {

using nlohmann::json;

const json& Field(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::string Str(const json& j, const char* key) {
  const json& v = Field(j, key);
  return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
}

bool PositiveViolation(const std::string& kind, const json& n) {
  auto k = AnomalyFromName(kind);
  return k && IsViolation(*k) && n.is_number_integer() && n.get<long long>() > 0;
}

// Each violation kind the scenario's trials show, with the first trial that
// shows it (null when the file's trials were trimmed and only its summary says).
std::map<std::string, const json*> ViolationKinds(const json& scenario) {
  static const json kNoTrial;
  std::map<std::string, const json*> kinds;
  for (const json& t : Field(scenario, "trials"))
    for (const auto& [kind, n] : Field(t, "anomalies").items())
      if (PositiveViolation(kind, n)) kinds.emplace(kind, &t);
  if (Field(scenario, "trials").empty())
    for (const auto& [kind, n] : Field(Field(scenario, "summary"), "anomalies").items())
      if (PositiveViolation(kind, n)) kinds.emplace(kind, &kNoTrial);
  return kinds;
}

}  // namespace

std::string TrialReplayLines(const json& trial, const std::string& scenario,
                             const std::string& replay_command) {
  std::string lines;
  const std::string index = Str(trial, "index");
  if (!replay_command.empty())
    lines += "\n      replay: " + replay_command + " " + ShellQuote(scenario + ":" + index);
  if (trial.contains("replay")) lines += "\n      rerun:  " + Str(trial, "replay");
  return lines;
}

std::vector<std::string> NewViolationKinds(const std::string& replay_command, const json& current,
                                           const json& baseline) {
  std::set<std::string> forbid;
  for (const json& k : Field(Field(current, "expect"), "forbid"))
    if (k.is_string()) forbid.insert(k.get<std::string>());
  const std::map<std::string, const json*> before = ViolationKinds(baseline);
  const size_t trials = Field(current, "trials").size();
  const size_t base_trials = Field(baseline, "trials").size();
  std::vector<std::string> messages;
  for (const auto& [kind, first] : ViolationKinds(current)) {
    if (before.count(kind) || forbid.count(kind)) continue;
    size_t in = 0;
    for (const json& t : Field(current, "trials"))
      in += PositiveViolation(kind, Field(Field(t, "anomalies"), kind.c_str()));
    std::string message = "new violation: " + kind + " in " + std::to_string(in) + " of " +
                          std::to_string(trials) + " trials, in none of the " +
                          std::to_string(base_trials) + " baseline trials";
    if (first->is_object() && first->contains("index"))
      message += "\n      first in trial " + Str(*first, "index") + ":" +
                 TrialReplayLines(*first, Str(current, "name"), replay_command);
    messages.push_back(message);
  }
  return messages;
}

Status CheckGateInput(const json& doc, const std::string& path) {
  const json& scenarios = Field(doc, "scenarios");
  for (size_t i = 0; i < scenarios.size(); ++i) {
    const json& trials = Field(scenarios[i], "trials");
    for (size_t j = 0; j < trials.size(); ++j) {
      const std::string where = path + ": scenarios[" + std::to_string(i) + "] ('" +
                                Excerpt(Str(scenarios[i], "name")) + "').trials[" +
                                std::to_string(j) + "]";
      if (!trials[j].is_object()) return Status::Error(where + ": not a trial object");
      const json& counts = Field(trials[j], "anomalies");
      if (counts.is_null()) continue;
      if (!counts.is_object())
        return Status::Error(where + ".anomalies: must be an object of counts, got " +
                             JsonExcerpt(counts));
      for (const auto& [kind, n] : counts.items())
        if (!n.is_number_integer() || n.get<long long>() < 0)
          return Status::Error(where + ".anomalies." + Excerpt(kind) +
                               ": must be a non-negative integer count, got " + JsonExcerpt(n));
    }
  }
  return Status::Ok();
}

}  // namespace crashbench
