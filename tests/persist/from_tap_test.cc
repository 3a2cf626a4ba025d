// A tap recording as an operation log: synthetic events for the rules, and a
// real recording of a small shell program whose log must replay to the disk.
#include "harness/persist/from_tap.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include "harness/persist/crash_state.h"
#include "harness/persist/power_loss.h"
#include "harness/tap/observers.h"
#include "tests/test_util.h"

namespace crashbench {
namespace {

TapEvent Event(long long seq, std::string call, std::string path, long long result) {
  TapEvent e;
  e.seq = seq;
  e.process = "0";
  e.call = std::move(call);
  e.path = std::move(path);
  e.result = result;
  return e;
}

TapEvent WriteEvent(long long seq, std::string path, long long offset, std::string bytes,
                    long long result) {
  TapEvent e = Event(seq, "write", std::move(path), result);
  e.offset = offset;
  e.length = static_cast<long long>(bytes.size());
  e.bytes = std::move(bytes);
  return e;
}

TEST(OpLogFromTap, CallsThatRanBecomeOpsAndAckLinesBecomeAcks) {
  TapEvent open = Event(1, "openat", "a", 3);
  open.open_flags = O_WRONLY | O_CREAT | O_TRUNC;
  TapEvent failed = WriteEvent(2, "a", 0, "never", -28);  // ENOSPC: nothing written
  TapEvent shortw = WriteEvent(3, "a", 0, "abcdef", 3);   // a short write: 3 bytes
  TapEvent killed = WriteEvent(4, "a", 3, "zzz", 0);
  killed.result.reset();  // killed before it ran
  TapEvent ack = WriteEvent(5, "ack", 0, "7\n1", 3);
  ack.extra = true;
  TapEvent ack_rest = WriteEvent(6, "ack", 3, "2\n", 2);
  ack_rest.extra = true;
  TapEvent dirsync = Event(7, "fsync", ".", 0);
  Result<OpLog> log = OpLogFromTap({open, failed, shortw, killed, ack, ack_rest, dirsync}, {});
  ASSERT_TRUE(log.ok()) << log.status().message();
  ASSERT_EQ(log->ops.size(), 5u);
  EXPECT_EQ(log->ops[1].bytes, "abc");
  EXPECT_EQ(log->ops[1].event, 3);
  EXPECT_EQ(log->ops[2].task, 7);
  EXPECT_EQ(log->ops[3].task, 12);  // "1" then "2\n": one line, acknowledged when complete
  EXPECT_EQ(log->ops[4].kind, OpKind::kDirFsync);
  EXPECT_EQ(*Replay(*log).Find("a"), "abc");
}

TEST(OpLogFromTap, WhatTheModelsCannotModelIsAnError) {
  TapEvent link = Event(1, "symlink", "l", 0);
  link.path2 = "target";
  Result<OpLog> log = OpLogFromTap({link}, {});
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("symlink l"), std::string::npos);
  TapEvent nobytes = WriteEvent(1, "a", 0, "", 5);
  FsState initial;
  initial.entries["a"] = 0;
  initial.data = {""};
  log = OpLogFromTap({nobytes}, initial);
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("no bytes"), std::string::npos);
}

TEST(OpLogFromTap, ARealRecordingReplaysToTheDisk) {
  if (Status s = TapAvailable(); !s.ok())
    GTEST_SKIP() << "the tap cannot run here: " << s.message();
  testing::ScratchDir out, side;
  const std::string ack = side.path() + "/acks";
  side.Write("acks", "");
  // write-temp, fsync it, rename, fsync the directory, ack; then an unsynced
  // append and an unsynced new file, ack.
  TapCommand cmd;
  cmd.argv = {
      "/bin/sh", "-c",
      "set -e; cd \"$OUT\"; printf hello > a.tmp; sync a.tmp; mv a.tmp a; sync .;"
      "printf '0\\n' >> \"$ACK\"; printf more >> a; printf x > b; printf '1\\n' >> \"$ACK\""};
  cmd.env = {{"OUT", out.path()}, {"ACK", ack}};
  cmd.watch_dir = out.path();
  cmd.extra_files = {ack};
  cmd.keep_bytes = true;
  Result<FsState> before = SnapshotFsState(out.path());
  ASSERT_TRUE(before.ok());
  Recorder recorder;
  Result<TapOutcome> run = RunTapped(cmd, recorder);
  ASSERT_TRUE(run.ok()) << run.status().message();
  ASSERT_EQ(run->root_status, 0);
  Result<OpLog> log = OpLogFromTap(run->events, *before);
  ASSERT_TRUE(log.ok()) << log.status().message();

  std::string kinds;
  for (const Op& op : log->ops)
    if (op.kind != OpKind::kClose) kinds += std::string(OpKindName(op.kind)) + " ";
  EXPECT_EQ(kinds, "create write fsync rename fsync-dir ack write create write ack ") << kinds;
  Result<FsState> after = SnapshotFsState(out.path());
  ASSERT_TRUE(after.ok());
  std::string why;
  EXPECT_TRUE(SameContents(Replay(*log), *after, &why)) << why;

  // lazyfs at the end: the synced "hello" under its synced name; the rest lost.
  CrashState end{static_cast<int>(log->ops.size()), {}, {}, ""};
  for (size_t i = 0; i < log->ops.size(); ++i)
    if (log->ops[i].kind == OpKind::kWrite && log->ops[i].bytes != "hello")
      end.dropped.push_back(static_cast<int>(i));
  FsState lost = Materialize(*log, end);
  EXPECT_EQ(*lost.Find("a"), "hello");
  EXPECT_EQ(*lost.Find("b"), "");
  EXPECT_EQ(AckedBefore(*log, end.cut), (std::set<long long>{0, 1}));

  PowerLossOptions opt;
  opt.model = "posix-weak";
  Result<PowerLossReport> r = CheckPowerLoss(*log, &*after, opt);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->inconclusive) << r->inconclusive_why;
}

}  // namespace
}  // namespace crashbench
