// The replay against the kernel: the strategies' calls run on a real
// directory must leave what the log replays to; killed after any op, what
// the prefix model builds; and a disk that differs from the log makes the
// run inconclusive rather than judged.
#include <gtest/gtest.h>

#include <functional>

#include "harness/persist/power_loss.h"
#include "tests/persist/strategy_logs.h"
#include "tests/test_util.h"

namespace crashbench {
namespace {

using namespace persist_testing;  // NOLINT: test programs

struct Program {
  const char* name;
  std::function<void(Calls&)> run;
};

std::vector<Program> Programs() {
  Workload w;
  w.tasks = 3;
  w.records = 12;  // a per-task document of about 3.5 KiB: stdio flushes inside it
  return {
      {"atomic-rename", [w](Calls& c) { AtomicRename(c, w, true, true); }},
      {"per-task-file", [w](Calls& c) { PerTaskFile(c, w, false); }},
      {"locked-append", [w](Calls& c) { LockedAppend(c, w, true); }},
      {"naive", [w](Calls& c) { Naive(c, w, false); }},
  };
}

TEST(ReplayOnDisk, TheLogReplaysToWhatTheKernelLeft) {
  for (const Program& p : Programs()) {
    testing::ScratchDir dir;
    LogBuilder b{FsState{}};
    DiskCalls disk(dir.path());
    KilledAt both(&b, &disk, SIZE_MAX);
    p.run(both);
    ASSERT_TRUE(b.status().ok()) << p.name << ": " << b.status().message();
    Result<FsState> on_disk = SnapshotFsState(dir.path());
    ASSERT_TRUE(on_disk.ok());
    std::string why;
    EXPECT_TRUE(SameContents(Replay(std::move(b).Finish()), *on_disk, &why))
        << p.name << ": " << why;
  }
}

// "The whole tree killed at event k", for every k, without running again:
// the prefix model's state at cut k is what the kernel leaves when the
// program stops after k ops.
TEST(ReplayOnDisk, PrefixStatesAreThoseOfAProgramKilledAtEachOp) {
  for (const Program& p : Programs()) {
    const OpLog log = LogOf(p.run);
    Result<std::unique_ptr<PersistenceModel>> prefix = MakePersistenceModel("prefix", {});
    ASSERT_TRUE(prefix.ok());
    CutFacts facts(log);
    for (size_t k = 0; k <= log.ops.size(); ++k) {
      while (static_cast<size_t>(facts.cut()) < k) facts.Advance();
      std::vector<CrashState> states;
      (*prefix)->StatesAt(facts, 0, &states);
      ASSERT_EQ(states.size(), 1u);
      EXPECT_TRUE(states[0].dropped.empty());

      testing::ScratchDir dir;
      LogBuilder b{FsState{}};
      DiskCalls disk(dir.path(), /*sync=*/false);
      KilledAt killed(&b, &disk, k);
      p.run(killed);
      Result<FsState> on_disk = SnapshotFsState(dir.path());
      ASSERT_TRUE(on_disk.ok());
      std::string why;
      EXPECT_TRUE(SameContents(Materialize(log, states[0]), *on_disk, &why))
          << p.name << " killed after " << k << " ops: " << why;
    }
  }
}

TEST(ReplayOnDisk, ADiskTheLogDoesNotExplainIsInconclusive) {
  testing::ScratchDir dir;
  LogBuilder b{FsState{}};
  DiskCalls disk(dir.path());
  KilledAt both(&b, &disk, SIZE_MAX);
  Programs()[1].run(both);
  const OpLog log = std::move(b).Finish();
  PowerLossOptions opt;
  opt.model = "lazyfs";
  opt.verify.layout = Layout::kPerTask;
  opt.verify.tasks = 3;

  Result<FsState> on_disk = SnapshotFsState(dir.path());
  ASSERT_TRUE(on_disk.ok());
  Result<PowerLossReport> judged = CheckPowerLoss(log, &*on_disk, opt);
  ASSERT_TRUE(judged.ok());
  EXPECT_FALSE(judged->inconclusive) << judged->inconclusive_why;
  EXPECT_GT(judged->counts.checked, 0);

  // A write the log never saw (an O_APPEND write reordered by a tracer that
  // let two run at once, say): nothing may be judged.
  dir.Write("task-1.json", "{\"task\":1}");
  on_disk = SnapshotFsState(dir.path());
  ASSERT_TRUE(on_disk.ok());
  Result<PowerLossReport> r = CheckPowerLoss(log, &*on_disk, opt);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->inconclusive);
  EXPECT_NE(r->inconclusive_why.find("task-1.json"), std::string::npos) << r->inconclusive_why;
  EXPECT_EQ(r->counts.checked, 0);
  EXPECT_TRUE(PowerLossJson(*r).at("inconclusive").get<bool>());
}

}  // namespace
}  // namespace crashbench
