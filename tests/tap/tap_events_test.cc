// The tap's record of a run: which calls, on which files (relative paths and
// openat with a dirfd resolved), where and how many bytes, by which process;
// nothing outside the watched directory; the extra files flagged.
#include <gtest/gtest.h>

#include <regex>

#include "harness/base/crc32c.h"
#include "harness/tap/observers.h"
#include "tests/tap/tap_test_util.h"

namespace crashbench::testing {
namespace {

struct Expected {
  std::string process, call, path;  // call: a regex (glibc may pick renameat2 for rename)
  long long offset = -1, length = -1;
};

TEST(TapEvents, RecordsEveryFileChangeUnderTheWatchedDirectoryInOrder) {
  SKIP_WITHOUT_TAP();
  TapRun run;
  const std::string outside = run.scratch.path() + "/outside.txt";
  const std::string extra = run.scratch.path() + "/acks";
  run.cmd.extra_files = {extra};
  Recorder rec;
  TapOutcome o = run.Run({"events", outside, extra}, rec);
  ASSERT_TRUE(WIFEXITED(o.root_status) && WEXITSTATUS(o.root_status) == 0) << run.Stdout();
  const std::vector<Expected> want = {
      {"0", "open|openat", "raw.bin"},
      {"0", "write", "raw.bin", 0, 10},
      {"0", "pwrite64", "raw.bin", 20, 2},
      {"0", "writev", "raw.bin", 10, 5},
      {"0", "close", "raw.bin"},
      {"0", "open|openat", "stdio.txt"},
      {"0", "write", "stdio.txt", 0, 12},
      {"0", "close", "stdio.txt"},
      {"0", "mkdir|mkdirat", "sub"},
      {"0", "openat", "sub/at.txt"},
      {"0", "write", "sub/at.txt", 0, 2},
      {"0", "close", "sub/at.txt"},
      {"0", "close", "sub"},
      {"0", "rename|renameat|renameat2", "raw.bin"},
      {"0", "unlink|unlinkat", "stdio.txt"},
      {"0.0", "open|openat", "child.txt"},
      {"0.0", "write", "child.txt", 0, 5},
      {"0.0", "close", "child.txt"},
      {"0", "open|openat", "thread.txt"},
      {"0", "write", "thread.txt", 0, 6},
      {"0", "close", "thread.txt"},
      {"0", "open|openat", extra},
      {"0", "write", extra, 0, 2},
      {"0", "close", extra},
  };
  ASSERT_EQ(o.events.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const TapEvent& e = o.events[i];
    SCOPED_TRACE("event " + std::to_string(i + 1) + ": " + EventSignature(e));
    EXPECT_EQ(e.seq, static_cast<long long>(i + 1));
    EXPECT_EQ(e.process, want[i].process);
    EXPECT_TRUE(std::regex_match(e.call, std::regex(want[i].call)));
    EXPECT_EQ(e.path, want[i].path);
    EXPECT_EQ(e.extra, want[i].path == extra);
    if (want[i].length >= 0) {
      EXPECT_EQ(e.offset, want[i].offset);
      EXPECT_EQ(e.length, want[i].length);
      EXPECT_EQ(e.result, want[i].length);
    }
  }
  EXPECT_EQ(o.events[13].path2, "sub/moved.bin");
  EXPECT_EQ(o.events[1].bytes_crc, Crc32c("0123456789", 10));
  EXPECT_EQ(o.events[3].bytes_crc, Crc32c("xyzwv", 5));  // both iovecs
  EXPECT_TRUE(o.events[1].bytes.empty());                // kept only with keep_bytes
  // The thread's calls belong to its process; the child is a process of its own.
  EXPECT_EQ(o.events[19].pid, o.events[0].pid);
  EXPECT_NE(o.events[19].tid, o.events[19].pid);
  EXPECT_NE(o.events[16].pid, o.events[0].pid);
  ASSERT_EQ(o.processes.size(), 2u);
  EXPECT_EQ(o.processes[0].process, "0");
  EXPECT_EQ(o.processes[1].process, "0.0");
  EXPECT_EQ(o.processes[1].end, "exited 0");
  EXPECT_FALSE(o.hang);
}

TEST(TapEvents, KeepsTheBytesWhenAsked) {
  SKIP_WITHOUT_TAP();
  TapRun run;
  run.cmd.keep_bytes = true;
  Recorder rec;
  TapOutcome o = run.Run({"records", "r.txt", "2"}, rec);
  std::vector<std::string> writes;
  for (const TapEvent& e : o.events)
    if (e.call == "write") writes.push_back(e.bytes);
  EXPECT_EQ(writes, (std::vector<std::string>{Records(0, 1), Records(1, 2)}));
}

TEST(TapEvents, WithoutResultsOnlyTheCallsAnObserverWantsStopAtTheirExit) {
  SKIP_WITHOUT_TAP();
  TapRun run;
  run.cmd.results = false;
  SyscallTrigger t;
  t.ops = {"write"};
  t.occurrence = 2;
  t.when = TapPhase::kAfter;
  TriggerObserver obs(t, {SyscallAction::kRun}, FaultTarget::kCaller);
  TapOutcome o = run.Run({"records", "r.txt", "3"}, obs);
  std::vector<bool> has_result;
  for (const TapEvent& e : o.events)
    if (e.call == "write") has_result.push_back(e.result.has_value());
  EXPECT_EQ(has_result, (std::vector<bool>{false, true, false}));
  EXPECT_EQ(obs.fired()->result, 32);
  EXPECT_EQ(run.File("r.txt"), Records(0, 3));
}

TEST(TapEvents, SignatureNamesProcessCallPathPlaceAndBytesButNoPid) {
  TapEvent e;
  e.seq = 7;
  e.pid = 4242;
  e.tid = 4243;
  e.process = "0.1";
  e.call = "write";
  e.path = "part-3.jsonl";
  e.offset = 4096;
  e.length = 256;
  e.bytes_crc = 0x1a2b3c4d;
  EXPECT_EQ(EventSignature(e), "0.1 write part-3.jsonl @4096+256 crc=1a2b3c4d");
  TapEvent r;
  r.process = "0";
  r.call = "rename";
  r.path = "a.tmp";
  r.path2 = "a";
  EXPECT_EQ(EventSignature(r), "0 rename a.tmp -> a");
}

// sed -i writes to "sedXXXXXX" with six random characters: the same point
// of two runs, which a replay must recognise; a different task's file, or
// other bytes or another place, is not the same point.
TEST(TapEvents, TheSamePointDespiteATemporaryFilesRandomName) {
  const std::string a = "0 write sedw0YMFd @303104+4096 crc=06edaed3";
  EXPECT_TRUE(SameEventPoint(a, a));
  EXPECT_TRUE(SameEventPoint(a, "0 write sedsq7Ei2 @303104+4096 crc=06edaed3"));
  EXPECT_TRUE(SameEventPoint("0 rename sub/tmpk3j_x9q2 -> out.json",
                             "0 rename sub/tmpa81zq_0c -> out.json"));
  EXPECT_FALSE(SameEventPoint(a, "0 write sedsq7Ei2 @303104+4096 crc=5a736470"));
  EXPECT_FALSE(SameEventPoint(a, "0 write sedsq7Ei2 @307200+4096 crc=06edaed3"));
  EXPECT_FALSE(SameEventPoint(a, "0.1 write sedsq7Ei2 @303104+4096 crc=06edaed3"));
  EXPECT_FALSE(SameEventPoint("0 write task-1.json @0+10 crc=00000001",
                              "0 write task-2.json @0+10 crc=00000001"));
  // Without the process, as a content-addressed trigger compares them.
  EXPECT_TRUE(SameEventPoint("write sedw0YMFd @303104+4096 crc=06edaed3",
                             "write sedsq7Ei2 @303104+4096 crc=06edaed3"));
  EXPECT_FALSE(SameEventPoint("fsync a.json", "close a.json"));
  EXPECT_FALSE(SameEventPoint("0 write a/sedw0YMFd @0+1 crc=00000001",
                              "0 write b/sedsq7Ei2 @0+1 crc=00000001"));
}

TEST(TapEvents, SkipFsyncReturnsZeroWithoutRunningTheCall) {
  SKIP_WITHOUT_TAP();
  TapRun run;
  run.cmd.skip_fsync = true;
  Recorder rec;
  TapOutcome o = run.Run({"fsync", "f.txt"}, rec);
  EXPECT_NE(run.Stdout().find("fsync 0"), std::string::npos) << run.Stdout();
  bool seen = false;
  for (const TapEvent& e : o.events)
    if (e.call == "fsync") seen = e.result == 0;
  EXPECT_TRUE(seen);
}

TEST(TapEvents, AnUnknownCommandIsAnErrorNotAnOutcome) {
  SKIP_WITHOUT_TAP();
  TapCommand cmd;
  cmd.argv = {"/nonexistent/crashbench-no-such-program"};
  cmd.watch_dir = "/tmp";
  Recorder rec;
  Result<TapOutcome> r = RunTapped(cmd, rec);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot run /nonexistent/crashbench-no-such-program"),
            std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace crashbench::testing
