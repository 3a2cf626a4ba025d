// What power loss does to the built-in strategies, on hand-built logs of the
// exact calls each makes (tests/persist/strategy_logs.h): the findings issue
// 11 predicts, each asserted under the models that must show it, and the
// clean results asserted where a strategy's fsyncs are enough.
#include <gtest/gtest.h>

#include <string>

#include "harness/persist/power_loss.h"
#include "tests/persist/strategy_logs.h"

namespace crashbench {
namespace {

using namespace persist_testing;  // NOLINT: test programs

const char* const kAllModels[] = {"prefix", "lazyfs", "posix-weak", "ext4-ordered"};

PowerLossReport Check(const OpLog& log, const std::string& model, Layout layout, const Workload& w,
                      ModelOptions model_options = {}) {
  PowerLossOptions opt;
  opt.model = model;
  opt.model_options = std::move(model_options);
  opt.explore.max_states = 0;  // every state the models propose: these logs are small
  opt.verify.layout = layout;
  opt.verify.tasks = w.tasks;
  opt.verify.records_per_task = w.records;
  Result<PowerLossReport> r = CheckPowerLoss(log, nullptr, opt);
  EXPECT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->counts.complete);
  return r.ok() ? r.value() : PowerLossReport{};
}

long long StatesWith(const PowerLossReport& r, const std::string& kind) {
  auto it = r.states_with.find(kind);
  return it == r.states_with.end() ? 0 : it->second;
}

// The first example of a kind, or a failure.
const PowerLossExample* Example(const PowerLossReport& r, AnomalyKind kind) {
  for (const PowerLossExample& e : r.examples)
    if (e.anomaly.kind == kind) return &e;
  ADD_FAILURE() << r.model << ": no example of " << AnomalyName(kind);
  return nullptr;
}

std::string Summary(const PowerLossReport& r) { return PowerLossJson(r).dump(); }

Workload Small() {
  Workload w;
  w.tasks = 4;
  w.records = 16;  // a 4.4 KiB document: two write(2) calls through stdio
  return w;
}

TEST(AtomicRenamePowerLoss, WithoutFsyncAKillIsSafeAndAPowerLossIsNot) {
  const Workload w = Small();
  const OpLog log = LogOf([&](Calls& c) { AtomicRename(c, w, false, false); });
  EXPECT_EQ(Check(log, "prefix", Layout::kPerTask, w).violating, 0);
  for (const char* model : {"lazyfs", "ext4-ordered", "posix-weak"}) {
    PowerLossReport r = Check(log, model, Layout::kPerTask, w);
    SCOPED_TRACE(Summary(r));
    // An acknowledged task whose final file is there with no bytes.
    EXPECT_GT(StatesWith(r, "torn"), 0) << model;
    if (const PowerLossExample* e = Example(r, AnomalyKind::kTorn)) {
      EXPECT_EQ(e->anomaly.excerpt, "") << model;
      EXPECT_NE(e->anomaly.detail.find(std::string(model) + ": crash after"), std::string::npos);
      EXPECT_NE(e->anomaly.detail.find("the rename persisted, the data written before it did "
                                       "not: no fsync of the file before the rename"),
                std::string::npos)
          << e->anomaly.detail;
      EXPECT_NE(e->anomaly.detail.find("dropped: #"), std::string::npos) << e->anomaly.detail;
    }
  }
  // Names are not durable either without a directory fsync: the file is missing.
  EXPECT_GT(StatesWith(Check(log, "posix-weak", Layout::kPerTask, w), "lost-acked"), 0);
  EXPECT_GT(StatesWith(Check(log, "ext4-ordered", Layout::kPerTask, w), "lost-acked"), 0);
  EXPECT_EQ(StatesWith(Check(log, "lazyfs", Layout::kPerTask, w), "lost-acked"), 0);
}

TEST(AtomicRenamePowerLoss, FsyncOfTheFileAndOfTheDirectoryHoldsUnderEveryModel) {
  const Workload w = Small();
  const OpLog log = LogOf([&](Calls& c) { AtomicRename(c, w, true, true); });
  for (const char* model : kAllModels) {
    PowerLossReport r = Check(log, model, Layout::kPerTask, w);
    EXPECT_EQ(r.violating, 0) << model << ": " << Summary(r);
    EXPECT_GT(r.counts.checked, 0);
  }
}

TEST(AtomicRenamePowerLoss, WithoutTheDirectoryFsyncTheLastRenamesAreLost) {
  const Workload w = Small();
  const OpLog log = LogOf([&](Calls& c) { AtomicRename(c, w, true, false); });
  EXPECT_EQ(Check(log, "lazyfs", Layout::kPerTask, w).violating, 0);
  for (const char* model : {"ext4-ordered", "posix-weak"}) {
    PowerLossReport r = Check(log, model, Layout::kPerTask, w);
    SCOPED_TRACE(Summary(r));
    EXPECT_GT(StatesWith(r, "lost-acked"), 0) << model;
    EXPECT_EQ(StatesWith(r, "torn"), 0) << model;  // the data was synced before each rename
    if (const PowerLossExample* e = Example(r, AnomalyKind::kLostAcked)) {
      EXPECT_NE(e->anomaly.detail.find("the rename that names"), std::string::npos)
          << e->anomaly.detail;
    }
  }
  // ext4 loses a rename only while no fsync of any file has followed it: an
  // acknowledged task's rename is safe once the next task fsyncs its temp file.
  PowerLossReport ext4 = Check(log, "ext4-ordered", Layout::kPerTask, w);
  for (const PowerLossExample& e : ext4.examples) {
    if (e.anomaly.kind == AnomalyKind::kLostAcked) {
      EXPECT_NE(e.anomaly.detail.find("the journal had not committed it: no fsync of any file "
                                      "after it"),
                std::string::npos)
          << e.anomaly.detail;
    }
  }
}

TEST(AtomicRenamePowerLoss, AutoDaAllocProtectsARenameOverAnExistingFile) {
  const Workload w = Small();
  // A previous run's output is there: every rename replaces a file.
  LogBuilder b{FsState{}};
  LogCalls calls(&b);
  PerTaskFile(calls, w, true);
  FsState before = Replay(std::move(b).Finish());
  LogBuilder again(before);
  LogCalls calls_again(&again);
  AtomicRename(calls_again, w, false, false);
  const OpLog log = std::move(again).Finish();

  PowerLossReport on = Check(log, "ext4-ordered", Layout::kPerTask, w, {{"auto_da_alloc", "on"}});
  EXPECT_EQ(StatesWith(on, "torn"), 0) << Summary(on);
  EXPECT_EQ(on.violating, 0) << Summary(on);
  PowerLossReport off = Check(log, "ext4-ordered", Layout::kPerTask, w, {{"auto_da_alloc", "off"}});
  EXPECT_GT(StatesWith(off, "torn"), 0) << Summary(off);
}

TEST(PerTaskFilePowerLoss, TornAndPartialVisibleUnderEveryModelEvenWithFsync) {
  const Workload w = Small();
  for (bool fsync : {false, true}) {
    const OpLog log = LogOf([&](Calls& c) { PerTaskFile(c, w, fsync); });
    for (const char* model : kAllModels) {
      PowerLossReport r = Check(log, model, Layout::kPerTask, w);
      EXPECT_GT(StatesWith(r, "torn"), 0) << model << " fsync=" << fsync << ": " << Summary(r);
      EXPECT_GT(StatesWith(r, "partial-visible"), 0) << model << " fsync=" << fsync;
    }
    // No directory fsync after the create: the file itself may be gone.
    EXPECT_GT(StatesWith(Check(log, "posix-weak", Layout::kPerTask, w), "lost-acked"), 0);
  }
}

TEST(LockedAppendPowerLoss, FsyncTaskIsCleanUnderLazyfsAndTornUnderExt4) {
  const Workload w = Small();
  const OpLog log = LogOf([&](Calls& c) { LockedAppend(c, w, true); });
  PowerLossReport lazy = Check(log, "lazyfs", Layout::kShared, w);
  EXPECT_EQ(lazy.violating, 0) << Summary(lazy);
  PowerLossReport ext4 = Check(log, "ext4-ordered", Layout::kShared, w);
  EXPECT_GT(StatesWith(ext4, "torn"), 0) << Summary(ext4);
  EXPECT_GT(StatesWith(ext4, "partial-visible"), 0) << Summary(ext4);
  EXPECT_EQ(StatesWith(ext4, "lost-acked"), 0) << Summary(ext4);
  // The file's creation is never made durable by a directory fsync.
  PowerLossReport weak = Check(log, "posix-weak", Layout::kShared, w);
  EXPECT_GT(StatesWith(weak, "lost-acked"), 0) << Summary(weak);
}

TEST(LockedAppendPowerLoss, WithoutFsyncAcknowledgedRecordsAreLost) {
  const Workload w = Small();
  const OpLog log = LogOf([&](Calls& c) { LockedAppend(c, w, false); });
  // A kill keeps every acknowledged append (the page cache survives); it tears the record in
  // flight.
  PowerLossReport killed = Check(log, "prefix", Layout::kShared, w);
  EXPECT_EQ(StatesWith(killed, "lost-acked"), 0) << Summary(killed);
  EXPECT_GT(StatesWith(killed, "torn"), 0) << Summary(killed);
  for (const char* model : {"lazyfs", "ext4-ordered", "posix-weak"})
    EXPECT_GT(StatesWith(Check(log, model, Layout::kShared, w), "lost-acked"), 0) << model;
}

TEST(NaivePowerLoss, TwoWritersLeavePartialTasksUnderEveryModelEvenWithFsync) {
  const Workload w = Small();
  // One worker's fsync makes the other's half-written task durable. (Its
  // records are cut at stdio's 4 KiB flushes and the two workers' blocks
  // alternate, so the verifier reads the damage as interleaving.)
  const OpLog log = LogOf([&](Calls& c) {
    Interleave(
        c, [&](Calls& c0) { Naive(c0, w, true, 0, 2); },
        [&](Calls& c1) { Naive(c1, w, true, 1, 2); });
  });
  for (const char* model : kAllModels) {
    PowerLossReport r = Check(log, model, Layout::kShared, w);
    EXPECT_GT(StatesWith(r, "partial-visible"), 0) << model << ": " << Summary(r);
  }
}

TEST(NaivePowerLoss, OneWriterWithFsyncAtTheTaskEndIsCleanUnderLazyfs) {
  // The same file, the same calls, one writer: lazyfs keeps exactly the
  // synced prefix, which ends at a task's end.
  const Workload w = Small();
  const OpLog log = LogOf([&](Calls& c) { Naive(c, w, true); });
  PowerLossReport r = Check(log, "lazyfs", Layout::kShared, w);
  EXPECT_EQ(r.violating, 0) << Summary(r);
  EXPECT_GT(StatesWith(Check(log, "ext4-ordered", Layout::kShared, w), "torn"), 0);
}

}  // namespace
}  // namespace crashbench
