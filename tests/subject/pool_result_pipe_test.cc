// A fault that breaks a worker's result pipe (pipe-full: the supervisor stops
// reading it) must act at the trigger, whenever the supervisor gets round to
// the fire request: what a worker reports after the trigger is never read, so
// the worker that reached it waits for work forever (a hang), and a worker
// whose last report was already sent is left alone (the fault had no effect
// on it), never counted as the process the fault acted in.
//
// The supervisor's lateness is made certain, not hoped for: the test strategy
// stops the supervisor (SIGSTOP) before the trigger and has it continued only
// once the worker has sent its report and waits for its next task, so the
// supervisor meets the fire request and the report at the same time.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <string>

#include "faults/registry.h"
#include "harness/base/process.h"
#include "harness/subject/pool.h"
#include "harness/supervise/diagnose.h"
#include "tests/test_util.h"

namespace crashbench {
namespace {

template <typename F>
bool WaitFor(F done) {
  for (int waited_ms = 0; waited_ms < 20000; waited_ms += 2) {
    if (done()) return true;
    ::usleep(2000);
  }
  return false;
}

char ProcessState(pid_t pid) {
  Result<std::string> stat = ReadFileToString("/proc/" + std::to_string(pid) + "/stat");
  if (!stat.ok()) return '?';
  const size_t paren = stat->rfind(')');
  return paren + 2 < stat->size() ? (*stat)[paren + 2] : '?';
}

// A worker that sent its report and waits for its next task.
bool WaitsForATask(pid_t pid) {
  if (ProcessState(pid) != 'S') return false;
  Result<std::string> wchan = ReadFileToString("/proc/" + std::to_string(pid) + "/wchan");
  return (wchan.ok() && wchan->find("pipe_read") != std::string::npos) ||
         DiagnoseBlockedProcess("worker", pid).find("blocked in read(2)") != std::string::npos;
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

void WriteNote(const std::string& path, pid_t pid) { std::ofstream(path) << pid; }

pid_t ReadNote(const std::string& path) {
  pid_t pid = 0;
  std::ifstream(path) >> pid;
  return pid;
}

// In a worker: the supervisor (its parent) stops, and stays stopped.
void StopSupervisor() {
  const pid_t supervisor = ::getppid();
  ::kill(supervisor, SIGSTOP);
  (void)WaitFor([&] { return ProcessState(supervisor) == 'T'; });
}

// In a worker: the supervisor goes on once this worker has sent its report.
// A helper process waits for that, since the worker sends it only after
// RunTask returns.
void ContinueSupervisorOnceReported() {
  const pid_t supervisor = ::getppid(), worker = ::getpid();
  if (::fork() == 0) {
    CloseAllExcept({});
    (void)WaitFor([&] { return WaitsForATask(worker); });
    ::kill(supervisor, SIGCONT);  // on a timeout too: the test fails, it does not hang
    ::_exit(0);
  }
}

// One worker, two tasks: task 1 reaches the trigger (mid-record, occurrence 2,
// task 0's point being the first); the supervisor is stopped before it and
// continued after the worker's report of task 1.
class TriggerWhileSupervisorStopped final : public Strategy {
 public:
  Status RunTask(WorkerContext& ctx, long long task) override {
    if (task == 1) StopSupervisor();
    ctx.Point(FaultPoint::kMidRecord);
    if (task == 1) ContinueSupervisorOnceReported();
    return Status::Ok();
  }
};

// Two workers, one task each. Worker 0 reports task 0 while the supervisor is
// stopped; then worker 1 writes the record that fires the fault at worker 0.
// The supervisor meets the fire request with worker 0's last report unread.
class LastReportUnreadAtTheFiring final : public Strategy {
 public:
  Status RunTask(WorkerContext& ctx, long long task) override {
    const std::string& dir = ctx.config().dir;
    if (task == 0) {
      (void)WaitFor([&] { return Exists(dir + "/1.started"); });  // both tasks dispatched
      StopSupervisor();
      WriteNote(dir + "/0.stopped", ::getpid());
      return Status::Ok();
    }
    WriteNote(dir + "/1.started", ::getpid());
    (void)WaitFor(
        [&] { return Exists(dir + "/0.stopped") && WaitsForATask(ReadNote(dir + "/0.stopped")); });
    ctx.RecordWritten();  // after_records 1: the fault fires, aimed at worker 0
    ContinueSupervisorOnceReported();
    return Status::Ok();
  }
};

template <typename S>
std::unique_ptr<Strategy> Make() {
  return std::make_unique<S>();
}

SubjectOutcome RunPipeFull(const StrategyInfo& info, const std::string& dir, int workers,
                           const ArmedFault& armed) {
  static const std::unique_ptr<Fault> pipe_full = FindFault("pipe-full")->make();
  PoolConfig c;
  c.strategy = &info;
  c.strategy_config.dir = dir;
  c.strategy_config.tasks = 2;
  c.workers = workers;
  c.tasks = 2;
  c.deadline_ms = 1500;
  c.fault = armed;
  c.fault.impl = pipe_full.get();
  c.fault_kind = "pipe-full";
  Result<SubjectOutcome> out = RunPool(c);
  EXPECT_TRUE(out.ok()) << out.status().message();
  return out.ok() ? std::move(*out) : SubjectOutcome{};
}

std::set<long long> Acked(const SubjectOutcome& o) {
  std::set<long long> acked;
  for (const auto& [task, at] : o.acks) acked.insert(task);
  return acked;
}

TEST(PoolResultPipe, TheWorkerAtTheTriggerHangsHoweverLateTheSupervisorFires) {
  testing::ScratchDir scratch;
  const StrategyInfo info{"trigger-while-supervisor-stopped",
                          Layout::kPerTask,
                          "",
                          {},
                          &Make<TriggerWhileSupervisorStopped>};
  ArmedFault armed;
  armed.target = FaultTarget::kWorker;
  armed.trigger = TriggerType::kPoint;
  armed.point = FaultPoint::kMidRecord;
  armed.occurrence = 2;
  const SubjectOutcome o = RunPipeFull(info, scratch.path(), 1, armed);
  ASSERT_EQ(o.processes.size(), 1u);
  EXPECT_TRUE(o.hang) << "its report of task 1 was read after the reader had stopped";
  EXPECT_FALSE(o.pipeline_ok);
  EXPECT_EQ(Acked(o), std::set<long long>{0});
  EXPECT_EQ(o.processes[0].end, "killed by SIGKILL");
  ASSERT_TRUE(o.fired.is_object());
  EXPECT_EQ(o.fired.value("acted_pid", 0), o.processes[0].pid);
}

TEST(PoolResultPipe, AWorkerWhoseLastReportWasSentIsNotWhereTheFaultActed) {
  testing::ScratchDir scratch;
  const StrategyInfo info{"last-report-unread-at-the-firing",
                          Layout::kPerTask,
                          "",
                          {},
                          &Make<LastReportUnreadAtTheFiring>};
  ArmedFault armed;
  armed.target = FaultTarget::kWorker;
  armed.trigger = TriggerType::kAfterRecords;
  armed.after_records = 1;
  armed.target_worker = 0;
  const SubjectOutcome o = RunPipeFull(info, scratch.path(), 2, armed);
  ASSERT_EQ(o.processes.size(), 2u);
  EXPECT_FALSE(o.hang);
  EXPECT_EQ(Acked(o), (std::set<long long>{0, 1}));
  EXPECT_EQ(o.processes[0].end, "exited 0");
  EXPECT_EQ(o.processes[1].end, "exited 0");
  EXPECT_TRUE(o.pipeline_ok);
  // Worker 0 had nothing left to report: a reader that stops changed nothing
  // for it, so the fault acted nowhere (and a trial says it never fired).
  EXPECT_TRUE(o.fired.is_null()) << o.fired.dump();
}

}  // namespace
}  // namespace crashbench
