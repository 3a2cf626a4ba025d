// One trial of a results file, named on the command line as SCENARIO:INDEX
// (or INDEX alone when the file holds one scenario), with everything needed
// to run it again: the scenario's full definition comes from the results
// file itself, so neither the scenario file nor the built-in matrix is read.
//
//   Result<TrialRef> ref = FindTrial("out/results.json", "naive/sigkill@mid-record:3");
//   RunOptions opt = ...; opt.only_trial = ref->index; opt.random_window_us =
//   ref->random_window_us;
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "scenarios/scenario.h"

namespace crashbench {

struct TrialRef {
  Scenario scenario;  // as it ran; trials covers index
  int index = 0;
  nlohmann::json trial;                       // the trial's object in the results file
  nlohmann::json summary;                     // its scenario's summary
  std::optional<long long> random_window_us;  // random triggers: the window the run drew from
  // syscall triggers: the original fault-free run's matching calls
  std::optional<std::vector<std::string>> syscall_matches;
  bool explore = false;  // the run enumerated points with --explore
};

// Errors name the file and list the valid scenarios and indices.
Result<TrialRef> FindTrial(const std::string& results_path, const std::string& id);
// The same in a document already read (and checked against the schema: the
// commands read it through LoadResultsFile); results_path names it in errors.
Result<TrialRef> FindTrial(const nlohmann::json& doc, const std::string& results_path,
                           const std::string& id);

// A scenario as results.json stores it (results/SCHEMA.md), parsed back
// through the same parser `crashbench run` uses, with `trials` trials. Every
// stored key except the few results.json adds (fault_label, source, summary,
// costs, trials) goes to the parser: a scenario key added later is carried
// without a change here, and a results-only key added later without being
// listed here is refused by the parser as unknown rather than dropped.
// Errors name `path`.
Result<Scenario> ScenarioFromResults(const nlohmann::json& stored, long long trials,
                                     const std::string& path);

// The path of this very binary (for workers started with spawn).
std::string SelfExecutable();

}  // namespace crashbench
