// The tap against a reference: strace -f -y on the same fixture program must
// see the same file-changing calls, on the same files, in the same order.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "harness/base/process.h"
#include "harness/tap/observers.h"
#include "harness/tap/tap_decode.h"
#include "tests/tap/tap_test_util.h"

namespace crashbench::testing {
namespace {

const char kTraced[] = "openat,write,pwrite64,writev,close,mkdir,rename,unlink";

bool HaveStrace() { return ::system("strace -V >/dev/null 2>&1") == 0; }

// "call path" for each line of strace's log about a file under out.
std::vector<std::string> FromStrace(const std::string& log, const std::string& out) {
  std::vector<std::string> calls;
  const std::regex line(R"(^\d+\s+(\w+)\((.*)$)");
  const std::regex fd_path(R"(^\d+<([^>]*)>)");
  const std::regex quoted("\"([^\"]*)\"");
  std::istringstream in(log);
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (!std::regex_match(l, m, line)) continue;
    const std::string call = m[1], args = m[2];
    std::string path;
    std::smatch p;
    if (call == "openat") {
      if (!std::regex_search(args, std::regex("O_WRONLY|O_RDWR|O_CREAT|O_TRUNC"))) continue;
      std::string base = out;
      if (std::regex_search(args, p, fd_path)) base = p[1];
      if (!std::regex_search(args, p, quoted)) continue;
      path = p[1].str()[0] == '/' ? p[1].str() : base + "/" + p[1].str();
    } else if (std::regex_search(args, p, fd_path)) {
      path = p[1];
    } else if (std::regex_search(args, p, quoted)) {
      path = p[1].str()[0] == '/' ? p[1].str() : out + "/" + p[1].str();
    }
    path = tap_internal::NormalizePath(path);
    if (path.rfind(out + "/", 0) == 0) calls.push_back(call + " " + path.substr(out.size() + 1));
  }
  return calls;
}

TEST(TapStrace, SeesTheSameCallsAsStraceOnTheSameProgram) {
  SKIP_WITHOUT_TAP();
  if (!HaveStrace())
    GTEST_SKIP() << "skipped: strace is not installed (scripts/bootstrap.sh installs it)";
  TapRun tapped;
  Recorder rec;
  const std::string outside = tapped.scratch.path() + "/outside.txt";
  TapOutcome o = tapped.Run({"events", outside, tapped.scratch.path() + "/extra"}, rec);
  std::vector<std::string> tap;
  for (const TapEvent& e : o.events) tap.push_back(e.call + " " + e.path);

  TapRun plain;  // the same program in a directory of its own, under strace
  const std::string log = plain.scratch.path() + "/strace.log";
  Result<Child> c = ForkChild({}, false, [&] {
    if (::chdir(plain.out.c_str()) != 0) ::_exit(126);
    const std::string o2 = plain.scratch.path() + "/outside.txt";
    const std::string x2 = plain.scratch.path() + "/extra";
    ::execlp("strace", "strace", "-f", "-y", "-qq", "-o", log.c_str(), "-e",
             (std::string("trace=") + kTraced).c_str(), CRASHBENCH_TAP_FIXTURE, "events",
             o2.c_str(), x2.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  });
  ASSERT_TRUE(c.ok()) << c.status().message();
  c->Reap();
  ASSERT_FALSE(c->Failed()) << c->Describe();
  Result<std::string> text = ReadFileToString(log);
  ASSERT_TRUE(text.ok());
  char real[PATH_MAX];
  ASSERT_NE(::realpath(plain.out.c_str(), real), nullptr);
  const std::vector<std::string> reference = FromStrace(*text, real);
  EXPECT_EQ(tap, reference) << *text;
  EXPECT_GE(tap.size(), 20u);
}

}  // namespace
}  // namespace crashbench::testing
