// The join deadlock: queue-writer's writer joins the workers before it reads
// the pipe (drain=after-join). Output larger than the pipe deadlocks; output
// that fits passes; reading while the workers write (the default) is the fix.
#include <gtest/gtest.h>

#include "tests/e2e/e2e_util.h"
#include "tests/test_util.h"

namespace crashbench::testing {
namespace {

// 16 tasks x 16 records of 512 bytes: about 150 KB of frames, over twice a
// 64 KiB pipe.
constexpr Workload kLargerThanThePipe{16, 16, 512};
// 8 tasks x 4 records of 256 bytes: about 10 KB, well inside the pipe.
constexpr Workload kFitsThePipe{8, 4, 256};

Scenario Drain(const std::string& mode, Workload workload, int trials) {
  Scenario s = MakeScenario("queue-writer", 4, workload, trials);
  s.options["drain"] = mode;
  s.name += "-drain-" + mode + "-" + std::to_string(workload.record_bytes);
  return s;
}

// Every worker sleeps in write(2) on the full pipe, the writer sleeps in its
// join: the deadline reports a hang naming both, and kills and reaps them.
TEST(JoinDeadlock, AfterJoinWithOutputLargerThanThePipeIsADiagnosedHang) {
  Scenario s = Drain("after-join", kLargerThanThePipe, 1);
  s.deadline_ms = 1000;
  RunOutcome out = RunAll({s});
  for (const TrialResult& t : out.scenarios[0].trials) {
    ASSERT_EQ(Count(t, AnomalyKind::kHang), 1) << Describe(out.scenarios[0]);
    const std::string detail = HangDetail(t);
    EXPECT_NE(detail.find("did not finish within 1000 ms"), std::string::npos) << detail;
    EXPECT_NE(detail.find("worker 0 (pid"), std::string::npos) << detail;
    EXPECT_NE(detail.find("blocked in write(2)"), std::string::npos) << detail;
    EXPECT_NE(detail.find("pipe:["), std::string::npos) << detail;
    EXPECT_NE(detail.find("writer (pid"), std::string::npos) << detail;
    EXPECT_FALSE(t.pipeline_ok);
    EXPECT_LT(t.acked_tasks, s.workload.tasks) << "some task must be stuck in the pipe";
    EXPECT_EQ(Count(t, AnomalyKind::kDuplicate) + Count(t, AnomalyKind::kCorrupt) +
                  Count(t, AnomalyKind::kInterleaved) + Count(t, AnomalyKind::kTorn),
              0)
        << Describe(out.scenarios[0]);
    for (const auto& p : t.processes)
      EXPECT_EQ(p.value("end", ""), "killed by SIGKILL") << p.dump();
  }
  for (int pid : ReportedPids(out)) EXPECT_FALSE(ProcessExists(pid)) << pid;
  EXPECT_EQ(ProcessesLeftInTrialGroups(out), std::vector<int>{});
}

// The fix on the same workload: the writer drains while the workers write.
TEST(JoinDeadlock, ConcurrentDrainOnTheSameWorkloadIsIntact) {
  RunOutcome out = RunAll({Drain("concurrent", kLargerThanThePipe, 2)});
  for (const TrialResult& t : out.scenarios[0].trials) {
    EXPECT_EQ(Count(t, AnomalyKind::kHang), 0) << Describe(out.scenarios[0]);
    EXPECT_EQ(t.violations(), 0) << Describe(out.scenarios[0]);
    EXPECT_EQ(t.acked_tasks, kLargerThanThePipe.tasks);
    EXPECT_EQ(t.records_visible, kLargerThanThePipe.tasks * kLargerThanThePipe.records_per_task);
    EXPECT_TRUE(t.pipeline_ok);
  }
}

// Fine in testing: output that fits the pipe passes the join, with forked and
// with spawned workers (which map the finished-task counter themselves).
TEST(JoinDeadlock, AfterJoinWithOutputThatFitsThePipeFinishes) {
  Scenario forked = Drain("after-join", kFitsThePipe, 2);
  Scenario spawned = forked;
  spawned.start_method = StartMethod::kSpawn;
  spawned.name += "-spawn";
  RunOutcome out = RunAll({forked, spawned});
  for (const ScenarioResult& sr : out.scenarios) {
    for (const TrialResult& t : sr.trials) {
      EXPECT_EQ(Count(t, AnomalyKind::kHang), 0) << Describe(sr);
      EXPECT_EQ(t.violations(), 0) << Describe(sr);
      EXPECT_EQ(t.acked_tasks, kFitsThePipe.tasks);
      EXPECT_EQ(t.records_visible, kFitsThePipe.tasks * kFitsThePipe.records_per_task);
      EXPECT_TRUE(t.pipeline_ok);
    }
  }
}

// A worker killed before it finishes its task never counts it, but once every
// worker has exited the pipe reports hang-up and the join returns: a worker's
// death is not turned into a hang.
TEST(JoinDeadlock, AfterJoinDoesNotWaitForADeadWorkersTask) {
  Scenario s = WithPointKill(Drain("after-join", kFitsThePipe, 2), FaultPoint::kBeforeWrite, 10);
  s.on_worker_death = WorkerDeathPolicy::kFailTask;
  s.deadline_ms = 5000;
  RunOutcome out = RunAll({s});
  for (const TrialResult& t : out.scenarios[0].trials) {
    ASSERT_FALSE(t.fired.is_null());
    EXPECT_EQ(Count(t, AnomalyKind::kHang), 0) << Describe(out.scenarios[0]);
    EXPECT_EQ(t.failed_tasks, 1);
    EXPECT_EQ(t.acked_tasks, kFitsThePipe.tasks - 1);
  }
}

}  // namespace
}  // namespace crashbench::testing
