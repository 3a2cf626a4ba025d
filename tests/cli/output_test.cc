// What people read from `list` and `verify`: list names every choice a
// scenario file has (driven from the registries, so a new one cannot be
// forgotten), each option's values in the order its help describes them;
// verify says what it could not check without --acked or --tasks.
#include <gtest/gtest.h>

#include <iostream>
#include <regex>
#include <sstream>

#include "faults/registry.h"
#include "harness/cli/commands.h"
#include "scenarios/scenario.h"
#include "strategies/strategy.h"
#include "tests/test_util.h"

namespace crashbench {
namespace {

// stdout of `body`, and its exit code.
template <typename Body>
std::string CaptureStdout(Body body, int* exit_code) {
  std::ostringstream captured;
  std::streambuf* saved = std::cout.rdbuf(captured.rdbuf());
  *exit_code = body();
  std::cout.rdbuf(saved);
  return captured.str();
}

std::string ListOutput() {
  int code = -1;
  std::string out = CaptureStdout([] { return RunListCommand(); }, &code);
  EXPECT_EQ(code, 0);
  return out;
}

// The line of `text` that starts (after spaces) with `start`, from `from` on.
size_t LineStarting(const std::string& text, const std::string& start, size_t from = 0) {
  std::regex line("(^|\n) *" +
                  std::regex_replace(start, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)"));
  std::smatch m;
  std::string rest = text.substr(from);
  if (!std::regex_search(rest, m, line)) return std::string::npos;
  return from + static_cast<size_t>(m.position(0)) + m[1].length();
}

std::string Choices(const std::vector<std::string_view>& values) {
  std::string s;
  for (std::string_view v : values) (s += s.empty() ? "" : " | ") += v;
  return s + " (default " + std::string(values.front()) + ")";
}

TEST(ListCommandTest, NamesEveryStrategyOptionWithItsValuesAndHelp) {
  const std::string out = ListOutput();
  for (const StrategyInfo& s : AllStrategies()) {
    const size_t at = LineStarting(out, std::string(s.name) + " (");
    ASSERT_NE(at, std::string::npos) << s.name << "\n" << out;
    for (const OptionSpec& o : s.options) {
      const size_t opt = LineStarting(out, std::string(o.key) + ": " + Choices(o.values), at);
      EXPECT_NE(opt, std::string::npos) << s.name << " " << o.key << "\n" << out;
      EXPECT_NE(out.find(std::string(o.help), opt), std::string::npos) << s.name << " " << o.key;
    }
  }
}

// Where a help names its values, it names them in the order they are listed
// (atomic-rename listed fsync as task | none | record and described none first).
TEST(ListCommandTest, HelpsDescribeValuesInTheOrderListed) {
  for (const StrategyInfo& s : AllStrategies()) {
    for (const OptionSpec& o : s.options) {
      const std::string help(o.help);
      long last = -1;
      for (std::string_view v : o.values) {
        std::smatch m;
        if (!std::regex_search(help, m, std::regex("(^|[^-\\w])" + std::string(v) + "($|[^-\\w])")))
          continue;
        EXPECT_GT(m.position(0), last) << s.name << " " << o.key << ": '" << v << "' in " << help;
        last = m.position(0);
      }
    }
  }
  const OptionSpec fsync = FsyncOption("task");
  EXPECT_EQ(std::string(fsync.help).find("task"), std::string(fsync.help).find(": ") + 2);
}

TEST(ListCommandTest, NamesEveryFaultWithItsMethods) {
  const std::string out = ListOutput();
  for (const FaultInfo& f : AllFaults()) {
    const size_t at = LineStarting(out, std::string(f.name) + ": ");
    ASSERT_NE(at, std::string::npos) << f.name << "\n" << out;
    std::vector<std::string_view> methods;
    for (const FaultMethod& m : f.make()->methods()) methods.push_back(m.name);
    const size_t line = LineStarting(out, "method: " + Choices(methods), at);
    EXPECT_NE(line, std::string::npos) << f.name << "\n" << out;
    EXPECT_LT(line, out.find('\n', out.find('\n', at) + 1) + 1) << f.name << ": not its own";
  }
}

TEST(ListCommandTest, NamesEveryPolicyResumeModeAndStartMethod) {
  const std::string out = ListOutput();
  auto expect_modes = [&](const std::string& key, const std::vector<std::string_view>& names) {
    const size_t at = LineStarting(out, key + ": " + Choices(names));
    ASSERT_NE(at, std::string::npos) << key << "\n" << out;
    for (std::string_view n : names)
      EXPECT_NE(LineStarting(out, std::string(n) + ": ", at), std::string::npos) << n;
  };
  std::vector<std::string_view> policies, resumes, starts;
  for (WorkerDeathPolicy p : kAllWorkerDeathPolicies) policies.push_back(WorkerDeathPolicyName(p));
  for (Resume r : kAllResumeModes) resumes.push_back(ResumeName(r));
  for (StartMethod m : kAllStartMethods) starts.push_back(StartMethodName(m));
  expect_modes("on_worker_death", policies);
  expect_modes("resume", resumes);
  expect_modes("start_method", starts);
  // The registries are the parser's: every policy the parser names is there.
  std::string joined;
  for (std::string_view p : policies) (joined += joined.empty() ? "" : ", ") += p;
  EXPECT_EQ(joined, kWorkerDeathPolicyNames);
}

class VerifyCommandTest : public ::testing::Test {
 protected:
  // Task 0 complete, task 1 never written.
  void SetUp() override {
    dir_.Write("records.jsonl", "");
    acked_ = dir_.path() + "/acked.json";
    dir_.Write("acked.json", "[0, 1]");
  }
  std::string Verify(VerifyCommand cmd, int* code) {
    cmd.dir = dir_.path();
    cmd.layout = "shared";
    return CaptureStdout([&] { return RunVerifyCommand(cmd); }, code);
  }
  testing::ScratchDir dir_;
  std::string acked_;
};

TEST_F(VerifyCommandTest, SaysWhatItCouldNotCheck) {
  int code = -1;
  std::string out = Verify({}, &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find(std::string("not checked: ") + kVerifyWithoutAcked + "; " +
                     kVerifyWithoutTasks + "\n"),
            std::string::npos)
      << out;

  VerifyCommand with_tasks;
  with_tasks.tasks = 2;
  out = Verify(with_tasks, &code);
  EXPECT_NE(out.find(std::string("not checked: ") + kVerifyWithoutAcked + "\n"), std::string::npos)
      << out;
  EXPECT_EQ(out.find(kVerifyWithoutTasks), std::string::npos) << out;

  VerifyCommand both = with_tasks;
  both.acked_file = acked_;
  out = Verify(both, &code);
  EXPECT_EQ(code, 1) << out;  // acknowledged tasks with no record: lost-acked
  EXPECT_EQ(out.find("not checked"), std::string::npos) << out;

  VerifyCommand json;
  json.json = true;
  json.acked_file = acked_;
  out = Verify(json, &code);
  EXPECT_NE(out.find("\"not_checked\": [\n    \"lost-unacked"), std::string::npos) << out;
}

}  // namespace
}  // namespace crashbench
