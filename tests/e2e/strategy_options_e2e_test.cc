// The strategy options that reproduce known pitfalls, each with its finding.
#include <gtest/gtest.h>

#include "tests/e2e/e2e_util.h"

namespace crashbench::testing {
namespace {

Scenario With(Scenario s, const std::string& key, const std::string& value) {
  s.options[key] = value;
  s.name += "-" + key + "-" + value;
  return s;
}

// multiprocessing.Lock's holder is killed: nobody ever releases it and every
// other worker waits in futex(2) until the deadline, which names them. The
// robust mutex is handed to the next worker, after the torn record.
TEST(StrategyOptions, ProcessMutexHolderKilledHangsAndRobustMutexShowsTheTornRecord) {
  Scenario base =
      WithPointKill(MakeScenario("locked-append", 4, {32, 16, 256}, 2), FaultPoint::kMidRecord, 40);
  base.deadline_ms = 1500;
  RunOutcome out =
      RunAll({With(base, "lock", "process-mutex"), With(base, "lock", "robust-mutex")});
  for (const TrialResult& t : out.scenarios[0].trials) {
    ASSERT_EQ(Count(t, AnomalyKind::kHang), 1) << Describe(out.scenarios[0]);
    EXPECT_NE(HangDetail(t).find("futex"), std::string::npos) << HangDetail(t);
    EXPECT_NE(HangDetail(t).find("worker"), std::string::npos) << HangDetail(t);
  }
  for (const TrialResult& t : out.scenarios[1].trials) {
    EXPECT_EQ(Count(t, AnomalyKind::kHang), 0) << Describe(out.scenarios[1]);
    EXPECT_EQ(Count(t, AnomalyKind::kTorn), 1) << Describe(out.scenarios[1]);
  }
}

// A flock on the descriptor every worker inherited belongs to one shared open
// file: it excludes nobody and the records' halves interleave. An fcntl lock
// belongs to the process and still excludes the others.
TEST(StrategyOptions, FlockOnAnInheritedDescriptorExcludesNobody) {
  // Interleaving is a race between running workers: long tasks (256 records)
  // and four trials, so that it shows even on a busy machine (RUN_SERIAL keeps
  // the other tests off the cores; an unloaded run shows hundreds per trial).
  Scenario base = With(MakeScenario("locked-append", 4, {16, 256, 1024}, 4), "open", "inherited");
  RunOutcome out = RunAll({base, With(base, "lock", "fcntl")});
  EXPECT_GT(TotalCount(out.scenarios[0], AnomalyKind::kInterleaved), 0)
      << Describe(out.scenarios[0]);
  for (const TrialResult& t : out.scenarios[1].trials)
    EXPECT_EQ(t.violations(), 0) << Describe(out.scenarios[1]);
}

// open(path, "w") in every task: each task empties the file, so with no fault
// at all only the last tasks' records are left.
TEST(StrategyOptions, NaiveTruncateLosesAcknowledgedRecordsWithNoFault) {
  RunOutcome out = RunAll({With(MakeScenario("naive", 1, {8, 4, 256}, 1), "open", "truncate")});
  const TrialResult& t = out.scenarios[0].trials.at(0);
  EXPECT_TRUE(t.pipeline_ok);
  EXPECT_EQ(Count(t, AnomalyKind::kLostAcked), 7 * 4) << Describe(out.scenarios[0]);
}

// The inherited FILE* keeps each worker's last records in a buffer that
// os._exit never writes; the raw descriptor buffers nothing, and its one
// O_APPEND write(2) per record is never split by the other workers' writes.
TEST(StrategyOptions, SharedHandleRawDescriptorLosesNothingAndNeverInterleaves) {
  Scenario base = MakeScenario("shared-handle", 4, {16, 256, 1024}, 3);
  RunOutcome out = RunAll({With(base, "handle", "stdio"), With(base, "handle", "fd")});
  // Each stdio worker's unwritten tail: records missing, or cut where the
  // tail began (interleaved with other workers' flushes, the verifier may see
  // the loss as a torn line rather than a missing record).
  for (const TrialResult& t : out.scenarios[0].trials)
    EXPECT_GT(Count(t, AnomalyKind::kLostAcked) + Count(t, AnomalyKind::kTorn), 0)
        << Describe(out.scenarios[0]);
  for (const TrialResult& t : out.scenarios[1].trials) {
    EXPECT_EQ(t.records_visible, 16 * 256);
    EXPECT_EQ(t.violations(), 0) << Describe(out.scenarios[1]);
  }
}

// A parent that writes through a stdio stream and then forks hands every
// child a copy of the unflushed buffer: task 0, written by the parent, shows
// once more for each process that flushed its copy. One worker (no races):
// exactly one extra copy of each of task 0's records. Under spawn nothing is
// copied. Small records keep all of task 0 inside one 4 KiB stdio buffer.
TEST(StrategyOptions, SharedHandleHeaderWrittenBeforeForkIsDuplicatedInEveryChild) {
  Scenario one = With(MakeScenario("shared-handle", 1, {12, 16, 64}, 1), "header", "stdio");
  Scenario three = With(MakeScenario("shared-handle", 3, {24, 16, 64}, 1), "header", "stdio");
  three.name += "-3";
  Scenario spawned = one;
  spawned.name += "-spawn";
  spawned.start_method = StartMethod::kSpawn;
  Scenario without = MakeScenario("shared-handle", 1, {12, 16, 64}, 1);
  RunOutcome out = RunAll({one, three, spawned, without});
  const TrialResult& t = out.scenarios[0].trials.at(0);
  EXPECT_EQ(Count(t, AnomalyKind::kDuplicate), 16) << Describe(out.scenarios[0]);
  for (const Anomaly& a : t.anomalies) {
    if (a.kind == AnomalyKind::kDuplicate) {
      EXPECT_EQ(a.task, 0) << Describe(out.scenarios[0]);
    }
  }
  // Three workers: whichever of them filled its buffer wrote the copy too.
  EXPECT_GE(Count(out.scenarios[1].trials.at(0), AnomalyKind::kDuplicate), 16)
      << Describe(out.scenarios[1]);
  EXPECT_EQ(Count(out.scenarios[2].trials.at(0), AnomalyKind::kDuplicate), 0)
      << Describe(out.scenarios[2]);
  EXPECT_EQ(Count(out.scenarios[3].trials.at(0), AnomalyKind::kDuplicate), 0)
      << Describe(out.scenarios[3]);
}

// A producer killed while its 10 KB frame is half in the pipe: the writer
// finds the frame cut short, dies, and the pipeline fails.
TEST(StrategyOptions, QueueWriterProducerKilledMidFrameBreaksTheWriter) {
  RunOutcome out = RunAll({WithPointKill(MakeScenario("queue-writer", 1, {8, 4, 10000}, 2),
                                         FaultPoint::kMidRecord, 10)});
  for (const TrialResult& t : out.scenarios[0].trials) {
    ASSERT_FALSE(t.fired.is_null()) << "frames over PIPE_BUF have a mid-record point";
    bool writer_failed = false;
    for (const auto& p : t.processes)
      writer_failed |= p.value("role", "") == "writer" && p.value("end", "") != "exited 0";
    EXPECT_TRUE(writer_failed) << Describe(out.scenarios[0]);
    EXPECT_FALSE(t.pipeline_ok);
  }
}

// The writer (the pipe's reader) dies: acknowledging on send loses the
// acknowledged frames still in the pipe; acknowledging once the writer has
// written the task loses none (the tasks in flight fail instead).
TEST(StrategyOptions, QueueWriterAckOnWriteLosesNoAcknowledgedRecordWhenTheWriterDies) {
  if (ScratchOnTmpfs())
    GTEST_SKIP()
        << "skipped: scratch is on a tmpfs, where fsync is free and the writer is not the slow end";
  Scenario base = MakeScenario("queue-writer", 4, {32, 16, 256}, 2);
  base.options["fsync"] = "record";  // the writer is the slow end: the pipe is full when it dies
  base.fault.kind = "pipe-broken";
  base.fault.target = FaultTarget::kWriter;
  base.fault.trigger.type = TriggerType::kPoint;
  base.fault.trigger.point = FaultPoint::kAfterWrite;
  base.fault.trigger.occurrence = 100;
  RunOutcome out = RunAll({With(base, "ack", "on-send"), With(base, "ack", "on-write")});
  for (const TrialResult& t : out.scenarios[0].trials)
    EXPECT_GT(Count(t, AnomalyKind::kLostAcked), 0) << Describe(out.scenarios[0]);
  for (const TrialResult& t : out.scenarios[1].trials) {
    ASSERT_FALSE(t.fired.is_null());
    EXPECT_EQ(Count(t, AnomalyKind::kLostAcked), 0) << Describe(out.scenarios[1]);
    EXPECT_GT(t.failed_tasks, 0) << "tasks the writer never confirmed fail";
  }
}

// The acknowledgement wait works across exec too (spawned workers map the marks).
TEST(StrategyOptions, QueueWriterAckOnWriteRunsCleanInSpawnMode) {
  Scenario s = With(MakeScenario("queue-writer", 4, {32, 8, 256}, 1), "ack", "on-write");
  s.start_method = StartMethod::kSpawn;
  RunOutcome out = RunAll({s});
  const TrialResult& t = out.scenarios[0].trials.at(0);
  EXPECT_TRUE(t.pipeline_ok);
  EXPECT_EQ(t.acked_tasks, 32);
  EXPECT_EQ(t.violations(), 0) << Describe(out.scenarios[0]);
}

}  // namespace
}  // namespace crashbench::testing
