// Watching a process tree: the wait that reports which descriptors became
// ready and never sleeps past its timeout, and the hang declared over real
// children (where each is blocked, then all killed and reaped).
#include "harness/supervise/process_tree.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "harness/base/sys.h"

namespace crashbench {
namespace {

enum class Tag { kA, kB, kC };

TEST(PollSet, ReportsReadyDescriptorsInTheOrderAdded) {
  UniqueFd ra, wa, rb, wb, rc, wc;
  ASSERT_TRUE(MakePipe(&ra, &wa).ok());
  ASSERT_TRUE(MakePipe(&rb, &wb).ok());
  ASSERT_TRUE(MakePipe(&rc, &wc).ok());
  ASSERT_TRUE(WriteFull(wc.get(), "x", 1).ok());
  wa.Reset();  // a hang-up is ready too
  PollSet<Tag> poll;
  poll.Add(ra.get(), Tag::kA);
  poll.Add(rb.get(), Tag::kB);
  poll.Add(rc.get(), Tag::kC);
  ASSERT_TRUE(poll.Wait(1000000).ok());
  EXPECT_EQ(poll.Ready(), (std::vector<Tag>{Tag::kA, Tag::kC}));
}

TEST(PollSet, TimesOutWithNothingReady) {
  UniqueFd r, w;
  ASSERT_TRUE(MakePipe(&r, &w).ok());
  PollSet<Tag> poll;
  poll.Add(r.get(), Tag::kA);
  const long long start = NowMicros();
  ASSERT_TRUE(poll.Wait(20000).ok());
  EXPECT_GE(NowMicros() - start, 20000);
  EXPECT_TRUE(poll.Ready().empty());
  ASSERT_TRUE(poll.Wait(-5).ok()) << "a deadline already passed does not sleep";
  EXPECT_TRUE(poll.Ready().empty());
}

TEST(PollSet, ClearForgetsWhatWasReady) {
  UniqueFd r, w;
  ASSERT_TRUE(MakePipe(&r, &w).ok());
  ASSERT_TRUE(WriteFull(w.get(), "x", 1).ok());
  PollSet<Tag> poll;
  poll.Add(r.get(), Tag::kB);
  ASSERT_TRUE(poll.Wait(0).ok());
  EXPECT_EQ(poll.Ready(), std::vector<Tag>{Tag::kB});
  poll.Clear();
  EXPECT_TRUE(poll.Ready().empty());
}

TEST(PollSet, APidfdIsReadyWhenItsProcessEnds) {
  Result<Child> child = ForkChild({}, false, [] { ::_exit(0); });
  ASSERT_TRUE(child.ok());
  PollSet<Tag> poll;
  poll.Add(child->pidfd(), Tag::kA);
  ASSERT_TRUE(poll.Wait(10000000).ok());
  EXPECT_EQ(poll.Ready(), std::vector<Tag>{Tag::kA});
  EXPECT_TRUE(child->TryReap());
}

TEST(Deadline, PassesAtStartPlusBudget) {
  Deadline d(1000, 500);
  EXPECT_FALSE(d.Passed(1499));
  EXPECT_TRUE(d.Passed(1500));
  EXPECT_EQ(d.RemainingUs(1200), 300);
  EXPECT_EQ(d.RemainingUs(1600), -100);
}

TEST(ProcessTree, HangNamesEachLiveProcessThenKillsAndReapsThemAll) {
  UniqueFd r, w;
  ASSERT_TRUE(MakePipe(&r, &w).ok());
  const int rfd = r.get();
  Result<Child> blocked = ForkChild({rfd}, false, [rfd] {
    char c;
    (void)::read(rfd, &c, 1);  // nobody writes: blocked here until killed
    ::_exit(0);
  });
  Result<Child> done = ForkChild({}, false, [] { ::_exit(0); });
  ASSERT_TRUE(blocked.ok() && done.ok());
  done->Reap();
  // Give the blocked child time to get into read(2).
  for (int i = 0; i < 200; ++i) {
    Result<std::string> stat =
        ReadFileToString("/proc/" + std::to_string(blocked->pid()) + "/stat");
    if (stat.ok() && stat->find(") S ") != std::string::npos) break;
    ::usleep(10000);
  }
  const std::vector<TreeMember> tree = {{"worker 0", &*blocked}, {"worker 1", &*done}};
  const std::string diagnosis = DescribeBlocked(tree);
  EXPECT_NE(diagnosis.find("worker 0 (pid " + std::to_string(blocked->pid()) + ")"),
            std::string::npos)
      << diagnosis;
  EXPECT_EQ(diagnosis.find("worker 1"), std::string::npos) << "a reaped process is not in a hang";
  KillAndReap(tree);
  EXPECT_TRUE(blocked->reaped());
  EXPECT_EQ(blocked->Describe(), "killed by SIGKILL");
  EXPECT_EQ(done->Describe(), "exited 0");
}

}  // namespace
}  // namespace crashbench
