#include "harness/subject/pool.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "harness/base/process.h"
#include "harness/subject/frame.h"
#include "harness/subject/task_queue.h"
#include "harness/subject/worker.h"
#include "harness/supervise/diagnose.h"

namespace crashbench {
namespace {

struct WorkerSlot {
  Child child;
  UniqueFd task_w;  // supervisor -> worker
  UniqueFd ack_r;   // worker -> supervisor, non-blocking
  FrameBuffer frames;
  long long in_flight = -1;
  long long dispatched_us = 0;
  bool handled = false;  // died, and the pool's policy took care of it
  bool stalled = false;  // pipe-full: the supervisor no longer reads its reports
};

// Before a fork, what Python's multiprocessing does (util._flush_std_streams):
// stdout and stderr only. A strategy's own streams keep what they buffered,
// and every child gets a copy of it, as in the programs modelled (fflush(NULL)
// here would hide shared-handle's header=stdio duplicates).
void FlushStdStreams() {
  std::fflush(stdout);
  std::fflush(stderr);
}

Status SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
    return ErrnoStatus("fcntl", errno);
  return Status::Ok();
}

class Supervisor final : public PoolHost {
 public:
  explicit Supervisor(const PoolConfig& c) : c_(c) {}
  Result<SubjectOutcome> Run();

  int ShareWithWorkers(int fd) override {
    shared_fds_.push_back(fd);
    return static_cast<int>(shared_fds_.size() - 1);
  }
  Status StartWriter(const std::vector<int>& keep_fds,
                     std::function<int(WorkerContext&)> body) override;

 private:
  long long Elapsed() const { return NowMicros() - start_us_; }
  Status StartWorker(int index);
  void Dispatch(WorkerSlot& w);
  void OnWorkerDeath(size_t index);
  void FailPendingTasks();
  bool AllWorkersReaped() const;
  void DrainAcks(WorkerSlot& w);
  void HandleFrame(WorkerSlot& w, const std::string& frame);
  void StopDispatching();
  void FireAtTargets(pid_t except);
  void OnFireRequest();
  void OnTimeTrigger();
  void NameTheFault();
  void DeclareHang();
  bool AllReaped() const;

  const PoolConfig& c_;
  SubjectOutcome out_;
  PoolStats& stats_ = out_.pool_stats.emplace();
  std::unique_ptr<Strategy> strategy_;
  std::unique_ptr<FaultRegion> region_;
  UniqueFd fire_r_, fire_w_;
  std::vector<int> shared_fds_;
  std::vector<WorkerSlot> workers_;
  std::unique_ptr<Child> writer_;
  long long start_us_ = 0;
  TaskQueue tasks_{c_.tasks, c_.skip_tasks};
  long long replacements_ = 0;
  bool workers_final_ = false;  // no worker will be started any more
  bool broken_ = false;
  bool died_early_ = false;  // a worker exited 0 while it still had work
  bool fired_ = false;
};

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
  // A new worker takes the dead one's place while there is work for it. The
  // bound only stops a strategy whose every worker dies at start.
  if (broken_ || !tasks_.HasWork() || replacements_ >= c_.tasks + c_.workers) return;
  ++replacements_;
  workers_.emplace_back();  // invalidates w
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

void Supervisor::HandleFrame(WorkerSlot& w, const std::string& frame) {
  nlohmann::json j = nlohmann::json::parse(frame, nullptr, false);
  if (j.is_discarded()) return;
  if (j.contains("ack")) {
    const long long task = j["ack"].get<long long>();
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
      while (w.frames.Next(&frame)) HandleFrame(w, frame);
      continue;
    }
    if (n == 0 || errno != EAGAIN) w.ack_r.Reset();
    return;
  }
}

void Supervisor::FireAtTargets(pid_t except) {
  auto fire = [&](const Child& ch) {
    if (ch.pid() != except && !ch.reaped()) (void)c_.fault.impl->FireAt(ch.pidfd());
  };
  if (const ResultPipe how = c_.fault.impl->needs().result_pipe(); how != ResultPipe::kUntouched) {
    // The supervisor is the reader of every worker's result pipe: it "dies"
    // by closing its end (the worker that reached the trigger waits for it),
    // or stops reading it.
    auto break_pipe = [&](WorkerSlot& w) {
      // A worker holding no task will not report again: nothing to break.
      if (w.child.reaped() || !w.ack_r.valid() || w.in_flight < 0) return;
      DrainAcks(w);  // what was sent before the reader died or stalled was read
      if (how == ResultPipe::kClose)
        w.ack_r.Reset();
      else
        w.stalled = true;
      if (!region_->get()->acted_pid.load()) region_->get()->acted_pid.store(w.child.pid());
    };
    const bool point = c_.fault.trigger == TriggerType::kPoint;
    for (size_t i = 0; i < workers_.size(); ++i) {
      WorkerSlot& w = workers_[i];
      const bool hit =
          c_.fault.target == FaultTarget::kAllWorkers || c_.fault.target == FaultTarget::kPool ||
          (c_.fault.target == FaultTarget::kWorker &&
           (point ? w.child.pid() == except : static_cast<int>(i) == c_.fault.target_worker));
      if (hit) break_pipe(w);
    }
    if (writer_ && c_.fault.target == FaultTarget::kPool) fire(*writer_);
    if (writer_ && c_.fault.target == FaultTarget::kWriter) fire(*writer_);
    return;
  }
  switch (c_.fault.target) {
    case FaultTarget::kWorker:
      if (c_.fault.trigger != TriggerType::kPoint)
        fire(workers_[static_cast<size_t>(c_.fault.target_worker)].child);
      break;
    case FaultTarget::kAllWorkers:
      for (WorkerSlot& w : workers_) fire(w.child);
      break;
    case FaultTarget::kWriter:
      if (writer_) fire(*writer_);
      break;
    case FaultTarget::kPool:
      for (WorkerSlot& w : workers_) fire(w.child);
      if (writer_) fire(*writer_);
      break;
  }
}

void Supervisor::OnFireRequest() {
  char buf[64];
  ssize_t n;
  while ((n = RetryOnEintr([&] { return ::read(fire_r_.get(), buf, sizeof buf); })) > 0) {
  }
  if (n == 0) fire_r_.Reset();  // every process that could fire has exited
  if (fired_ || !c_.fault.impl || !region_->get()->fired.load()) return;
  fired_ = true;
  const FaultShared& s = *region_->get();
  out_.fired = {{"pid", s.fired_pid}, {"role", s.fired_role == 0 ? "worker" : "writer"}};
  if (s.fired_point >= 0) {
    out_.fired["point"] = std::string(FaultPointName(static_cast<FaultPoint>(s.fired_point)));
    out_.fired["occurrence"] = s.fired_occurrence;
  } else {
    out_.fired["after_records"] = s.fired_occurrence;
  }
  out_.fired["at_us"] = Elapsed();
  NameTheFault();
  FireAtTargets(s.fired_self ? s.fired_pid : -1);
}

void Supervisor::NameTheFault() {
  out_.fired["fault"] = c_.fault_kind;
  if (!c_.fault_method.empty()) out_.fired["method"] = c_.fault_method;
}

void Supervisor::OnTimeTrigger() {
  int expected = 0;
  if (!region_->get()->fired.compare_exchange_strong(expected, 1)) return;  // a point beat us
  fired_ = true;
  out_.fired = {{"at_us", Elapsed()}, {"records_written", region_->get()->records.load()}};
  if (c_.fault.target == FaultTarget::kWorker)
    out_.fired["pid"] = workers_[static_cast<size_t>(c_.fault.target_worker)].child.pid();
  NameTheFault();
  FireAtTargets(-1);
}

bool Supervisor::AllWorkersReaped() const {
  for (const WorkerSlot& w : workers_)
    if (!w.child.reaped()) return false;
  return true;
}

bool Supervisor::AllReaped() const { return AllWorkersReaped() && (!writer_ || writer_->reaped()); }

void Supervisor::DeclareHang() {
  out_.hang = true;
  std::string diagnosis;
  auto diagnose = [&](const Child& ch, const std::string& who) {
    if (ch.reaped()) return;
    if (!diagnosis.empty()) diagnosis += "; ";
    diagnosis += DiagnoseBlockedProcess(who, ch.pid());
  };
  for (size_t i = 0; i < workers_.size(); ++i)
    diagnose(workers_[i].child, "worker " + std::to_string(i));
  if (writer_) diagnose(*writer_, "writer");
  out_.hang_diagnosis = diagnosis;
  for (WorkerSlot& w : workers_) w.child.Kill();
  if (writer_) writer_->Kill();
  for (WorkerSlot& w : workers_) {
    w.child.Reap();
    DrainAcks(w);
  }
  if (writer_) writer_->Reap();
}

Result<SubjectOutcome> Supervisor::Run() {
  ::signal(SIGPIPE, SIG_IGN);    // a dead worker's pipe is an error value, not a signal
  BlockInProcessFaultSignals();  // inherited by every child until its handlers exist
  start_us_ = NowMicros();
  Result<FaultRegion> region = FaultRegion::Create();
  if (!region.ok()) return region.status();
  region_ = std::make_unique<FaultRegion>(std::move(*region));
  RETURN_IF_ERROR(MakePipe(&fire_r_, &fire_w_));
  RETURN_IF_ERROR(SetNonBlocking(fire_r_.get()));
  strategy_ = c_.strategy->make();
  RETURN_IF_ERROR(strategy_->SetUp(c_.strategy_config, *this).Annotate("strategy set-up"));
  workers_.resize(static_cast<size_t>(c_.workers));
  for (int i = 0; i < c_.workers; ++i) {
    Status s = StartWorker(i);
    if (!s.ok()) return s.Annotate("starting worker " + std::to_string(i));
  }
  // Under fail-pool no worker starts after these; under the other policies a
  // replacement may, and it must inherit what the strategy shares, so the
  // strategy hears "no more workers" only once every worker has exited.
  if (c_.on_worker_death == WorkerDeathPolicy::kFailPool) {
    strategy_->WorkersStarted();
    workers_final_ = true;
    fire_w_.Reset();
  }
  for (WorkerSlot& w : workers_) Dispatch(w);

  const long long deadline = start_us_ + c_.deadline_ms * 1000;
  const bool time_trigger = c_.fault.impl && (c_.fault.trigger == TriggerType::kRandom ||
                                              c_.fault.trigger == TriggerType::kAfterMs);
  std::vector<pollfd> fds;
  std::vector<std::pair<int, int>> what;  // (kind, index): 0 ack, 1 worker pidfd, 2 writer, 3 fire
  while (!AllReaped()) {
    if (!workers_final_ && AllWorkersReaped()) {
      strategy_->WorkersStarted();
      workers_final_ = true;
      fire_w_.Reset();
      continue;
    }
    long long now = NowMicros();
    if (now >= deadline) {
      DeclareHang();
      break;
    }
    if (time_trigger && !fired_ && now - start_us_ >= c_.fault.at_us) OnTimeTrigger();
    long long wait_us = deadline - now;
    if (time_trigger && !fired_) wait_us = std::min(wait_us, start_us_ + c_.fault.at_us - now);
    fds.clear();
    what.clear();
    if (fire_r_.valid()) {
      fds.push_back({fire_r_.get(), POLLIN, 0});
      what.emplace_back(3, 0);
    }
    for (size_t i = 0; i < workers_.size(); ++i) {
      if (workers_[i].ack_r.valid() && !workers_[i].stalled) {
        fds.push_back({workers_[i].ack_r.get(), POLLIN, 0});
        what.emplace_back(0, static_cast<int>(i));
      }
      if (!workers_[i].child.reaped()) {
        fds.push_back({workers_[i].child.pidfd(), POLLIN, 0});
        what.emplace_back(1, static_cast<int>(i));
      }
    }
    if (writer_ && !writer_->reaped()) {
      fds.push_back({writer_->pidfd(), POLLIN, 0});
      what.emplace_back(2, 0);
    }
    struct timespec ts = {static_cast<time_t>(wait_us / 1000000),
                          static_cast<long>((wait_us % 1000000) * 1000)};
    int n = ::ppoll(fds.data(), fds.size(), &ts, nullptr);
    if (n < 0 && errno != EINTR) return ErrnoStatus("ppoll", errno);
    if (n <= 0) continue;
    for (size_t k = 0; k < fds.size(); ++k) {
      if (!fds[k].revents) continue;
      auto [kind, i] = what[k];
      if (kind == 3) {
        OnFireRequest();
      } else if (kind == 0) {
        DrainAcks(workers_[static_cast<size_t>(i)]);
      } else if (kind == 1) {
        WorkerSlot& w = workers_[static_cast<size_t>(i)];
        DrainAcks(w);  // its last acknowledgements count
        if (!w.child.TryReap()) continue;
        // A worker that exits 0 on its own (before being told there is no
        // more work) died too: os._exit(0) says success and is not.
        const bool left_early = w.in_flight >= 0 || w.task_w.valid();
        if (w.child.Failed() || left_early) OnWorkerDeath(static_cast<size_t>(i));
      } else if (kind == 2 && writer_->TryReap() && writer_->Failed()) {
        StopDispatching();
      }
    }
  }
  if (!fired_ && fire_r_.valid()) OnFireRequest();  // fired, but the byte was not read yet
  // A fault delivered by signal to act at the target's next point, where the
  // target never got to: nothing happened, so nothing fired.
  if (fired_ && c_.fault.impl->acts_at_next_point() && !region_->get()->acted_pid.load())
    out_.fired = nullptr;
  if (fired_ && out_.fired.is_object() && region_->get()->acted_pid.load())
    out_.fired["acted_pid"] = region_->get()->acted_pid.load();

  if (!workers_final_) {
    strategy_->WorkersStarted();
    workers_final_ = true;
  }
  if (broken_ && !out_.hang) FailPendingTasks();
  // Retries no worker was left to take (the replacement bound was reached).
  if (!out_.hang)
    for (long long task : tasks_.TakeRetries())
      out_.failed_tasks.emplace_back(task, "not retried: no worker left to run it");

  Status torn_down = strategy_->TearDown();
  out_.duration_us = Elapsed();
  out_.trigger_sites = CountTriggerSites(*region_->get());
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
  std::set<long long> acked;
  for (const auto& [task, at] : out_.acks) acked.insert(task);
  out_.pipeline_ok = !out_.hang && !any_failed && !died_early_ && out_.failed_tasks.empty() &&
                     torn_down.ok() &&
                     static_cast<long long>(acked.size() + c_.skip_tasks.size()) == c_.tasks;
  return std::move(out_);
}

}  // namespace

Result<SubjectOutcome> RunPool(const PoolConfig& config) {
  Supervisor supervisor(config);
  return supervisor.Run();
}

}  // namespace crashbench
