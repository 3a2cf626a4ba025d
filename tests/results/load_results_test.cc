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
