// The faults that model a resource running out or failing (a full disk, an
// I/O error, memory), injected and through the real kernel where the machine
// allows it, end to end.
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
