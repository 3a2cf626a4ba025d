#include "scenarios/scenario.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace crashbench {
namespace {

std::string Error(const std::string& text) {
  Result<std::vector<Scenario>> r = ParseScenarios(text, "x.json");
  EXPECT_FALSE(r.ok()) << "parsed: " << text;
  return r.ok() ? "" : r.status().message();
}

TEST(Scenario, ParsesTheDesignExample) {
  auto r = ParseScenarios(R"({
    "name": "atomic-rename-sigkill-mid-record", "strategy": "atomic-rename",
    "options": {"fsync": "task"}, "workers": 4,
    "workload": {"tasks": 64, "records_per_task": 16, "record_bytes": 256},
    "fault": {"kind": "sigkill", "target": "worker", "trigger": {"point": "mid-record", "occurrence": 5}},
    "trials": 50, "seed": 42, "deadline_ms": 10000,
    "expect": {"forbid": ["torn", "interleaved", "corrupt", "duplicate", "lost-acked", "partial-visible", "hang"]}
  })",
                          "x.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Scenario& s = r->at(0);
  EXPECT_EQ(s.strategy, "atomic-rename");
  EXPECT_EQ(s.fault.trigger.type, TriggerType::kPoint);
  EXPECT_EQ(s.fault.trigger.point, FaultPoint::kMidRecord);
  EXPECT_EQ(*s.fault.trigger.occurrence, 5);
  EXPECT_EQ(s.trials, 50);
  EXPECT_EQ(s.forbid.size(), 7u);
}

TEST(Scenario, ArrayOfScenarios) {
  auto r = ParseScenarios(
      R"([{"name":"a","strategy":"naive"},{"name":"b","strategy":"queue-writer"}])", "x.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->size(), 2u);
  EXPECT_EQ(r->at(0).options.at("fsync"), "none");  // defaults filled in
}

TEST(Scenario, JsonErrorNamesFileLineAndColumn) {
  std::string e = Error("{\n  \"name\": \"a\",\n  \"strategy\": naive\n}");
  EXPECT_NE(e.find("x.json:3:"), std::string::npos) << e;
}

TEST(Scenario, UnknownKeyNamesKeyAndValidKeys) {
  std::string e = Error(R"({"name":"a","strategy":"naive","wrokers":2})");
  EXPECT_NE(e.find("'wrokers'"), std::string::npos) << e;
  EXPECT_NE(e.find("workers"), std::string::npos) << e;
  EXPECT_NE(e.find("x.json"), std::string::npos) << e;
}

TEST(Scenario, UnknownStrategyListsValidOnes) {
  std::string e = Error(R"({"name":"a","strategy":"yolo"})");
  EXPECT_NE(e.find("'yolo'"), std::string::npos) << e;
  EXPECT_NE(e.find("atomic-rename"), std::string::npos) << e;
}

TEST(Scenario, UnknownFaultTargetTriggerAndPointListValidOnes) {
  EXPECT_NE(Error(R"({"name":"a","strategy":"naive","fault":{"kind":"meteor"}})").find("sigkill"),
            std::string::npos);
  EXPECT_NE(
      Error(
          R"({"name":"a","strategy":"naive","fault":{"kind":"sigkill","target":"moon","trigger":{"random":true}}})")
          .find("all-workers"),
      std::string::npos);
  EXPECT_NE(
      Error(R"({"name":"a","strategy":"naive","fault":{"kind":"sigkill","trigger":{"when":1}}})")
          .find("after_records"),
      std::string::npos);
  EXPECT_NE(
      Error(
          R"({"name":"a","strategy":"naive","fault":{"kind":"sigkill","trigger":{"point":"lunch"}}})")
          .find("mid-record"),
      std::string::npos);
}

TEST(Scenario, UnknownOptionAndValueListValidOnes) {
  EXPECT_NE(Error(R"({"name":"a","strategy":"naive","options":{"fsink":"task"}})").find("fsync"),
            std::string::npos);
  EXPECT_NE(Error(R"({"name":"a","strategy":"naive","options":{"fsync":"always"}})").find("record"),
            std::string::npos);
}

TEST(Scenario, ImpossibleNumbersAreRefused) {
  EXPECT_NE(Error(R"({"name":"a","strategy":"naive","workers":0})").find("workers"),
            std::string::npos);
  EXPECT_NE(Error(R"({"name":"a","strategy":"naive","deadline_ms":0})").find("deadline_ms"),
            std::string::npos);
  EXPECT_NE(Error(R"({"name":"a","strategy":"naive","workload":{"record_bytes":-5}})")
                .find("record_bytes"),
            std::string::npos);
  EXPECT_NE(Error(R"({"name":"a","strategy":"naive","trials":1.5})").find("integer"),
            std::string::npos);
}

TEST(Scenario, FaultWithoutTriggerIsRefused) {
  EXPECT_NE(Error(R"({"name":"a","strategy":"naive","fault":{"kind":"sigkill"}})").find("trigger"),
            std::string::npos);
}

TEST(Scenario, WriterTargetNeedsAWriter) {
  EXPECT_NE(
      Error(
          R"({"name":"a","strategy":"naive","fault":{"kind":"sigkill","target":"writer","trigger":{"random":true}}})")
          .find("queue-writer"),
      std::string::npos);
}

TEST(Scenario, PoolPolicyAndResumeParseAndRoundTrip) {
  auto r = ParseScenarios(R"({"name":"a","strategy":"per-task-file","on_worker_death":"retry-task",
                              "resume":"skip-existing"})",
                          "x.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->at(0).on_worker_death, WorkerDeathPolicy::kRetryTask);
  EXPECT_EQ(r->at(0).resume, Resume::kSkipExisting);
  auto back = ParseScenarios(ScenarioToJson(r->at(0)).dump(), "y.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->at(0).on_worker_death, WorkerDeathPolicy::kRetryTask);
  EXPECT_EQ(back->at(0).resume, Resume::kSkipExisting);
}

TEST(Scenario, UnknownPoolPolicyOrResumeListsValidOnes) {
  std::string e = Error(R"({"name":"a","strategy":"naive","on_worker_death":"restart"})");
  EXPECT_NE(e.find("on_worker_death"), std::string::npos) << e;
  EXPECT_NE(e.find("fail-pool, fail-task, retry-task"), std::string::npos) << e;
  e = Error(R"({"name":"a","strategy":"per-task-file","resume":"always"})");
  EXPECT_NE(e.find("none, skip-existing"), std::string::npos) << e;
  e = Error(R"({"name":"a","strategy":"naive","resume":"skip-existing"})");
  EXPECT_NE(e.find("per-task-file, atomic-rename"), std::string::npos) << e;
}

TEST(Scenario, FaultMethodsAreCheckedPerFault) {
  auto r =
      ParseScenarios(R"({"name":"a","strategy":"naive","fault":{"kind":"disk-full","method":"tmpfs",
                              "trigger":{"point":"mid-record"}}})",
                     "x.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->at(0).fault.method, "tmpfs");
  std::string e = Error(R"({"name":"a","strategy":"naive","fault":{"kind":"oom","method":"tmpfs",
                              "trigger":{"point":"mid-record"}}})");
  EXPECT_NE(e.find("fault.method"), std::string::npos) << e;
  EXPECT_NE(e.find("auto, rlimit, cgroup"), std::string::npos) << e;
  e = Error(R"({"name":"a","strategy":"naive","fault":{"kind":"sigkill","method":"cgroup",
                 "trigger":{"point":"mid-record"}}})");
  EXPECT_NE(e.find("valid methods: auto"), std::string::npos) << e;
}

TEST(Scenario, DuplicateNamesAreRefused) {
  EXPECT_NE(
      Error(R"([{"name":"a","strategy":"naive"},{"name":"a","strategy":"naive"}])").find("twice"),
      std::string::npos);
}

TEST(Scenario, UnknownForbiddenKindListsValidOnes) {
  EXPECT_NE(
      Error(R"({"name":"a","strategy":"naive","expect":{"forbid":["tron"]}})").find("lost-acked"),
      std::string::npos);
}

// Guarantees (forbid) and demonstrations (show) are two lists; a kind is one or the other.
TEST(Scenario, ExpectShowParsesAndRoundTrips) {
  auto r = ParseScenarios(
      R"({"name":"a","strategy":"naive","expect":{"forbid":["hang"],"show":["interleaved"]}})",
      "x.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)[0].forbid, std::set<AnomalyKind>{AnomalyKind::kHang});
  EXPECT_EQ((*r)[0].show, std::set<AnomalyKind>{AnomalyKind::kInterleaved});
  const nlohmann::json j = ScenarioToJson((*r)[0]);
  EXPECT_EQ(j["expect"]["show"], nlohmann::json::array({"interleaved"}));
  auto back = ParseScenarios(j.dump(), "y.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ((*back)[0].show, (*r)[0].show);
  // show alone is enough; no expect at all leaves both empty.
  auto only_show =
      ParseScenarios(R"({"name":"a","strategy":"naive","expect":{"show":["torn"]}})", "x.json");
  ASSERT_TRUE(only_show.ok());
  EXPECT_TRUE((*only_show)[0].forbid.empty());
  EXPECT_EQ((*only_show)[0].show.size(), 1u);
}

TEST(Scenario, ExpectShowRefusalsNameThePlaceAndTheChoices) {
  const std::string unknown =
      Error(R"({"name":"a","strategy":"naive","expect":{"show":["tron"]}})");
  EXPECT_NE(unknown.find("x.json: scenario 'a': expect.show: unknown anomaly kind \"tron\""),
            std::string::npos)
      << unknown;
  EXPECT_NE(unknown.find("lost-acked"), std::string::npos) << unknown;
  const std::string not_array =
      Error(R"({"name":"a","strategy":"naive","expect":{"show":"torn"}})");
  EXPECT_NE(not_array.find("expect.show: must be an array of anomaly kinds"), std::string::npos)
      << not_array;
  const std::string both =
      Error(R"({"name":"a","strategy":"naive","expect":{"forbid":["torn"],"show":["torn"]}})");
  EXPECT_NE(both.find("expect.show: 'torn' is also in expect.forbid"), std::string::npos) << both;
  // Unknown keys under expect are still refused, naming the valid ones.
  const std::string key =
      Error(R"({"name":"a","strategy":"naive","expect":{"demonstrate":["torn"]}})");
  EXPECT_NE(key.find("demonstrate"), std::string::npos) << key;
  EXPECT_NE(key.find("forbid, show"), std::string::npos) << key;
}

}  // namespace
}  // namespace crashbench

#include <dirent.h>

namespace crashbench {
namespace {

// Every scenario file shipped in scenarios/ must load: a typo there would
// otherwise surface only when a user runs it.
TEST(Scenario, EveryShippedScenarioFileLoads) {
  const std::string dir = std::string(CRASHBENCH_SOURCE_DIR) + "/scenarios";
  DIR* d = opendir(dir.c_str());
  ASSERT_NE(d, nullptr);
  int files = 0;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() < 5 || name.substr(name.size() - 5) != ".json") continue;
    ++files;
    Result<std::vector<Scenario>> s = LoadScenarioFile(dir + "/" + name);
    EXPECT_TRUE(s.ok()) << name << ": " << s.status().message();
  }
  closedir(d);
  EXPECT_GE(files, 4);
}

}  // namespace
}  // namespace crashbench
