// Watching a process tree: the wait that reports which descriptors became
// ready and never sleeps past its timeout, and the hang declared over real
// children (where each is blocked, then all killed and reaped).
#include "harness/supervise/process_tree.h"

#include <gtest/gtest.h>
#include <poll.h>
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

char ProcessState(pid_t pid) {
  Result<std::string> stat = ReadFileToString("/proc/" + std::to_string(pid) + "/stat");
  if (!stat.ok()) return '?';
  const size_t paren = stat->rfind(')');
  return paren + 2 < stat->size() ? (*stat)[paren + 2] : '?';
}

// The hang's kill must leave nothing running between the deadline and the
// last SIGKILL: a writer that waits on its producers' pipe (or a waiter on a
// lock) acts the moment a producer dies. Here "follower" writes a byte as soon
// as "leader"'s pipe closes; once the tree is stopped, the leader's death
// cannot make it run, whatever the machine's load.
TEST(ProcessTree, AStoppedTreeDoesNotRunWhenOneOfItDies) {
  UniqueFd held_r, held_w, escape_r, escape_w;
  ASSERT_TRUE(MakePipe(&held_r, &held_w).ok());
  ASSERT_TRUE(MakePipe(&escape_r, &escape_w).ok());
  const int hw = held_w.get(), hr = held_r.get(), ew = escape_w.get();
  Result<Child> leader = ForkChild({hw}, false, [] {
    ::pause();
    ::_exit(0);
  });
  Result<Child> follower = ForkChild({hr, ew}, false, [hr, ew] {
    char c;
    while (::read(hr, &c, 1) > 0) {
    }
    (void)!::write(ew, "x", 1);  // the leader's pipe closed: act on it
    ::_exit(0);
  });
  ASSERT_TRUE(leader.ok() && follower.ok());
  held_w.Reset();
  held_r.Reset();
  escape_w.Reset();
  const std::vector<TreeMember> tree = {{"leader", &*leader}, {"follower", &*follower}};
  StopTree(tree);
  EXPECT_EQ(ProcessState(leader->pid()), 'T');
  EXPECT_EQ(ProcessState(follower->pid()), 'T');
  leader->Kill();
  leader->Reap();
  ::usleep(100000);  // time the follower would have to act, were it running
  pollfd p = {escape_r.get(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 0), 0) << "the follower ran after the leader died";
  KillAndReap(tree);
  EXPECT_EQ(follower->Describe(), "killed by SIGKILL");
  char c;
  EXPECT_EQ(::read(escape_r.get(), &c, 1), 0) << "nothing written before the kill";
}

TEST(ProcessTree, StopTreeReturnsForMembersThatAlreadyEnded) {
  Result<Child> ended = ForkChild({}, false, [] { ::_exit(3); });
  ASSERT_TRUE(ended.ok());
  pollfd p = {ended->pidfd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1) << "the child ends (unreaped) before the tree is stopped";
  const std::vector<TreeMember> tree = {{"worker 0", &*ended}};
  StopTree(tree);  // an exited (unreaped) child: returns at once
  KillAndReap(tree);
  EXPECT_EQ(ended->Describe(), "exited 3");
}

}  // namespace
}  // namespace crashbench
