#include "precopy/simulator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "precopy/trace.h"

namespace precopy {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

SimulationConfig config_for(uint64_t memory_pages, double bandwidth_bytes_per_s) {
  SimulationConfig config;
  config.memory_pages = memory_pages;
  config.bandwidth_bytes_per_s = bandwidth_bytes_per_s;
  return config;
}

// A workload that writes the same regions, with the same expected writes per page, in every interval,
// whatever its length: lets a test fix the per-round probability exactly.
class FixedWorkload : public Workload {
 public:
  explicit FixedWorkload(std::vector<WriteRegion> regions) : regions_(std::move(regions)) {}
  std::string_view name() const override { return "fixed"; }
  void start(const SimulationContext& context, uint64_t) override { context_ = context; }
  void writes(double begin_s, double end_s, std::vector<WriteRegion>& out) override {
    EXPECT_DOUBLE_EQ(begin_s, last_end_) << "intervals must be contiguous";
    EXPECT_LT(begin_s, end_s);
    last_end_ = end_s;
    ++calls_;
    out.insert(out.end(), regions_.begin(), regions_.end());
  }
  std::string spec() const override { return "fixed"; }
  std::vector<std::pair<std::string, std::string>> resolved_parameters() const override { return {}; }

  int calls() const { return calls_; }
  const SimulationContext& context() const { return context_; }

 private:
  std::vector<WriteRegion> regions_;
  SimulationContext context_;
  double last_end_ = 0;
  int calls_ = 0;
};

TEST(Simulator, RoundOneSendsAllMemoryAndEachRoundSendsThePreviousDirtySet) {
  SimulationConfig config = config_for(131072, 12.5e6);  // 512 MiB over 100 Mbit/s
  config.rounds = 10;
  const Trace trace = simulate(config, "kcompile");
  ASSERT_EQ(trace.rounds.size(), 10u);
  EXPECT_EQ(trace.rounds[0].pages_sent, 131072u);
  EXPECT_DOUBLE_EQ(trace.rounds[0].seconds, 131072.0 * 4096 / 12.5e6);
  for (std::size_t k = 1; k < trace.rounds.size(); ++k) {
    EXPECT_EQ(trace.rounds[k].round, k + 1);
    EXPECT_EQ(trace.rounds[k].pages_sent, trace.rounds[k - 1].dirty_pages);
    EXPECT_DOUBLE_EQ(trace.rounds[k].seconds, static_cast<double>(trace.rounds[k].pages_sent) * 4096 / 12.5e6);
    EXPECT_LE(trace.rounds[k].dirty_pages, trace.memory_pages);
  }
}

TEST(Simulator, RoundOverheadIsAddedToEveryRound) {
  SimulationConfig config = config_for(1024, 4096.0 * 1024);  // one second for all of memory
  config.round_overhead_s = 0.25;
  config.rounds = 3;
  FixedWorkload workload({{0, 10, kInfinity}});
  const Trace trace = simulate(config, workload);
  ASSERT_EQ(trace.rounds.size(), 3u);
  EXPECT_DOUBLE_EQ(trace.rounds[0].seconds, 1.25);
  EXPECT_DOUBLE_EQ(trace.rounds[1].seconds, 10.0 / 1024 + 0.25);
}

TEST(Simulator, AFloorOfPagesIsDirtiedInEveryRoundHoweverShort) {
  SimulationConfig config = config_for(1024, 4096.0 * 1024);
  config.rounds = 6;
  config.curve_samples = 3;
  config.curve_rounds = 6;
  FixedWorkload idle({}), idle_again({});
  const Trace without = simulate(config, idle);
  EXPECT_EQ(without.rounds.size(), 1u);  // without a floor an idle guest is done at once
  EXPECT_FALSE(without.get("floor_pages").has_value());
  config.floor_pages = 40;
  const Trace trace = simulate(config, idle_again);
  ASSERT_EQ(trace.rounds.size(), 6u);
  for (const Round& r : trace.rounds) EXPECT_EQ(r.dirty_pages, 40u) << "round " << r.round;
  for (const CurveSample& s : trace.curve) EXPECT_EQ(s.pages, 40u) << "round " << s.round << " at " << s.seconds;
  EXPECT_EQ(trace.get("floor_pages"), "40");
  // The floor is the last pages of memory: a workload writing all of memory counts them once.
  config.floor_pages = 24;
  FixedWorkload everything({{0, 1024, kInfinity}});
  EXPECT_EQ(simulate(config, everything).rounds[1].dirty_pages, 1024u);
}

TEST(Simulator, APageWrittenManyTimesInARoundCountsOnce) {
  SimulationConfig config = config_for(1000, 4096.0 * 1000);
  config.rounds = 4;
  config.curve_samples = 5;  // five writes() calls in round 1, each writing all 100 pages
  FixedWorkload workload({{0, 100, kInfinity}, {50, 100, kInfinity}});
  const Trace trace = simulate(config, workload);
  ASSERT_EQ(trace.rounds.size(), 4u);
  for (const Round& round : trace.rounds) EXPECT_EQ(round.dirty_pages, 150u);
  EXPECT_EQ(workload.calls(), 5 + 3);
}

TEST(Simulator, StopsEarlyOnlyWhenARoundDirtiesNothing) {
  SimulationConfig config = config_for(4096, 1e6);
  const Trace quiet = simulate(config, "constant:rate=0");
  ASSERT_EQ(quiet.rounds.size(), 1u);
  EXPECT_EQ(quiet.rounds[0].dirty_pages, 0u);

  const Trace heavy = simulate(config, "heavy");
  EXPECT_EQ(heavy.rounds.size(), 30u);
}

TEST(Simulator, SameSeedSameTraceOtherSeedOtherTrace) {
  SimulationConfig config = config_for(262144, 12.5e6);
  config.seed = 42;
  const Trace a = simulate(config, "kcompile");
  const Trace b = simulate(config, "kcompile");
  ASSERT_EQ(a.rounds.size(), b.rounds.size());
  for (std::size_t k = 0; k < a.rounds.size(); ++k) {
    EXPECT_EQ(a.rounds[k].dirty_pages, b.rounds[k].dirty_pages);
    EXPECT_EQ(a.rounds[k].seconds, b.rounds[k].seconds);
  }
  config.seed = 43;
  const Trace c = simulate(config, "kcompile");
  EXPECT_NE(a.rounds[0].dirty_pages, c.rounds[0].dirty_pages);
}

// The dirty count of a region of W pages receiving Poisson(λ) writes per page is Binomial(W, 1 - e^-λ).
// Checked for each way the simulator draws pages (sparse, 64 at a time, dense, all), and for a region
// that does not start on a multiple of 64.
class DirtyProbability : public ::testing::TestWithParam<double> {};

TEST_P(DirtyProbability, MatchesOneMinusExpMinusLambda) {
  const double lambda = GetParam();
  constexpr uint64_t kPages = 200003;
  SimulationConfig config = config_for(kPages + 77, 1e9);
  config.rounds = 20;
  FixedWorkload workload({{77, kPages, lambda}});
  const Trace trace = simulate(config, workload);
  const double p = -std::expm1(-lambda);
  const double mean = kPages * p;
  const double sd = std::sqrt(kPages * p * (1 - p));
  double total = 0;
  for (const Round& round : trace.rounds) {
    EXPECT_NEAR(static_cast<double>(round.dirty_pages), mean, 6 * sd + 1) << "round " << round.round;
    total += static_cast<double>(round.dirty_pages);
  }
  const double rounds = static_cast<double>(trace.rounds.size());
  EXPECT_NEAR(total / rounds, mean, 6 * sd / std::sqrt(rounds) + 1);
}

INSTANTIATE_TEST_SUITE_P(AllDrawingMethods, DirtyProbability,
                         ::testing::Values(1e-5, 0.01, 0.079, 0.081, 0.3, 1.0, 2.4, 2.6, 8.0, 39.0, 41.0));

TEST(Simulator, DirtyPagesStayInsideTheirRegion) {
  SimulationConfig config = config_for(1000, 4096.0 * 1000);
  config.rounds = 3;
  config.curve_samples = 3;
  config.curve_rounds = 3;
  // Pages 100..199 are written with certainty, 500..599 with probability ~0.5: together never more than 200.
  FixedWorkload workload({{100, 100, kInfinity}, {500, 100, 0.69}});
  const Trace trace = simulate(config, workload);
  for (const Round& round : trace.rounds) {
    EXPECT_GE(round.dirty_pages, 100u);
    EXPECT_LE(round.dirty_pages, 200u);
  }
}

TEST(Simulator, ConstantRateMatchesTheAnalyticDistinctCount) {
  // R writes/s uniformly over M pages for T seconds dirty M(1 - exp(-RT/M)) pages on average.
  const uint64_t memory = 1u << 20;  // 4 GiB
  SimulationConfig config = config_for(memory, 1.25e9);
  config.rounds = 1;
  const Trace trace = simulate(config, "constant:rate=50000");
  const double seconds = trace.rounds[0].seconds;
  const double expected = memory * -std::expm1(-50000 * seconds / memory);
  EXPECT_NEAR(static_cast<double>(trace.rounds[0].dirty_pages), expected, 6 * std::sqrt(expected));
}

TEST(Simulator, AllocationStreamDirtiesFreshPagesLinearly) {
  const uint64_t memory = 1u << 18;  // 1 GiB
  SimulationConfig config = config_for(memory, 12.5e6);
  config.rounds = 2;
  const Trace trace = simulate(config, "alloc:rate=1000,arena=50%,hot=0");
  const double seconds = trace.rounds[0].seconds;  // 85.9 s: 85899 pages, less than the arena
  EXPECT_NEAR(static_cast<double>(trace.rounds[0].dirty_pages), 1000 * seconds, 1.0);
  EXPECT_NEAR(static_cast<double>(trace.rounds[1].dirty_pages), 1000 * trace.rounds[1].seconds, 1.0);
}

TEST(Simulator, AllocationStreamWrapsRoundItsArena) {
  SimulationConfig config = config_for(1u << 18, 12.5e6);
  config.rounds = 1;
  const Trace trace = simulate(config, "alloc:rate=100000,arena=10%,hot=0");
  EXPECT_EQ(trace.rounds[0].dirty_pages, static_cast<uint64_t>(std::round(0.1 * (1u << 18))));
}

TEST(Simulator, IdleGuestConvergesInAFewRounds) {
  const Trace trace = simulate(config_for(131072, 12.5e6), "idle");
  ASSERT_GE(trace.rounds.size(), 2u);
  EXPECT_LT(trace.rounds[0].dirty_pages, 5000u);
  EXPECT_LT(trace.rounds[1].dirty_pages, 50u);
}

TEST(Simulator, WritersFasterThanTheLinkNeverConverge) {
  const Trace trace = simulate(config_for(1u << 18, 1.25e9), "heavy");
  ASSERT_EQ(trace.rounds.size(), 30u);
  // Twice the link rate over half of memory: the fixed point is about 80% of the working set.
  const double working_set = (1u << 18) / 2.0;
  EXPECT_GT(static_cast<double>(trace.rounds.back().dirty_pages), 0.7 * working_set);
  EXPECT_LT(static_cast<double>(trace.rounds.back().dirty_pages), 0.9 * working_set);
}

TEST(Simulator, HotColdDirtiesMoreInLongerRounds) {
  const Trace trace = simulate(config_for(1u << 20, 1.25e9), "hotcold");
  ASSERT_GE(trace.rounds.size(), 3u);
  EXPECT_GT(trace.rounds[0].dirty_pages, trace.rounds[1].dirty_pages);
  EXPECT_GT(trace.rounds[1].dirty_pages, trace.rounds[2].dirty_pages);
}

TEST(Simulator, CurveSamplesAreGeometricAndEndAtTheRoundsDirtyCount) {
  SimulationConfig config = config_for(131072, 12.5e6);
  config.curve_samples = 6;
  config.curve_rounds = 2;
  const Trace trace = simulate(config, "kcompile");
  ASSERT_EQ(trace.curve.size(), 12u);
  for (uint32_t round = 1; round <= 2; ++round) {
    const double seconds = trace.rounds[round - 1].seconds;
    for (int i = 0; i < 6; ++i) {
      const CurveSample& sample = trace.curve[(round - 1) * 6 + i];
      EXPECT_EQ(sample.round, round);
      EXPECT_DOUBLE_EQ(sample.seconds, std::ldexp(seconds, i - 5));
      if (i > 0) {
        EXPECT_GE(sample.pages, trace.curve[(round - 1) * 6 + i - 1].pages);
      }
    }
    EXPECT_EQ(trace.curve[(round - 1) * 6 + 5].pages, trace.rounds[round - 1].dirty_pages);
  }
  // A concave curve: the first half of round 1 dirties more than the second half.
  EXPECT_GT(trace.curve[4].pages, trace.curve[5].pages - trace.curve[4].pages);
}

TEST(Simulator, HeaderSaysWhereTheTraceCameFromAndReadsBack) {
  SimulationConfig config = config_for(131072, 12.5e6);
  config.seed = 7;
  config.curve_samples = 4;
  const Trace trace = simulate(config, "hotcold:hot=10%");
  EXPECT_EQ(trace.get("source"), "simulator");
  EXPECT_EQ(trace.get("workload"), "hotcold");
  EXPECT_EQ(trace.get("seed"), "7");
  EXPECT_EQ(trace.get("workload_spec"), "hotcold:hot=10%,hot_rate=20000,cold_rate=200");
  EXPECT_EQ(trace.get("hot_pages"), "13107");
  EXPECT_EQ(trace.get("link"), "100Mbit");

  std::ostringstream text;
  write_trace(text, trace);
  const Trace back = parse_trace_string(text.str());
  EXPECT_EQ(back.memory_pages, trace.memory_pages);
  ASSERT_TRUE(back.bandwidth_bytes_per_s.has_value());
  EXPECT_DOUBLE_EQ(*back.bandwidth_bytes_per_s, 12.5e6);
  ASSERT_EQ(back.rounds.size(), trace.rounds.size());
  for (std::size_t k = 0; k < back.rounds.size(); ++k) {
    EXPECT_EQ(back.rounds[k].dirty_pages, trace.rounds[k].dirty_pages);
    EXPECT_EQ(back.rounds[k].pages_sent, trace.rounds[k].pages_sent);
    EXPECT_DOUBLE_EQ(back.rounds[k].seconds, trace.rounds[k].seconds);
  }
  EXPECT_EQ(back.curve.size(), 4u);
  EXPECT_EQ(back.get("workload_spec"), trace.get("workload_spec"));
}

TEST(Simulator, SixteenGibGuestRunsThirtyRounds) {
  // The heaviest built-in case at scale (every round resends most of memory); bench/ measures the time.
  SimulationConfig config = config_for(uint64_t{1} << 22, 1.25e9);
  const Trace trace = simulate(config, "heavy");
  EXPECT_EQ(trace.rounds.size(), 30u);
}

TEST(Simulator, RejectsBadConfigs) {
  auto expect_rejected = [](SimulationConfig config) {
    EXPECT_THROW(simulate(config, "idle"), std::invalid_argument);
  };
  expect_rejected(config_for(0, 1e6));
  expect_rejected(config_for(kMaxSimulatedPages + 1, 1e6));
  expect_rejected(config_for(1024, 0));
  expect_rejected(config_for(1024, std::nan("")));
  expect_rejected(config_for(1024, kInfinity));
  SimulationConfig config = config_for(1024, 1e6);
  config.rounds = 0;
  expect_rejected(config);
  config.rounds = kMaxSimulatedRounds + 1;
  expect_rejected(config);
  config = config_for(1024, 1e6);
  config.page_size = 3000;
  expect_rejected(config);
  config = config_for(1024, 1e6);
  config.round_overhead_s = -1;
  expect_rejected(config);
  config = config_for(1024, 1e6);
  config.curve_samples = 33;
  expect_rejected(config);
  config = config_for(1024, 1e6);
  config.floor_pages = 1025;
  expect_rejected(config);
}

TEST(Simulator, RejectsWorkloadsWritingOutsideMemory) {
  FixedWorkload workload({{1000, 25, 1.0}});
  EXPECT_THROW(simulate(config_for(1024, 1e6), workload), std::logic_error);
}

TEST(Workloads, EveryBuiltinWritesInsideMemoryAtItsRates) {
  for (const WorkloadInfo& info : workload_catalog()) {
    SCOPED_TRACE(info.name);
    auto workload = make_workload(info.name);
    EXPECT_EQ(workload->name(), info.name);
    const SimulationContext context{100000, 4096, 3051.7578125};
    workload->start(context, 1);
    std::vector<WriteRegion> regions;
    double t = 0;
    for (double step : {0.001, 0.5, 7.0, 40.0, 0.01}) {
      regions.clear();
      workload->writes(t, t + step, regions);
      t += step;
      for (const WriteRegion& region : regions) {
        EXPECT_LE(region.first_page + region.page_count, context.memory_pages);
        EXPECT_GE(region.writes_per_page, 0);
      }
    }
    EXPECT_FALSE(workload->resolved_parameters().empty());
  }
}

TEST(Workloads, ZipfSharesAddUpToTheRate) {
  auto workload = make_workload("zipf:rate=1000,s=0.9,wss=50%");
  workload->start({1u << 20, 4096, 1e5}, 1);
  std::vector<WriteRegion> regions;
  workload->writes(0, 2, regions);
  double writes = 0;
  uint64_t pages = 0;
  for (const WriteRegion& region : regions) {
    writes += region.writes_per_page * static_cast<double>(region.page_count);
    EXPECT_EQ(region.first_page, pages);  // ranks laid out one after another
    pages += region.page_count;
  }
  EXPECT_NEAR(writes, 2000, 1e-6);
  EXPECT_EQ(pages, uint64_t{1} << 19);
  EXPECT_LT(regions.size(), 120u);
  // The top page is the most popular, and popularity never increases with rank.
  for (std::size_t i = 1; i < regions.size(); ++i) {
    EXPECT_LE(regions[i].writes_per_page, regions[i - 1].writes_per_page * (1 + 1e-12));
  }
}

TEST(Workloads, ParameterValuesWithUnits) {
  auto workload = make_workload("hotcold:hot=256MiB,hot_rate=1.5x,cold_rate=8MB/s");
  workload->start({1u << 20, 4096, 1000}, 1);
  auto resolved = workload->resolved_parameters();
  ASSERT_EQ(resolved.size(), 3u);
  EXPECT_EQ(resolved[0], (std::pair<std::string, std::string>{"hot_pages", "65536"}));
  EXPECT_EQ(resolved[1], (std::pair<std::string, std::string>{"hot_rate_pages_per_s", "1500"}));
  EXPECT_EQ(resolved[2], (std::pair<std::string, std::string>{"cold_rate_pages_per_s", "1953.125"}));

  // A working set larger than the guest is the whole guest.
  auto big = make_workload("constant:wss=1TiB");
  big->start({1000, 4096, 1000}, 1);
  EXPECT_EQ(big->resolved_parameters()[1].second, "1000");
}

TEST(Workloads, SpecSpellsOutEveryParameterAndRecreatesTheWorkload) {
  for (const WorkloadInfo& info : workload_catalog()) {
    auto workload = make_workload(info.name);
    const std::string spec = workload->spec();
    for (const WorkloadParameterInfo& param : info.parameters) {
      EXPECT_NE(spec.find(param.key + "=" + param.default_value), std::string::npos) << spec;
    }
    EXPECT_EQ(make_workload(spec)->spec(), spec);
    EXPECT_EQ(spec.find(';'), std::string::npos);
  }
  EXPECT_EQ(make_workload("zipf:s=1.2")->spec(), "zipf:rate=20000,s=1.2,wss=100%");
}

TEST(Workloads, RejectBadSpecs) {
  for (const char* spec : {"", "nosuch", "idle:", "idle:hot", "idle:hot=", "idle:=3", "idle:size=3",
                           "idle:hot=3,hot=4", "idle:hot=-1", "idle:hot=101%", "idle:hot=3parsecs",
                           "idle:hot_rate=fast", "idle:hot_rate=nan", "kcompile:compute_s=-1", "zipf:s=x",
                           "idle:hot=1;x=2"}) {
    EXPECT_THROW(make_workload(spec), std::invalid_argument) << spec;
  }
  try {
    make_workload("hotcold:size=3");
    FAIL();
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(), "workload hotcold has no parameter 'size' (it has: hot, hot_rate, cold_rate)");
  }
  auto too_short = make_workload("kcompile:compute_s=10us");
  EXPECT_THROW(too_short->start({1000, 4096, 1000}, 1), std::invalid_argument);
}

TEST(Workloads, HelpNamesEveryWorkloadAndParameter) {
  const std::string help = workload_help();
  for (const WorkloadInfo& info : workload_catalog()) {
    EXPECT_NE(help.find(info.name + ":"), std::string::npos) << info.name;
    for (const WorkloadParameterInfo& param : info.parameters) EXPECT_NE(help.find(param.key), std::string::npos);
  }
}

// The corpus in data/traces/ is regenerated by data/traces/generate.sh; every simulated trace's header holds
// all it takes to make it again. A change to the simulator that changes traces must regenerate the corpus
// (and bump simulator_version), or this fails.
TEST(Corpus, EverySimulatedTraceIsReproducedFromItsHeader) {
  const std::filesystem::path directory = std::filesystem::path(PRECOPY_SOURCE_DIR) / "data" / "traces";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("sim-", 0) != 0 || entry.path().extension() != ".csv") continue;
    SCOPED_TRACE(name);
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const Trace trace = parse_trace_string(text.str(), name);
    ASSERT_EQ(trace.get("source"), "simulator");
    ASSERT_TRUE(trace.bandwidth_bytes_per_s.has_value());
    SimulationConfig config;
    config.memory_pages = trace.memory_pages;
    config.page_size = trace.page_size;
    config.bandwidth_bytes_per_s = *trace.bandwidth_bytes_per_s;
    config.seed = std::stoull(trace.get("seed").value_or("missing"));
    config.rounds = static_cast<uint32_t>(std::stoul(trace.get("rounds_simulated").value_or("missing")));
    config.round_overhead_s = std::stod(trace.get("round_overhead_s").value_or("missing"));
    config.curve_samples = static_cast<uint32_t>(std::stoul(trace.get("curve_samples").value_or("missing")));
    config.curve_rounds = static_cast<uint32_t>(std::stoul(trace.get("curve_rounds").value_or("missing")));
    config.floor_pages = std::stoull(trace.get("floor_pages").value_or("0"));
    std::ostringstream again;
    write_trace(again, simulate(config, trace.get("workload_spec").value_or("missing")));
    EXPECT_EQ(again.str(), text.str()) << "the simulator no longer makes this trace: run data/traces/generate.sh";
    ++checked;
  }
  EXPECT_GE(checked, 40);
}

}  // namespace
}  // namespace precopy

namespace precopy {
namespace {

// Expected writes a workload makes in [begin, end).
double writes_between(Workload& workload, double begin, double end) {
  std::vector<WriteRegion> regions;
  workload.writes(begin, end, regions);
  double writes = 0;
  for (const WriteRegion& region : regions) writes += region.writes_per_page * static_cast<double>(region.page_count);
  return writes;
}

// The testbed's bursty guest: `rate` writes/s for `on` seconds, none for `off`, from a random point of the
// period. Every whole period carries exactly one burst, a window shorter than the pause can fall wholly
// inside it (no writes) or wholly inside a burst (rate x its length), and the pieces add up.
TEST(Workloads, BurstyWritesOnlyDuringItsBursts) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(seed);
    auto workload = make_workload("bursty:rate=1000,on=1,off=3,wss=500,background=0");
    workload->start({10000, 4096, 1000}, seed);
    EXPECT_NEAR(writes_between(*workload, 0, 4), 1000, 1e-6);
    EXPECT_NEAR(writes_between(*workload, 2.5, 10.5), 2000, 1e-6);
    double sum = 0, quiet = 0, loud = 0;
    for (double t = 0; t < 40 - 1e-9; t += 0.25) {
      const double w = writes_between(*workload, t, t + 0.25);
      EXPECT_GE(w, -1e-9);
      EXPECT_LE(w, 250 + 1e-6);
      sum += w;
      quiet += w < 1e-9 ? 1 : 0;
      loud += w > 250 - 1e-6 ? 1 : 0;
    }
    EXPECT_NEAR(sum, 10000, 1e-6);
    EXPECT_GE(quiet, 90);  // 3 s of each 4 s are a pause: at least 11 whole quarter-seconds in each
    EXPECT_GE(loud, 27);   // and at least 3 whole quarter-seconds in each 1 s burst
  }
  // No pause: a constant writer; the background falls anywhere in memory.
  auto steady = make_workload("bursty:rate=1000,on=1,off=0,wss=500,background=10");
  steady->start({10000, 4096, 1000}, 3);
  EXPECT_NEAR(writes_between(*steady, 0.3, 2.8), 2500 + 25, 1e-6);
}

TEST(Workloads, BurstyRejectsPhasesItCannotWalk) {
  const SimulationContext context{10000, 4096, 1000};
  EXPECT_THROW(make_workload("bursty:on=0")->start(context, 1), std::invalid_argument);
  EXPECT_THROW(make_workload("bursty:off=0.0001")->start(context, 1), std::invalid_argument);
  EXPECT_NO_THROW(make_workload("bursty:off=0")->start(context, 1));
}

// The testbed's step guest: `rate` writes/s until `after`, then `rate2`. A window on either side sees its
// side's rate, one across the step both parts, and the background falls anywhere, before and after.
TEST(Workloads, StepChangesTheRateOnceAtItsTime) {
  auto workload = make_workload("step:rate=1000,after=5,rate2=100,wss=500,background=0");
  workload->start({10000, 4096, 1000}, 1);
  EXPECT_NEAR(writes_between(*workload, 0, 5), 5000, 1e-6);
  EXPECT_NEAR(writes_between(*workload, 5, 7), 200, 1e-6);
  EXPECT_NEAR(writes_between(*workload, 4.5, 5.5), 500 + 50, 1e-6);
  std::vector<WriteRegion> regions;
  workload->writes(1, 2, regions);
  for (const WriteRegion& region : regions) EXPECT_LE(region.first_page + region.page_count, 500u);
  auto ends = make_workload("step:rate=1000,after=5,rate2=0,wss=500,background=10");
  ends->start({10000, 4096, 1000}, 1);
  EXPECT_NEAR(writes_between(*ends, 6, 8), 20, 1e-6);  // only the background once the job has ended
  EXPECT_THROW(make_workload("step:rate2=-1")->start({10000, 4096, 1000}, 1), std::invalid_argument);
}

// Simulated, a guest faster than the link whose job ends after a few rounds converges then: its count
// stays in the thousands while the job runs and falls to the background within two rounds of the step.
TEST(Simulator, StepGuestConvergesOnceItsJobEnds) {
  SimulationConfig config;
  config.memory_pages = 49152;               // 192 MiB
  config.bandwidth_bytes_per_s = 12.5e6;     // 100 Mbit/s: 3052 pages/s
  config.rounds = 20;
  config.seed = 1;
  const Trace trace = simulate(config, "step:rate=14MiB/s,after=45,rate2=0,wss=96MiB");
  double elapsed = 0;
  std::size_t step_round = 0;
  for (std::size_t i = 0; i < trace.rounds.size(); ++i) {
    elapsed += trace.rounds[i].seconds;
    if (elapsed >= 45) {
      step_round = i;
      break;
    }
  }
  ASSERT_GE(step_round, 2u);
  ASSERT_LT(step_round + 2, trace.rounds.size());
  EXPECT_GT(trace.rounds[step_round - 1].dirty_pages, 5000u);   // level while the job runs
  EXPECT_LT(trace.rounds[step_round + 2].dirty_pages, 200u);    // the background once it has ended
}

// Simulated over the testbed's link, the bursty guest shows what the real one does: a round inside a
// pause leaves only the background dirty, after rounds that the bursts kept hundreds of times higher.
TEST(Simulator, BurstyGuestEndsInAQuietRound) {
  SimulationConfig config;
  config.memory_pages = 32768;
  config.bandwidth_bytes_per_s = 12.5e6;
  config.rounds = 30;
  config.seed = 3;
  const Trace trace = simulate(config, "bursty");
  ASSERT_GE(trace.rounds.size(), 4u);
  const uint64_t last_big = trace.rounds[trace.rounds.size() - 3].dirty_pages;
  EXPECT_GT(last_big, 1000u);
  EXPECT_LT(trace.rounds[trace.rounds.size() - 2].dirty_pages, 100u);
  EXPECT_EQ(trace.get("workload"), "bursty");
}

}  // namespace
}  // namespace precopy
