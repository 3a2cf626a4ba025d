// A trial's body, in the trial process: the subject runs with the armed fault
// (and, for a scenario that resumes, the operator's restart after it), the
// verifier reads what it left, and the two become one TrialResult.
#include "harness/run/trial.h"

#include <fcntl.h>
#include <unistd.h>

#include <set>

#include "faults/registry.h"
#include "harness/contract/layout.h"
#include "harness/run/trial_internal.h"
#include "harness/subject/pool.h"
#include "harness/verify/verifier.h"

namespace crashbench {
namespace {

using namespace trial_internal;

// The fault's own set-up (a real full disk or OOM killer, where this machine
// allows it); null for a fault that has none, or no fault.
Result<std::unique_ptr<FaultScene>> PrepareScene(const Scenario& s, const std::string& dir,
                                                 const Fault* armed) {
  if (!armed) return std::unique_ptr<FaultScene>();
  const Workload& w = s.workload;
  const long long bytes = w.tasks * w.records_per_task * (w.record_bytes + 128) + w.tasks * 8192;
  return armed->PrepareScene({s.fault.method, dir, bytes});
}

// The operator's restart: the pipeline again with no fault, skipping every
// task whose output file is there. It takes those tasks for done, and so does
// the verifier. Adds to *acked what the restart acknowledged or skipped.
Status RunRestart(Subject& subject, const TrialPlan& plan, SubjectRuns* runs,
                  std::set<long long>* acked, TrialResult* result) {
  const long long tasks = plan.scenario->workload.tasks;
  std::set<long long> done;
  for (long long t = 0; t < tasks; ++t)
    if (::access((plan.dir + "/" + PerTaskFileName(t)).c_str(), F_OK) == 0) done.insert(t);
  Result<SubjectOutcome> restart = subject.Restart(done);
  if (!restart.ok()) return restart.status();
  result->resumed_tasks = tasks - static_cast<long long>(done.size());
  acked->insert(done.begin(), done.end());
  for (const auto& [task, at] : restart->acks) acked->insert(task);
  runs->restart = std::move(*restart);
  return Status::Ok();
}

}  // namespace

namespace trial_internal {

std::set<long long> AckedTasks(const SubjectOutcome& run) {
  std::set<long long> acked;
  for (const auto& [task, at] : run.acks) acked.insert(task);
  return acked;
}

void AddHangs(const SubjectRuns& runs, long long deadline_ms, std::vector<Anomaly>* anomalies) {
  for (const SubjectOutcome* run : {&runs.first, runs.restart ? &*runs.restart : nullptr}) {
    if (!run || !run->hang) continue;
    Anomaly a{AnomalyKind::kHang};
    a.detail = std::string(run == &runs.first ? "" : "the restart ") + "did not finish within " +
               std::to_string(deadline_ms) + " ms: " + run->hang_diagnosis;
    anomalies->push_back(a);
  }
}

// Lists every process of every run in *processes; returns whether a process
// of the final run died. A process died when it failed, or when the fault
// acted in it (an exit-no-flush writer exits 0, and a pool that reads exit
// statuses only takes that for success). A signal that reached an exited
// process acted nowhere. A death the subject's policy handled (a replaced
// worker) or that a restart followed was not hidden.
bool ListProcesses(const SubjectRuns& runs, const Scenario& s, int acted_pid,
                   nlohmann::json* processes) {
  bool any_died = false;
  for (const SubjectOutcome* run : {&runs.first, runs.restart ? &*runs.restart : nullptr}) {
    if (!run) continue;
    for (const ProcessEnd& p : run->processes) {
      if (run == &runs.final_run())
        any_died |= !p.handled && (p.failed || (acted_pid != 0 && p.pid == acted_pid));
      nlohmann::json pj = {{"role", (run == &runs.first ? "" : "restart-") + p.role},
                           {"index", p.index},
                           {"pid", p.pid},
                           {"end", p.end}};
      if (!p.place.empty()) pj["place"] = p.place;
      if (p.handled) pj["handled"] = std::string(WorkerDeathPolicyName(s.on_worker_death));
      processes->push_back(pj);
    }
  }
  return any_died;
}

// What became of the tasks, and what the runs measured.
void AccountTasks(const SubjectRuns& runs, const std::set<long long>& acked, long long tasks,
                  TrialResult* result) {
  const SubjectOutcome& first = runs.first;
  const SubjectOutcome& final_run = runs.final_run();
  result->fired = first.fired;
  result->acked_tasks = static_cast<long long>(acked.size());
  std::set<long long> resolved = acked;
  result->failed_tasks = 0;
  for (const auto& [task, why] : final_run.failed_tasks) {
    ++result->failed_tasks;
    resolved.insert(task);
  }
  long long lost = 0;
  for (long long t = 0; t < tasks; ++t) lost += !resolved.count(t);
  result->lost_tasks = lost;
  result->lost_in_flight = static_cast<long long>(first.lost_in_flight.size());
  result->retried_tasks = 0;
  for (const SubjectOutcome* run : {&first, runs.restart ? &*runs.restart : nullptr})
    if (run && run->pool_stats) result->retried_tasks += run->pool_stats->retried;
  result->pipeline_ok = final_run.pipeline_ok;
  result->duration_ms = static_cast<double>(first.duration_us) / 1000.0;
  result->observed.duration_us = first.duration_us;
  result->observed.trigger_sites = first.trigger_sites;
  if (first.pool_stats) {
    result->task_latency_us = first.pool_stats->task_latency_us;
    result->stage_ns = first.pool_stats->stage_ns;
  }
}

}  // namespace trial_internal

namespace {

// The anomalies the subject's runs show beyond what the verifier found.
void JudgeRuns(const SubjectRuns& runs, const Scenario& s, const Fault& impl, TrialResult* result) {
  AddHangs(runs, s.deadline_ms, &result->anomalies);
  const SubjectOutcome& first = runs.first;
  const int acted_pid =
      first.fired.is_object() && impl.ends_process() ? first.fired.value("acted_pid", 0) : 0;
  const bool any_died = ListProcesses(runs, s, acted_pid, &result->processes);
  if (runs.final_run().pipeline_ok && any_died) {
    Anomaly a{AnomalyKind::kSilentFailure};
    a.detail = "a process died but the pipeline reported success";
    result->anomalies.push_back(a);
  }
}

// The supervisor's stage times join the trial's (--profile).
void AddPoolProfile(const SubjectOutcome& run, TrialClock& clock) {
  if (!run.pool_stats) return;
  for (int i = 0; i < kNumTrialStages; ++i)
    clock.Add(static_cast<TrialStage>(i), run.pool_stats->profile.all()[static_cast<size_t>(i)]);
}

// Everything between the fault scene's preparation and its tear-down; sets
// result->error when the harness could not finish the trial.
void RunAndVerify(const TrialPlan& plan, const FaultSchedule& fault, FaultScene* scene,
                  const Fault& impl, TrialClock& clock, TrialResult* result,
                  const std::string& ack_file = "") {
  const Scenario& s = *plan.scenario;
  std::unique_ptr<Subject> subject = MakePoolSubject(s, plan.dir, plan.self_exe, ack_file);
  Result<SubjectOutcome> first = subject->Run(fault);
  if (first.ok()) AddPoolProfile(*first, clock);
  if (!first.ok()) {
    result->error = first.status().message();
    return;
  }
  if (scene) scene->BeforeReading();  // space is freed before anyone reads or restarts
  SubjectRuns runs{std::move(*first), std::nullopt};
  std::set<long long> acked = AckedTasks(runs.first);
  if (s.resume == Resume::kSkipExisting && !plan.fault_free) {
    Status st = RunRestart(*subject, plan, &runs, &acked, result);
    if (runs.restart) AddPoolProfile(*runs.restart, clock);
    if (!st.ok()) {
      result->error = "restart: " + st.message();
      return;
    }
  }
  TrialStageTimer verifying(clock, TrialStage::kVerify);
  VerifyOptions vo;
  vo.layout = FindStrategy(s.strategy)->layout;
  vo.tasks = s.workload.tasks;
  vo.records_per_task = s.workload.records_per_task;
  vo.acked = acked;
  Result<VerifyReport> report = VerifyDirectory(plan.dir, vo);
  if (!report.ok()) {
    result->error = report.status().message();
    return;
  }
  result->anomalies = std::move(report->anomalies);
  result->records_visible = report->records_visible;
  JudgeRuns(runs, s, impl, result);
  result->counts = CountAnomalies(result->anomalies);
  AccountTasks(runs, acked, s.workload.tasks, result);
}

}  // namespace

TrialResult RunTrialHere(const TrialPlan& plan) {
  const Scenario& s = *plan.scenario;
  TrialResult result;
  result.index = plan.index;
  result.seed = plan.seed;
  const FaultInfo* fault_info = FindFault(plan.fault_free ? "none" : s.fault.kind);
  std::unique_ptr<Fault> impl = fault_info->make();
  FaultSchedule fault{plan.armed, std::string(fault_info->name), ""};
  fault.armed.impl = fault_info->name == "none" ? nullptr : impl.get();
  if (s.subject) {  // no scene: the tap fails a command's calls itself
    RunCommandTrial(plan, fault, &result);
    return result;
  }
  TrialClock clock;
  if (fault.armed.impl && RecordsTheRun(*impl)) {  // power loss: a recorded fault-free run
    const std::unique_ptr<Fault> none = FindFault("none")->make();
    const FaultSchedule no_fault;
    RunRecordedPoolTrial(
        plan,
        [&](const std::string& ack_file, TrialResult* r) {
          RunAndVerify(plan, no_fault, nullptr, *none, clock, r, ack_file);
        },
        &result);
    return result;
  }
  const long long set_up_at = StageNowNanos();
  Result<std::unique_ptr<FaultScene>> scene = PrepareScene(s, plan.dir, fault.armed.impl);
  clock.Add(TrialStage::kSetUp, StageNowNanos() - set_up_at);
  if (!scene.ok()) {
    result.error = scene.status().message();
    return result;
  }
  if (*scene) fault.method = (*scene)->method();
  RunAndVerify(plan, fault, scene->get(), *impl, clock, &result);
  {
    TrialStageTimer tear_down(clock, TrialStage::kReap);
    Status torn = *scene ? (*scene)->TearDown() : Status::Ok();
    if (!torn.ok() && result.error.empty()) result.error = "fault tear-down: " + torn.message();
  }
  result.profile_ns.assign(clock.all().begin(), clock.all().end());
  return result;
}

Result<TrialJob> TrialJob::Start(const TrialPlan& plan) {
  TrialJob job;
  UniqueFd w;
  RETURN_IF_ERROR(MakePipe(&job.result_r_, &w));
  int flags = ::fcntl(job.result_r_.get(), F_GETFL);
  ::fcntl(job.result_r_.get(), F_SETFL, flags | O_NONBLOCK);
  const int wfd = w.get();
  const std::string log = plan.dir + ".stderr";
  std::fflush(nullptr);
  const long long fork_at = StageNowNanos();
  Result<Child> child = ForkChild({wfd}, /*new_group=*/true, [&] {
    const long long started_at = StageNowNanos();
    // What the trial's processes print (a failed assertion, std::bad_alloc)
    // goes to a log beside the output directory, not onto crashbench's own
    // output; its first lines travel with the result.
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    TrialResult r = RunTrialHere(plan);
    if (Result<std::string> text = ReadFileToString(log); text.ok() && !text->empty())
      r.stderr_head = text->substr(0, 400);
    r.profile_ns.resize(kNumTrialStages);  // a command subject's trial times none of its own
    r.profile_ns[static_cast<size_t>(TrialStage::kForkTrial)] = started_at - fork_at;
    r.result_ready_ns = StageNowNanos();
    std::string text = TrialResultToJson(r, true).dump();
    ::_exit(WriteFull(wfd, text.data(), text.size()).ok() ? 0 : 1);
  });
  if (!child.ok()) return child.status();
  job.child_ = std::move(*child);
  return job;
}

bool TrialJob::ReadSome() {
  char buf[65536];
  for (;;) {
    ssize_t n = RetryOnEintr([&] { return ::read(result_r_.get(), buf, sizeof buf); });
    if (n > 0) {
      received_.append(buf, static_cast<size_t>(n));
      continue;
    }
    return n == 0 || errno != EAGAIN;
  }
}

TrialResult TrialJob::Finish(const TrialPlan& plan) {
  child_.Reap();
  nlohmann::json j = nlohmann::json::parse(received_, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    TrialResult r;
    r.index = plan.index;
    r.seed = plan.seed;
    r.error = "trial process " + child_.Describe() + " without a result";
    return r;
  }
  return TrialResultFromJson(j);
}

}  // namespace crashbench
