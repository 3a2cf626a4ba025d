// What the two kinds of trial body share (trial.cc: the built-in pool judged
// by the verifier; trial_command.cc: a command subject judged by its oracle).
// Private to harness/run.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <vector>

#include "harness/persist/fs_state.h"
#include "harness/run/trial.h"
#include "harness/subject/subject.h"
#include "harness/tap/tap.h"

namespace crashbench::trial_internal {

// The subject's first run, and the restart after it when the scenario has one.
struct SubjectRuns {
  SubjectOutcome first;
  std::optional<SubjectOutcome> restart;
  // The process statuses and task outcomes the pipeline finally reports.
  const SubjectOutcome& final_run() const { return restart ? *restart : first; }
};

std::set<long long> AckedTasks(const SubjectOutcome& run);
// A hang anomaly for each run that did not end by the deadline.
void AddHangs(const SubjectRuns& runs, long long deadline_ms, std::vector<Anomaly>* anomalies);
// Lists every process of every run in *processes; returns whether a process
// of the final run died (failed, or the fault acted in acted_pid).
bool ListProcesses(const SubjectRuns& runs, const Scenario& s, int acted_pid,
                   nlohmann::json* processes);
// What became of the tasks, and what the runs measured.
void AccountTasks(const SubjectRuns& runs, const std::set<long long>& acked, long long tasks,
                  TrialResult* result);

// A command subject's trial body (trial_command.cc): setup, the run with the
// fault, the restart, the oracle. Sets result->error when the harness could
// not finish it.
void RunCommandTrial(const TrialPlan& plan, const FaultSchedule& fault, TrialResult* result);

// Power loss (trial_power_loss.cc). Whether the fault is judged on a
// recorded run rather than injected into one.
bool RecordsTheRun(const Fault& fault);
// The recorded run's log (events from the tap, acks among them as lines of
// an extra watched file) checked against the directory and its crash states
// judged; adds crash_states, power_loss and the findings to *result, or marks
// it inconclusive.
void JudgeRecordedRun(const TrialPlan& plan, const FsState& initial,
                      const std::vector<TapEvent>& events, bool skip_fsync, TrialResult* result);
// The pool's fault-free trial body (run and verify), told where to append
// its acknowledgements.
using RecordedBody = std::function<void(const std::string& ack_file, TrialResult* result)>;
// Runs body as a traced function and judges the recording.
void RunRecordedPoolTrial(const TrialPlan& plan, const RecordedBody& body, TrialResult* result);

}  // namespace crashbench::trial_internal
