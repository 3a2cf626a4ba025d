// End to end: real worker processes, real kills, the real verifier. Each test
// asserts a finding about a strategy, as its real-world model behaves.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "faults/registry.h"
#include "harness/base/sys.h"
#include "harness/contract/record.h"
#include "strategies/strategy.h"
#include "tests/e2e/e2e_util.h"
#include "tests/test_util.h"

namespace crashbench::testing {
namespace {

constexpr Workload kSmall{16, 8, 200};

// Every strategy but shared-handle is intact with one worker and no fault.
// shared-handle is not: its worker leaves as a multiprocessing worker does
// (os._exit, no flush), and what was still in its stdio buffer is never written.
TEST(EndToEnd, EveryStrategyButSharedHandleIsIntactWithOneWorkerAndNoFault) {
  std::vector<Scenario> scenarios;
  for (const StrategyInfo& info : AllStrategies())
    scenarios.push_back(MakeScenario(std::string(info.name), 1, {24, 16, 300}, 1));
  RunOutcome out = RunAll(scenarios);
  for (const ScenarioResult& sr : out.scenarios) {
    ASSERT_EQ(sr.trials.size(), 1u);
    const TrialResult& t = sr.trials[0];
    if (sr.scenario.strategy == "shared-handle") {
      // 24 x 16 lines of about 380 bytes: 145 KB, of which the file gets the
      // whole 4 KiB buffers; the last partial buffer (and the record it cuts) is lost.
      EXPECT_GT(Count(t, AnomalyKind::kLostAcked), 0) << Describe(sr);
      EXPECT_LE(Count(t, AnomalyKind::kLostAcked), 12) << Describe(sr);
      EXPECT_EQ(Count(t, AnomalyKind::kTorn), 1) << Describe(sr);
      EXPECT_TRUE(t.pipeline_ok) << "the pipeline reports success: nothing died";
      continue;
    }
    EXPECT_TRUE(t.anomalies.empty()) << Describe(sr);
    EXPECT_EQ(t.acked_tasks, 24) << sr.scenario.name;
    EXPECT_EQ(t.records_visible, 24 * 16) << sr.scenario.name;
    EXPECT_TRUE(t.pipeline_ok) << sr.scenario.name;
  }
}

TEST(EndToEnd, SpawnStartMethodRunsEveryStrategyIntact) {
  std::vector<Scenario> scenarios;
  for (const StrategyInfo& info : AllStrategies()) {
    Scenario s = MakeScenario(std::string(info.name), 1, kSmall, 1);
    // shared-handle flushed per task, so that its exit loses nothing here.
    if (info.name == "shared-handle") s.options["fsync"] = "task";
    s.start_method = StartMethod::kSpawn;
    scenarios.push_back(s);
  }
  RunOutcome out = RunAll(scenarios);
  for (const ScenarioResult& sr : out.scenarios) {
    ASSERT_EQ(sr.trials.size(), 1u);
    EXPECT_TRUE(sr.trials[0].anomalies.empty()) << Describe(sr);
    EXPECT_EQ(sr.trials[0].records_visible, kSmall.tasks * kSmall.records_per_task)
        << sr.scenario.name;
  }
}

// Several workers, no fault. Tasks larger than stdio's 4 KiB buffer are
// flushed in chunks while other workers append: naive and shared-handle
// interleave with no fault at all. That is a race: measured here, naive and
// shared-handle interleaved in 30 of 30 trials of 32 records of 1000 bytes a
// task (in 24 of 30 with 16 a task), so eight trials without any interleaving
// would mean the strategy changed. Records stay shorter than a chunk: longer
// ones cannot always be put back together (see the verifier's limits). The
// strategies built to avoid it must stay clean in every trial.
TEST(EndToEnd, SeveralWorkersNoFaultBufferedAppendersInterleaveOthersAreIntact) {
  std::vector<Scenario> scenarios;
  for (const StrategyInfo& info : AllStrategies()) {
    const std::string name(info.name);
    const bool buffered_appender = name == "naive" || name == "shared-handle";
    scenarios.push_back(buffered_appender ? MakeScenario(name, 4, {64, 32, 1000}, 8)
                                          : MakeScenario(name, 4, {32, 16, 1000}, 2));
  }
  RunOutcome out = RunAll(scenarios);
  for (const ScenarioResult& sr : out.scenarios) {
    const std::string& name = sr.scenario.strategy;
    if (name == "naive" || name == "shared-handle") {
      EXPECT_GT(TotalCount(sr, AnomalyKind::kInterleaved), 0) << Describe(sr);
      // naive closes every task's file: nothing acknowledged is lost. shared-
      // handle's workers never flush their last buffer: something always is.
      if (name == "naive")
        EXPECT_EQ(TotalCount(sr, AnomalyKind::kLostAcked), 0) << Describe(sr);
      else
        EXPECT_GT(TotalCount(sr, AnomalyKind::kLostAcked), 0) << Describe(sr);
      EXPECT_EQ(TotalCount(sr, AnomalyKind::kDuplicate), 0) << Describe(sr);
    } else {
      EXPECT_EQ(TrialsWithViolations(sr), 0) << Describe(sr);
      for (const TrialResult& t : sr.trials) EXPECT_EQ(t.records_visible, 32 * 16) << Describe(sr);
    }
  }
}

// Random moments land where the time goes. With 16 KiB records the writes take
// long enough that a direct write to the final name is caught (5 of 50 trials
// when tried); with tiny records nearly every kill lands in fsync or dispatch
// and this test could not fail.
TEST(EndToEnd, AtomicRenameSurvivesFiftyKillsAtRandomMoments) {
  Scenario s = WithRandomKill(MakeScenario("atomic-rename", 4, {24, 16, 16384}, 50));
  RunOutcome out = RunAll({s});
  const ScenarioResult& sr = out.scenarios[0];
  ASSERT_EQ(sr.trials.size(), 50u);
  EXPECT_EQ(TrialsWithViolations(sr), 0) << Describe(sr);
  EXPECT_GE(TrialsFired(sr), 40) << "most random moments must fall inside the run: "
                                 << Describe(sr);
}

TEST(EndToEnd, AtomicRenameSurvivesKillsAtEveryFaultPoint) {
  std::vector<Scenario> scenarios;
  for (int p = 0; p < kNumFaultPoints; ++p)
    scenarios.push_back(WithPointKill(MakeScenario("atomic-rename", 4, {16, 8, 256}, 8),
                                      static_cast<FaultPoint>(p)));
  RunOutcome out = RunAll(scenarios);
  for (const ScenarioResult& sr : out.scenarios) {
    ASSERT_EQ(sr.trials.size(), 8u) << sr.scenario.name;
    EXPECT_EQ(TrialsFired(sr), 8) << Describe(sr);
    EXPECT_EQ(TrialsWithViolations(sr), 0) << Describe(sr);
  }
}

// A half record of 10 KB is larger than stdio's buffer, so fwrite hands it to
// the kernel at once: the kill between the halves always leaves a torn line.
TEST(EndToEnd, NaiveKilledMidRecordAlwaysShowsAViolation) {
  Scenario s = WithPointKill(MakeScenario("naive", 2, {8, 4, 10000}, 10), FaultPoint::kMidRecord);
  RunOutcome out = RunAll({s});
  const ScenarioResult& sr = out.scenarios[0];
  EXPECT_EQ(TrialsFired(sr), 10) << Describe(sr);
  EXPECT_EQ(TrialsWithViolations(sr), 10) << Describe(sr);
  EXPECT_GT(TotalCount(sr, AnomalyKind::kTorn) + TotalCount(sr, AnomalyKind::kInterleaved), 0);
}

// The file exists at its final name from fopen on: a kill mid-task always
// leaves a cut-short document where a reader looks.
TEST(EndToEnd, PerTaskFileKilledMidRecordAlwaysLeavesAPartialFile) {
  Scenario s = WithPointKill(MakeScenario("per-task-file", 4, kSmall, 10), FaultPoint::kMidRecord);
  RunOutcome out = RunAll({s});
  const ScenarioResult& sr = out.scenarios[0];
  EXPECT_EQ(TrialsFired(sr), 10) << Describe(sr);
  for (const TrialResult& t : sr.trials) {
    EXPECT_EQ(Count(t, AnomalyKind::kTorn), 1) << Describe(sr);
    EXPECT_EQ(Count(t, AnomalyKind::kPartialVisible), 1) << Describe(sr);
  }
}

// The lock holder dies between the halves of a record; the kernel releases
// its flock and the next holder appends after the torn bytes.
TEST(EndToEnd, LockedAppendKilledMidRecordLeavesTornRecordThenValidAppends) {
  Scenario s =
      WithPointKill(MakeScenario("locked-append", 4, {16, 8, 300}, 3), FaultPoint::kMidRecord, 3);
  RunOutcome out = RunAll({s}, /*keep=*/true);
  const ScenarioResult& sr = out.scenarios[0];
  for (const TrialResult& t : sr.trials) {
    ASSERT_EQ(Count(t, AnomalyKind::kTorn), 1) << Describe(sr);
    EXPECT_EQ(Count(t, AnomalyKind::kInterleaved), 0) << Describe(sr);
    EXPECT_EQ(Count(t, AnomalyKind::kCorrupt), 0) << Describe(sr);
    EXPECT_EQ(Count(t, AnomalyKind::kLostAcked), 0) << Describe(sr);
    const Anomaly* torn = nullptr;
    for (const Anomaly& a : t.anomalies)
      if (a.kind == AnomalyKind::kTorn) torn = &a;
    Result<std::string> bytes = ReadFileToString(t.kept_dir + "/records.jsonl");
    ASSERT_TRUE(bytes.ok());
    // After the torn bytes, the file goes on with whole, valid records.
    size_t next_line = bytes->find('\n', static_cast<size_t>(torn->offset));
    ASSERT_NE(next_line, std::string::npos) << "nothing was appended after the torn record";
    size_t after = bytes->find('\n', next_line + 1);
    Record r;
    EXPECT_EQ(ParseRecord(bytes->substr(next_line + 1, after - next_line - 1), &r),
              ParseOutcome::kValid);
    EXPECT_GT(bytes->size(), static_cast<size_t>(torn->offset) + 400);
    (void)RemoveTree(t.kept_dir);
  }
  (void)RemoveTree(out.scratch_root);
}

// The writer is killed with records in its stdio buffer and in the pipe, for
// tasks the workers already acknowledged.
TEST(EndToEnd, QueueWriterLosesAcknowledgedRecordsWhenItsWriterIsKilled) {
  Scenario s =
      WithPointKill(MakeScenario("queue-writer", 4, {16, 8, 256}, 5), FaultPoint::kMidRecord, 20);
  s.fault.target = FaultTarget::kWriter;
  RunOutcome out = RunAll({s});
  const ScenarioResult& sr = out.scenarios[0];
  for (const TrialResult& t : sr.trials) {
    ASSERT_FALSE(t.fired.is_null());
    EXPECT_EQ(t.fired.value("role", ""), "writer");
    EXPECT_GT(Count(t, AnomalyKind::kLostAcked), 0) << Describe(sr);
    EXPECT_EQ(Count(t, AnomalyKind::kInterleaved), 0) << Describe(sr);
    EXPECT_FALSE(t.pipeline_ok);
  }
}

// One worker, killed before acknowledging its third task: its first two tasks
// were acknowledged, and their 8 records (under 4 KiB) still sat in its
// private copy of the stdio buffer. (With several workers the third
// acknowledgement may be another worker's first, which has nothing to lose.)
TEST(EndToEnd, SharedHandleLosesAcknowledgedRecordsBufferedInAKilledWorker) {
  Scenario s =
      WithPointKill(MakeScenario("shared-handle", 1, {16, 4, 200}, 3), FaultPoint::kBeforeAck, 3);
  RunOutcome out = RunAll({s});
  const ScenarioResult& sr = out.scenarios[0];
  for (const TrialResult& t : sr.trials) {
    EXPECT_EQ(t.acked_tasks, 2) << Describe(sr);
    EXPECT_EQ(Count(t, AnomalyKind::kLostAcked), 2 * 4) << Describe(sr);
  }
}

TEST(EndToEnd, AllWorkersTargetKillsEveryWorker) {
  Scenario s =
      WithPointKill(MakeScenario("locked-append", 3, kSmall, 2), FaultPoint::kAfterWrite, 5);
  s.fault.target = FaultTarget::kAllWorkers;
  RunOutcome out = RunAll({s});
  for (const TrialResult& t : out.scenarios[0].trials) {
    ASSERT_EQ(t.processes.size(), 3u);
    for (const auto& p : t.processes)
      EXPECT_EQ(p.value("end", ""), "killed by SIGKILL") << p.dump();
  }
}

TEST(EndToEnd, AfterRecordsTriggerFiresOnTheChosenWorker) {
  Scenario s = MakeScenario("naive", 3, kSmall, 3);
  s.fault.kind = "sigkill";
  s.fault.trigger.type = TriggerType::kAfterRecords;
  s.fault.trigger.after_records = 20;
  RunOutcome out = RunAll({s});
  for (const TrialResult& t : out.scenarios[0].trials) {
    ASSERT_FALSE(t.fired.is_null());
    EXPECT_EQ(t.fired.value("after_records", 0LL), 20);
    int killed = 0;
    for (const auto& p : t.processes) killed += p.value("end", "") == "killed by SIGKILL";
    EXPECT_EQ(killed, 1) << t.processes.dump();
  }
}

TEST(EndToEnd, SameSeedSameFaultPoint) {
  Scenario s = WithPointKill(MakeScenario("per-task-file", 4, kSmall, 4), FaultPoint::kMidRecord);
  RunOutcome a = RunAll({s});
  RunOutcome b = RunAll({s});
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(a.scenarios[0].trials[i].fired.value("occurrence", -1LL),
              b.scenarios[0].trials[i].fired.value("occurrence", -2LL));
  }
}

TEST(EndToEnd, DeadlinePassedBecomesADiagnosedHangAndEverythingIsReaped) {
  // A million tasks handed out one at a time cannot finish in 200 ms on any
  // machine (each needs a round trip through two pipes).
  Scenario s = MakeScenario("naive", 2, {1000000, 1, 16}, 1);
  s.deadline_ms = 200;
  RunOutcome out = RunAll({s});
  const TrialResult& t = out.scenarios[0].trials[0];
  ASSERT_EQ(Count(t, AnomalyKind::kHang), 1) << Describe(out.scenarios[0]);
  const std::string detail = HangDetail(t);
  EXPECT_NE(detail.find("worker 0 (pid"), std::string::npos) << detail;
  for (int pid : ReportedPids(out)) EXPECT_FALSE(ProcessExists(pid)) << pid;
  EXPECT_EQ(ProcessesLeftInTrialGroups(out), std::vector<int>{});
}

TEST(EndToEnd, NoProcessOrScratchDirectoryIsLeftBehind) {
  std::vector<Scenario> scenarios;
  for (const StrategyInfo& info : AllStrategies())
    scenarios.push_back(WithRandomKill(MakeScenario(std::string(info.name), 3, kSmall, 3)));
  for (const FaultInfo& f : AllFaults()) {  // every fault kind, at a point and at random
    // short-write acts only at a system call the tap stopped: not in the pool.
    // power-loss is the whole run, with no point or moment (power_loss_e2e_test.cc).
    if (f.name == "none" || f.make()->needs().has(FaultNeed::kSyscallStop) || f.make()->whole_run())
      continue;
    // Aimed where the kind applies: pipe-full stalls queue-writer's writer,
    // and its hang ends at a short deadline.
    const bool writer = f.name == "pipe-full";
    Scenario at_point = WithPointKill(MakeScenario(writer ? "queue-writer" : "naive", 3, kSmall, 2),
                                      FaultPoint::kAfterWrite);
    Scenario at_random =
        WithRandomKill(MakeScenario(writer ? "queue-writer" : "locked-append", 3, kSmall, 2));
    for (Scenario* s : {&at_point, &at_random}) {
      s->fault.kind = std::string(f.name);
      s->name += "-" + s->fault.kind;
      if (writer) {
        s->fault.target = FaultTarget::kWriter;
        s->fault.trigger.point = FaultPoint::kMidRecord;
        s->deadline_ms = 500;
      }
      Status valid = ValidateScenario(s);
      ASSERT_TRUE(valid.ok()) << s->name << ": " << valid.message();
      scenarios.push_back(*s);
    }
  }
  scenarios.push_back(
      WithPointKill(MakeScenario("queue-writer", 3, kSmall, 2), FaultPoint::kAfterWrite));
  scenarios.back().fault.target = FaultTarget::kPool;
  RunOutcome out = RunAll(scenarios);
  std::vector<int> pids = ReportedPids(out);
  EXPECT_GE(pids.size(), 6u * 3 * 3 + 5u * 2 * 3 * 2);
  for (int pid : pids) EXPECT_FALSE(ProcessExists(pid)) << "pid " << pid << " outlived its trial";
  EXPECT_EQ(ProcessesLeftInTrialGroups(out), std::vector<int>{})
      << "a trial's process group is not empty";
  struct stat st;
  EXPECT_NE(::stat(out.scratch_root.c_str(), &st), 0) << out.scratch_root << " was left behind";
}

}  // namespace
}  // namespace crashbench::testing
