// The results file (schema_version 1, see DESIGN.md and results/SCHEMA.md) and
// the console table, both built from one RunOutcome.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/run/runner.h"

namespace crashbench {

inline constexpr int kResultsSchemaVersion = 1;

struct ReplayInfo {
  std::string scenario_file;  // "" for the built-in matrix
  bool quick = false;         // the built-in matrix was the --quick one
  bool explore = false;       // trials were enumerated with --explore
  std::string overrides;  // command-line overrides in effect ("--trials 4 --start-method spawn")
  // For commands that work from any directory: this binary, the results file
  // being written and --scratch, each absolute ("" when not known or not given).
  std::string self_exe;
  std::string results_path;
  std::string scratch_parent;
};

nlohmann::json MachineContext(const RunOutcome& outcome);
// The results document, streamed trial by trial (spilled trials are read back
// from outcome.spill_path one at a time).
Status WriteResults(FILE* out, const RunOutcome& outcome, const ReplayInfo& replay);
// WriteResults into path with write-temp, fsync, rename, directory fsync.
Status WriteResultsFile(const std::string& path, const RunOutcome& outcome,
                        const ReplayInfo& replay);
// The one command that reruns trial `index` of the scenario, keeping its
// directory: `/abs/crashbench run /abs/file.json --scenario NAME --trial I
// --keep [--scratch DIR]`, runnable from any directory. Stored as each trial's
// "replay" in results.json.
std::string ReplayCommand(const ScenarioResult& sr, int index, const ReplayInfo& replay);
// `/abs/crashbench replay /abs/results.json --trial NAME:I [--scratch DIR]`:
// the same trial from the results file, with the damaged bytes shown.
std::string ReplayFromResultsCommand(const ScenarioResult& sr, int index, const ReplayInfo& replay);

// A scenario's "summary" object: counts, expectation, error, calibration.
nlohmann::json ScenarioSummary(const ScenarioResult& sr);

// strategy x fault: "trials with violations / trials" and the worst kinds.
std::string RenderTable(const RunOutcome& outcome);
// One line per trial whose expectation failed, with its replay command (at most `max`).
std::string RenderFailures(const RunOutcome& outcome, const ReplayInfo& replay, int max);

// Exit code for a run, as DESIGN.md says: 2 input error, 1 an expectation
// failed, 3 the harness failed or the run was interrupted, else 0.
int RunExitCode(const RunOutcome& outcome);

}  // namespace crashbench
