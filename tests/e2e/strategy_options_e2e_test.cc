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

std::string HangDetail(const TrialResult& t) {
  for (const Anomaly& a : t.anomalies)
    if (a.kind == AnomalyKind::kHang) return a.detail;
  return "";
}

// multiprocessing.Lock's holder is killed: nobody ever releases it and every
// other worker waits in futex(2) until the deadline, which names them. The
// robust mutex is handed to the next worker, after the torn record.
TEST(StrategyOptions, ProcessMutexHolderKilledHangsAndRobustMutexShowsTheTornRecord) {
  Scenario base = WithPointKill(MakeScenario("locked-append", 4, {32, 16, 256}, 2), FaultPoint::kMidRecord, 40);
  base.deadline_ms = 1500;
  RunOutcome out = RunAll({With(base, "lock", "process-mutex"), With(base, "lock", "robust-mutex")});
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
  EXPECT_GT(TotalCount(out.scenarios[0], AnomalyKind::kInterleaved), 0) << Describe(out.scenarios[0]);
  for (const TrialResult& t : out.scenarios[1].trials) EXPECT_EQ(t.violations(), 0) << Describe(out.scenarios[1]);
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
// os._exit never writes; the raw descriptor buffers nothing.
TEST(StrategyOptions, SharedHandleRawDescriptorLosesNothingAtExit) {
  Scenario base = MakeScenario("shared-handle", 1, {8, 4, 256}, 1);
  RunOutcome out = RunAll({With(base, "handle", "stdio"), With(base, "handle", "fd")});
  EXPECT_GT(Count(out.scenarios[0].trials.at(0), AnomalyKind::kLostAcked), 0) << Describe(out.scenarios[0]);
  EXPECT_EQ(out.scenarios[1].trials.at(0).violations(), 0) << Describe(out.scenarios[1]);
}

// A producer killed while its 10 KB frame is half in the pipe: the writer
// finds the frame cut short, dies, and the pipeline fails.
TEST(StrategyOptions, QueueWriterProducerKilledMidFrameBreaksTheWriter) {
  RunOutcome out = RunAll(
      {WithPointKill(MakeScenario("queue-writer", 1, {8, 4, 10000}, 2), FaultPoint::kMidRecord, 10)});
  for (const TrialResult& t : out.scenarios[0].trials) {
    ASSERT_FALSE(t.fired.is_null()) << "frames over PIPE_BUF have a mid-record point";
    bool writer_failed = false;
    for (const auto& p : t.processes)
      writer_failed |= p.value("role", "") == "writer" && p.value("end", "") != "exited 0";
    EXPECT_TRUE(writer_failed) << Describe(out.scenarios[0]);
    EXPECT_FALSE(t.pipeline_ok);
  }
}

}  // namespace
}  // namespace crashbench::testing
