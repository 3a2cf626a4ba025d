// The supervisor's worker slots and task bookkeeping: starting workers (and a
// strategy's writer), handing out tasks, reading reports, and the pool's
// policy when a worker dies.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <set>

#include "harness/subject/supervisor.h"
#include "harness/subject/worker.h"

namespace crashbench::pool_internal {
namespace {

// Before a fork, what Python's multiprocessing does (util._flush_std_streams):
// stdout and stderr only. A strategy's own streams keep what they buffered,
// and every child gets a copy of it, as in the programs modelled (fflush(NULL)
// here would hide shared-handle's header=stdio duplicates).
void FlushStdStreams() {
  std::fflush(stdout);
  std::fflush(stderr);
}

}  // namespace

Status SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
    return ErrnoStatus("fcntl", errno);
  return Status::Ok();
}

Status Supervisor::StartWriter(const std::vector<int>& keep_fds,
                               std::function<int(WorkerContext&)> body) {
  std::vector<int> keep = keep_fds;
  keep.push_back(fire_w_.get());
  keep.push_back(region_->fd());
  FlushStdStreams();
  Result<Child> child = ForkChild(keep, false, [&] {
    InstallInProcessFaultHandlers(region_->get());
    FaultAgent agent(c_.fault, region_->get(), Role::kWriter, 0, fire_w_.get());
    WorkerContext ctx(c_.strategy_config, &agent, {});
    ::_exit(body(ctx));
  });
  if (!child.ok()) return child.status();
  writer_ = std::make_unique<Child>(std::move(*child));
  return Status::Ok();
}

Status Supervisor::StartWorker(int index) {
  UniqueFd task_r, task_w, ack_r, ack_w;
  RETURN_IF_ERROR(MakePipe(&task_r, &task_w));
  RETURN_IF_ERROR(MakePipe(&ack_r, &ack_w));
  WorkerFds fds{task_r.get(), ack_w.get(), fire_w_.get(), region_->fd(), shared_fds_};
  std::vector<int> keep = {fds.task, fds.ack, fds.fire, fds.region};
  keep.insert(keep.end(), shared_fds_.begin(), shared_fds_.end());
  // Everything the child needs is built before fork: between fork and exec
  // only async-signal-safe calls run.
  std::string spec, arg0 = "crashbench", arg1 = "__worker";
  std::vector<char*> argv;
  if (c_.start_method == StartMethod::kSpawn) {
    spec = WorkerSpecToJson(c_.strategy_config, std::string(c_.strategy->name), c_.fault_kind,
                            c_.fault, index, fds)
               .dump();
    argv = {arg0.data(), arg1.data(), spec.data(), nullptr};
  }
  FlushStdStreams();
  Result<Child> child = ForkChild(keep, false, [&] {
    if (c_.start_method == StartMethod::kSpawn) {
      for (int fd : keep) ::fcntl(fd, F_SETFD, 0);  // survive exec
      ::execv(c_.self_exe.c_str(), argv.data());
      ::_exit(127);
    }
    WorkerMain(*strategy_, c_.strategy_config, c_.fault, region_->get(), index, fds);
  });
  if (!child.ok()) return child.status();
  RETURN_IF_ERROR(SetNonBlocking(ack_r.get()));
  workers_[static_cast<size_t>(index)].child = std::move(*child);
  workers_[static_cast<size_t>(index)].task_w = std::move(task_w);
  workers_[static_cast<size_t>(index)].ack_r = std::move(ack_r);
  return Status::Ok();
}

void Supervisor::Dispatch(WorkerSlot& w) {
  if (!w.task_w.valid()) return;
  const long long task = broken_ ? -1 : tasks_.Next();
  if (task < 0) {
    w.task_w.Reset();  // end of stream: the worker finishes and exits
    return;
  }
  if (!WriteFrame(w.task_w.get(), nlohmann::json{{"task", task}}.dump()).ok()) {
    w.task_w.Reset();      // the worker is gone; its death is handled through its pidfd
    tasks_.PutBack(task);  // never started: the next worker takes it
    return;
  }
  tasks_.Started(task);
  w.in_flight = task;
  w.dispatched_us = Elapsed();
}

void Supervisor::OnWorkerExit(size_t index) {
  WorkerSlot& w = workers_[index];
  DrainAcks(w);  // its last acknowledgements count
  if (!w.child.TryReap()) return;
  // A worker that exits 0 on its own (before being told there is no more
  // work) died too: os._exit(0) says success and is not.
  const bool left_early = w.in_flight >= 0 || w.task_w.valid();
  if (w.child.Failed() || left_early) OnWorkerDeath(index);
}

void Supervisor::OnWorkerDeath(size_t index) {
  WorkerSlot& w = workers_[index];
  const long long task = w.in_flight;
  const std::string how = w.child.Describe();
  w.in_flight = -1;
  w.task_w.Reset();
  if (task >= 0) out_.lost_in_flight.push_back(task);
  if (c_.on_worker_death == WorkerDeathPolicy::kFailPool) {
    died_early_ |= !w.child.Failed();
    StopDispatching();
    return;
  }
  w.handled = true;
  if (task >= 0) {
    if (c_.on_worker_death == WorkerDeathPolicy::kRetryTask && tasks_.starts(task) < kMaxAttempts) {
      tasks_.Retry(task);
      ++stats_.retried;
    } else {
      out_.failed_tasks.emplace_back(task, "worker " + std::to_string(index) + " " + how);
    }
  }
  ReplaceWorker();
}

// A new worker takes the dead one's place while there is work for it. The
// bound only stops a strategy whose every worker dies at start.
void Supervisor::ReplaceWorker() {
  if (broken_ || !tasks_.HasWork() || replacements_ >= c_.tasks + c_.workers) return;
  ++replacements_;
  workers_.emplace_back();  // invalidates every WorkerSlot reference
  const size_t fresh = workers_.size() - 1;
  Status started = StartWorker(static_cast<int>(fresh));
  if (!started.ok()) {
    out_.failed_tasks.emplace_back(-1,
                                   "could not start a replacement worker: " + started.message());
    workers_.pop_back();
    StopDispatching();
    return;
  }
  Dispatch(workers_[fresh]);
}

void Supervisor::FailPendingTasks() {
  // BrokenProcessPool: every future not yet resolved gets the exception.
  std::set<long long> resolved(c_.skip_tasks);
  for (const auto& [task, at] : out_.acks) resolved.insert(task);
  for (const auto& [task, why] : out_.failed_tasks) resolved.insert(task);
  for (long long t = 0; t < c_.tasks; ++t)
    if (!resolved.count(t)) out_.failed_tasks.emplace_back(t, "pool broken: a worker died");
}

void Supervisor::StopDispatching() {
  broken_ = true;
  for (WorkerSlot& w : workers_)
    if (w.in_flight < 0) w.task_w.Reset();
}

bool Supervisor::AllWorkersReaped() const {
  for (const WorkerSlot& w : workers_)
    if (!w.child.reaped()) return false;
  return true;
}

bool Supervisor::AllReaped() const { return AllWorkersReaped() && (!writer_ || writer_->reaped()); }

void Supervisor::HandleFrame(WorkerSlot& w, const std::string& frame) {
  nlohmann::json j = nlohmann::json::parse(frame, nullptr, false);
  if (j.is_discarded()) return;
  if (j.contains("after_fault") && c_.fault.impl &&
      c_.fault.impl->needs().result_pipe() != ResultPipe::kUntouched) {
    // The fault broke this pipe the moment it acted on the worker, and the
    // worker sent this report after that: nobody reads it, whenever the fire
    // request reaches the supervisor.
    LoseResultPipe(w, c_.fault.impl->needs().result_pipe());
    return;
  }
  if (j.contains("ack")) {
    const long long task = j["ack"].get<long long>();
    if (ack_file_.valid()) {
      const std::string line = std::to_string(task) + "\n";
      (void)WriteFull(ack_file_.get(), line.data(), line.size());  // the tap reads the call
    }
    const long long now = Elapsed();
    out_.acks.emplace_back(task, now);
    stats_.task_latency_us.push_back(now - w.dispatched_us);
    if (j.contains("st"))
      for (int i = 0; i < kNumStages && i < static_cast<int>(j["st"].size()); ++i)
        stats_.stage_ns[static_cast<size_t>(i)] += j["st"][static_cast<size_t>(i)].get<long long>();
  } else if (j.contains("fail")) {
    out_.failed_tasks.emplace_back(j["fail"].get<long long>(), j.value("error", ""));
  } else if (j.contains("fatal")) {
    out_.failed_tasks.emplace_back(-1, "worker could not start: " + j.value("fatal", ""));
    return;
  }
  w.in_flight = -1;
  Dispatch(w);
}

void Supervisor::DrainAcks(WorkerSlot& w) {
  if (!w.ack_r.valid() || w.stalled) return;
  char buf[4096];
  for (;;) {
    ssize_t n = RetryOnEintr([&] { return ::read(w.ack_r.get(), buf, sizeof buf); });
    if (n > 0) {
      w.frames.Append(buf, static_cast<size_t>(n));
      std::string frame;
      while (w.ack_r.valid() && !w.stalled && w.frames.Next(&frame)) HandleFrame(w, frame);
      if (!w.ack_r.valid() || w.stalled) return;  // a fault broke the pipe in the meantime
      continue;
    }
    if (n == 0 || errno != EAGAIN) w.ack_r.Reset();
    return;
  }
}

}  // namespace crashbench::pool_internal
