// The supervisor's run, step by step: set up the fault region, the strategy
// and the workers; the poll loop under one deadline; then what the pipeline
// reports. Worker slots are in pool_workers.cc, the fault in pool_fault.cc.
#include "harness/subject/pool.h"

#include <fcntl.h>
#include <signal.h>

#include <set>

#include "harness/subject/supervisor.h"

namespace crashbench {
namespace pool_internal {
namespace {

// The trial stage (crashbench run --profile) handling an event belongs to.
TrialStage ProfileStage(EventKind kind) {
  switch (kind) {
    case EventKind::kFireRequest:
      return TrialStage::kFault;
    case EventKind::kReports:
      return TrialStage::kDispatch;
    case EventKind::kWorkerExit:
    case EventKind::kWriterExit:
      return TrialStage::kReap;
  }
  return TrialStage::kReap;
}

}  // namespace

Result<SubjectOutcome> Supervisor::Run() {
  RETURN_IF_ERROR(SetUp());
  RETURN_IF_ERROR(Supervise());
  TrialStageTimer reaping(stats_.profile, TrialStage::kReap);
  SettleFired();
  ResolveTasks();
  Status torn_down = strategy_->TearDown();
  return Outcome(torn_down);
}

Status Supervisor::SetUp() {
  ::signal(SIGPIPE, SIG_IGN);    // a dead worker's pipe is an error value, not a signal
  BlockInProcessFaultSignals();  // inherited by every child until its handlers exist
  start_us_ = NowMicros();
  {
    TrialStageTimer t(stats_.profile, TrialStage::kSetUp);
    Result<FaultRegion> region = FaultRegion::Create();
    if (!region.ok()) return region.status();
    region_ = std::make_unique<FaultRegion>(std::move(*region));
    RETURN_IF_ERROR(MakePipe(&fire_r_, &fire_w_));
    RETURN_IF_ERROR(SetNonBlocking(fire_r_.get()));
    if (!c_.ack_file.empty()) {
      ack_file_ = UniqueFd(
          ::open(c_.ack_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_TRUNC | O_CLOEXEC, 0644));
      if (!ack_file_.valid()) return ErrnoStatus("cannot create " + c_.ack_file, errno);
    }
    strategy_ = c_.strategy->make();
    RETURN_IF_ERROR(strategy_->SetUp(c_.strategy_config, *this).Annotate("strategy set-up"));
  }
  workers_.resize(static_cast<size_t>(c_.workers));
  {
    TrialStageTimer t(stats_.profile, TrialStage::kForkWorkers);
    for (int i = 0; i < c_.workers; ++i) {
      Status s = StartWorker(i);
      if (!s.ok()) return s.Annotate("starting worker " + std::to_string(i));
    }
  }
  // Under fail-pool no worker starts after these; under the other policies a
  // replacement may, and it must inherit what the strategy shares, so the
  // strategy hears "no more workers" only once every worker has exited.
  if (c_.on_worker_death == WorkerDeathPolicy::kFailPool) NoMoreWorkers();
  TrialStageTimer t(stats_.profile, TrialStage::kDispatch);
  for (WorkerSlot& w : workers_) Dispatch(w);
  return Status::Ok();
}

void Supervisor::NoMoreWorkers() {
  strategy_->WorkersStarted();
  workers_final_ = true;
  fire_w_.Reset();  // the fire pipe ends once every process that could fire has
}

Status Supervisor::Supervise() {
  const Deadline deadline(start_us_, c_.deadline_ms * 1000);
  PollSet<Event> poll;
  while (!AllReaped()) {
    if (!workers_final_ && AllWorkersReaped()) {
      NoMoreWorkers();
      continue;
    }
    const long long now = NowMicros();
    if (deadline.Passed(now)) {
      TrialStageTimer t(stats_.profile, TrialStage::kReap);
      DeclareHang();
      break;
    }
    if (TimeTriggerDue(now)) {
      TrialStageTimer t(stats_.profile, TrialStage::kFault);
      OnTimeTrigger();
    }
    WatchEverything(poll);
    {
      TrialStageTimer t(stats_.profile, TrialStage::kWrites);
      RETURN_IF_ERROR(poll.Wait(WaitUs(deadline, now)));
    }
    for (const Event& event : poll.Ready()) {
      TrialStageTimer t(stats_.profile, ProfileStage(event.kind));
      Handle(event);
    }
  }
  if (!fired_ && fire_r_.valid()) {  // fired, but the byte was not read yet
    TrialStageTimer t(stats_.profile, TrialStage::kFault);
    OnFireRequest();
  }
  return Status::Ok();
}

void Supervisor::WatchEverything(PollSet<Event>& poll) const {
  poll.Clear();
  if (fire_r_.valid()) poll.Add(fire_r_.get(), {EventKind::kFireRequest});
  for (size_t i = 0; i < workers_.size(); ++i) {
    if (workers_[i].ack_r.valid() && !workers_[i].stalled)
      poll.Add(workers_[i].ack_r.get(), {EventKind::kReports, i});
    if (!workers_[i].child.reaped())
      poll.Add(workers_[i].child.pidfd(), {EventKind::kWorkerExit, i});
  }
  if (writer_ && !writer_->reaped()) poll.Add(writer_->pidfd(), {EventKind::kWriterExit});
}

// Until the deadline, or until a time trigger is due, whichever comes first.
long long Supervisor::WaitUs(const Deadline& deadline, long long now) const {
  long long wait_us = deadline.RemainingUs(now);
  if (c_.fault.impl && !fired_ &&
      (c_.fault.trigger == TriggerType::kRandom || c_.fault.trigger == TriggerType::kAfterMs))
    wait_us = std::min(wait_us, start_us_ + c_.fault.at_us - now);
  return wait_us;
}

void Supervisor::Handle(const Event& event) {
  switch (event.kind) {
    case EventKind::kFireRequest:
      OnFireRequest();
      return;
    case EventKind::kReports:
      DrainAcks(workers_[event.worker]);
      return;
    case EventKind::kWorkerExit:
      OnWorkerExit(event.worker);
      return;
    case EventKind::kWriterExit:
      if (writer_->TryReap() && writer_->Failed()) StopDispatching();
      return;
  }
}

void Supervisor::DeclareHang() {
  out_.hang = true;
  std::vector<TreeMember> tree;
  for (size_t i = 0; i < workers_.size(); ++i)
    tree.push_back({"worker " + std::to_string(i), &workers_[i].child});
  if (writer_) tree.push_back({"writer", writer_.get()});
  // Read where each is blocked first (a stopped process reads as stopped),
  // then stop the whole tree before any kill: a writer that sees its workers'
  // pipes close must not leave its join and write before its own SIGKILL.
  out_.hang_diagnosis = DescribeBlocked(tree);
  KillAndReap(tree);
  for (WorkerSlot& w : workers_) DrainAcks(w);  // what they reported before they were killed
}

void Supervisor::NameTheFault() {
  out_.fired["fault"] = c_.fault_kind;
  if (!c_.fault_method.empty()) out_.fired["method"] = c_.fault_method;
}

// Every task ends acknowledged or failed, unless the run hung.
void Supervisor::ResolveTasks() {
  if (!workers_final_) NoMoreWorkers();
  if (broken_ && !out_.hang) FailPendingTasks();
  // Retries no worker was left to take (the replacement bound was reached).
  if (!out_.hang)
    for (long long task : tasks_.TakeRetries())
      out_.failed_tasks.emplace_back(task, "not retried: no worker left to run it");
}

SubjectOutcome Supervisor::Outcome(const Status& torn_down) {
  out_.duration_us = Elapsed();
  out_.trigger_sites = CountTriggerSites(*region_->get());
  const bool any_failed = RecordProcessEnds();
  std::set<long long> acked;
  for (const auto& [task, at] : out_.acks) acked.insert(task);
  out_.pipeline_ok = !out_.hang && !any_failed && !died_early_ && out_.failed_tasks.empty() &&
                     torn_down.ok() &&
                     static_cast<long long>(acked.size() + c_.skip_tasks.size()) == c_.tasks;
  return std::move(out_);
}

// Returns whether a process failed in a way the pool's policy did not handle.
bool Supervisor::RecordProcessEnds() {
  bool any_failed = false;
  for (size_t i = 0; i < workers_.size(); ++i) {
    const Child& ch = workers_[i].child;
    out_.processes.push_back(
        {"worker", static_cast<int>(i), ch.pid(), ch.Describe(), ch.Failed(), workers_[i].handled});
    any_failed |= ch.Failed() && !workers_[i].handled;
  }
  if (writer_) {
    out_.processes.push_back({"writer", 0, writer_->pid(), writer_->Describe(), writer_->Failed()});
    any_failed |= writer_->Failed();
  }
  return any_failed;
}

}  // namespace pool_internal

Result<SubjectOutcome> RunPool(const PoolConfig& config) {
  pool_internal::Supervisor supervisor(config);
  return supervisor.Run();
}

}  // namespace crashbench
