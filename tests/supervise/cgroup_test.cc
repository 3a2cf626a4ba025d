// A subject's own cgroup: made empty, holds what is added and what it forks,
// one Kill ends them all, Remove leaves nothing; a dead run's cgroup is found
// by the dead pid in its name and removed with what was left in it. Skipped,
// saying why, where no writable cgroup2 hierarchy exists.
#include "harness/supervise/cgroup.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/base/process.h"
#include "harness/base/sys.h"

namespace crashbench {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

#define MAKE_CGROUP_OR_SKIP(var)                                                             \
  Result<std::unique_ptr<SubjectCgroup>> var##_made = SubjectCgroup::Create();               \
  if (!var##_made.ok())                                                                      \
    GTEST_SKIP() << "skipped: no cgroup of its own here: " << var##_made.status().message(); \
  std::unique_ptr<SubjectCgroup> var = std::move(*var##_made)

Child Sleeper() {
  Result<Child> c = ForkChild({}, /*new_group=*/true, [] {
    ::execlp("sleep", "sleep", "30", static_cast<char*>(nullptr));
    ::_exit(127);
  });
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? std::move(*c) : Child();
}

TEST(SubjectCgroup, KillEndsEveryMemberAndRemoveLeavesNothing) {
  MAKE_CGROUP_OR_SKIP(cg);
  const std::string path = cg->path();
  EXPECT_TRUE(Exists(path));
  EXPECT_FALSE(cg->Populated());
  Child a = Sleeper(), b = Sleeper();
  ASSERT_TRUE(cg->Add(a.pid()).ok());
  ASSERT_TRUE(cg->Add(b.pid()).ok());
  EXPECT_TRUE(cg->Populated());
  ASSERT_TRUE(cg->Kill().ok());
  a.Reap();
  b.Reap();
  EXPECT_EQ(a.Describe(), "killed by SIGKILL");
  EXPECT_EQ(b.Describe(), "killed by SIGKILL");
  EXPECT_TRUE(cg->Remove().ok());
  EXPECT_FALSE(Exists(path));
  EXPECT_TRUE(cg->Remove().ok());  // idempotent
}

TEST(SubjectCgroup, ADeadRunsCgroupIsRemovedWithWhatItHeld) {
  MAKE_CGROUP_OR_SKIP(probe);
  const std::string parent = probe->path().substr(0, probe->path().rfind('/'));
  Result<Child> gone = ForkChild({}, false, [] { ::_exit(0); });
  ASSERT_TRUE(gone.ok());
  gone->Reap();  // its pid now names a dead crashbench
  const std::string stale = parent + "/crashbench-tap-" + std::to_string(gone->pid()) + "-0";
  ASSERT_EQ(::mkdir(stale.c_str(), 0755), 0) << stale;
  Child left = Sleeper();
  {
    UniqueFd procs(::open((stale + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
    const std::string pid = std::to_string(left.pid());
    ASSERT_TRUE(procs.valid() && ::write(procs.get(), pid.data(), pid.size()) > 0) << stale;
  }
  const std::vector<std::string> removed = RemoveStaleSubjectCgroups();
  bool named = false;
  for (const std::string& line : removed) named |= line.find(stale) != std::string::npos;
  EXPECT_TRUE(named) << "removed: " << removed.size() << " lines";
  EXPECT_FALSE(Exists(stale));
  left.Reap();
  EXPECT_EQ(left.Describe(), "killed by SIGKILL");
  // The live cgroup of this process is not touched.
  EXPECT_TRUE(Exists(probe->path()));
}

}  // namespace
}  // namespace crashbench
