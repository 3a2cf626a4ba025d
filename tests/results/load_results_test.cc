// The one results-file validator every reader shares: a file that breaks the
// schema is refused with the field's path, never read as empty or clean.
#include "results/load_results.h"

#include <gtest/gtest.h>

#include <functional>

namespace crashbench {
namespace {

using nlohmann::json;

json Valid() {
  return json::parse(R"({"schema_version": 1, "interrupted": false, "scenarios": [
    {"name": "a", "summary": {"trials": 1}, "trials": [
      {"index": 0, "anomalies": {"torn": 2, "lost-unacked": 0}, "violations": 2,
       "duration_ms": 1.5, "fired": null, "replay": "x", "details": []}]}]})");
}

std::string Why(const json& doc) {
  Status st = ValidateResultsDocument(doc, "r.json");
  return st.ok() ? "ok" : st.message();
}

TEST(LoadResults, AValidFilePasses) { EXPECT_EQ(Why(Valid()), "ok"); }

TEST(LoadResults, TrialsThatAreNotAnArrayAreRefused) {
  json doc = Valid();
  doc["scenarios"][0]["trials"] = "oops";
  EXPECT_EQ(Why(doc), R"(r.json: scenarios[0].trials: must be an array of trials, got "oops")");
}

TEST(LoadResults, AnAnomalyCountThatIsNotANumberIsRefused) {
  json doc = Valid();
  doc["scenarios"][0]["trials"][0]["anomalies"]["torn"] = "many";
  EXPECT_EQ(
      Why(doc),
      R"(r.json: scenarios[0].trials[0].anomalies.torn: must be a non-negative integer, got "many")");
  doc["scenarios"][0]["trials"][0]["anomalies"]["torn"] = -1;
  EXPECT_NE(Why(doc).find("anomalies.torn: must be a non-negative integer, got -1"),
            std::string::npos);
}

TEST(LoadResults, EachFieldPathIsNamed) {
  const std::vector<std::pair<std::function<void(json&)>, std::string>> cases = {
      {[](json& d) { d["scenarios"] = json::object(); }, "scenarios: must be an array"},
      {[](json& d) { d["scenarios"][0].erase("name"); }, "scenarios[0].name: missing"},
      {[](json& d) { d["scenarios"][0]["summary"] = 1; },
       "scenarios[0].summary: must be an object"},
      {[](json& d) { d["scenarios"][0]["trials"][0].erase("index"); },
       "scenarios[0].trials[0].index: missing"},
      {[](json& d) { d["scenarios"][0]["trials"][0]["index"] = "0"; },
       "scenarios[0].trials[0].index: must be a non-negative integer"},
      {[](json& d) { d["scenarios"][0]["trials"][0]["anomalies"] = json::array(); },
       "scenarios[0].trials[0].anomalies: must be an object"},
      {[](json& d) { d["scenarios"][0]["trials"][0]["anomalies"]["tron"] = 1; },
       "scenarios[0].trials[0].anomalies.tron: unknown anomaly kind (valid kinds: "},
      {[](json& d) { d["scenarios"][0]["trials"][0]["violations"] = 1.5; },
       "scenarios[0].trials[0].violations: must be a non-negative integer, got 1.5"},
      {[](json& d) { d["interrupted"] = "no"; }, "interrupted: must be true or false"},
  };
  for (const auto& [change, says] : cases) {
    json doc = Valid();
    change(doc);
    EXPECT_NE(Why(doc).find("r.json: " + says), std::string::npos) << Why(doc);
  }
}

}  // namespace
}  // namespace crashbench

namespace crashbench {
namespace {

nlohmann::json WithPowerLoss() {
  nlohmann::json doc = nlohmann::json::parse(R"({"schema_version": 1, "scenarios": [
    {"name": "pl", "trials": [
      {"index": 0, "anomalies": {"lost-acked": 13}, "violations": 13, "inconclusive": false,
       "crash_states": {"enumerated": 229, "distinct": 57, "checked": 57, "violating": 13,
                        "per_s": 53070.7, "complete": true},
       "power_loss": {"model": "ext4-ordered", "cuts": "all", "states_with": {"lost-acked": 13}}}]}]})");
  return doc;
}

std::string PowerLossWhy(const nlohmann::json& doc) {
  Status st = ValidateResultsDocument(doc, "r.json");
  return st.ok() ? "ok" : st.message();
}

TEST(LoadResults, APowerLossTrialsCrashStatesAreAccepted) {
  EXPECT_EQ(PowerLossWhy(WithPowerLoss()), "ok");
}

TEST(LoadResults, BadCrashStatesAreRefusedNamingTheField) {
  const std::vector<std::pair<std::function<void(nlohmann::json&)>, std::string>> cases = {
      {[](nlohmann::json& t) { t["crash_states"] = 3; },
       "trials[0].crash_states: must be an object {enumerated, distinct, checked, violating, "
       "per_s}, got 3"},
      {[](nlohmann::json& t) { t["crash_states"].erase("checked"); },
       "trials[0].crash_states.checked: missing (a non-negative integer)"},
      {[](nlohmann::json& t) { t["crash_states"]["violating"] = -1; },
       "trials[0].crash_states.violating: must be a non-negative integer, got -1"},
      {[](nlohmann::json& t) { t["crash_states"]["per_s"] = "fast"; },
       "trials[0].crash_states.per_s: must be a non-negative number, got \"fast\""},
      {[](nlohmann::json& t) { t["crash_states"].erase("per_s"); },
       "trials[0].crash_states.per_s: missing"},
      {[](nlohmann::json& t) { t["crash_states"]["violating"] = 58; },
       "trials[0].crash_states: must hold violating <= checked <= distinct"},
      {[](nlohmann::json& t) { t["inconclusive"] = "yes"; },
       "trials[0].inconclusive: must be true or false"},
      {[](nlohmann::json& t) { t["power_loss"] = nlohmann::json::array(); },
       "trials[0].power_loss: must be an object"},
  };
  for (const auto& [mutate, expected] : cases) {
    nlohmann::json doc = WithPowerLoss();
    mutate(doc["scenarios"][0]["trials"][0]);
    const std::string why = PowerLossWhy(doc);
    EXPECT_NE(why.find("r.json: scenarios[0]." + expected), std::string::npos) << why;
  }
}

}  // namespace
}  // namespace crashbench
