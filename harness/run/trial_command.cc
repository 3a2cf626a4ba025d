// A command subject's trial body: setup, the old state, the run with the
// armed fault, the check that the fault fired where the calibration said it
// would, the restart, and the scenario's oracle over what is left.
#include <memory>

#include "harness/base/sys.h"
#include "harness/oracle/oracle.h"
#include "harness/persist/fs_state.h"
#include "harness/run/trial_internal.h"
#include "harness/subject/command_subject.h"

namespace crashbench::trial_internal {
namespace {

bool HasSyscallTrigger(const Scenario& s) {
  return s.fault.kind != "none" && s.fault.trigger.type == TriggerType::kSyscall;
}

// The signatures of the run's events that match the scenario's trigger.
std::vector<std::string> Matches(const Scenario& s, const std::vector<TapEvent>& events) {
  std::vector<std::string> out;
  const SyscallTrigger trigger = s.fault.trigger.syscall.value_or(SyscallTrigger{});
  for (const TapEvent& e : events)
    if (TriggerMatches(trigger, e)) out.push_back(EventSignature(e));
  return out;
}

// A syscall-triggered fault must fire at the event the fault-free run had at
// the same occurrence; anywhere else (or nowhere) the trial would judge
// another point than the one it names. "" when it did.
std::string Nondeterminism(const TrialPlan& plan, const nlohmann::json& fired) {
  const Calibration* cal = plan.calibration;
  if (plan.fault_free || !HasSyscallTrigger(*plan.scenario) || !cal) return "";
  const long long k = plan.armed.occurrence;
  if (k < 1 || k > static_cast<long long>(cal->syscall_matches.size())) return "";
  const std::string& expected = cal->syscall_matches[static_cast<size_t>(k - 1)];
  const std::string where =
      "matching event #" + std::to_string(k) + " of the fault-free run ('" + expected + "')";
  // A content-addressed trigger ("contains", or a point crashbench chose)
  // names the bytes, not the worker that happened to carry them: in a pool
  // any worker's write of the same bytes at the same place is the same point.
  const bool by_content =
      !plan.scenario->fault.trigger.syscall->contains.empty() || !plan.armed.syscall_point.empty();
  if (fired.is_null())
    return "nondeterministic subject: " + where + " never came in this run (" +
           (by_content ? "no call wrote those bytes there" : "it made fewer matching calls") + ")";
  const std::string got = fired.value("signature", "");
  if (SameEventPoint(got, expected)) return "";
  if (by_content && SameEventPoint(SignatureWithoutProcess(got), SignatureWithoutProcess(expected)))
    return "";
  return "nondeterministic subject: " + where + " was '" + got +
         "' in this run: the verdict would be about another point";
}

Result<std::optional<DirSnapshot>> SnapshotIf(bool wanted, const std::string& dir) {
  if (!wanted) return std::optional<DirSnapshot>();
  Result<DirSnapshot> snap = SnapshotDirectory(dir);
  if (!snap.ok()) return snap.status();
  return std::optional<DirSnapshot>(std::move(*snap));
}

// Exit 0 (of the run or of its restart) after a fault that acted, over
// output with a violation: the pipeline said all was well and it was not.
void AddSilentFailure(const SubjectRuns& runs, TrialResult* result) {
  long long violations = 0;
  for (const Anomaly& a : result->anomalies) violations += IsViolation(a.kind);
  const bool said_ok = runs.first.pipeline_ok || (runs.restart && runs.restart->pipeline_ok);
  if (runs.first.fired.is_null() || !said_ok || violations == 0) return;
  Anomaly a{AnomalyKind::kSilentFailure};
  a.detail = std::string(runs.first.pipeline_ok ? "the run" : "the restart") +
             " exited 0 after the fault acted, over output with " + std::to_string(violations) +
             " violation" + (violations == 1 ? "" : "s");
  result->anomalies.push_back(a);
}

// The oracle over the output directory, with what the runs acknowledged.
Status Judge(const TrialPlan& plan, const CommandSubject& subject, const SubjectRuns& runs,
             const std::set<long long>& acked, const std::optional<DirSnapshot>& old_state,
             TrialResult* result) {
  const Scenario& s = *plan.scenario;
  const OracleSpec& spec = s.subject->verify;
  const bool old_or_new = spec.kind == OracleKind::kOldOrNew;
  // The "new" state: this very run's output in a fault-free run (calibration),
  // else what the calibration's fault-free run left.
  const std::string new_dir = plan.fault_free    ? plan.dir
                              : plan.calibration ? plan.calibration->new_state_dir
                                                 : "";
  if (old_or_new && new_dir.empty())
    return Status::Error("old-or-new: no fault-free run's output to compare with");
  Result<std::optional<DirSnapshot>> new_state = SnapshotIf(old_or_new, new_dir);
  if (!new_state.ok()) return new_state.status();
  RETURN_IF_ERROR(subject.WriteAckedFile(acked));
  OracleSpec oracle = spec;
  for (std::string& a : oracle.command) a = ReplaceOut(a, plan.dir);
  OracleInput in;
  in.out_dir = plan.dir;
  in.ack_file = subject.acked_file();
  in.acked = acked;
  in.tasks = s.workload.tasks;
  in.records_per_task = s.workload.records_per_task;
  in.exited_ok = runs.final_run().pipeline_ok;
  in.old_state = old_state ? &*old_state : nullptr;
  in.new_state = *new_state ? &**new_state : nullptr;
  in.deadline_ms = s.deadline_ms;
  Result<OracleReport> report = RunOracle(oracle, in);
  if (!report.ok()) return report.status();
  result->anomalies = std::move(report->anomalies);
  result->records_visible = report->records_visible;
  return Status::Ok();
}

}  // namespace

void RunCommandTrial(const TrialPlan& plan, const FaultSchedule& fault, TrialResult* result) {
  const Scenario& s = *plan.scenario;
  const std::string side = plan.dir + ".side";
  // side/work: "{work}", the command's scratch folder, never judged as output.
  if (Status st = MakeDirs(side + "/work"); !st.ok()) {
    result->error = st.message();
    return;
  }
  CommandSubject subject(s, plan.dir, side);
  if (Status st = subject.Setup(); !st.ok()) {
    result->error = st.message();
    return;
  }
  Result<std::optional<DirSnapshot>> old_state =
      SnapshotIf(s.subject->verify.kind == OracleKind::kOldOrNew, plan.dir);
  // Power loss: the run is recorded fault-free, from the state setup left.
  const bool record = fault.armed.impl && RecordsTheRun(*fault.armed.impl);
  Result<FsState> initial = record ? SnapshotFsState(plan.dir) : FsState{};
  if (!initial.ok()) {
    result->error = initial.status().message();
    return;
  }
  if (record) subject.RecordForPowerLoss();
  Result<SubjectOutcome> first =
      old_state.ok() ? subject.Run(record ? FaultSchedule{} : fault) : old_state.status();
  if (!first.ok()) {
    result->error = first.status().message();
    return;
  }
  if (plan.fault_free && HasSyscallTrigger(s))
    result->observed.syscall_matches = Matches(s, subject.last_events());
  SubjectRuns runs{std::move(*first), std::nullopt};
  std::set<long long> acked = AckedTasks(runs.first);
  if (std::string why = Nondeterminism(plan, runs.first.fired); !why.empty()) {
    result->error = why;  // no verdict: the anomalies would be about another point
    ListProcesses(runs, s, 0, &result->processes);
    AccountTasks(runs, acked, s.workload.tasks, result);
    return;
  }
  if (s.subject->restart && !plan.fault_free) {
    Result<SubjectOutcome> restart = subject.Restart({});
    if (!restart.ok()) {
      result->error = "restart: " + restart.status().message();
      return;
    }
    for (const auto& [task, at] : restart->acks) acked.insert(task);
    runs.restart = std::move(*restart);
  }
  if (Status st = Judge(plan, subject, runs, acked, *old_state, result); !st.ok()) {
    result->error = "verify: " + st.message();
    return;
  }
  AddHangs(runs, s.deadline_ms, &result->anomalies);
  AddSilentFailure(runs, result);
  ListProcesses(runs, s, 0, &result->processes);
  result->counts = CountAnomalies(result->anomalies);
  AccountTasks(runs, acked, s.workload.tasks, result);
  if (record && !runs.first.hang)
    JudgeRecordedRun(plan, *initial, subject.LastEventsWithAcks(), true, result);
}

}  // namespace crashbench::trial_internal
