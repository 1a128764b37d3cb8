// The simulator at the size issue 5 names: a 16 GiB guest (4 Mi pages) through 30 rounds, target < 1 s.
// Each workload is run at its defaults over 10 Gbit/s (where most converge in a few rounds) and in
// variants that keep resending most of memory for all 30 rounds, the simulator's worst case.
#include <benchmark/benchmark.h>

#include "precopy/simulator.h"

namespace {

void BM_Simulate16GiB(benchmark::State& state, const char* workload_spec) {
  precopy::SimulationConfig config;
  config.memory_pages = uint64_t{1} << 22;  // 16 GiB of 4 KiB pages
  config.bandwidth_bytes_per_s = 1.25e9;    // 10 Gbit/s
  config.rounds = 30;
  uint64_t rounds = 0;
  for (auto _ : state) {
    const precopy::Trace trace = precopy::simulate(config, workload_spec);
    rounds = trace.rounds.size();
    benchmark::DoNotOptimize(trace.rounds.data());
  }
  state.counters["rounds"] = static_cast<double>(rounds);
}

BENCHMARK_CAPTURE(BM_Simulate16GiB, idle, "idle")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Simulate16GiB, constant, "constant")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Simulate16GiB, hotcold, "hotcold")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Simulate16GiB, zipf, "zipf")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Simulate16GiB, alloc, "alloc")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Simulate16GiB, kcompile, "kcompile")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Simulate16GiB, heavy, "heavy")->Unit(benchmark::kMillisecond);
// Non-convergent variants: 30 full rounds of millions of pages each.
BENCHMARK_CAPTURE(BM_Simulate16GiB, heavy_all_memory, "heavy:rate=1.2x,wss=100%")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Simulate16GiB, constant_over_link, "constant:rate=1.5x")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Simulate16GiB, zipf_over_link, "zipf:rate=3x,s=0.6")->Unit(benchmark::kMillisecond);

}  // namespace
