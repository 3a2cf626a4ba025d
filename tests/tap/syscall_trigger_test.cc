// Which events a syscall trigger matches, and where the trigger observer fires.
#include "harness/tap/syscall_trigger.h"

#include <gtest/gtest.h>

#include "harness/tap/observers.h"

namespace crashbench {
namespace {

TEST(GlobMatches, StarStaysInOneDirectoryDoubleStarCrossesThem) {
  EXPECT_TRUE(GlobMatches("part-*.jsonl", "part-3.jsonl"));
  EXPECT_FALSE(GlobMatches("part-*.jsonl", "sub/part-3.jsonl"));
  EXPECT_FALSE(GlobMatches("*", "a/b"));
  EXPECT_TRUE(GlobMatches("**", "a/b/c"));
  EXPECT_TRUE(GlobMatches("**/x.json", "x.json"));
  EXPECT_TRUE(GlobMatches("**/x.json", "a/b/x.json"));
  EXPECT_TRUE(GlobMatches("a/**/c", "a/b/d/c"));
  EXPECT_TRUE(GlobMatches("t?sk-1", "task-1"));
  EXPECT_FALSE(GlobMatches("a?b", "a/b"));
  EXPECT_FALSE(GlobMatches("x", "xy"));
  EXPECT_TRUE(GlobMatches("", ""));
}

TapEvent Write(long long seq, const std::string& path, const std::string& bytes) {
  TapEvent e;
  e.seq = seq;
  e.process = "0";
  e.call = "write";
  e.path = path;
  e.bytes = bytes;
  e.length = static_cast<long long>(bytes.size());
  return e;
}

TEST(TriggerMatches, EveryConditionMustHoldAndAcksNeverMatch) {
  SyscallTrigger t;
  t.ops = {"write", "pwrite64"};
  t.path_glob = "out-*.txt";
  t.contains = "task 17";
  EXPECT_TRUE(TriggerMatches(t, Write(1, "out-1.txt", "x task 17 y")));
  EXPECT_FALSE(TriggerMatches(t, Write(1, "out-1.txt", "task 18")));
  EXPECT_FALSE(TriggerMatches(t, Write(1, "other.txt", "task 17")));
  TapEvent rename = Write(1, "tmp", "");
  rename.call = "rename";
  EXPECT_FALSE(TriggerMatches(t, rename));
  TapEvent ack = Write(1, "out-1.txt", "task 17");
  ack.extra = true;
  EXPECT_FALSE(TriggerMatches(t, ack));
  SyscallTrigger renames;
  renames.ops = {"rename"};
  renames.path_glob = "final.json";
  rename.path2 = "final.json";  // matched by its new name
  EXPECT_TRUE(TriggerMatches(renames, rename));
}

TEST(TriggerObserver, FiresAtTheKthMatchOnlyAndRemembersIt) {
  SyscallTrigger t;
  t.path_glob = "a";
  t.occurrence = 2;
  TriggerObserver obs(t, {SyscallAction::kKillCaller}, FaultTarget::kCaller);
  EXPECT_EQ(obs.OnEvent(Write(1, "a", "1"), TapPhase::kBefore).kind, SyscallAction::kRun);
  EXPECT_EQ(obs.OnEvent(Write(2, "b", "2"), TapPhase::kBefore).kind, SyscallAction::kRun);
  EXPECT_EQ(obs.OnEvent(Write(3, "a", "3"), TapPhase::kBefore).kind, SyscallAction::kKillCaller);
  EXPECT_EQ(obs.OnEvent(Write(4, "a", "4"), TapPhase::kBefore).kind, SyscallAction::kRun);
  EXPECT_EQ(obs.matches(), 3);
  ASSERT_TRUE(obs.fired());
  EXPECT_EQ(obs.fired()->seq, 3);
  EXPECT_EQ(obs.fired_signature(), "0 write a @?+1 crc=00000000");
}

// A point crashbench chose from a fault-free run is found by content: in a
// pool the same bytes may come from another worker, and later or earlier
// among the matching calls; occurrence counts among the calls at that point.
TEST(TriggerObserver, APointFiresAtThoseBytesWhicheverProcessAndWhereverInTheRun) {
  TapEvent theirs = Write(9, "part-2.json", "doc 2");
  theirs.process = "0.3";
  theirs.offset = 0;
  theirs.bytes_crc = 0x1234;
  SyscallTrigger t;
  t.path_glob = "part-*";
  t.point = SignatureWithoutProcess(EventSignature(theirs));
  EXPECT_EQ(t.point, "write part-2.json @0+5 crc=00001234");
  t.occurrence = 1;
  TriggerObserver obs(t, {SyscallAction::kKillCaller}, FaultTarget::kCaller);
  TapEvent other = Write(1, "part-1.json", "doc 1");
  other.offset = 0;
  other.bytes_crc = 0x9999;
  EXPECT_EQ(obs.OnEvent(other, TapPhase::kBefore).kind, SyscallAction::kRun);
  TapEvent ours = theirs;
  ours.seq = 2;
  ours.process = "0.1";  // another worker took task 2 this time
  EXPECT_EQ(obs.OnEvent(ours, TapPhase::kBefore).kind, SyscallAction::kKillCaller);
  ASSERT_TRUE(obs.fired());
  EXPECT_EQ(obs.fired()->process, "0.1");
  // The same bytes at another offset are another point.
  TapEvent moved = theirs;
  moved.offset = 8;
  EXPECT_FALSE(TriggerMatches(t, moved));
}

TEST(TriggerObserver, AfterFiresAtTheSameCallsExitWithItsResult) {
  SyscallTrigger t;
  t.occurrence = 1;
  t.when = TapPhase::kAfter;
  TriggerObserver obs(t, {SyscallAction::kKillCaller}, FaultTarget::kTree);
  TapEvent e = Write(1, "a", "1");
  EXPECT_EQ(obs.OnEvent(e, TapPhase::kBefore).kind, SyscallAction::kRun);
  EXPECT_FALSE(obs.fired());
  e.result = 1;
  EXPECT_EQ(obs.OnEvent(e, TapPhase::kAfter).kind, SyscallAction::kKillTree);
  ASSERT_TRUE(obs.fired());
  EXPECT_EQ(obs.fired()->result, 1);
}

TEST(AimAt, TargetsBecomeScopes) {
  EXPECT_EQ(AimAt({SyscallAction::kKillCaller}, FaultTarget::kTree).kind, SyscallAction::kKillTree);
  EXPECT_EQ(AimAt({SyscallAction::kAbortCaller}, FaultTarget::kRoot).scope, SyscallAction::kRoot);
  EXPECT_EQ(AimAt({SyscallAction::kFail, 5}, FaultTarget::kCaller).scope, SyscallAction::kCaller);
}

TEST(TappedCallNames, ListsTheIssuesCallsAndTheWriteLikeOnes) {
  const std::vector<std::string>& all = TappedCallNames();
  for (const char* c : {"openat", "write", "pwrite64", "writev", "fsync", "renameat2", "unlink",
                        "ftruncate", "close", "copy_file_range", "sendfile", "fallocate"})
    EXPECT_NE(std::find(all.begin(), all.end(), c), all.end()) << c;
  EXPECT_EQ(WriteLikeCallNames(),
            (std::vector<std::string>{"write", "pwrite64", "writev", "pwritev", "pwritev2",
                                      "copy_file_range", "sendfile"}));
}

}  // namespace
}  // namespace crashbench
