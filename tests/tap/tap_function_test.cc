// RunTappedFunction: a function of this process run in a traced child, as
// the built-in pool's supervisor is for power loss. Its own calls and those
// of every process it forks are events; it exits with what it returns; the
// descriptors it is given stay open in it.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/tap/observers.h"
#include "tests/tap/tap_test_util.h"

namespace crashbench::testing {
namespace {

bool WriteFileIn(const std::string& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  return fd.valid() && WriteFull(fd.get(), text.data(), text.size()).ok();
}

TEST(TapFunction, TheFunctionAndItsForkedChildrenAreTraced) {
  SKIP_WITHOUT_TAP();
  TapRun run;
  run.cmd.keep_bytes = true;
  UniqueFd r, w;
  ASSERT_TRUE(MakePipe(&r, &w).ok());
  const int wfd = w.get();
  const std::string out = run.out;
  const std::function<int()> body = [&] {
    const pid_t child = ::fork();
    if (child == 0) _exit(WriteFileIn(out + "/child.txt", "from the child") ? 0 : 1);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WriteFileIn(out + "/parent.txt", "after the child")) return 1;
    (void)!::write(wfd, "k", 1);  // a descriptor it was given: kept open
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 7 : 2;
  };
  Recorder rec;
  Result<TapOutcome> o = RunTappedFunction(run.cmd, {wfd}, body, rec);
  ASSERT_TRUE(o.ok()) << o.status().message();
  w.Reset();
  EXPECT_FALSE(o->hang);
  ASSERT_TRUE(WIFEXITED(o->root_status));
  EXPECT_EQ(WEXITSTATUS(o->root_status), 7) << "the function's own return value";
  std::map<std::string, std::string> writer;  // file -> the process that wrote it
  std::vector<std::string> order;
  for (const TapEvent& e : o->events)
    if (e.call == "write") {
      writer[e.path] = e.process;
      order.push_back(e.path);
    }
  EXPECT_EQ(writer["child.txt"], "0.0");
  EXPECT_EQ(writer["parent.txt"], "0");
  EXPECT_EQ(order, (std::vector<std::string>{"child.txt", "parent.txt"}));
  char c = 0;
  EXPECT_EQ(::read(r.get(), &c, 1), 1);
  EXPECT_EQ(c, 'k');
  ASSERT_EQ(o->processes.size(), 2u);
  for (const TapProcessEnd& p : o->processes) EXPECT_FALSE(ProcessExists(p.pid));
}

}  // namespace
}  // namespace crashbench::testing
