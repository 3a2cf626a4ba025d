// Child and ForkChild: a child is started, held by its pidfd, killed and
// reaped by the one who started it, leaves no zombie, and reports how it
// ended; in the child, the set-up ForkChild promises (only the descriptors
// given, its own group on request, default signals, no core files, death with
// its parent) holds before the body runs.
#include "harness/base/process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "harness/base/sys.h"
#include "tests/test_util.h"

namespace crashbench {
namespace {

using crashbench::testing::ProcessExists;

[[noreturn]] void SleepForever() {
  for (;;) ::pause();
}

Child Start(const std::function<void()>& body, const std::vector<int>& keep = {},
            bool new_group = false) {
  std::fflush(nullptr);
  Result<Child> c = ForkChild(keep, new_group, body);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? std::move(*c) : Child();
}

// Nothing of the child is left to wait for: no zombie, no process.
void ExpectGone(pid_t pid) {
  errno = 0;
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  EXPECT_FALSE(ProcessExists(pid));
}

TEST(Child, ReportsItsExitStatus) {
  Child seven = Start([] { ::_exit(7); });
  seven.Reap();
  ASSERT_TRUE(seven.reaped());
  EXPECT_TRUE(WIFEXITED(seven.wait_status()));
  EXPECT_EQ(WEXITSTATUS(seven.wait_status()), 7);
  EXPECT_EQ(seven.Describe(), "exited 7");
  EXPECT_TRUE(seven.Failed());
  ExpectGone(seven.pid());

  Child zero = Start([] { ::_exit(0); });
  zero.Reap();
  EXPECT_EQ(zero.Describe(), "exited 0");
  EXPECT_FALSE(zero.Failed());
}

TEST(Child, AKilledChildIsReapedAndLeavesNoZombie) {
  Child c = Start(SleepForever);
  ASSERT_GT(c.pid(), 0);
  EXPECT_FALSE(c.TryReap());
  EXPECT_EQ(c.Describe(), "running");
  EXPECT_FALSE(c.Failed());  // not known to have failed while it runs
  c.Kill();
  c.Reap();
  ASSERT_TRUE(c.reaped());
  EXPECT_TRUE(WIFSIGNALED(c.wait_status()));
  EXPECT_EQ(WTERMSIG(c.wait_status()), SIGKILL);
  EXPECT_EQ(c.Describe(), "killed by SIGKILL");
  EXPECT_TRUE(c.Failed());
  ExpectGone(c.pid());
}

// The pidfd is what a supervisor polls: readable once the child has ended.
// The child waits for the end of a pipe whose write end only the parent
// holds, so it also proves the child did not keep that end.
TEST(Child, ItsPidfdBecomesReadableWhenItEnds) {
  UniqueFd r, w;
  ASSERT_TRUE(MakePipe(&r, &w).ok());
  const int read_end = r.get();
  Child c = Start(
      [&] {
        char byte;
        ::_exit(::read(read_end, &byte, 1) == 0 ? 0 : 1);
      },
      {read_end});
  ASSERT_GE(c.pidfd(), 0);
  struct pollfd p = {c.pidfd(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 100), 0);  // still waiting on the pipe
  EXPECT_FALSE(c.TryReap());
  w.Reset();
  p.revents = 0;
  ASSERT_EQ(::poll(&p, 1, 10000), 1);
  EXPECT_TRUE(p.revents & POLLIN);
  EXPECT_TRUE(c.TryReap());
  EXPECT_EQ(c.Describe(), "exited 0");
  ExpectGone(c.pid());
}

TEST(Child, TryReapDoesNotWaitForARunningChild) {
  Child c = Start(SleepForever);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(c.TryReap());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_FALSE(c.reaped());
}

TEST(Child, GoingAwayKillsAndReapsAChildStillRunning) {
  pid_t pid = -1;
  {
    Child c = Start(SleepForever);
    pid = c.pid();
    ASSERT_TRUE(ProcessExists(pid));
  }
  ExpectGone(pid);
}

// Moving a Child hands the process over: the moved-from object neither kills
// nor reaps it.
TEST(Child, AMovedFromChildLeavesTheProcessToItsNewOwner) {
  Child owner;
  {
    Child first = Start(SleepForever);
    owner = std::move(first);
  }
  EXPECT_TRUE(ProcessExists(owner.pid()));
  EXPECT_FALSE(owner.TryReap());
  owner.Kill();
  owner.Reap();
  EXPECT_EQ(owner.Describe(), "killed by SIGKILL");
}

// Assigning a new child over one still running must not lose the first: it
// is killed and reaped, never left running with no owner.
TEST(Child, AssigningOverARunningChildKillsAndReapsIt) {
  Child holder = Start(SleepForever);
  pid_t first = holder.pid();
  holder = Start(SleepForever);
  ExpectGone(first);
  EXPECT_NE(holder.pid(), first);
  EXPECT_TRUE(ProcessExists(holder.pid()));
}

// Exit code bits: which of the descriptors the child found open.
TEST(ForkChild, TheChildKeepsOnlyStdioAndTheDescriptorsGiven) {
  UniqueFd a_r, a_w, b_r, b_w;
  ASSERT_TRUE(MakePipe(&a_r, &a_w).ok());
  ASSERT_TRUE(MakePipe(&b_r, &b_w).ok());
  const int high = ::fcntl(b_w.get(), F_DUPFD_CLOEXEC, 200);  // above every other
  ASSERT_GE(high, 200);
  UniqueFd high_fd(high);
  const std::vector<int> fds = {a_r.get(), a_w.get(), b_r.get(), b_w.get(), high, 0, 1, 2};
  auto open_bits = [&] {
    int bits = 0;
    for (size_t i = 0; i < fds.size(); ++i)
      if (::fcntl(fds[i], F_GETFD) != -1) bits |= 1 << i;
    return bits;
  };
  const int stdio_here = open_bits() & (7 << 5);  // whichever of 0, 1, 2 this process has
  Child c = Start([&] { ::_exit(open_bits()); }, {high, a_r.get()});  // unsorted on purpose
  c.Reap();
  ASSERT_TRUE(WIFEXITED(c.wait_status()));
  EXPECT_EQ(WEXITSTATUS(c.wait_status()), (1 << 0) | (1 << 4) | stdio_here);
}

TEST(ForkChild, ANewGroupIsTheChildsOwn) {
  Child grouped = Start(SleepForever, {}, /*new_group=*/true);
  EXPECT_EQ(::getpgid(grouped.pid()), grouped.pid());
  Child plain = Start(SleepForever);
  EXPECT_EQ(::getpgid(plain.pid()), ::getpgrp());
}

// The parent ignores SIGTERM and allows core files (as far as its hard limit
// lets it), so that the child's own set-up is what is seen.
TEST(ForkChild, TheChildHasDefaultSignalsAndNoCoreFiles) {
  struct sigaction ignore = {}, old = {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGTERM, &ignore, &old);
  rlimit core_here = {0, 0};
  ::getrlimit(RLIMIT_CORE, &core_here);
  const rlimit cores_allowed = {core_here.rlim_max, core_here.rlim_max};
  ::setrlimit(RLIMIT_CORE, &cores_allowed);
  UniqueFd ready_r, ready_w;
  ASSERT_TRUE(MakePipe(&ready_r, &ready_w).ok());
  const int ready = ready_w.get();
  Child c = Start(
      [&] {
        rlimit core = {1, 1};
        ::getrlimit(RLIMIT_CORE, &core);
        if (core.rlim_cur != 0) ::_exit(3);
        (void)WriteFull(ready, "r", 1);  // the body runs after the set-up
        SleepForever();
      },
      {ready});
  ::sigaction(SIGTERM, &old, nullptr);
  ::setrlimit(RLIMIT_CORE, &core_here);
  ready_w.Reset();  // a child that ended early reads as the end of the pipe
  char byte;
  ASSERT_TRUE(ReadFull(ready_r.get(), &byte, 1).ok());
  ASSERT_EQ(::kill(c.pid(), SIGTERM), 0);
  struct pollfd p = {c.pidfd(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 10000), 1);  // else SIGTERM was ignored; the destructor ends it
  EXPECT_TRUE(c.TryReap());
  EXPECT_EQ(c.Describe(), "killed by SIGTERM");
}

// An exception must not unwind into the parent's frames (the test runner's
// handler would go on in the child): it ends the child, by std::terminate.
TEST(ForkChild, AnExceptionEndsTheChildThereAndABodyThatReturnsExits121) {
  Child thrower = Start([] { throw std::runtime_error("from the child"); });
  thrower.Reap();
  EXPECT_EQ(thrower.Describe(), "killed by SIGABRT");
  Child returner = Start([] {});
  returner.Reap();
  EXPECT_EQ(returner.Describe(), "exited 121");
}

// A grandchild started with ForkChild by a child that then exits is killed
// (PR_SET_PDEATHSIG). This process is a subreaper for the test, so the
// orphan becomes its child and its end can be read here.
TEST(ForkChild, AChildDiesWithItsParent) {
  int was_subreaper = 0;
  ::prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper);
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  UniqueFd r, w;
  ASSERT_TRUE(MakePipe(&r, &w).ok());
  const int report = w.get();
  Child middle = Start(
      [&] {
        UniqueFd ready_r, ready_w;
        if (!MakePipe(&ready_r, &ready_w).ok()) ::_exit(2);
        const int ready = ready_w.get();
        Result<Child> grandchild = ForkChild({ready}, false, [&] {
          (void)WriteFull(ready, "r", 1);  // the body runs after PDEATHSIG is set
          SleepForever();
        });
        ready_w.Reset();  // a grandchild that ended early reads as the end of the pipe
        char byte;
        if (!grandchild.ok() || !ReadFull(ready_r.get(), &byte, 1).ok()) ::_exit(3);
        const pid_t pid = grandchild->pid();
        (void)WriteFull(report, &pid, sizeof pid);
        ::_exit(0);  // no destructor runs: nobody kills the grandchild but the kernel
      },
      {report});
  w.Reset();
  pid_t grandchild = -1;
  ASSERT_TRUE(ReadFull(r.get(), &grandchild, sizeof grandchild).ok());
  middle.Reap();
  EXPECT_EQ(middle.Describe(), "exited 0");
  int status = 0;
  pid_t waited = 0;
  for (int i = 0; i < 1000 && waited == 0; ++i) {  // at most 10 s
    waited = ::waitpid(grandchild, &status, WNOHANG);
    if (waited == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (waited == 0) {  // still alive: end it, and fail
    ::kill(grandchild, SIGKILL);
    ::waitpid(grandchild, nullptr, 0);
  }
  ::prctl(PR_SET_CHILD_SUBREAPER, was_subreaper);
  ASSERT_EQ(waited, grandchild);
  EXPECT_EQ(DescribeWaitStatus(status), "killed by SIGKILL");
}

TEST(CloseAllExcept, ClosesEveryDescriptorAboveStdioButThoseKept) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int kept = ::dup2(1, 100), gone_low = ::dup2(1, 7), gone_high = ::dup2(1, 300);
    CloseAllExcept({1, kept});  // 1 is below 3: ignored, stays open
    const bool ok = ::fcntl(kept, F_GETFD) != -1 && ::fcntl(1, F_GETFD) != -1 &&
                    ::fcntl(gone_low, F_GETFD) == -1 && ::fcntl(gone_high, F_GETFD) == -1;
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_EQ(DescribeWaitStatus(status), "exited 0");
}

TEST(DescribeWaitStatus, NamesExitsSignalsAndAnythingElseByNumber) {
  EXPECT_EQ(DescribeWaitStatus(W_EXITCODE(3, 0)), "exited 3");
  EXPECT_EQ(DescribeWaitStatus(W_EXITCODE(0, SIGKILL)), "killed by SIGKILL");
  EXPECT_EQ(DescribeWaitStatus(W_EXITCODE(0, SIGSEGV)), "killed by SIGSEGV");
  const int stopped = W_STOPCODE(SIGSTOP);
  EXPECT_EQ(DescribeWaitStatus(stopped), "status " + std::to_string(stopped));
}

}  // namespace
}  // namespace crashbench
