// replay and shrink rebuild a trial's scenario from results.json alone: every
// key the scenario parser accepts must come back with the value that ran.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "harness/run/trial_ref.h"
#include "results/load_results.h"
#include "results/results.h"
#include "tests/test_util.h"

namespace crashbench {
namespace {

using nlohmann::json;

Scenario Base() {
  Result<std::vector<Scenario>> s = ParseScenarios(R"({"name": "base", "strategy": "per-task-file",
      "fault": {"kind": "sigkill", "trigger": {"point": "mid-record"}}})",
                                                   "base.json");
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s->front();
}

// Base() made a command subject: no pool keys, a fault a command can host.
void MakeCommand(Scenario* s) {
  s->strategy.clear();
  s->options.clear();
  s->subject = SubjectSpec{};
  s->subject->command = {"/usr/bin/python3", "/abs/job.py", "{out}"};
  s->subject->verify.kind = OracleKind::kJson;
  s->subject->verify.files = {"part-*.json"};
  s->fault.target = FaultTarget::kTree;
  s->fault.trigger = TriggerSpec{.type = TriggerType::kAfterMs, .after_ms = 5};
}

// Per top-level scenario key: a change away from Base()'s value.
const std::map<std::string, std::function<void(Scenario*)>>& NonDefaultValues() {
  static const std::map<std::string, std::function<void(Scenario*)>> kChanges = {
      {"name", [](Scenario* s) { s->name = "renamed/sigkill@mid-record"; }},
      {"strategy", [](Scenario* s) { s->strategy = "atomic-rename", s->options.clear(); }},
      {"options", [](Scenario* s) { s->options["fsync"] = "record"; }},
      {"workers", [](Scenario* s) { s->workers = 7; }},
      {"workload",
       [](Scenario* s) {
         s->workload = {3, 5, 100};
       }},
      {"fault",
       [](Scenario* s) {
         s->fault.target = FaultTarget::kAllWorkers;
         s->fault.trigger.point = FaultPoint::kAfterWrite;
         s->fault.trigger.occurrence = 2;
       }},
      {"trials", [](Scenario* s) { s->trials = 3; }},
      {"seed", [](Scenario* s) { s->seed = 123456789; }},
      {"deadline_ms", [](Scenario* s) { s->deadline_ms = 4321; }},
      {"expect",
       [](Scenario* s) {
         s->forbid = {AnomalyKind::kTorn, AnomalyKind::kDuplicate};
       }},
      {"start_method", [](Scenario* s) { s->start_method = StartMethod::kSpawn; }},
      {"on_worker_death", [](Scenario* s) { s->on_worker_death = WorkerDeathPolicy::kRetryTask; }},
      {"resume", [](Scenario* s) { s->resume = Resume::kSkipExisting; }},
      {"subject",
       [](Scenario* s) {
         MakeCommand(s);
         s->subject->setup = {"cp", "/abs/old.json", "{out}/part-0.json"};
         s->subject->env = {{"MODE", "fast"}};
       }},
      {"acks",
       [](Scenario* s) {
         MakeCommand(s);
         s->subject->ack_stdout_regex = "^done (\\d+)$";
       }},
      {"restart",
       [](Scenario* s) {
         MakeCommand(s);
         s->subject->restart = true;
       }},
      {"verify",
       [](Scenario* s) {
         MakeCommand(s);
         s->subject->verify.kind = OracleKind::kOldOrNew;
       }},
  };
  return kChanges;
}

TEST(ReplayScenario, EveryParserKeyHasANonDefaultCase) {
  std::set<std::string> parser_keys(std::begin(kScenarioKeys), std::end(kScenarioKeys));
  std::set<std::string> covered;
  for (const auto& [key, change] : NonDefaultValues()) covered.insert(key);
  EXPECT_EQ(parser_keys, covered) << "add a row to NonDefaultValues() for each new scenario key";
}

TEST(ReplayScenario, EveryKeyComesBackFromTheResultsFile) {
  for (const auto& [key, change] : NonDefaultValues()) {
    SCOPED_TRACE(key);
    Scenario s = Base();
    const json before = ScenarioToJson(s)[key];
    change(&s);
    ASSERT_TRUE(ValidateScenario(&s).ok()) << ValidateScenario(&s).message();
    ASSERT_NE(ScenarioToJson(s)[key], before) << "the change must leave the default";
    RunOutcome outcome;
    ScenarioResult sr{s};
    for (int i = 0; i < s.trials; ++i) sr.trials.push_back(TrialResult{.index = i});
    outcome.scenarios.push_back(sr);
    testing::ScratchDir dir;
    const std::string path = dir.path() + "/results.json";
    ASSERT_TRUE(WriteResultsFile(path, outcome, ReplayInfo{}).ok());
    Result<nlohmann::json> doc = LoadResultsFile(path);  // what run writes passes the schema
    ASSERT_TRUE(doc.ok()) << doc.status().message();
    Result<TrialRef> ref = FindTrial(*doc, path, s.name + ":0");
    ASSERT_TRUE(ref.ok()) << ref.status().message();
    EXPECT_EQ(ScenarioToJson(ref->scenario)[key], ScenarioToJson(s)[key]);
    EXPECT_EQ(ScenarioToJson(ref->scenario), ScenarioToJson(s));
  }
}

TEST(ReplayScenario, AnUnknownStoredKeyIsRefusedNotDropped) {
  json stored = ScenarioToJson(Base());
  stored["fault_label"] = "sigkill@mid-record";
  stored["summary"] = json::object();
  EXPECT_TRUE(ScenarioFromResults(stored, 1, "r.json").ok());
  stored["a_key_from_the_future"] = 1;
  Result<Scenario> s = ScenarioFromResults(stored, 1, "r.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("a_key_from_the_future"), std::string::npos)
      << s.status().message();
}

}  // namespace
}  // namespace crashbench
