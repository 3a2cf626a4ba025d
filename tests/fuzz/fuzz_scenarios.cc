// libFuzzer target: the scenario parser (ParseScenarios) on any bytes.
//
// Beyond "no crash, no leak, no hang", it checks the round trip that replay
// and recover rely on: a scenario the parser accepted, written back with
// ScenarioToJson (as results.json stores it), parses again to the same
// scenario.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "scenarios/scenario.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_scenarios: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crashbench;
  const std::string text(reinterpret_cast<const char*>(data), size);
  Result<std::vector<Scenario>> parsed = ParseScenarios(text, "fuzz.json");
  if (!parsed.ok()) {
    if (parsed.status().message().rfind("fuzz.json", 0) != 0)
      Fail("an error that does not name the file", parsed.status().message());
    return 0;
  }
  for (Scenario& s : *parsed) {
    const nlohmann::json stored = ScenarioToJson(s);
    (void)FaultLabel(s.fault);
    Result<std::vector<Scenario>> again = ParseScenarios(stored.dump(), "stored.json");
    if (!again.ok()) Fail("a stored scenario does not parse again", again.status().message());
    if (again->size() != 1 || ScenarioToJson(again->front()) != stored)
      Fail("a stored scenario parses to another one", stored.dump());
    if (!ValidateScenario(&s).ok()) Fail("an accepted scenario fails ValidateScenario", s.name);
  }
  return 0;
}
