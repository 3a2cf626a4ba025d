// What the pool does after a worker dies hard (on_worker_death), and what a
// "skip if already there" restart (resume: skip-existing) passes downstream.
#include <gtest/gtest.h>

#include "tests/e2e/e2e_util.h"

namespace crashbench::testing {
namespace {

// A worker killed at the 40th record it writes (queue-writer's workers write
// whole frames into the pipe: they are killed before one).
Scenario Killed(const std::string& strategy, WorkerDeathPolicy policy) {
  const FaultPoint point =
      strategy == "queue-writer" ? FaultPoint::kBeforeWrite : FaultPoint::kMidRecord;
  Scenario s = WithPointKill(MakeScenario(strategy, 4, {32, 16, 256}, 2), point, 40);
  s.on_worker_death = policy;
  s.name += "-" + std::string(WorkerDeathPolicyName(policy));
  return s;
}

// BrokenProcessPool: the dead worker's task and every task never dispatched
// fail; the pipeline knows the fate of every task and reports failure.
TEST(PoolPolicies, FailPoolFailsEveryPendingTask) {
  RunOutcome out = RunAll({Killed("atomic-rename", WorkerDeathPolicy::kFailPool)});
  for (const TrialResult& t : out.scenarios[0].trials) {
    ASSERT_FALSE(t.fired.is_null());
    EXPECT_GT(t.failed_tasks, 1) << "more than the dead worker's own task fails";
    EXPECT_EQ(t.acked_tasks + t.failed_tasks, 32);
    EXPECT_EQ(t.lost_tasks, 0);
    EXPECT_EQ(t.retried_tasks, 0);
    EXPECT_FALSE(t.pipeline_ok);
    EXPECT_EQ(t.processes.size(), 4u) << "no worker is replaced";
  }
}

// fail-task: only the dead worker's task fails; a fifth worker replaces it
// and the rest of the work is done.
TEST(PoolPolicies, FailTaskFailsOnlyTheDeadWorkersTask) {
  RunOutcome out = RunAll({Killed("atomic-rename", WorkerDeathPolicy::kFailTask)});
  for (const TrialResult& t : out.scenarios[0].trials) {
    EXPECT_EQ(t.failed_tasks, 1);
    EXPECT_EQ(t.acked_tasks, 31);
    EXPECT_EQ(t.lost_tasks, 0);
    EXPECT_FALSE(t.pipeline_ok);
    ASSERT_EQ(t.processes.size(), 5u) << "a new worker took the dead one's place";
    int handled = 0;
    for (const auto& p : t.processes) handled += p.contains("handled");
    EXPECT_EQ(handled, 1);
    EXPECT_EQ(t.violations(), 0) << Describe(out.scenarios[0]);
  }
}

// retry-task on an idempotent strategy: the retried task overwrites nothing
// and duplicates nothing; the pipeline recovers and says so, and a death the
// policy handled is not a silent failure.
TEST(PoolPolicies, RetryTaskRecoversAtomicRenameIntact) {
  RunOutcome out = RunAll({Killed("atomic-rename", WorkerDeathPolicy::kRetryTask)});
  for (const TrialResult& t : out.scenarios[0].trials) {
    EXPECT_EQ(t.retried_tasks, 1);
    EXPECT_EQ(t.acked_tasks, 32);
    EXPECT_EQ(t.failed_tasks, 0);
    EXPECT_TRUE(t.pipeline_ok);
    EXPECT_EQ(t.violations(), 0) << Describe(out.scenarios[0]);
  }
}

// retry-task on appends: the killed holder's records (and its torn half
// record) stay in the file, and the retry appends the task again.
TEST(PoolPolicies, RetryTaskDuplicatesNonIdempotentAppends) {
  RunOutcome out = RunAll({Killed("locked-append", WorkerDeathPolicy::kRetryTask),
                           Killed("queue-writer", WorkerDeathPolicy::kRetryTask)});
  for (const ScenarioResult& sr : out.scenarios) {
    for (const TrialResult& t : sr.trials) {
      EXPECT_EQ(t.retried_tasks, 1);
      EXPECT_EQ(t.acked_tasks, 32);
      EXPECT_TRUE(t.pipeline_ok);
      EXPECT_GT(Count(t, AnomalyKind::kDuplicate), 0) << Describe(sr);
      EXPECT_EQ(Count(t, AnomalyKind::kSilentFailure), 0) << "the pool handled the death";
    }
  }
  for (const TrialResult& t : out.scenarios[0].trials)
    EXPECT_EQ(Count(t, AnomalyKind::kTorn), 1) << Describe(out.scenarios[0]);
}

// Retries are bounded: with every worker killed once, each task still runs at
// most kMaxAttempts times and every task is accounted for.
TEST(PoolPolicies, RetryTaskAfterAllWorkersDieReplacesEachOfThem) {
  Scenario s = Killed("atomic-rename", WorkerDeathPolicy::kRetryTask);
  s.fault.target = FaultTarget::kAllWorkers;
  RunOutcome out = RunAll({s});
  for (const TrialResult& t : out.scenarios[0].trials) {
    EXPECT_GE(t.retried_tasks, 1);
    EXPECT_LE(t.retried_tasks, 4);
    EXPECT_EQ(t.acked_tasks, 32);
    EXPECT_EQ(t.violations(), 0) << Describe(out.scenarios[0]);
  }
}

// "Skip if already there": per-task-file's killed task left its file at the
// final name, so the restart skips it and the partial file goes downstream
// behind a successful rerun. atomic-rename's final names only ever hold whole
// files: the restart redoes the killed task and the output is complete.
TEST(PoolPolicies, ResumeSkipExistingPassesAPartialFileOnlyWherePartialFilesHaveFinalNames) {
  Scenario ptf =
      WithPointKill(MakeScenario("per-task-file", 4, {32, 16, 256}, 2), FaultPoint::kMidRecord, 40);
  Scenario ar =
      WithPointKill(MakeScenario("atomic-rename", 4, {32, 16, 256}, 2), FaultPoint::kMidRecord, 40);
  ptf.resume = ar.resume = Resume::kSkipExisting;
  RunOutcome out = RunAll({ptf, ar});
  for (const TrialResult& t : out.scenarios[0].trials) {
    // How many tasks were never started depends on how soon the pool sees the
    // death: a killed process must still be scheduled to finish exiting, and
    // until then the others take new tasks (Python's pool learns of a death
    // through the worker's sentinel, just as late). On a busy machine they may
    // finish all the rest first, and the restart has nothing left to run: so
    // assert that the restart ran and skipped the killed task's file, not how
    // much it found to do.
    EXPECT_GE(t.resumed_tasks, 0) << "the restart ran";
    EXPECT_LT(t.resumed_tasks, 32);
    EXPECT_EQ(t.lost_in_flight, 1) << "the killed task's partial file is there, and skipped";
    EXPECT_TRUE(t.pipeline_ok) << "the restart reports success";
    EXPECT_EQ(t.acked_tasks, 32);
    EXPECT_GT(t.violations(), 0) << "the partial file went downstream: "
                                 << Describe(out.scenarios[0]);
  }
  for (const TrialResult& t : out.scenarios[1].trials) {
    EXPECT_GT(t.resumed_tasks, 0);
    EXPECT_TRUE(t.pipeline_ok);
    EXPECT_EQ(t.acked_tasks, 32);
    EXPECT_EQ(t.records_visible, 32 * 16);
    EXPECT_EQ(t.violations(), 0) << Describe(out.scenarios[1]);
  }
}

}  // namespace
}  // namespace crashbench::testing
