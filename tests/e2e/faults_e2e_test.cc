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
#include "tests/test_util.h"

namespace crashbench::testing {
namespace {

Scenario WithFault(Scenario s, const std::string& kind, TriggerSpec trigger) {
  s.fault.kind = kind;
  s.fault.trigger = trigger;
  s.name += "-" + kind;
  return s;
}

TriggerSpec Point(FaultPoint p, std::optional<long long> occurrence = {}) {
  TriggerSpec t;
  t.type = TriggerType::kPoint;
  t.point = p;
  t.occurrence = occurrence;
  return t;
}

TriggerSpec Random() {
  TriggerSpec t;
  t.type = TriggerType::kRandom;
  return t;
}

std::string End(const TrialResult& t, int pid) {
  for (const auto& p : t.processes)
    if (p.value("pid", 0) == pid) return p.value("end", "");
  return "?";
}

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

Scenario WithMethod(Scenario s, const std::string& method) {
  s.fault.method = method;
  s.name += "-" + method;
  return s;
}

// The kill a method ends in: the OOM killer's SIGKILL, or bad_alloc's abort().
std::string OomEnd(const TrialResult& t) {
  return t.fired.value("method", "") == "cgroup" ? "killed by SIGKILL" : "killed by SIGABRT";
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

// A full disk from the 20th record on: the target's later tasks all fail and
// none is acknowledged; its stdio buffer is dropped, not half-written.
TEST(Faults, DiskFullIsNeverAcknowledgedAsWritten) {
  RunOutcome out = RunAll({WithMethod(WithFault(MakeScenario("naive", 2, {16, 8, 256}, 2),
                                                "disk-full", Point(FaultPoint::kMidRecord, 20)),
                                      "injected")});
  for (const TrialResult& t : out.scenarios[0].trials) {
    EXPECT_EQ(t.fired.value("method", ""), "injected");
    EXPECT_GT(t.failed_tasks, 0);
    EXPECT_EQ(t.acked_tasks + t.failed_tasks, 16);
    EXPECT_EQ(Count(t, AnomalyKind::kLostAcked), 0) << Describe(out.scenarios[0]);
    for (const auto& p : t.processes) EXPECT_EQ(p.value("end", ""), "exited 0") << "nothing died";
    EXPECT_FALSE(t.pipeline_ok);
  }
}

// One EIO in the middle of a record: per-task-file leaves the failed task's
// partial document at its final name; atomic-rename removes its temp file.
TEST(Faults, EioLeavesAPartialFileOnlyWhereTheStrategyWritesTheFinalName) {
  RunOutcome out = RunAll({WithFault(MakeScenario("per-task-file", 2, {16, 8, 256}, 2), "eio",
                                     Point(FaultPoint::kMidRecord, 20)),
                           WithFault(MakeScenario("atomic-rename", 2, {16, 8, 256}, 2), "eio",
                                     Point(FaultPoint::kMidRecord, 20))});
  for (const TrialResult& t : out.scenarios[0].trials) {
    EXPECT_EQ(t.failed_tasks, 1);
    EXPECT_EQ(Count(t, AnomalyKind::kPartialVisible), 1) << Describe(out.scenarios[0]);
  }
  for (const TrialResult& t : out.scenarios[1].trials) {
    EXPECT_EQ(t.failed_tasks, 1);
    EXPECT_EQ(t.violations(), 0) << Describe(out.scenarios[1]);
    EXPECT_EQ(Count(t, AnomalyKind::kOrphanTemp), 0) << "a failed task cleans up its temp file";
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

// Where root may mount: a real 2x-the-workload tmpfs that the target fills at
// its 20th record. The kernel's ENOSPC reaches every process, nothing failed
// is acknowledged, per-task-file leaves partial documents at final names and
// atomic-rename leaves nothing damaged. Nothing stays mounted.
TEST(Faults, DiskFullOnARealTmpfs) {
  Scenario ptf = WithFault(MakeScenario("per-task-file", 2, {16, 8, 256}, 2), "disk-full",
                           Point(FaultPoint::kMidRecord, 20));
  Scenario ar = WithFault(MakeScenario("atomic-rename", 2, {16, 8, 256}, 2), "disk-full",
                          Point(FaultPoint::kMidRecord, 20));
  RunOutcome out = RunAll({ptf, ar}, /*keep=*/true);
  struct Cleanup {
    const std::string& root;
    ~Cleanup() { (void)RemoveTree(root); }
  } cleanup{out.scratch_root};
  const TrialResult& first = out.scenarios[0].trials.at(0);
  if (first.fired.value("method", "") != "tmpfs")
    GTEST_SKIP() << "skipped: no tmpfs here (needs root and permission to mount); disk-full ran as "
                 << first.fired.value("method", "?");
  for (const ScenarioResult& sr : out.scenarios) {
    for (const TrialResult& t : sr.trials) {
      EXPECT_EQ(t.fired.value("method", ""), "tmpfs");
      EXPECT_GT(t.failed_tasks, 0) << Describe(sr);
      EXPECT_EQ(Count(t, AnomalyKind::kLostAcked), 0) << Describe(sr);
    }
  }
  for (const TrialResult& t : out.scenarios[0].trials)
    EXPECT_GT(Count(t, AnomalyKind::kPartialVisible), 0) << Describe(out.scenarios[0]);
  for (const TrialResult& t : out.scenarios[1].trials)
    EXPECT_EQ(t.violations(), 0) << Describe(out.scenarios[1]);
  // The tmpfs lived in the trial's own mount namespace; what the reader saw
  // was copied into the real directory underneath, without the filler.
  for (const TrialResult& t : out.scenarios[0].trials) {
    ASSERT_FALSE(t.kept_dir.empty());
    struct statfs fs;
    ASSERT_EQ(::statfs(t.kept_dir.c_str(), &fs), 0);
    EXPECT_NE(fs.f_type, static_cast<decltype(fs.f_type)>(TMPFS_MAGIC)) << "still a tmpfs";
    EXPECT_TRUE(ReadFileToString(t.kept_dir + "/" + PerTaskFileName(0)).ok()) << t.kept_dir;
    EXPECT_NE(::access((t.kept_dir + "/.crashbench-filler").c_str(), F_OK), 0)
        << "the filler was kept";
  }
}

// A disk that fills when the last writes fit in a page the file already has:
// they succeed, every task is acknowledged, and nothing died. Not a silent
// failure (the fault acted in the worker, which lived on).
TEST(Faults, DiskFullThatNoWriteNoticesIsNotASilentFailure) {
  RunOutcome out = RunAll({WithFault(MakeScenario("naive", 1, {4, 4, 64}, 1), "disk-full",
                                     Point(FaultPoint::kMidRecord, 16))});
  const TrialResult& t = out.scenarios[0].trials.at(0);
  if (t.fired.value("method", "") != "tmpfs")
    GTEST_SKIP() << "skipped: no tmpfs here (needs root and permission to mount)";
  EXPECT_EQ(t.acked_tasks, 4);
  EXPECT_TRUE(t.pipeline_ok);
  EXPECT_EQ(Count(t, AnomalyKind::kSilentFailure), 0) << Describe(out.scenarios[0]);
  EXPECT_EQ(t.violations(), 0) << Describe(out.scenarios[0]);
}

// Where root has a writable memory cgroup: the kernel's OOM killer kills the
// target (SIGKILL), the result says so, and the cgroup is removed afterwards.
TEST(Faults, OomThroughTheKernelOomKillerInAMemoryCgroup) {
  RunOutcome out = RunAll({WithFault(MakeScenario("naive", 1, {4, 4, 10000}, 2), "oom",
                                     Point(FaultPoint::kMidRecord))});
  const TrialResult& first = out.scenarios[0].trials.at(0);
  if (first.fired.value("method", "") != "cgroup")
    GTEST_SKIP() << "skipped: no writable memory cgroup here (needs root); oom ran as "
                 << first.fired.value("method", "?");
  for (const TrialResult& t : out.scenarios[0].trials) {
    EXPECT_EQ(t.fired.value("method", ""), "cgroup");
    EXPECT_EQ(End(t, t.fired.value("pid", 0)), "killed by SIGKILL");
    EXPECT_EQ(Count(t, AnomalyKind::kTorn), 1) << Describe(out.scenarios[0]);
    EXPECT_FALSE(t.pipeline_ok);
  }
  // Trials run in this process's cgroups; theirs were named after the trial process.
  Result<std::string> self = ReadFileToString("/proc/self/cgroup");
  ASSERT_TRUE(self.ok());
  std::string v1 = "/", v2 = "/";
  for (size_t pos = 0; pos < self->size();) {
    size_t end = std::min(self->find('\n', pos), self->size());
    const std::string line = self->substr(pos, end - pos);
    pos = end + 1;
    if (line.find(":memory:") != std::string::npos) v1 = line.substr(line.find(":memory:") + 8);
    if (line.rfind("0::", 0) == 0) v2 = line.substr(3);
  }
  for (const TrialResult& t : out.scenarios[0].trials) {
    const std::string leaf = "/crashbench-oom-" + std::to_string(t.trial_pgid);
    for (const std::string& dir :
         {"/sys/fs/cgroup/memory" + v1 + leaf, "/sys/fs/cgroup" + v2 + leaf})
      EXPECT_NE(::access(dir.c_str(), F_OK), 0) << dir << " was left behind";
  }
}

}  // namespace
}  // namespace crashbench::testing
