// The supervisor's half of the armed fault: firing it at a time trigger, or
// when a process that reached the trigger asks (the fire pipe), at every
// target it holds a pidfd or a result pipe for; and, once the run is over,
// what the fault did.
#include <unistd.h>

#include "harness/subject/supervisor.h"

namespace crashbench::pool_internal {

bool Supervisor::TimeTriggerDue(long long now) const {
  const bool time_trigger = c_.fault.impl && (c_.fault.trigger == TriggerType::kRandom ||
                                              c_.fault.trigger == TriggerType::kAfterMs);
  return time_trigger && !fired_ && now - start_us_ >= c_.fault.at_us;
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

// except: the process that reached the trigger and acts on itself.
void Supervisor::FireAtTargets(pid_t except) {
  auto fire = [&](const Child& ch) {
    if (ch.pid() != except && !ch.reaped()) (void)c_.fault.impl->FireAt(ch.pidfd());
  };
  if (const ResultPipe how = c_.fault.impl->needs().result_pipe(); how != ResultPipe::kUntouched) {
    BreakResultPipes(how, except);
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
    case FaultTarget::kCaller:  // a command subject's targets: refused for the pool
    case FaultTarget::kTree:
    case FaultTarget::kRoot:
      break;
  }
}

// The supervisor is the reader of every worker's result pipe: it "dies" by
// closing its end (the worker that reached the trigger waits for it), or
// stops reading it.
void Supervisor::BreakResultPipes(ResultPipe how, pid_t except) {
  const bool point = c_.fault.trigger == TriggerType::kPoint;
  for (size_t i = 0; i < workers_.size(); ++i) {
    WorkerSlot& w = workers_[i];
    const bool hit =
        c_.fault.target == FaultTarget::kAllWorkers || c_.fault.target == FaultTarget::kPool ||
        (c_.fault.target == FaultTarget::kWorker &&
         (point ? w.child.pid() == except : static_cast<int>(i) == c_.fault.target_worker));
    if (hit) BreakResultPipe(w, how);
  }
}

void Supervisor::BreakResultPipe(WorkerSlot& w, ResultPipe how) {
  // A worker holding no task will not report again: nothing to break.
  if (w.child.reaped() || !w.ack_r.valid() || w.in_flight < 0) return;
  DrainAcks(w);  // what was sent before the reader died or stalled was read
  // That may have been the worker's last report: it holds no task now, so a
  // reader going away changes nothing for it, and the fault did not act here.
  if (w.in_flight < 0) return;
  LoseResultPipe(w, how);
  if (!region_->get()->acted_pid.load()) region_->get()->acted_pid.store(w.child.pid());
}

void Supervisor::LoseResultPipe(WorkerSlot& w, ResultPipe how) {
  if (how == ResultPipe::kClose)
    w.ack_r.Reset();
  else
    w.stalled = true;
}

void Supervisor::SettleFired() {
  // A fault delivered by signal to act at the target's next point, where the
  // target never got to: nothing happened, so nothing fired.
  if (fired_ && c_.fault.impl->acts_at_next_point() && !region_->get()->acted_pid.load())
    out_.fired = nullptr;
  if (fired_ && out_.fired.is_object() && region_->get()->acted_pid.load())
    out_.fired["acted_pid"] = region_->get()->acted_pid.load();
}

}  // namespace crashbench::pool_internal
