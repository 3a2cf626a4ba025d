// The pool's supervisor, inside: the one object RunPool() drives. Not part of
// the pool's interface (include pool.h): only pool.cc, pool_workers.cc and
// pool_fault.cc include it.
//
// Single-threaded: one poll loop (pool.cc) waits on every worker's result
// pipe and pidfd, the writer's pidfd and the fire pipe, under one deadline,
// and dispatches on what became ready (Event). The worker slots and the task
// bookkeeping live in pool_workers.cc; firing the armed fault at its targets
// in pool_fault.cc.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "harness/base/process.h"
#include "harness/subject/frame.h"
#include "harness/subject/pool.h"
#include "harness/subject/task_queue.h"
#include "harness/supervise/process_tree.h"

namespace crashbench::pool_internal {

Status SetNonBlocking(int fd);

// One worker process and the supervisor's ends of its pipes.
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

// What a descriptor of the poll loop becoming ready means.
enum class EventKind {
  kFireRequest,  // a process reached the fault's trigger: fire at the other targets
  kReports,      // a worker's result pipe has reports (or its end)
  kWorkerExit,   // a worker's pidfd: the worker ended
  kWriterExit,   // the strategy's writer ended
};
struct Event {
  EventKind kind;
  size_t worker = 0;  // kReports, kWorkerExit
};

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
  // The run, step by step (pool.cc).
  Status SetUp();
  void NoMoreWorkers();
  Status Supervise();
  void WatchEverything(PollSet<Event>& poll) const;
  long long WaitUs(const Deadline& deadline, long long now) const;
  void Handle(const Event& event);
  void DeclareHang();
  void ResolveTasks();
  SubjectOutcome Outcome(const Status& torn_down);
  bool RecordProcessEnds();
  void NameTheFault();

  // Worker slots and tasks (pool_workers.cc).
  long long Elapsed() const { return NowMicros() - start_us_; }
  Status StartWorker(int index);
  void Dispatch(WorkerSlot& w);
  void OnWorkerExit(size_t index);
  void OnWorkerDeath(size_t index);
  void ReplaceWorker();
  void FailPendingTasks();
  bool AllWorkersReaped() const;
  bool AllReaped() const;
  void DrainAcks(WorkerSlot& w);
  void HandleFrame(WorkerSlot& w, const std::string& frame);
  void StopDispatching();

  // The armed fault (pool_fault.cc).
  bool TimeTriggerDue(long long now) const;
  void OnTimeTrigger();
  void OnFireRequest();
  void FireAtTargets(pid_t except);
  void BreakResultPipes(ResultPipe how, pid_t except);
  void BreakResultPipe(WorkerSlot& w, ResultPipe how);
  void LoseResultPipe(WorkerSlot& w, ResultPipe how);
  void SettleFired();

  const PoolConfig& c_;
  SubjectOutcome out_;
  PoolStats& stats_ = out_.pool_stats.emplace();
  std::unique_ptr<Strategy> strategy_;
  std::unique_ptr<FaultRegion> region_;
  UniqueFd fire_r_, fire_w_;
  UniqueFd ack_file_;  // PoolConfig::ack_file, when set
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

}  // namespace crashbench::pool_internal
