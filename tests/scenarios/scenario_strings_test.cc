// Hostile scenario text: names, long strings, duplicate keys, deep values.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scenarios/default_matrix.h"
#include "scenarios/scenario.h"

namespace crashbench {
namespace {

std::string Error(const std::string& text) {
  Result<std::vector<Scenario>> r = ParseScenarios(text, "x.json");
  EXPECT_FALSE(r.ok()) << "parsed: " << text.substr(0, 200);
  return r.ok() ? "" : r.status().message();
}

std::string WithName(const std::string& name) {
  return nlohmann::json{{"name", name}, {"strategy", "naive"}}.dump();
}

bool Has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(ScenarioName, EmptyIsRefused) {
  EXPECT_EQ(Error(WithName("")),
            "x.json: scenario '#1': name: is empty: a scenario name is 1 to 200 characters on "
            "one line, without control characters");
}

TEST(ScenarioName, ControlCharactersAreRefused) {
  for (const std::string bad : {"a\nb", "a\rb", "tab\there", "bell\x07", "del\x7f", "c1\xc2\x85"}) {
    const std::string e = Error(WithName(bad));
    EXPECT_TRUE(Has(e, "x.json: scenario '#1': name: holds a control character")) << e;
    EXPECT_FALSE(Has(e, "\n")) << "the message itself stays on one line: " << e;
  }
}

TEST(ScenarioName, LengthIsCountedInCharacters) {
  EXPECT_TRUE(ParseScenarios(WithName(std::string(200, 'a')), "x.json").ok());
  std::string accented;
  for (int i = 0; i < 200; ++i) accented += "\xc3\xa9";  // é, two bytes each
  EXPECT_TRUE(ParseScenarios(WithName(accented), "x.json").ok());
  EXPECT_TRUE(Has(Error(WithName(std::string(201, 'a'))), "name: is 201 characters long"));
}

TEST(ScenarioName, EveryBuiltInNameFollowsTheRule) {
  for (bool quick : {true, false})
    for (const Scenario& s : DefaultMatrix(quick))
      EXPECT_TRUE(CheckScenarioName(s.name).ok()) << s.name;
}

TEST(ScenarioText, LongStringsAreRefusedWithoutEchoingThem) {
  const std::string e = Error(WithName(std::string(10 << 20, 'a')));
  EXPECT_TRUE(Has(e, "x.json:1:9: a string of 10485760 bytes, longer than the limit of 4096")) << e;
  EXPECT_LT(e.size(), 300u);
  const std::string key =
      Error(R"({"name":"a","strategy":"naive",")" + std::string(4000, 'k') + R"(":1})");
  EXPECT_TRUE(Has(key, "unknown key 'kkkk")) << key;
  EXPECT_LT(key.size(), 400u);
}

TEST(ScenarioText, WrongTypedValuesAreNotEchoedWhole) {
  nlohmann::json wide = nlohmann::json::array();
  for (int i = 0; i < 100000; ++i) wide.push_back(i);
  const std::string e =
      Error(nlohmann::json{{"name", "a"}, {"strategy", "naive"}, {"workers", wide}}.dump());
  EXPECT_EQ(e,
            "x.json: scenario 'a': workers: must be an integer, got an array of 100000 elements");
  const std::string name = Error(nlohmann::json{{"name", wide}, {"strategy", "naive"}}.dump());
  EXPECT_EQ(name, "x.json: scenario '#1': name: must be a string, got an array of 100000 elements");
}

TEST(ScenarioText, DuplicateKeyIsRefusedNamingBothPlaces) {
  EXPECT_EQ(Error("{\"name\": \"a\", \"strategy\": \"naive\",\n \"trials\": 1, \"trials\": 2}"),
            "x.json:2:15: duplicate key \"trials\" (first at 2:2): a key may appear only once in "
            "an object");
}

TEST(ScenarioText, DeepValueIsRefusedNotFollowed) {
  const std::string e = Error(R"({"name": )" + std::string(100000, '[') + std::string(100000, ']') +
                              R"(, "strategy": "naive"})");
  EXPECT_EQ(e, "x.json:1:73: nested deeper than 64 levels");
}

}  // namespace
}  // namespace crashbench
