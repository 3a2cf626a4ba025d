// The operation log: names turned into file identities, replay, crash states
// built from a subset of the log, and directory snapshots.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "harness/persist/crash_state.h"
#include "harness/persist/log_builder.h"
#include "tests/test_util.h"

namespace crashbench {
namespace {

TEST(LogBuilder, CreateThenAppendsAtTheEnd) {
  LogBuilder b{FsState{}};
  b.Open("a", O_WRONLY | O_CREAT);
  b.Append("a", "hello ");
  b.Append("a", "world");
  ASSERT_TRUE(b.status().ok());
  OpLog log = std::move(b).Finish();
  ASSERT_EQ(log.ops.size(), 3u);
  EXPECT_EQ(log.ops[0].kind, OpKind::kCreate);
  EXPECT_EQ(log.ops[2].offset, 6);
  EXPECT_EQ(*Replay(log).Find("a"), "hello world");
}

TEST(LogBuilder, TruncOfAnExistingFileIsATruncateNotACreate) {
  FsState initial;
  initial.entries["a"] = 0;
  initial.data = {"old contents"};
  LogBuilder b(initial);
  b.Open("a", O_WRONLY | O_CREAT | O_TRUNC);
  b.Append("a", "new");
  OpLog log = std::move(b).Finish();
  ASSERT_EQ(log.ops.size(), 2u);
  EXPECT_EQ(log.ops[0].kind, OpKind::kTruncate);
  EXPECT_EQ(log.ops[0].file, 0);
  EXPECT_EQ(log.ops[1].offset, 0);
  EXPECT_EQ(*Replay(log).Find("a"), "new");
}

TEST(LogBuilder, RenameFollowsTheFileAndRecordsWhatItReplaced) {
  FsState initial;
  initial.entries["final"] = 0;
  initial.data = {"old"};
  LogBuilder b(initial);
  b.Open("tmp", O_WRONLY | O_CREAT);
  b.Append("tmp", "new");
  b.Rename("tmp", "final");
  b.Append("final", "er");  // the same file under its new name
  OpLog log = std::move(b).Finish();
  EXPECT_EQ(log.ops[2].kind, OpKind::kRename);
  EXPECT_EQ(log.ops[2].replaced, 0);
  EXPECT_EQ(log.ops[3].file, log.ops[0].file);
  FsState end = Replay(log);
  EXPECT_EQ(*end.Find("final"), "newer");
  EXPECT_EQ(end.Find("tmp"), nullptr);
}

TEST(LogBuilder, HardLinkSharesTheFile) {
  LogBuilder b{FsState{}};
  b.Open("a", O_WRONLY | O_CREAT);
  b.Link("a", "b");
  b.Append("b", "x");
  b.Unlink("a");
  FsState end = Replay(std::move(b).Finish());
  EXPECT_EQ(end.Find("a"), nullptr);
  EXPECT_EQ(*end.Find("b"), "x");
}

TEST(LogBuilder, WriteToAnUnknownNameMakesTheLogUnusable) {
  LogBuilder b{FsState{}};
  b.Append("nowhere", "x");
  b.Open("a", O_WRONLY | O_CREAT);
  EXPECT_FALSE(b.status().ok());
  EXPECT_NE(b.status().message().find("nowhere"), std::string::npos);
}

TEST(LogBuilder, FsyncOfTheOutputDirectoryIsADirectoryFsync) {
  LogBuilder b{FsState{}};
  b.Mkdir("sub");
  b.Fsync(".");
  b.Fsync("sub");
  OpLog log = std::move(b).Finish();
  ASSERT_TRUE(b.status().ok());
  EXPECT_EQ(log.ops[1].kind, OpKind::kDirFsync);
  EXPECT_EQ(log.ops[1].path, "");
  EXPECT_EQ(log.ops[2].path, "sub");
}

OpLog ThreeWrites() {
  LogBuilder b{FsState{}};
  b.Open("f", O_WRONLY | O_CREAT);
  b.Append("f", std::string(5000, 'a'));
  b.Append("f", "bbbb");
  b.Rename("f", "g");
  return std::move(b).Finish();
}

TEST(Materialize, DroppedOpsAreLeftOutAndTheCutEndsTheLog) {
  OpLog log = ThreeWrites();
  FsState s = Materialize(log, CrashState{4, {1}, {}, ""});
  EXPECT_EQ(*s.Find("g"), std::string(5000, '\0') + "bbbb");  // the later write still lands at 5000
  FsState before_rename = Materialize(log, CrashState{3, {}, {}, ""});
  EXPECT_EQ(before_rename.Find("g"), nullptr);
  EXPECT_EQ(before_rename.Find("f")->size(), 5004u);
}

TEST(Materialize, ARenameWhoseCreateDidNotPersistStillNamesTheFile) {
  OpLog log = ThreeWrites();
  FsState s = Materialize(log, CrashState{4, {0}, {}, ""});
  EXPECT_EQ(s.Find("f"), nullptr);
  ASSERT_NE(s.Find("g"), nullptr);
  EXPECT_EQ(s.Find("g")->size(), 5004u);
}

TEST(Materialize, PartialWrites) {
  OpLog log = ThreeWrites();
  FsState prefix = Materialize(log, CrashState{2, {}, {{1, PartialWrite::kPrefix, 4096}}, ""});
  EXPECT_EQ(*prefix.Find("f"), std::string(4096, 'a'));
  FsState zeros = Materialize(log, CrashState{3, {}, {{2, PartialWrite::kZeros, 0}}, ""});
  EXPECT_EQ(*zeros.Find("f"), std::string(5000, 'a') + std::string(4, '\0'));
  FsState garbage = Materialize(log, CrashState{3, {}, {{2, PartialWrite::kGarbage, 0}}, ""});
  const std::string& g = *garbage.Find("f");
  ASSERT_EQ(g.size(), 5004u);
  EXPECT_EQ(g.substr(5000), std::string({GarbageByte(5000), GarbageByte(5001), GarbageByte(5002),
                                         GarbageByte(5003)}));
  EXPECT_EQ(g.substr(5000).find('\0'), std::string::npos);
}

TEST(Materialize, AcksAndLastPersisted) {
  LogBuilder b{FsState{}};
  b.Open("f", O_WRONLY | O_CREAT);
  b.Ack(3);
  b.Append("f", "x");
  b.Ack(5);
  OpLog log = std::move(b).Finish();
  EXPECT_EQ(AckedBefore(log, 2), (std::set<long long>{3}));
  EXPECT_EQ(AckedBefore(log, 4), (std::set<long long>{3, 5}));
  EXPECT_EQ(LastPersisted(log, CrashState{4, {}, {}, ""}), 2);
  EXPECT_EQ(LastPersisted(log, CrashState{4, {2}, {}, ""}), 0);
  EXPECT_EQ(LastPersisted(log, CrashState{4, {0, 2}, {}, ""}), -1);
}

TEST(Snapshot, ReadsFilesDirectoriesAndHardLinks) {
  testing::ScratchDir dir;
  dir.Write("a", "alpha");
  ASSERT_EQ(::mkdir((dir.path() + "/sub").c_str(), 0755), 0);
  dir.Write("sub/b", "beta");
  ASSERT_EQ(::link((dir.path() + "/a").c_str(), (dir.path() + "/sub/a2").c_str()), 0);
  Result<FsState> s = SnapshotFsState(dir.path());
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->dirs, (std::set<std::string>{"sub"}));
  EXPECT_EQ(*s->Find("sub/b"), "beta");
  EXPECT_EQ(s->entries.at("a"), s->entries.at("sub/a2"));
  EXPECT_EQ(s->data.size(), 2u);
}

TEST(Snapshot, SameContentsNamesTheFirstDifference) {
  FsState a, b;
  a.entries["x"] = 0;
  a.data = {"abcdef"};
  b.entries["x"] = 3;
  b.data = {"", "", "", "abcXef"};
  std::string why;
  EXPECT_FALSE(SameContents(a, b, &why));
  EXPECT_NE(why.find("first difference at byte 3"), std::string::npos) << why;
  b.data[3] = "abcdef";
  EXPECT_TRUE(SameContents(a, b, &why));
  EXPECT_EQ(ContentHash(a), ContentHash(b));
  b.entries["y"] = 3;
  EXPECT_FALSE(SameContents(a, b, &why));
  EXPECT_NE(ContentHash(a), ContentHash(b));
}

}  // namespace
}  // namespace crashbench
