// A command subject: a program crashbench did not write, named in a scenario
// in place of a built-in strategy, with how it acknowledges work, whether it
// is restarted after the fault, and the oracle that judges its output.
//
//   {"name": "job", "subject": {"command": ["python3", "{scenario_dir}/job.py", "{out}"],
//                               "setup": ["cp", "{scenario_dir}/old.csv", "{out}/data.csv"],
//                               "env": {"JOB_MODE": "fast"}},
//    "acks": {"stdout": "^done (\\d+)$"}, "restart": true,
//    "verify": {"oracle": "old-or-new", "files": ["data.csv"]}, ...}
//
// "{scenario_dir}" (the scenario file's folder, absolute) is replaced when
// the file is parsed, so a stored scenario (results.json) runs the same
// program from anywhere; "{out}" (the trial's output directory) and "{work}"
// (a scratch folder of the trial's own beside it, never judged as output:
// where a setup puts a command's input) when a run starts (ReplaceOut).
#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/inject/fault.h"
#include "harness/oracle/oracle.h"

namespace crashbench {

struct SubjectSpec {
  std::vector<std::string> command;  // argv; argv[0] looked up in PATH
  std::vector<std::string> setup;    // run fault-free before each trial; empty: none
  std::map<std::string, std::string> env;
  std::string ack_stdout_regex;  // "" : acknowledgements only through $CRASHBENCH_ACK_FILE
  bool restart = false;          // run the command again, fault-free, after the faulted run
  OracleSpec verify;
};

// What a command subject offers the faults aimed at it: a signal to any of
// its processes, and a stop at any of its file-changing system calls (the
// syscall tap). No hook inside the program, no result pipe of the harness's.
inline constexpr FaultHost kCommandSubjectHost = {
    "a command subject", {FaultNeed::kSignal, FaultNeed::kSyscallStop, FaultNeed::kRecordedRun}};

// The top-level keys that belong to a command subject, and those that belong
// to a built-in strategy only.
inline constexpr const char* kSubjectScenarioKeys[] = {"subject", "acks", "restart", "verify"};

// Reads the subject keys of one scenario object. nullopt: the scenario has no
// "subject" (then "acks", "restart" and "verify" are refused too). Errors
// start with `where` ("x.json: scenario 'job'") and name the key and the
// valid choices. scenario_dir: the absolute folder of the scenario file.
Result<std::optional<SubjectSpec>> ParseSubjectKeys(const nlohmann::json& scenario,
                                                    const std::string& where,
                                                    const std::string& scenario_dir);

// The scenario file's folder, absolute ("" source: the working directory).
std::string ScenarioDirOf(const std::string& source);

// Adds "subject", "acks", "restart" and "verify" to a scenario's JSON, so
// that ParseSubjectKeys reads back the same spec.
void SubjectKeysToJson(const SubjectSpec& spec, nlohmann::json* scenario);

struct Scenario;
// The checks only a scenario with a subject needs (ValidateScenario calls it
// after the common ones): no pool settings, a fault the subject can host
// (kCommandSubjectHost) at a target a command has.
Status ValidateSubjectScenario(const Scenario& s, const Fault& fault);

// Every "{out}" in text replaced by out_dir, and every "{work}" by work_dir.
std::string ReplaceOut(std::string text, const std::string& out_dir,
                       const std::string& work_dir = "");

}  // namespace crashbench
