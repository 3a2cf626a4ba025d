// Helpers for end-to-end tests: build a scenario, run it through the real
// runner (real forked workers, real faults), and look at the findings.
#pragma once

#include <string>
#include <vector>

#include "harness/run/runner.h"
#include "scenarios/scenario.h"

namespace crashbench::testing {

Scenario MakeScenario(const std::string& strategy, int workers, Workload workload, int trials);
Scenario WithPointKill(Scenario s, FaultPoint point, std::optional<long long> occurrence = {});
Scenario WithRandomKill(Scenario s);

// Options for running scenarios in a test: 2 jobs, this build's binary, no
// machine-limit calibration.
RunOptions TestRunOptions();

// Runs the scenarios; checks that no trial hit a harness error.
RunOutcome RunAll(const std::vector<Scenario>& scenarios, bool keep = false, int jobs = 2);

// Whether trials' scratch directories ($TMPDIR or /tmp) are on a tmpfs, where
// fsync costs nothing: tests that need a slow fsync skip there.
bool ScratchOnTmpfs();

long long Count(const TrialResult& t, AnomalyKind kind);
// The diagnosis of the trial's hang ("" when it did not hang).
std::string HangDetail(const TrialResult& t);
long long TotalCount(const ScenarioResult& s, AnomalyKind kind);
int TrialsWithViolations(const ScenarioResult& s);
int TrialsFired(const ScenarioResult& s);
// "trial 3: torn 1, lost-unacked 2; ..." for failure messages.
std::string Describe(const ScenarioResult& s);
// Every pid the trials reported (workers and writers).
std::vector<int> ReportedPids(const RunOutcome& outcome);
// Live processes (zombies included) still in any trial's process group: a
// leak check that does not depend on pids being reused.
std::vector<int> ProcessesLeftInTrialGroups(const RunOutcome& outcome);

}  // namespace crashbench::testing
