// The hand-built logs the power-loss tests judge (strategy_logs.h) are what
// the real strategies do: this test runs the strategies' own code (one
// worker, in a child process: this test binary run again) under the syscall
// tap, turns the recording into a log and compares it op by op with the
// hand-built one. It is also the built-in strategies recorded under the tap.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <regex>

#include "harness/base/sys.h"
#include "harness/persist/from_tap.h"
#include "harness/tap/observers.h"
#include "strategies/strategy.h"
#include "strategies/worker_context.h"
#include "tests/persist/strategy_logs.h"
#include "tests/test_util.h"

namespace crashbench {
namespace {

using namespace persist_testing;  // NOLINT: test programs

constexpr char kFixtureEnv[] = "CRASHBENCH_PERSIST_STRATEGY";

class NoPoolHost final : public PoolHost {
 public:
  int ShareWithWorkers(int fd) override {
    fds.push_back(fd);
    return static_cast<int>(fds.size() - 1);
  }
  Status StartWriter(const std::vector<int>&, std::function<int(WorkerContext&)>) override {
    return Status::Error("no writer process here");
  }
  std::vector<int> fds;
};

// The traced program: when this binary starts with kFixtureEnv set, it runs
// that strategy's tasks 0..N-1 in this process, as one pool worker would, and
// acknowledges each with a line in the ack file; then exits before main.
[[maybe_unused]] const bool kFixture = [] {
  const char* name = std::getenv(kFixtureEnv);
  if (!name) return false;
  const StrategyInfo* info = FindStrategy(name);
  StrategyConfig config;
  config.dir = std::getenv("OUT");
  config.options = {{"fsync", std::getenv("FSYNC")}};
  config.payload_seed = 7;
  config.records_per_task = std::atoll(std::getenv("RECORDS"));
  config.record_bytes = std::atoll(std::getenv("RECORD_BYTES"));
  config.tasks = std::atoll(std::getenv("TASKS"));
  if (!info || !ResolveOptions(*info, &config.options).ok()) _exit(3);
  std::unique_ptr<Strategy> strategy = info->make();
  NoPoolHost host;
  if (!strategy->SetUp(config, host).ok()) _exit(4);
  WorkerContext ctx(config, nullptr, host.fds);
  strategy->WorkersStarted();
  if (!strategy->WorkerStart(ctx).ok()) _exit(5);
  UniqueFd ack(::open(std::getenv("ACK"), O_WRONLY | O_APPEND | O_CLOEXEC));
  for (long long t = 0; t < config.tasks; ++t) {
    if (!strategy->RunTask(ctx, t).ok()) _exit(6);
    const std::string line = std::to_string(t) + "\n";
    if (!WriteFull(ack.get(), line.data(), line.size()).ok()) _exit(7);
  }
  strategy->WorkerExit(ctx);
  _exit(strategy->TearDown().ok() ? 0 : 8);
}();

// The ops of a log, one line each, temp names' pids replaced.
std::vector<std::string> Lines(const OpLog& log) {
  static const std::regex kPid(R"(\.tmp\.[0-9]+)");
  std::vector<std::string> lines;
  for (size_t i = 0; i < log.ops.size(); ++i) {
    const Op& op = log.ops[i];
    std::string line = std::regex_replace(DescribeOp(log, static_cast<int>(i)), kPid, ".tmp.PID");
    if (op.kind == OpKind::kWrite) line += " crc " + std::to_string(HashBytes(op.bytes));
    lines.push_back(line);
  }
  return lines;
}

struct Case {
  const char* strategy;
  const char* fsync;
  std::function<void(Calls&, const Workload&)> program;
};

TEST(RealStrategies, HandBuiltLogsAreWhatTheStrategiesDo) {
  if (Status s = TapAvailable(); !s.ok())
    GTEST_SKIP() << "the tap cannot run here: " << s.message();
  char self[4096];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  ASSERT_GT(n, 0);
  Workload w;
  w.tasks = 3;
  w.records = 16;
  w.record_bytes = 256;
  const Case cases[] = {
      {"atomic-rename", "none",
       [](Calls& c, const Workload& w) { AtomicRename(c, w, false, false); }},
      {"atomic-rename", "task",
       [](Calls& c, const Workload& w) { AtomicRename(c, w, true, true); }},
      {"per-task-file", "task", [](Calls& c, const Workload& w) { PerTaskFile(c, w, true); }},
      {"locked-append", "task", [](Calls& c, const Workload& w) { LockedAppend(c, w, true); }},
      {"naive", "none", [](Calls& c, const Workload& w) { Naive(c, w, false); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.strategy) + " fsync=" + c.fsync);
    testing::ScratchDir out, side;
    side.Write("acks", "");
    TapCommand cmd;
    cmd.argv = {std::string(self, static_cast<size_t>(n))};
    cmd.env = {{kFixtureEnv, c.strategy},
               {"OUT", out.path()},
               {"FSYNC", c.fsync},
               {"TASKS", std::to_string(w.tasks)},
               {"RECORDS", std::to_string(w.records)},
               {"RECORD_BYTES", std::to_string(w.record_bytes)},
               {"ACK", side.path() + "/acks"}};
    cmd.watch_dir = out.path();
    cmd.extra_files = {side.path() + "/acks"};
    cmd.keep_bytes = true;
    cmd.skip_fsync = true;  // the models supply durability: recording costs less
    Recorder recorder;
    Result<TapOutcome> run = RunTapped(cmd, recorder);
    ASSERT_TRUE(run.ok()) << run.status().message();
    ASSERT_EQ(run->root_status, 0) << "the traced strategy failed";
    Result<OpLog> recorded = OpLogFromTap(run->events, FsState{});
    ASSERT_TRUE(recorded.ok()) << recorded.status().message();
    Result<FsState> on_disk = SnapshotFsState(out.path());
    ASSERT_TRUE(on_disk.ok());
    std::string why;
    EXPECT_TRUE(SameContents(Replay(*recorded), *on_disk, &why)) << why;

    const OpLog built = LogOf([&](Calls& calls) { c.program(calls, w); });
    EXPECT_EQ(Lines(*recorded), Lines(built));
  }
}

}  // namespace
}  // namespace crashbench
