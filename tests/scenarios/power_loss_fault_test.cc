// Fault "power-loss" in scenario files: a whole-run fault with model options,
// no target and no trigger; every wrong key or value is refused naming the
// file, the place and the valid choices.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "faults/registry.h"
#include "scenarios/scenario.h"

namespace crashbench {
namespace {

std::string WithFault(const std::string& fault) {
  return R"({"name":"pl","strategy":"atomic-rename","fault":)" + fault + "}";
}

std::string Error(const std::string& text) {
  Result<std::vector<Scenario>> r = ParseScenarios(text, "x.json");
  EXPECT_FALSE(r.ok()) << "parsed: " << text;
  return r.ok() ? "" : r.status().message();
}

TEST(PowerLossFault, DefaultsFillTheOptionsAndNoTriggerIsNeeded) {
  auto r = ParseScenarios(WithFault(R"({"kind":"power-loss"})"), "x.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const FaultSpec& f = r->at(0).fault;
  EXPECT_EQ(f.trigger.type, TriggerType::kNone);
  EXPECT_EQ(f.options.at("model"), "ext4-ordered");
  EXPECT_EQ(f.options.at("states"), "all");
  EXPECT_EQ(f.options.at("auto_da_alloc"), "on");
  EXPECT_EQ(f.options.at("cuts"), "all");
  EXPECT_EQ(FaultLabel(f), "power-loss@ext4-ordered");
}

TEST(PowerLossFault, OptionsAreKeptAndRoundTripThroughJson) {
  auto r = ParseScenarios(WithFault(R"({"kind":"power-loss","model":"lazyfs","states":200,
                                        "cuts":"persist"})"),
                          "x.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const FaultSpec& f = r->at(0).fault;
  EXPECT_EQ(f.options.at("states"), "200");
  EXPECT_EQ(FaultLabel(f), "power-loss@lazyfs/states=200/cuts=persist");
  const nlohmann::json j = FaultToJson(f);
  EXPECT_EQ(j["states"], 200);
  EXPECT_FALSE(j.contains("target"));
  EXPECT_FALSE(j.contains("trigger"));
  auto again = ParseScenarios(WithFault(j.dump()), "y.json");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->at(0).fault.options, f.options);
}

TEST(PowerLossFault, RefusesATargetOrATriggerNamingFilePlaceAndValidKeys) {
  for (const char* fault : {R"({"kind":"power-loss","target":"worker"})",
                            R"({"kind":"power-loss","trigger":{"random":true}})"}) {
    const std::string e = Error(WithFault(fault));
    EXPECT_NE(e.find("x.json: scenario 'pl': fault."), std::string::npos) << e;
    EXPECT_NE(e.find("fault 'power-loss' takes no"), std::string::npos) << e;
    EXPECT_NE(e.find("valid keys: kind, method, model, states, auto_da_alloc, cuts"),
              std::string::npos)
        << e;
  }
}

TEST(PowerLossFault, RefusesBadValuesNamingTheValidChoices) {
  std::string e = Error(WithFault(R"({"kind":"power-loss","model":"zfs"})"));
  EXPECT_NE(e.find("fault.model: 'zfs' is not a valid value (ext4-ordered, lazyfs, posix-weak, "
                   "prefix)"),
            std::string::npos)
      << e;
  e = Error(WithFault(R"({"kind":"power-loss","states":0})"));
  EXPECT_NE(e.find("fault.states: must be all, or a positive integer, got 0"), std::string::npos)
      << e;
  e = Error(WithFault(R"({"kind":"power-loss","states":"some"})"));
  EXPECT_NE(e.find("(all, or a positive integer)"), std::string::npos) << e;
  e = Error(WithFault(R"({"kind":"power-loss","model":"lazyfs","auto_da_alloc":"off"})"));
  EXPECT_NE(e.find("only the ext4-ordered model has it"), std::string::npos) << e;
  e = Error(WithFault(R"({"kind":"power-loss","modle":"lazyfs"})"));
  EXPECT_NE(e.find("unknown key 'modle'"), std::string::npos) << e;
}

TEST(PowerLossFault, OtherFaultsTakeNoModelOptions) {
  const std::string e = Error(WithFault(R"({"kind":"sigkill","model":"lazyfs",
                                             "trigger":{"random":true}})"));
  EXPECT_NE(e.find("unknown key 'model'"), std::string::npos) << e;
}

TEST(PowerLossFault, ACommandSubjectNeedsTheRecordsOracleAndNoRestart) {
  const std::string subject = R"({"name":"c","subject":{"command":["true"]},
    "fault":{"kind":"power-loss"},)";
  auto ok =
      ParseScenarios(subject + R"("verify":{"oracle":"records","layout":"per-task"}})", "x.json");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(FaultLabel(ok->at(0).fault), "power-loss@ext4-ordered");
  std::string e = Error(subject + R"("verify":{"oracle":"json","files":["*.json"]}})");
  EXPECT_NE(e.find("needs \"verify\": {\"oracle\": \"records\"}"), std::string::npos) << e;
  e = Error(subject + R"("restart":true,"verify":{"oracle":"records"}})");
  EXPECT_NE(e.find("takes no \"restart\""), std::string::npos) << e;
}

TEST(PowerLossFault, BuiltInCodeGetsTheDefaultsAtValidation) {
  Scenario s;
  s.name = "code";
  s.strategy = "naive";
  s.fault.kind = "power-loss";
  ASSERT_TRUE(ValidateScenario(&s).ok());
  EXPECT_EQ(s.fault.options.at("model"), "ext4-ordered");
  s.fault.trigger.type = TriggerType::kRandom;
  EXPECT_FALSE(ValidateScenario(&s).ok());
}

}  // namespace
}  // namespace crashbench
