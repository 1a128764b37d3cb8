// observe() + decide() per round through the C ABI: the cost a save loop pays each round.
#include <benchmark/benchmark.h>

#include "precopy/precopy.h"

namespace {

void BM_ObserveDecide(benchmark::State& state, const char* spec) {
  precopy_config_t* config = precopy_config_create();
  precopy_config_parse(config, spec, nullptr);
  precopy_t* handle = nullptr;
  uint32_t round = 0;
  uint64_t dirty = 0;
  for (auto _ : state) {
    if (round == 0 || round >= 30) {  // a fresh migration every 30 rounds, outside the timing
      state.PauseTiming();
      precopy_destroy(handle);
      handle = precopy_create(config, nullptr);
      round = 0;
      dirty = 1 << 20;
      state.ResumeTiming();
    }
    ++round;
    uint64_t sent = round == 1 ? (1u << 20) : dirty;
    dirty = dirty / 2 + 1000;  // a converging guest: every round is a real decision
    precopy_observe(handle, round, dirty, static_cast<double>(sent) * 1e-6, sent, nullptr);
    benchmark::DoNotOptimize(precopy_decide(handle));
  }
  precopy_destroy(handle);
  precopy_config_destroy(config);
}

BENCHMARK_CAPTURE(BM_ObserveDecide, predictive, "predictive");
BENCHMARK_CAPTURE(BM_ObserveDecide, paper, "paper");
BENCHMARK_CAPTURE(BM_ObserveDecide, xen, "xen");

}  // namespace
