// The descriptor and file wrappers of sys.h: UniqueFd closes exactly once,
// pipes and files are opened O_CLOEXEC, and the file recipes (atomic write,
// mkdir -p, rm -rf) leave what they promise and nothing else.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "harness/base/sys.h"
#include "tests/test_util.h"

namespace crashbench {
namespace {

using crashbench::testing::ScratchDir;

bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

bool IsClosed(int fd) { return ::fcntl(fd, F_GETFD) == -1 && errno == EBADF; }

int OpenDevNull() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

std::set<std::string> Entries(const std::string& dir) {
  std::set<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return names;
  while (dirent* e = ::readdir(d))
    if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") names.insert(e->d_name);
  ::closedir(d);
  return names;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// ---- UniqueFd ----

TEST(UniqueFd, ClosesItsDescriptorWhenItGoesAway) {
  const int fd = OpenDevNull();
  ASSERT_GE(fd, 0);
  { UniqueFd u(fd); }
  EXPECT_TRUE(IsClosed(fd));
}

// The descriptor number is reused by the next open: a second close of the old
// one would close the new file.
TEST(UniqueFd, AMovedFromOwnerNeverClosesTheDescriptorAgain) {
  const int fd = OpenDevNull();
  ASSERT_GE(fd, 0);
  int reused = -1;
  {
    UniqueFd a(fd);
    UniqueFd b(std::move(a));
    EXPECT_FALSE(a.valid());
    EXPECT_EQ(b.get(), fd);
    b.Reset();
    EXPECT_TRUE(IsClosed(fd));
    reused = OpenDevNull();
    ASSERT_EQ(reused, fd);  // the lowest free number
  }                         // a and b go away here
  EXPECT_TRUE(IsOpen(reused));
  ::close(reused);
}

TEST(UniqueFd, MoveAssignmentClosesTheOldDescriptorOnceAndTakesTheNew) {
  const int first = OpenDevNull(), second = OpenDevNull();
  ASSERT_GE(second, 0);
  {
    UniqueFd a(first), b(second);
    b = std::move(a);
    EXPECT_TRUE(IsClosed(second));
    EXPECT_EQ(b.get(), first);
    EXPECT_FALSE(a.valid());
    UniqueFd& same = b;
    b = std::move(same);  // onto itself: keeps it
    EXPECT_EQ(b.get(), first);
    EXPECT_TRUE(IsOpen(first));
  }
  EXPECT_TRUE(IsClosed(first));
}

TEST(UniqueFd, ReleaseGivesTheDescriptorUpWithoutClosingIt) {
  const int fd = OpenDevNull();
  {
    UniqueFd u(fd);
    EXPECT_EQ(u.Release(), fd);
    EXPECT_FALSE(u.valid());
    EXPECT_EQ(u.get(), -1);
  }
  EXPECT_TRUE(IsOpen(fd));
  ::close(fd);
}

TEST(UniqueFd, ResetClosesTheOldDescriptorAndOwnsTheNew) {
  const int first = OpenDevNull(), second = OpenDevNull();
  {
    UniqueFd u(first);
    u.Reset(second);
    EXPECT_TRUE(IsClosed(first));
    EXPECT_EQ(u.get(), second);
  }
  EXPECT_TRUE(IsClosed(second));
}

// ---- MakePipe ----

TEST(MakePipe, BothEndsAreCloseOnExecAndTheExtraFlagsApply) {
  UniqueFd r, w;
  ASSERT_TRUE(MakePipe(&r, &w, O_NONBLOCK).ok());
  for (int fd : {r.get(), w.get()}) {
    EXPECT_TRUE(::fcntl(fd, F_GETFD) & FD_CLOEXEC);
    EXPECT_TRUE(::fcntl(fd, F_GETFL) & O_NONBLOCK);
  }
  char c;
  EXPECT_EQ(::read(r.get(), &c, 1), -1);
  EXPECT_EQ(errno, EAGAIN);
  ASSERT_TRUE(WriteFull(w.get(), "z", 1).ok());
  ASSERT_TRUE(ReadFull(r.get(), &c, 1).ok());
  EXPECT_EQ(c, 'z');

  UniqueFd r2, w2;
  ASSERT_TRUE(MakePipe(&r2, &w2).ok());
  EXPECT_FALSE(::fcntl(r2.get(), F_GETFL) & O_NONBLOCK);
}

// ---- files and directories ----

TEST(Fsync, SyncsFilesAndDirectoriesAndNamesWhatFailed) {
  ScratchDir d;
  d.Write("f", "x");
  UniqueFd fd(::open((d.path() + "/f").c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_TRUE(FsyncNoInt(fd.get(), "f").ok());
  EXPECT_TRUE(FsyncDir(d.path()).ok());

  Status bad = FsyncNoInt(-1, "nothing");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.err(), EBADF);
  EXPECT_EQ(bad.message().rfind("fsync nothing: ", 0), 0u) << bad.message();

  Status missing = FsyncDir(d.path() + "/no-such-dir");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.err(), ENOENT);
}

TEST(ReadFileToString, ReadsAFileLargerThanOneBufferWhole) {
  ScratchDir d;
  std::string big;
  for (int i = 0; big.size() < 200 * 1024; ++i) big += std::to_string(i) + ",";
  d.Write("big", big);
  d.Write("empty", "");
  Result<std::string> got = ReadFileToString(d.path() + "/big");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(*got == big);
  Result<std::string> empty = ReadFileToString(d.path() + "/empty");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
  Result<std::string> missing = ReadFileToString(d.path() + "/missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().err(), ENOENT);
  EXPECT_EQ(missing.status().message().rfind(d.path() + "/missing: ", 0), 0u);
}

TEST(WriteFileAtomic, CreatesAndReplacesAndLeavesNoTemporaryFile) {
  ScratchDir d;
  const std::string path = d.path() + "/out.json";
  ASSERT_TRUE(WriteFileAtomic(path, "first").ok());
  EXPECT_EQ(*ReadFileToString(path), "first");
  ASSERT_TRUE(WriteFileAtomic(path, "second, longer").ok());
  EXPECT_EQ(*ReadFileToString(path), "second, longer");
  EXPECT_EQ(Entries(d.path()), std::set<std::string>{"out.json"});
}

TEST(WriteFileAtomic, AFailingWriterLeavesTheOldFileAndNoTemporaryFile) {
  ScratchDir d;
  const std::string path = d.path() + "/out.json";
  ASSERT_TRUE(WriteFileAtomic(path, "old").ok());
  Status s = WriteFileAtomicWith(path, [](FILE* f) {
    std::fputs("half of the new", f);
    return Status::Error("the writer gave up");
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "writing " + path + ": the writer gave up");
  EXPECT_EQ(*ReadFileToString(path), "old");
  EXPECT_EQ(Entries(d.path()), std::set<std::string>{"out.json"});
}

TEST(WriteFileAtomic, AFailedRenameUnlinksTheTemporaryFile) {
  ScratchDir d;
  const std::string path = d.path() + "/taken";
  ASSERT_TRUE(MakeDirs(path).ok());
  d.Write("taken/inside", "a directory that is not empty");
  Status s = WriteFileAtomic(path, "new");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("rename to " + path), std::string::npos) << s.message();
  EXPECT_EQ(Entries(d.path()), std::set<std::string>{"taken"});

  Status no_dir = WriteFileAtomic(d.path() + "/no-such-dir/f", "x");
  ASSERT_FALSE(no_dir.ok());
  EXPECT_EQ(no_dir.err(), ENOENT);
}

TEST(MakeDirs, CreatesEveryLevelAndAcceptsWhatExists) {
  ScratchDir d;
  const std::string deep = d.path() + "/a/b/c";
  ASSERT_TRUE(MakeDirs(deep).ok());
  struct stat st;
  ASSERT_EQ(::stat(deep.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_TRUE(MakeDirs(deep).ok());
  EXPECT_TRUE(MakeDirs(d.path() + "/a/b/c/").ok());

  d.Write("file", "");
  Status s = MakeDirs(d.path() + "/file/sub");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.err(), ENOTDIR);
}

TEST(RemoveTree, RemovesATreeButNotWhatItsSymlinksPointAt) {
  ScratchDir d;
  d.Write("outside", "keep me");
  ASSERT_TRUE(MakeDirs(d.path() + "/tree/a/b").ok());
  d.Write("tree/a/b/file", "x");
  ASSERT_EQ(::symlink((d.path() + "/outside").c_str(), (d.path() + "/tree/a/link").c_str()), 0);
  ASSERT_EQ(::symlink(d.path().c_str(), (d.path() + "/tree/dirlink").c_str()), 0);
  ASSERT_TRUE(RemoveTree(d.path() + "/tree").ok());
  EXPECT_FALSE(Exists(d.path() + "/tree"));
  EXPECT_EQ(*ReadFileToString(d.path() + "/outside"), "keep me");
  EXPECT_TRUE(RemoveTree(d.path() + "/tree").ok());  // already gone
}

TEST(RemoveTree, RefusesTheEmptyPathAndTheRoot) {
  EXPECT_FALSE(RemoveTree("").ok());
  Status root = RemoveTree("/");
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.message(), "refusing to remove '/'");
}

TEST(NowMicros, NeverGoesBackAndCountsMicroseconds) {
  const long long a = NowMicros();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const long long b = NowMicros();
  EXPECT_GE(b - a, 20000);
  EXPECT_LT(b - a, 20LL * 1000 * 1000);
  long long last = NowMicros();
  for (int i = 0; i < 1000; ++i) {
    const long long now = NowMicros();
    EXPECT_GE(now, last);
    last = now;
  }
}

}  // namespace
}  // namespace crashbench
