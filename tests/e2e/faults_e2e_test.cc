// Each fault kind's signature, end to end, on a strategy where it shows.
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "harness/contract/layout.h"
#include "results/results.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/fault_scenarios.h"
#include "tests/test_util.h"

namespace crashbench::testing {
namespace {

// abort() between the halves of a 10 KB record: the first half already went
// to the kernel (larger than stdio's buffer), so the line is torn.
TEST(Faults, AbortMidRecordTearsAndDiesOfSigabrt) {
  RunOutcome out = RunAll({WithFault(MakeScenario("naive", 1, {4, 4, 10000}, 3), "abort",
                                     Point(FaultPoint::kMidRecord))});
  for (const TrialResult& t : out.scenarios[0].trials) {
    ASSERT_FALSE(t.fired.is_null());
    EXPECT_EQ(t.fired.value("fault", ""), "abort");
    EXPECT_EQ(End(t, t.fired.value("pid", 0)), "killed by SIGABRT");
    EXPECT_EQ(Count(t, AnomalyKind::kTorn), 1) << Describe(out.scenarios[0]);
    EXPECT_FALSE(t.pipeline_ok);
  }
}

// os._exit(0) before the third acknowledgement: the two acknowledged tasks'
// records were still in the worker's stdio buffer. The exit status says
// success; the pool still notices the worker left holding a task.
TEST(Faults, ExitNoFlushLosesBufferedAcknowledgedRecordsBehindASuccessStatus) {
  RunOutcome out = RunAll({WithFault(MakeScenario("shared-handle", 1, {16, 4, 200}, 3),
                                     "exit-no-flush", Point(FaultPoint::kBeforeAck, 3))});
  for (const TrialResult& t : out.scenarios[0].trials) {
    EXPECT_EQ(End(t, t.fired.value("pid", 0)), "exited 0");
    EXPECT_EQ(t.acked_tasks, 2);
    EXPECT_EQ(Count(t, AnomalyKind::kLostAcked), 8) << Describe(out.scenarios[0]);
    EXPECT_FALSE(t.pipeline_ok) << "a worker that left holding a task must fail the pipeline";
  }
}

TEST(Faults, ExitNoFlushAtARandomMomentIsDeliveredBySignal) {
  RunOutcome out = RunAll(
      {WithFault(MakeScenario("per-task-file", 2, {64, 16, 256}, 5), "exit-no-flush", Random())});
  int fired = 0;
  for (const TrialResult& t : out.scenarios[0].trials) {
    if (t.fired.is_null()) continue;
    ++fired;
    EXPECT_EQ(End(t, t.fired.value("pid", 0)), "exited 0");
  }
  EXPECT_GE(fired, 3);
}

TEST(Faults, OomByRlimitEndsInBadAllocAndSigabrt) {
  RunOutcome out = RunAll({WithMethod(
      WithFault(MakeScenario("naive", 1, {4, 4, 10000}, 2), "oom", Point(FaultPoint::kMidRecord)),
      "rlimit")});
  for (const TrialResult& t : out.scenarios[0].trials) {
    ASSERT_FALSE(t.fired.is_null());
    EXPECT_EQ(t.fired.value("method", ""), "rlimit");
    EXPECT_EQ(End(t, t.fired.value("pid", 0)), "killed by SIGABRT");
    EXPECT_NE(t.stderr_head.find("std::bad_alloc"), std::string::npos) << t.stderr_head;
    EXPECT_EQ(Count(t, AnomalyKind::kTorn), 1) << Describe(out.scenarios[0]);
  }
}

TEST(Faults, OomAtARandomMomentFiresAtTheTargetsNextPoint) {
  RunOutcome out =
      RunAll({WithFault(MakeScenario("atomic-rename", 2, {64, 16, 256}, 4), "oom", Random())});
  int fired = 0;
  for (const TrialResult& t : out.scenarios[0].trials) {
    if (t.fired.is_null()) continue;
    ++fired;
    EXPECT_EQ(End(t, t.fired.value("pid", 0)), OomEnd(t)) << t.processes.dump();
    EXPECT_EQ(t.violations(), 0) << "atomic-rename must survive an out-of-memory death";
  }
  EXPECT_GE(fired, 2);
}

// The writer stops reading at its 5th record; the one-page pipe fills and
// every worker blocks in write(2). The deadline turns it into a hang whose
// diagnosis names the blocked processes, their system call and the pipe.
TEST(Faults, PipeFullBecomesADiagnosedHangAndEverythingIsReaped) {
  Scenario s = MakeScenario("queue-writer", 3, {64, 16, 256}, 2);
  s.fault.kind = "pipe-full";
  s.fault.target = FaultTarget::kWriter;
  s.fault.trigger = Point(FaultPoint::kMidRecord, 5);
  s.deadline_ms = 1000;
  RunOutcome out = RunAll({s});
  for (const TrialResult& t : out.scenarios[0].trials) {
    ASSERT_EQ(Count(t, AnomalyKind::kHang), 1) << Describe(out.scenarios[0]);
    const std::string detail = HangDetail(t);
    EXPECT_NE(detail.find("worker 0 (pid"), std::string::npos) << detail;
    EXPECT_NE(detail.find("blocked in write(2)"), std::string::npos) << detail;
    EXPECT_NE(detail.find("pipe:["), std::string::npos) << detail;
    EXPECT_NE(detail.find("writer (pid"), std::string::npos) << detail;
    for (const auto& p : t.processes)
      EXPECT_EQ(p.value("end", ""), "killed by SIGKILL") << p.dump();
  }
  for (int pid : ReportedPids(out)) EXPECT_FALSE(ProcessExists(pid)) << pid;
  EXPECT_EQ(ProcessesLeftInTrialGroups(out), std::vector<int>{});
}

// The supervisor stops reading one worker's reports: the other workers take
// the rest of the work, and that worker waits for a task that never comes
// (the pool hands out work only against reports). A hang naming it, blocked in
// read(2) on its task pipe; its own task is neither acknowledged nor failed.
TEST(Faults, PipeFullOnAWorkersReportsLeavesItWaitingForWorkForever) {
  Scenario s = MakeScenario("atomic-rename", 4, {32, 16, 256}, 2);
  s.fault.kind = "pipe-full";
  s.fault.trigger = Point(FaultPoint::kMidRecord, 40);
  s.deadline_ms = 1000;
  RunOutcome out = RunAll({s});
  for (const TrialResult& t : out.scenarios[0].trials) {
    ASSERT_EQ(Count(t, AnomalyKind::kHang), 1) << Describe(out.scenarios[0]);
    const std::string detail = HangDetail(t);
    EXPECT_NE(detail.find("blocked in read(2)"), std::string::npos) << detail;
    EXPECT_EQ(t.acked_tasks, 31);
    EXPECT_EQ(t.lost_tasks, 1);
    EXPECT_EQ(t.violations(), 1) << "only the hang: " << Describe(out.scenarios[0]);
  }
  EXPECT_EQ(ProcessesLeftInTrialGroups(out), std::vector<int>{});
}

// --explore: every (point, occurrence) the workers reach in a fault-free run,
// each exactly once, and trial N is the same pair in a second run.
TEST(Explore, EveryReachablePointAndOccurrenceExactlyOnce) {
  Scenario s = MakeScenario("per-task-file", 2, {3, 2, 64}, 1);
  s.fault.kind = "sigkill";
  s.fault.trigger.type = TriggerType::kPoint;
  RunOptions opt = TestRunOptions();
  opt.explore = true;
  RunOutcome a = RunScenarios({s}, opt);
  const ScenarioResult& sr = a.scenarios[0];
  ASSERT_EQ(sr.error, "");
  // 3 tasks of 2 records: 6 visits each of before-write, mid-record,
  // after-write; 3 of before-ack; no fsync, no rename.
  ASSERT_EQ(sr.trials.size(), 6u * 3 + 3);
  std::set<std::pair<std::string, long long>> seen;
  for (const TrialResult& t : sr.trials) {
    ASSERT_FALSE(t.fired.is_null()) << t.index;
    seen.insert({t.fired.value("point", ""), t.fired.value("occurrence", 0LL)});
  }
  EXPECT_EQ(seen.size(), sr.trials.size());
  EXPECT_EQ(seen.count({"before-ack", 3}), 1u);
  EXPECT_EQ(seen.count({"mid-record", 6}), 1u);
  opt.only_trial = 11;
  RunOutcome b = RunScenarios({s}, opt);
  ASSERT_EQ(b.scenarios[0].trials.size(), 1u);
  EXPECT_EQ(b.scenarios[0].trials[0].fired.value("point", ""),
            sr.trials[11].fired.value("point", "x"));
  EXPECT_EQ(b.scenarios[0].trials[0].fired.value("occurrence", 0LL),
            sr.trials[11].fired.value("occurrence", -1LL));
}

// A fault aimed past the end of the workload tests nothing; the run must not
// report the expectation as held.
TEST(Faults, AFaultThatNeverFiresIsAnInputErrorNotAPass) {
  Scenario s = MakeScenario("naive", 2, {4, 2, 64}, 2);
  s.fault.kind = "sigkill";
  s.fault.trigger.type = TriggerType::kPoint;
  s.fault.trigger.occurrence = 999;
  RunOutcome out = RunScenarios({s}, TestRunOptions());
  EXPECT_NE(out.scenarios[0].error.find("never fired"), std::string::npos)
      << out.scenarios[0].error;
  EXPECT_FALSE(out.scenarios[0].expectation_held());
  EXPECT_EQ(RunExitCode(out), 2);
}

// The writer leaves with _exit(0) right after its last record: every worker
// succeeded, every process exited 0, the pipeline reports success, and the
// writer's buffered records are gone.
TEST(Faults, ExitNoFlushOnTheWriterIsASilentFailure) {
  Scenario s = MakeScenario("queue-writer", 2, {8, 4, 64}, 2);
  s.fault.kind = "exit-no-flush";
  s.fault.target = FaultTarget::kWriter;
  s.fault.trigger = Point(FaultPoint::kAfterWrite, 32);
  RunOutcome out = RunAll({s});
  for (const TrialResult& t : out.scenarios[0].trials) {
    EXPECT_TRUE(t.pipeline_ok) << Describe(out.scenarios[0]);
    EXPECT_EQ(Count(t, AnomalyKind::kSilentFailure), 1) << Describe(out.scenarios[0]);
    EXPECT_GT(Count(t, AnomalyKind::kLostAcked), 0) << Describe(out.scenarios[0]);
  }
}

// The writer (the pipe's reader) dies at a point: the frames still in the pipe
// die with its read end, though their tasks were acknowledged when sent; the
// producers meet EPIPE and fail the tasks they were sending. The writer
// fsyncs every record, so it is the slow end and the pipe is full when it
// dies (with a fast writer the pipe is often empty: then only unacknowledged
// tasks are lost).
TEST(Faults, PipeBrokenUnderQueueWriterLosesTheAcknowledgedFramesStillInThePipe) {
  if (ScratchOnTmpfs())
    GTEST_SKIP()
        << "skipped: scratch is on a tmpfs, where fsync is free and the writer is not the slow end";
  Scenario s = WithFault(MakeScenario("queue-writer", 4, {32, 16, 256}, 2), "pipe-broken",
                         Point(FaultPoint::kAfterWrite, 100));
  s.fault.target = FaultTarget::kWriter;
  s.options["fsync"] = "record";
  RunOutcome out = RunAll({s});
  for (const TrialResult& t : out.scenarios[0].trials) {
    ASSERT_EQ(t.fired.value("role", ""), "writer");
    EXPECT_EQ(End(t, t.fired.value("pid", 0)), "exited 3");
    EXPECT_GT(t.failed_tasks, 0) << "producers met EPIPE";
    EXPECT_GT(Count(t, AnomalyKind::kLostAcked), 0) << Describe(out.scenarios[0]);
    EXPECT_FALSE(t.pipeline_ok);
  }
}

// The pool's end of a worker's result pipe dies while the worker writes a
// task: the task is committed, its report meets EPIPE and the worker dies of
// it. atomic-rename shows nothing damaged; a retry of the unreported task
// appends every one of its records a second time under locked-append.
TEST(Faults, PipeBrokenResultPipeLeavesCommittedWorkUnreportedAndARetryDuplicatesIt) {
  Scenario ar = WithFault(MakeScenario("atomic-rename", 4, {32, 16, 256}, 2), "pipe-broken",
                          Point(FaultPoint::kMidRecord, 40));
  Scenario la = WithFault(MakeScenario("locked-append", 4, {32, 16, 256}, 2), "pipe-broken",
                          Point(FaultPoint::kMidRecord, 40));
  la.on_worker_death = WorkerDeathPolicy::kRetryTask;
  RunOutcome out = RunAll({ar, la});
  for (const TrialResult& t : out.scenarios[0].trials) {
    ASSERT_EQ(t.fired.value("role", ""), "worker");
    EXPECT_EQ(End(t, t.fired.value("pid", 0)), "exited 1") << "BrokenPipeError kills the worker";
    EXPECT_LT(t.acked_tasks, 32);
    EXPECT_EQ(t.violations(), 0) << Describe(out.scenarios[0]);
  }
  for (const TrialResult& t : out.scenarios[1].trials) {
    EXPECT_EQ(t.retried_tasks, 1);
    EXPECT_TRUE(t.pipeline_ok);
    EXPECT_EQ(Count(t, AnomalyKind::kDuplicate), 16) << Describe(out.scenarios[1]);
    EXPECT_EQ(Count(t, AnomalyKind::kTorn), 0) << "the task finished before its report failed";
  }
}

}  // namespace
}  // namespace crashbench::testing
