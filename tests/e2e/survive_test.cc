// crashbench survives its own fault catalogue: the real binary is sent SIGHUP,
// killed with -9, run twice on one --out, pointed at bad paths and bad
// options, and must leave nothing behind, keep what finished, and say so.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "harness/base/sys.h"
#include "tests/test_util.h"

namespace crashbench::testing {
namespace {

using std::chrono::steady_clock;

// Many short fault-free trials: a run lasts seconds, long enough to be hit mid-run.
constexpr const char* kLongScenario = R"([{
  "name": "survive-long", "strategy": "naive", "workers": 2,
  "workload": {"tasks": 4, "records_per_task": 2, "record_bytes": 64},
  "trials": 400, "expect": {"forbid": ["hang"]}}])";

long long Lines(const std::string& path) {
  Result<std::string> s = ReadFileToString(path);
  return s.ok() ? static_cast<long long>(std::count(s->begin(), s->end(), '\n')) : 0;
}

// The binary started in the background, its output in files of its own.
struct Started {
  pid_t pid = -1;
  std::string out, err;
  int Wait() {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string Err() const { return ReadFileToString(err).ok() ? *ReadFileToString(err) : ""; }
};

Started Start(const std::vector<std::string>& args, const std::string& io_dir,
              const std::string& tag) {
  Started s;
  s.out = io_dir + "/" + tag + ".out";
  s.err = io_dir + "/" + tag + ".err";
  std::vector<std::string> argv_s = {CRASHBENCH_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, s.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, s.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  EXPECT_EQ(posix_spawn(&s.pid, argv[0], &fa, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  return s;
}

// Waits (at most 60 s) until the spill holds `trials` finished trials.
void WaitForSpilledTrials(const std::string& spill, long long trials) {
  const auto give_up = steady_clock::now() + std::chrono::seconds(60);
  while (Lines(spill) < trials + 1 && steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_GE(Lines(spill), trials + 1) << "the run spilled no trial in 60 s";
}

class SurviveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    d_.Write("long.json", kLongScenario);
    ASSERT_EQ(::mkdir(scratch().c_str(), 0755), 0);
  }
  std::string out() const { return d_.path() + "/out"; }
  std::string scratch() const { return d_.path() + "/scratch"; }
  std::vector<std::string> LongRun() const {
    return {"run",     d_.path() + "/long.json", "--out",        out(), "--scratch",
            scratch(), "--no-progress",          "--no-reports", "-j",  "2"};
  }
  ScratchDir d_;
};

TEST_F(SurviveTest, SighupWritesPartialResultsAndLeavesNothing) {
  Started run = Start(LongRun(), d_.path(), "run");
  WaitForSpilledTrials(out() + "/.trials.jsonl.tmp", 3);
  ::kill(run.pid, SIGHUP);
  EXPECT_EQ(run.Wait(), 3) << run.Err();
  EXPECT_NE(run.Err().find("interrupted; partial results written"), std::string::npos) << run.Err();
  Result<std::string> results = ReadFileToString(out() + "/results.json");
  ASSERT_TRUE(results.ok());
  EXPECT_NE(results->find("\"interrupted\": true"), std::string::npos);
  EXPECT_EQ(Entries(out()), std::set<std::string>{"results.json"});
  EXPECT_TRUE(Entries(scratch()).empty());
}

TEST_F(SurviveTest, KillNineThenNextRunRemovesLeftovers) {
  Started run = Start(LongRun(), d_.path(), "run");
  WaitForSpilledTrials(out() + "/.trials.jsonl.tmp", 2);
  ::kill(run.pid, SIGKILL);
  run.Wait();
  EXPECT_TRUE(Entries(out()).count(".trials.jsonl.tmp"));
  EXPECT_EQ(Entries(scratch()).size(), 1u);
  std::vector<std::string> args = LongRun();
  args.insert(args.end(), {"--trials", "1"});
  CommandResult next = RunCrashbench(args, d_.path());
  EXPECT_EQ(next.exit_code, 0) << next.err;
  EXPECT_NE(next.err.find("of a dead run"), std::string::npos) << next.err;
  EXPECT_EQ(Entries(out()), std::set<std::string>{"results.json"});
  EXPECT_TRUE(Entries(scratch()).empty());
}

TEST_F(SurviveTest, KillNineThenCleanRemovesLeftovers) {
  Started run = Start(LongRun(), d_.path(), "run");
  WaitForSpilledTrials(out() + "/.trials.jsonl.tmp", 2);
  ::kill(run.pid, SIGKILL);
  run.Wait();
  CommandResult clean = RunCrashbench({"clean", out(), scratch()}, d_.path());
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_TRUE(Entries(out()).empty()) << clean.out;
  EXPECT_TRUE(Entries(scratch()).empty()) << clean.out;
}

TEST_F(SurviveTest, RecoverTurnsADeadRunsSpillIntoResults) {
  Started run = Start(LongRun(), d_.path(), "run");
  WaitForSpilledTrials(out() + "/.trials.jsonl.tmp", 3);
  ::kill(run.pid, SIGKILL);
  run.Wait();
  const long long spilled = Lines(out() + "/.trials.jsonl.tmp") - 1;
  CommandResult rec = RunCrashbench({"recover", out()}, d_.path());
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  EXPECT_NE(rec.out.find("recovered " + std::to_string(spilled) + " finished trials"),
            std::string::npos)
      << rec.out;
  CommandResult report =
      RunCrashbench({"report", out() + "/results.json", "--out", d_.path()}, d_.path());
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_EQ(Entries(out()), std::set<std::string>{"results.json"});
}

TEST_F(SurviveTest, SecondRunOnTheSameOutRefusesAtOnce) {
  Started first = Start(LongRun(), d_.path(), "first");
  WaitForSpilledTrials(out() + "/.trials.jsonl.tmp", 1);
  const auto start = steady_clock::now();
  CommandResult second = RunCrashbench(LongRun(), d_.path());
  const double seconds = std::chrono::duration<double>(steady_clock::now() - start).count();
  ::kill(first.pid, SIGINT);
  EXPECT_EQ(first.Wait(), 3);
  EXPECT_EQ(second.exit_code, 2) << second.err;
  EXPECT_LT(seconds, 5.0);
  EXPECT_NE(second.err.find("crashbench: --out " + out()), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("pid " + std::to_string(first.pid) + ", started "), std::string::npos)
      << second.err;
  EXPECT_EQ(Entries(out()), std::set<std::string>{"results.json"});
}

TEST_F(SurviveTest, BadPathsAreRefusedBeforeTheFirstTrial) {
  d_.Write("a-file", "x");
  std::vector<std::string> args = LongRun();
  args[3] = d_.path() + "/a-file";
  CommandResult r = RunCrashbench(args, d_.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("crashbench: --out " + d_.path() + "/a-file: exists and is not a directory"),
            std::string::npos)
      << r.err;
  args = LongRun();
  args[5] = d_.path() + "/no-such-dir";
  r = RunCrashbench(args, d_.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("crashbench: --scratch " + d_.path() + "/no-such-dir: "), std::string::npos)
      << r.err;
  EXPECT_FALSE(Entries(out()).count("results.json"));
}

// Each CLI error: exit 2, the crashbench: prefix, what is wrong and what is valid.
TEST_F(SurviveTest, CliMessagesArePlain) {
  auto expect = [&](const std::vector<std::string>& args, int code, const std::string& says) {
    CommandResult r = RunCrashbench(args, d_.path());
    EXPECT_EQ(r.exit_code, code) << r.err;
    EXPECT_EQ(r.err.rfind("crashbench: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
  };
  expect({"run", "--trials", "0"}, 2, "0 is not allowed: give a whole number from 1 to");
  expect({"frobnicate"}, 2, "unknown subcommand 'frobnicate'");
  expect({"frobnicate"}, 2, "run, verify, sweep, merge");
  expect({}, 2, "a subcommand is required");
  expect({"run", "--no-such-option"}, 2, "--no-such-option");
  d_.Write("shard.json", "{}");
  expect({"merge", d_.path() + "/shard.json", "-o", d_.path()}, 2, "is a directory");
  CommandResult cmp = RunCrashbench({"compare", d_.path() + "/long.json", "--binary-a",
                                     "/bin/false", "--binary-b", "/bin/false", "--rounds", "1"},
                                    d_.path());
  EXPECT_EQ(cmp.exit_code, 3);
  EXPECT_NE(cmp.err.find("crashbench compare: side A, round 1: /bin/false run "), std::string::npos)
      << cmp.err;
  EXPECT_NE(cmp.err.find("exited 1 and wrote no results.json"), std::string::npos) << cmp.err;
  for (const char* sub : {"run", "verify", "merge", "recover", "clean", "gate", "compare"}) {
    CommandResult h = RunCrashbench({sub, "--help"}, d_.path());
    EXPECT_NE(h.out.find("Exit codes:"), std::string::npos) << sub;
  }
}

}  // namespace
}  // namespace crashbench::testing
