// What each action at a stopped call really does, read back from the disk and
// from what the program saw: the fixture writes 32-byte records one write(2)
// each, and reports failed and short writes on stdout.
#include <gtest/gtest.h>
#include <signal.h>

#include "harness/tap/observers.h"
#include "tests/tap/tap_test_util.h"

namespace crashbench::testing {
namespace {

SyscallTrigger ThirdWrite(TapPhase when = TapPhase::kBefore) {
  SyscallTrigger t;
  t.ops = {"write"};
  t.path_glob = "r.txt";
  t.occurrence = 3;
  t.when = when;
  return t;
}

bool KilledBy(int status, int sig) { return WIFSIGNALED(status) && WTERMSIG(status) == sig; }
bool ExitedZero(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

TEST(TapActions, KillBeforeTheCallLeavesItsBytesOut) {
  SKIP_WITHOUT_TAP();
  TapRun run;
  TriggerObserver obs(ThirdWrite(), {SyscallAction::kKillCaller}, FaultTarget::kCaller);
  TapOutcome o = run.Run({"records", "r.txt", "10"}, obs);
  EXPECT_TRUE(KilledBy(o.root_status, SIGKILL));
  EXPECT_EQ(run.File("r.txt"), Records(0, 2));
  ASSERT_TRUE(obs.fired());
  EXPECT_EQ(obs.fired()->offset, 64);
  EXPECT_FALSE(obs.fired()->result);  // it never ran
  EXPECT_EQ(obs.fired_signature(), EventSignature(o.events.back()));
}

TEST(TapActions, KillAfterTheCallKeepsItsBytes) {
  SKIP_WITHOUT_TAP();
  TapRun run;
  TriggerObserver obs(ThirdWrite(TapPhase::kAfter), {SyscallAction::kKillCaller},
                      FaultTarget::kCaller);
  TapOutcome o = run.Run({"records", "r.txt", "10"}, obs);
  EXPECT_TRUE(KilledBy(o.root_status, SIGKILL));
  EXPECT_EQ(run.File("r.txt"), Records(0, 3));
  ASSERT_TRUE(obs.fired());
  EXPECT_EQ(obs.fired()->result, 32);
}

TEST(TapActions, ShortWriteWritesExactlyHalfAndTheProgramSeesTheCount) {
  SKIP_WITHOUT_TAP();
  TapRun run;
  TriggerObserver obs(ThirdWrite(), {SyscallAction::kShortWrite}, FaultTarget::kCaller);
  TapOutcome o = run.Run({"records", "r.txt", "4"}, obs);
  EXPECT_TRUE(ExitedZero(o.root_status));
  EXPECT_EQ(run.File("r.txt"), Records(0, 2) + Records(2, 3).substr(0, 16) + Records(3, 4));
  EXPECT_EQ(run.Stdout(), "write 2 short 16\n");
  EXPECT_EQ(obs.fired()->length, 32);  // asked for
}

TEST(TapActions, ShortWritevCutsInsideAnIovecAndGivesTheProgramItsIovecBack) {
  SKIP_WITHOUT_TAP();
  TapRun run;
  SyscallTrigger t;
  t.ops = {"writev"};
  t.occurrence = 1;
  TriggerObserver obs(t, {SyscallAction::kShortWrite}, FaultTarget::kCaller);
  run.Run({"writev", "v.txt"}, obs);
  EXPECT_EQ(run.File("v.txt"), "aaaaaaaaaabbbbb");
  EXPECT_EQ(run.Stdout(), "writev 15 iov1 10\n");
}

TEST(TapActions, FailReturnsTheErrnoWithoutWriting) {
  SKIP_WITHOUT_TAP();
  for (int err : {EIO, ENOSPC}) {
    TapRun run;
    TriggerObserver obs(ThirdWrite(), {SyscallAction::kFail, err}, FaultTarget::kCaller);
    TapOutcome o = run.Run({"records", "r.txt", "4"}, obs);
    EXPECT_TRUE(ExitedZero(o.root_status));
    EXPECT_EQ(run.File("r.txt"), Records(0, 2) + Records(3, 4));
    EXPECT_EQ(run.Stdout(), "write 2 failed errno=" + std::to_string(err) + "\n");
    ASSERT_TRUE(obs.fired());
    EXPECT_EQ(o.events[obs.fired()->seq - 1].result, -err);  // the tap's record has the result
  }
}

TEST(TapActions, ExitWithoutFlushLeavesStdioBufferUnwritten) {
  SKIP_WITHOUT_TAP();
  TapRun run;
  SyscallTrigger t;
  t.ops = {"write"};
  t.path_glob = "marker";
  t.occurrence = 1;
  TriggerObserver obs(t, {SyscallAction::kExitCaller}, FaultTarget::kCaller);
  TapOutcome o = run.Run({"stdio", "buffered.txt", "marker"}, obs);
  EXPECT_TRUE(ExitedZero(o.root_status));   // os._exit(0): the status says success
  EXPECT_EQ(run.File("buffered.txt"), "");  // created, its lines still in the dead buffer
  EXPECT_EQ(run.File("marker"), "");
}

TEST(TapActions, ExitAfterTheCallKeepsItsBytesButNotTheBuffer) {
  SKIP_WITHOUT_TAP();
  TapRun run;
  SyscallTrigger t;
  t.ops = {"write"};
  t.path_glob = "marker";
  t.occurrence = 1;
  t.when = TapPhase::kAfter;
  TriggerObserver obs(t, {SyscallAction::kExitCaller}, FaultTarget::kCaller);
  TapOutcome o = run.Run({"stdio", "buffered.txt", "marker"}, obs);
  EXPECT_TRUE(ExitedZero(o.root_status));
  EXPECT_EQ(run.File("marker"), "marker");
  EXPECT_EQ(run.File("buffered.txt"), "");
}

TEST(TapActions, AbortDiesOfSigabrtBeforeTheCall) {
  SKIP_WITHOUT_TAP();
  TapRun run;
  TriggerObserver obs(ThirdWrite(), {SyscallAction::kAbortCaller}, FaultTarget::kCaller);
  TapOutcome o = run.Run({"records", "r.txt", "10"}, obs);
  EXPECT_TRUE(KilledBy(o.root_status, SIGABRT));
  EXPECT_EQ(run.File("r.txt"), Records(0, 2));
}

TEST(TapActions, KillTreeLeavesNoProcess) {
  SKIP_WITHOUT_TAP();
  TapRun run;
  SyscallTrigger t;
  t.ops = {"write"};
  t.path_glob = "t.txt";  // the parent's own write, after it started its children
  t.occurrence = 1;
  TriggerObserver obs(t, {SyscallAction::kKillCaller}, FaultTarget::kTree);
  TapOutcome o = run.Run({"tree", "t.txt", "3"}, obs);
  ASSERT_EQ(o.processes.size(), 4u);
  for (const TapProcessEnd& p : o.processes) {
    EXPECT_EQ(p.end, "killed by SIGKILL") << p.process;
    EXPECT_FALSE(ProcessExists(p.pid)) << p.process;
  }
  EXPECT_FALSE(o.hang);
  EXPECT_EQ(run.File("t.txt"), "");  // created, never written
}

TEST(TapActions, KillRootFromAnotherProcessesCallLeavesTheCallerRunning) {
  SKIP_WITHOUT_TAP();
  TapRun run;
  run.cmd.deadline_ms = 3000;  // the children wait forever: the deadline ends them
  SyscallTrigger t;
  t.ops = {"write"};
  t.path_glob = "t.txt.0";  // the first child's write
  t.occurrence = 1;
  TriggerObserver obs(t, {SyscallAction::kKillCaller}, FaultTarget::kRoot);
  TapOutcome o = run.Run({"tree", "t.txt", "1"}, obs);
  ASSERT_EQ(o.processes.size(), 2u);
  EXPECT_EQ(o.processes[0].end, "killed by SIGKILL");
  EXPECT_EQ(run.File("t.txt.0"), "child");  // the caller's own call ran
  EXPECT_TRUE(o.hang);                      // the child outlived its parent, waiting forever
}

TEST(TapActions, AlarmKillsTheRoot) {
  SKIP_WITHOUT_TAP();
  TapRun run;
  struct AlarmKill final : TapObserver {
    TapAction OnEvent(const TapEvent&, TapPhase) override { return {}; }
    TapAction OnAlarm() override { return {SyscallAction::kKillTree}; }
  } obs;
  run.cmd.alarm_us = 200 * 1000;
  TapOutcome o = run.Run({"tree", "t.txt", "2"}, obs);  // would wait forever
  EXPECT_FALSE(o.hang);
  ASSERT_EQ(o.processes.size(), 3u);
  for (const TapProcessEnd& p : o.processes) EXPECT_EQ(p.end, "killed by SIGKILL") << p.process;
}

}  // namespace
}  // namespace crashbench::testing
