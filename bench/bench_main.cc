// crashbench-bench: Google Benchmark micro-benchmarks of the costs behind the
// runner's numbers. Run: build/crashbench-bench --benchmark_format=json
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "harness/base/crc32c.h"
#include "harness/contract/record.h"

namespace {

void BM_Crc32cSoftware(benchmark::State& state) {
  std::string data(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state)
    benchmark::DoNotOptimize(crashbench::Crc32cExtendSoftware(0, data.data(), data.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32cSoftware)->Arg(256)->Arg(4096)->Arg(1 << 20);

void BM_Crc32cHardware(benchmark::State& state) {
  if (!crashbench::Crc32cHardwareAvailable()) {
    state.SkipWithError("no SSE4.2 crc32 instruction on this CPU");
    return;
  }
  std::string data(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state)
    benchmark::DoNotOptimize(crashbench::Crc32cExtendHardware(0, data.data(), data.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32cHardware)->Arg(256)->Arg(4096)->Arg(1 << 20);

void BM_EncodeRecordByHand(benchmark::State& state) {
  std::string payload = crashbench::MakePayload(1, 2, 3, static_cast<size_t>(state.range(0)));
  std::string out;
  for (auto _ : state) {
    crashbench::EncodeRecordTo(12, 3, 16, payload, &out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_EncodeRecordByHand)->Arg(64)->Arg(256)->Arg(4096);

void BM_EncodeRecordNlohmann(benchmark::State& state) {
  std::string payload = crashbench::MakePayload(1, 2, 3, static_cast<size_t>(state.range(0)));
  std::string crc = crashbench::RecordCrc(12, 3, 16, payload);
  for (auto _ : state) {
    nlohmann::json j = {{"task", 12}, {"seq", 3}, {"of", 16}, {"payload", payload}, {"crc", crc}};
    std::string s = j.dump();
    benchmark::DoNotOptimize(s.data());
  }
}
BENCHMARK(BM_EncodeRecordNlohmann)->Arg(64)->Arg(256)->Arg(4096);

void BM_ParseRecord(benchmark::State& state) {
  std::string text = crashbench::EncodeRecord(
      12, 3, 16, crashbench::MakePayload(1, 12, 3, static_cast<size_t>(state.range(0))));
  crashbench::Record r;
  for (auto _ : state) benchmark::DoNotOptimize(crashbench::ParseRecord(text, &r));
}
BENCHMARK(BM_ParseRecord)->Arg(64)->Arg(256)->Arg(4096);

}  // namespace

BENCHMARK_MAIN();
