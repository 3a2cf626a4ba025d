// Crash states checked per second, per strategy and persistence model, on
// hand-built logs of the built-in strategies' calls for a 64-task x
// 16-record x 256-byte workload (tests/persist/strategy_logs.h). Each
// iteration explores and judges up to --states states (the models' first, in
// priority order) from a fresh judge, so the verdict cache starts cold.
//   build/crashbench-bench --benchmark_filter=PowerLoss
// Counters: states_per_s (checked states per second of the iteration's wall
// time), checked, distinct and enumerated per iteration, violating.
#include <benchmark/benchmark.h>

#include <functional>
#include <string>

#include "harness/persist/power_loss.h"
#include "tests/persist/strategy_logs.h"

namespace crashbench {
namespace {

using namespace persist_testing;  // NOLINT: the strategies' programs

constexpr long long kStatesPerIteration = 1000;

Workload Issue11Workload() {
  Workload w;
  w.tasks = 64;
  w.records = 16;
  w.record_bytes = 256;
  return w;
}

struct Case {
  std::string name;
  Layout layout;
  std::function<void(Calls&, const Workload&)> program;
};

std::vector<Case> Cases() {
  return {
      {"atomic-rename-fsync-none", Layout::kPerTask,
       [](Calls& c, const Workload& w) { AtomicRename(c, w, false, false); }},
      {"atomic-rename-fsync-task-dirsync", Layout::kPerTask,
       [](Calls& c, const Workload& w) { AtomicRename(c, w, true, true); }},
      {"per-task-file", Layout::kPerTask,
       [](Calls& c, const Workload& w) { PerTaskFile(c, w, false); }},
      {"locked-append-fsync-task", Layout::kShared,
       [](Calls& c, const Workload& w) { LockedAppend(c, w, true); }},
      {"naive-2-writers", Layout::kShared,
       [](Calls& c, const Workload& w) {
         Interleave(
             c, [&](Calls& a) { Naive(a, w, false, 0, 2); },
             [&](Calls& b) { Naive(b, w, false, 1, 2); });
       }},
  };
}

void BM_PowerLossStates(benchmark::State& state, const Case& c, const std::string& model) {
  const Workload w = Issue11Workload();
  const OpLog log = LogOf([&](Calls& calls) { c.program(calls, w); });
  PowerLossOptions opt;
  opt.model = model;
  opt.explore.max_states = kStatesPerIteration;
  opt.verify.layout = c.layout;
  opt.verify.tasks = w.tasks;
  opt.verify.records_per_task = w.records;
  long long checked = 0, distinct = 0, enumerated = 0, violating = 0;
  for (auto _ : state) {
    Result<PowerLossReport> r = CheckPowerLoss(log, nullptr, opt);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      return;
    }
    checked += r->counts.checked;
    distinct += r->counts.distinct;
    enumerated += r->counts.enumerated;
    violating += r->violating;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["states_per_s"] =
      benchmark::Counter(static_cast<double>(checked), benchmark::Counter::kIsRate);
  state.counters["checked"] = static_cast<double>(checked) / n;
  state.counters["distinct"] = static_cast<double>(distinct) / n;
  state.counters["enumerated"] = static_cast<double>(enumerated) / n;
  state.counters["violating"] = static_cast<double>(violating) / n;
  state.counters["ops"] = static_cast<double>(log.ops.size());
}

const bool kRegistered = [] {
  for (const Case& c : Cases())
    for (const char* model : {"lazyfs", "ext4-ordered", "posix-weak"})
      benchmark::RegisterBenchmark(
          ("BM_PowerLossStates/" + c.name + "/" + model).c_str(),
          [c, model](benchmark::State& s) { BM_PowerLossStates(s, c, model); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
  return true;
}();

}  // namespace
}  // namespace crashbench
