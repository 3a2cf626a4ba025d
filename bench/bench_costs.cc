// Micro-costs behind the runner's numbers: a frame round trip over a pipe,
// one task committed by each strategy (in this process, no pool), fork and
// reap, and what timing a stage costs next to the work it times.
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/bench_scratch.h"
#include "harness/base/stage_clock.h"
#include "harness/base/sys.h"
#include "harness/subject/frame.h"
#include "strategies/strategy.h"
#include "strategies/worker_context.h"

namespace crashbench {
namespace {

void BM_FrameRoundTrip(benchmark::State& state) {
  UniqueFd a_r, a_w, b_r, b_w;
  if (!MakePipe(&a_r, &a_w).ok() || !MakePipe(&b_r, &b_w).ok()) {
    state.SkipWithError("pipe");
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {  // echo frames back until the pipe closes
    a_w.Reset();
    b_r.Reset();
    std::string f;
    while (ReadFrame(a_r.get(), &f).ok() && WriteFrame(b_w.get(), f).ok()) {
    }
    _exit(0);
  }
  a_r.Reset();
  b_w.Reset();
  const std::string payload = R"({"ack":12,"st":[1,2,3,4,5,6]})";
  std::string got;
  for (auto _ : state) {
    (void)WriteFrame(a_w.get(), payload);
    (void)ReadFrame(b_r.get(), &got);
  }
  a_w.Reset();
  waitpid(pid, nullptr, 0);
}
BENCHMARK(BM_FrameRoundTrip);

void BM_ForkAndReap(benchmark::State& state) {
  for (auto _ : state) {
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    waitpid(pid, nullptr, 0);
  }
}
BENCHMARK(BM_ForkAndReap);

// What the pool offers a strategy's SetUp, without a pool: descriptors are
// "shared" in place (this process is the worker), and no writer can start.
class InProcessHost final : public PoolHost {
 public:
  int ShareWithWorkers(int fd) override {
    shared_fds.push_back(fd);
    return static_cast<int>(shared_fds.size() - 1);
  }
  Status StartWriter(const std::vector<int>&, std::function<int(WorkerContext&)>) override {
    return Status::Error("a benchmark runs no writer process");
  }
  std::vector<int> shared_fds;
};

// One task of 16 records committed by a strategy, in this process. Strategies
// with a writer process (queue-writer) need the pool: they are left out.
void BM_StrategyCommitsOneTask(benchmark::State& state, const char* name, const char* fsync) {
  const StrategyInfo* info = FindStrategy(name);
  const std::string dir = BenchScratch::Get().NewSubdir();
  if (!info || dir.empty()) {
    state.SkipWithError("set-up failed: unknown strategy or no scratch directory");
    return;
  }
  StrategyConfig config;
  config.dir = dir;
  // Every option the strategy has, resolved the way the runner resolves a
  // scenario's: the ones given here, the defaults for the rest.
  config.options = {{"fsync", fsync}};
  if (Status s = ResolveOptions(*info, &config.options); !s.ok()) {
    state.SkipWithError(s.message().c_str());
    return;
  }
  config.payload_seed = 1;
  config.records_per_task = 16;
  config.record_bytes = state.range(0);
  // The lifecycle the pool runs, in this one process: SetUp (with a host that
  // shares descriptors in place and starts no writer), then a worker's start.
  std::unique_ptr<Strategy> strategy = info->make();
  InProcessHost host;
  Status set_up = strategy->SetUp(config, host);
  WorkerContext ctx(config, nullptr, host.shared_fds);
  if (set_up.ok()) strategy->WorkersStarted();
  if (set_up.ok()) set_up = strategy->WorkerStart(ctx);
  if (!set_up.ok()) {
    state.SkipWithError(set_up.message().c_str());
    return;
  }
  long long task = 0;
  for (auto _ : state) {
    Status s = strategy->RunTask(ctx, task++ % 64);
    if (!s.ok()) {
      state.SkipWithError(s.message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 16);
  strategy->WorkerExit(ctx);
  (void)strategy->TearDown();
}
BENCHMARK_CAPTURE(BM_StrategyCommitsOneTask, naive, "naive", "none")->Arg(256)->Arg(4096);
BENCHMARK_CAPTURE(BM_StrategyCommitsOneTask, per_task_file, "per-task-file", "none")
    ->Arg(256)
    ->Arg(4096);
BENCHMARK_CAPTURE(BM_StrategyCommitsOneTask, locked_append, "locked-append", "none")
    ->Arg(256)
    ->Arg(4096);
BENCHMARK_CAPTURE(BM_StrategyCommitsOneTask, atomic_rename_nosync, "atomic-rename", "none")
    ->Arg(256)
    ->Arg(4096);
BENCHMARK_CAPTURE(BM_StrategyCommitsOneTask, atomic_rename_fsync, "atomic-rename", "task")
    ->Arg(4096)
    ->Iterations(200);

// The instrumentation's own cost: one StageTimer (two clock reads) against
// the cheapest thing it times, one record's fwrite into a stdio buffer.
void BM_StageTimerAlone(benchmark::State& state) {
  StageClock clock;
  for (auto _ : state) {
    StageTimer t(clock, Stage::kWrite);
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(clock.Get(Stage::kWrite));
}
BENCHMARK(BM_StageTimerAlone);

void BM_RecordFwriteUntimed(benchmark::State& state) {
  FILE* f = std::fopen("/dev/null", "we");
  std::string line(static_cast<size_t>(state.range(0)), 'x');
  const size_t half = line.size() / 2;
  for (auto _ : state) {
    std::fwrite(line.data(), 1, half, f);
    std::fwrite(line.data() + half, 1, line.size() - half, f);
  }
  std::fclose(f);
}
BENCHMARK(BM_RecordFwriteUntimed)->Arg(330)->Arg(4200);

void BM_RecordFwriteTimedAsInStrategies(benchmark::State& state) {
  FILE* f = std::fopen("/dev/null", "we");
  std::string line(static_cast<size_t>(state.range(0)), 'x');
  StageClock clock;
  const size_t half = line.size() / 2;
  for (auto _ : state) {  // one timer around both halves, as WriteRecordInHalves does
    StageTimer t(clock, Stage::kWrite);
    std::fwrite(line.data(), 1, half, f);
    std::fwrite(line.data() + half, 1, line.size() - half, f);
  }
  std::fclose(f);
}
BENCHMARK(BM_RecordFwriteTimedAsInStrategies)->Arg(330)->Arg(4200);

}  // namespace
}  // namespace crashbench
