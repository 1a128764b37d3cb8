// Every policy on hand-made traces whose answers were computed by hand (see the comments).
#include "precopy/replay.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "logging.h"
#include "online_floor.h"

namespace precopy {
namespace {

// 1000 pages of 4096 B over a 1000 pages/s link (4096000 B/s). J = total + 10 x downtime:
//   k:        1     2     3     4     5     6     7
//   total:  1.4   1.6  1.72  1.82  1.86  1.89 1.915
//   down:   0.4   0.2  0.12   0.1  0.04  0.03 0.025
//   J:      5.4   3.6  2.92  2.82  2.26  2.19 2.165
const char* kConverging =
    "# precopy-trace v1\n# memory_pages=1000; page_size=4096; bandwidth_bytes_per_s=4096000\n"
    "round,dirty_pages,seconds,pages_sent\n"
    "1,400,1.0,1000\n2,200,0.4,400\n3,120,0.2,200\n4,100,0.12,120\n5,40,0.1,100\n6,30,0.04,40\n7,25,0.03,30\n";

Outcome run(const std::string& text, const std::string& policy, Loop loop = Loop::kPatched, PolicyConfig c = {}) {
  c.policy = policy;
  return replay_named(parse_trace_string(text, "t"), c, loop);
}

TEST(Outcome, FollowsTheModel) {
  Trace t = parse_trace_string(kConverging, "t");
  Outcome o = outcome_after(t, 3, 10);
  EXPECT_EQ(o.live_rounds, 3u);
  EXPECT_NEAR(o.downtime_s, 0.12, 1e-12);
  EXPECT_NEAR(o.total_time_s, 1.72, 1e-12);
  EXPECT_EQ(o.pages_sent, 1000u + 400 + 200 + 120);
  EXPECT_EQ(o.bytes_sent, o.pages_sent * 4096);
  EXPECT_NEAR(o.objective, 2.92, 1e-12);
  EXPECT_NEAR(outcome_after(t, 3, 10, 0.5).downtime_s, 0.62, 1e-12);  // fixed downtime adds
  EXPECT_THROW(outcome_after(t, 8, 10), std::out_of_range);
}

TEST(Outcome, MeasuresBandwidthWhenTheTraceGivesNone) {
  // B = (1000 + 400) pages x 4096 B / (2 + 0.8) s = 500 pages/s: downtime = 100 / 500 = 0.2 s.
  Trace t = parse_trace_string("# precopy-trace v1\n# memory_pages=1000\nround,dirty_pages,seconds\n"
                               "1,400,2\n2,100,0.8\n", "t");
  Outcome o = outcome_after(t, 2, 10);
  EXPECT_NEAR(o.bandwidth_bytes_per_s, 500.0 * 4096, 1e-6);
  EXPECT_NEAR(o.downtime_s, 0.2, 1e-12);
  EXPECT_NEAR(o.total_time_s, 3.0, 1e-12);
}

TEST(Oracle, MinimisesJOrMeetsTheBudgetEarliest) {
  EXPECT_EQ(run(kConverging, "oracle").live_rounds, 7u);
  PolicyConfig budget;
  budget.downtime_budget_s = 0.1;  // round 4 is the first with downtime <= 0.1 s
  EXPECT_EQ(run(kConverging, "oracle", Loop::kPatched, budget).live_rounds, 4u);
  budget.downtime_budget_s = 0.001;  // nothing fits: fall back to minimum J
  EXPECT_EQ(run(kConverging, "oracle", Loop::kPatched, budget).live_rounds, 7u);
  PolicyConfig weightless;
  weightless.downtime_weight = 0;  // J = total time, smallest after round 1
  EXPECT_EQ(run(kConverging, "oracle", Loop::kPatched, weightless).live_rounds, 1u);
}

TEST(Xen, StopsAfterMinOfFiveAndTheRoundAfterTheFirstBelowTarget) {
  // The first round below 50 dirty pages is 5, so Xen stops after min(5, 6) = 5, in both loops.
  EXPECT_EQ(run(kConverging, "xen").live_rounds, 5u);
  EXPECT_EQ(run(kConverging, "xen", Loop::kStock).live_rounds, 5u);
  const char* quick =
      "# precopy-trace v1\n# memory_pages=1000; bandwidth_bytes_per_s=4096000\nround,dirty_pages,seconds\n"
      "1,30,1\n2,5,0.03\n3,4,0.005\n";
  EXPECT_EQ(run(quick, "xen").live_rounds, 2u);
  EXPECT_EQ(run(quick, "xen", Loop::kStock).live_rounds, 2u);
}

TEST(XenLegacy, StopsWhenFewPagesWereSent) {
  // pages_sent < 50 first in round 6 (40 pages); 3 x memory is never exceeded.
  EXPECT_EQ(run(kConverging, "xen-legacy").live_rounds, 6u);
  // A writer that never converges: total sent passes 3 x 1000 pages in round 4 (1000 + 3 x 900 > 3000).
  const char* busy =
      "# precopy-trace v1\n# memory_pages=1000; bandwidth_bytes_per_s=4096000\nround,dirty_pages,seconds\n"
      "1,900,1\n2,900,0.9\n3,900,0.9\n4,900,0.9\n5,900,0.9\n";
  EXPECT_EQ(run(busy, "xen-legacy").live_rounds, 4u);
}

TEST(Paper, GrowingNStops) {
  // Round 1: RR = 400 pages/s, ratio = RR C / S = 400 x 4096 / 4096000 = 0.4,
  //          N = ln(50/1000) / ln(0.4) + 1 = 4.2694: continue.
  // Round 2: RR = 600 / 1.4 = 428.57, ratio 0.42857, temp = 4.5356 > 4.2694: stop (N grew).
  Outcome o = run(kConverging, "paper");
  EXPECT_EQ(o.live_rounds, 2u);
  EXPECT_EQ(o.reason, "predicted N grew");
}

TEST(Paper, ReachingNStops) {
  // S = 1000 pages/s from round 1. Round 1: RR = 200, ratio 0.2, N = ln(0.05)/ln(0.2) + 1 = 2.8614.
  // Round 2: 60 > 50, 2 < N; RR = 260 / 1.5 = 173.33, ratio 0.17333, temp = 2.7094 < N: N = 2.7094.
  // Round 3: 55 > 50 and 3 >= 2.7094: stop.
  const char* trace =
      "# precopy-trace v1\n# memory_pages=1000\nround,dirty_pages,seconds,pages_sent\n"
      "1,200,1.0,1000\n2,60,0.5,200\n3,55,0.2,60\n4,10,0.1,55\n";
  Outcome o = run(trace, "paper");
  EXPECT_EQ(o.live_rounds, 3u);
  EXPECT_EQ(o.reason, "reached the predicted round count N");
}

TEST(Paper, ThresholdAndInitialN) {
  PolicyConfig c;
  c.threshold_pages = 150;  // round 3 dirties 120 <= 150
  EXPECT_EQ(run(kConverging, "paper", Loop::kPatched, c).live_rounds, 2u);  // N still grows at round 2
  c.threshold_pages = 250;  // round 2 dirties 200
  EXPECT_EQ(run(kConverging, "paper", Loop::kPatched, c).live_rounds, 2u);
  PolicyConfig one;
  one.initial_rounds = 1;
  EXPECT_EQ(run(kConverging, "paper", Loop::kPatched, one).reason, "reached the predicted round count N");
}

TEST(Paper, DirtyingFasterThanTheLinkStopsAtOnce) {
  // Round 1 dirties everything: ratio = 1000/1000 = 1 -> stop.
  const char* trace =
      "# precopy-trace v1\n# memory_pages=1000\nround,dirty_pages,seconds\n1,1000,1\n2,1000,1\n";
  EXPECT_EQ(run(trace, "paper").reason, "dirty ratio RC/S is 1: no convergence");
}

TEST(Qemu, StopsWhenTheRestFitsTheDowntimeLimit) {
  EXPECT_EQ(run(kConverging, "qemu").live_rounds, 2u);  // 200 pages at 1000 pages/s = 0.2 s <= 0.3 s
  PolicyConfig c;
  c.downtime_limit_s = 0.05;
  EXPECT_EQ(run(kConverging, "qemu", Loop::kPatched, c).live_rounds, 5u);  // 0.04 s
  c.downtime_limit_s = 0.001;
  Outcome o = run(kConverging, "qemu", Loop::kPatched, c);
  EXPECT_FALSE(o.converged);
  EXPECT_EQ(o.live_rounds, 7u);
}

TEST(Continue, RunsToTheCapOrTheEnd) {
  Outcome o = run(kConverging, "continue");
  EXPECT_FALSE(o.converged);
  PolicyConfig c;
  c.max_rounds = 3;
  EXPECT_EQ(run(kConverging, "continue", Loop::kPatched, c).live_rounds, 3u);
  EXPECT_EQ(run(kConverging, "continue", Loop::kStock, c).live_rounds, 3u);
}

TEST(StockLoop, PoliciesThatCannotPredictStopOneRoundLater) {
  // In the stock loop the paper policy learns round 2's count at call A before round 3, so its stop
  // takes effect after round 3.
  EXPECT_EQ(run(kConverging, "paper", Loop::kStock).live_rounds, 3u);
  EXPECT_EQ(run(kConverging, "qemu", Loop::kStock).live_rounds, 3u);
}

// A guest whose writable working set (300 pages) is full after any round longer than 0.1 s: every round
// dirties 300 pages however short. Stopping after round 1 is optimal; continuing never pays.
const char* kSaturated =
    "# precopy-trace v1\n# memory_pages=1000; bandwidth_bytes_per_s=4096000\nround,dirty_pages,seconds\n"
    "1,300,1\n2,300,0.3\n3,300,0.3\n4,300,0.3\n5,300,0.3\n6,300,0.3\n";

TEST(Predictive, CutsASaturatedWorkingSetAsSoonAsItShows) {
  Outcome o = run(kSaturated, "predictive");
  EXPECT_EQ(o.live_rounds, 2u);  // round 2 shows that a short round dirties as much as a long one
  // No second look: the count never fell below round 1's, which spans all of memory, so no pause of a
  // bursty writer is holding it up.
  EXPECT_STREQ(o.reason.c_str(), "another round would not pay for itself");
  Outcome oracle = run(kSaturated, "oracle");
  EXPECT_EQ(oracle.live_rounds, 1u);
  EXPECT_LT(o.objective / oracle.objective, 1.1);
  EXPECT_EQ(run(kSaturated, "xen").live_rounds, 5u);
}

// A guest like the e2e testbed's bursty one, as a real Xen trace recorded it: the count stops falling
// inside a burst (3353, then 3590 pages in a shorter round) and the next round falls in the pause (86).
// Cutting at the level count costs 1.65 x the oracle's J; one more look finds the pause. On the guest
// that stays level instead (its plateau twin) the look costs one round.
TEST(Predictive, LooksOnceMoreBeforeCuttingALevelCount) {
  const char* bursty =
      "# precopy-trace v1\n# memory_pages=32768; page_size=4096\nround,dirty_pages,seconds,pages_sent\n"
      "1,8903,10.845232105,32768\n2,4991,2.923584785,8903\n3,3353,1.642485012,4991\n4,3590,1.086681015,3353\n"
      "5,86,1.180225413,3590\n6,41,0.025610892,86\n7,41,0.011591685,41\n8,49,0.012552075,41\n";
  const Trace trace = parse_trace_string(bursty, "t");
  PolicyConfig c;
  c.policy = "predictive";
  Outcome o = replay(trace, c);
  EXPECT_GE(o.live_rounds, 5u);
  const double on_trace = o.objective / replay_oracle(trace, c).objective;
  EXPECT_LT(on_trace, 1.01);
  const Trace twin = plateau_twin(trace, 4);
  Outcome level = replay(twin, c);
  EXPECT_EQ(level.live_rounds, 5u);
  EXPECT_STREQ(level.reason.c_str(), "the count held level for one more round");
  // The stock loop sends round 5 whatever call A says after round 4: that round is its look as well.
  EXPECT_EQ(replay(twin, c, Loop::kStock).live_rounds, 5u);
  const double on_twin = level.objective / replay_oracle(twin, c).objective;
  // On the pair, no online policy does better than the trace's floor (1.11, set by this twin); this one
  // is at the floor on the twin and within 1% of the oracle on the trace.
  const OnlineFloor floor = online_floor(trace, c.downtime_weight);
  EXPECT_EQ(floor.twin_round, 4u);
  EXPECT_LE(std::max(on_trace, on_twin), floor.ratio + 1e-9);
}

// The first rounds of data/traces/example.csv, a hot/cold guest that levels off.
const char* kLevelsOff =
    "# precopy-trace v1\n# memory_pages=262144; page_size=4096; bandwidth_bytes_per_s=12500000\n"
    "round,dirty_pages,seconds,pages_sent\n1,50795,85.89934592,262144\n2,30003,16.6445056,50795\n"
    "3,25080,9.83138304,30003\n4,23180,8.2182144,25080\n5,22349,7.5956224,23180\n"
    "6,21930,7.32332032,22349\n7,21623,7.1860224,21930\n";

// predictive replayed on `text` in `loop`, with the library's decision lines (info level) it logged.
std::pair<Outcome, std::string> replay_logged(const char* text, Loop loop) {
  PolicyConfig c;
  c.policy = "predictive";
  set_log_level(spdlog::level::info);
  testing::internal::CaptureStderr();
  const Outcome o = replay(parse_trace_string(text, "t"), c, loop);
  logger().flush();
  std::string log = testing::internal::GetCapturedStderr();
  set_log_level(spdlog::level::warn);
  return {o, log};
}

// In the stock loop a stop at call A would still send the next round live, so predictive leaves it to
// the next call B: the after-bitmap line says continue, with the stop's own reason and why it waits, and
// the before-bitmap line after it stops. (kLevelsOff: a round was run on a hope, so no look is taken,
// and the stop on J at call A after round 4 is final.)
TEST(Predictive, StockLoopLogsAStopLeftToCallBWithItsReason) {
  const auto [o, log] = replay_logged(kLevelsOff, Loop::kStock);
  EXPECT_EQ(o.live_rounds, 5u);
  const std::string why = "reason=\"another round would not pay for itself";
  const std::size_t deferred = log.find("at=after-bitmap round=4 dirty_pages=23180");
  ASSERT_NE(deferred, std::string::npos) << log;
  EXPECT_EQ(log.find("decision=continue " + why + "; stock Xen sends the next round anyway: deciding after it\""),
            log.find("decision=", deferred)) << log;
  const std::size_t stop = log.find("at=before-bitmap round=5 ");
  ASSERT_NE(stop, std::string::npos) << log;
  EXPECT_EQ(log.find("decision=stop " + why + "\"", stop), log.find("decision=", stop)) << log;
}

// With the round's count peeked at call B (precopy_xen_policy_peeked, as libprecopy_preload does on stock
// Xen), predictive decides there on the count and a stop is final: the patched loop's decision after the
// bitmap read, which likewise sees no peeks inside rounds. The after-peek line says so.
TEST(StockPeekLoop, DecidesAtCallBOnTheCount) {
  const auto [o, log] = replay_logged(kLevelsOff, Loop::kStockPeek);
  // The stock loop, blind at call B, stops after round 5 (the test above); on the count, after round 4,
  // where the patched loop stops.
  EXPECT_EQ(o.live_rounds, 4u);
  PolicyConfig c;
  c.policy = "predictive";
  EXPECT_EQ(replay(parse_trace_string(kLevelsOff, "t"), c, Loop::kPatched).live_rounds, 4u);
  EXPECT_EQ(o.loop, Loop::kStockPeek);
  EXPECT_STREQ(loop_name(o.loop), "stock-peek");
  const std::size_t stop = log.find("at=after-peek round=4 dirty_pages=23180 ");
  ASSERT_NE(stop, std::string::npos) << log;
  EXPECT_EQ(log.find("decision=stop reason=\"another round would not pay for itself\"", stop),
            log.find("decision=", stop)) << log;
  EXPECT_EQ(log.find("at=before-bitmap"), std::string::npos) << log;  // no call B decided blind
  EXPECT_EQ(log.find("deciding after it"), std::string::npos) << log;  // no stop left to a later call
}

// The same on every trace of the corpus (data/traces/, 181 traces, simulated and real): predictive, with
// and without a budget, stops at the patched loop's round once the trace's in-round peeks are dropped;
// the other policies ignore the peek and stop where they do in the stock loop (xen: where Xen does).
TEST(StockPeekLoop, StopsWhereThePatchedLoopDoesWithoutInRoundPeeksOnTheCorpus) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(PRECOPY_SOURCE_DIR) + "/data/traces")) {
    if (entry.path().extension() == ".csv") files.push_back(entry.path());
  }
  ASSERT_GE(files.size(), 100u);
  for (const auto& file : files) {
    Trace trace = read_trace_file(file.string());
    trace.curve.clear();
    for (double budget_ms : {0.0, 300.0}) {
      PolicyConfig c;
      c.policy = "predictive";
      if (budget_ms > 0) c.downtime_budget_s = budget_ms / 1000;
      EXPECT_EQ(replay(trace, c, Loop::kStockPeek).live_rounds, replay(trace, c, Loop::kPatched).live_rounds)
          << file << " budget " << budget_ms;
    }
    for (const char* name : {"xen", "paper", "continue"}) {
      PolicyConfig c;
      c.policy = name;
      EXPECT_EQ(replay(trace, c, Loop::kStockPeek).live_rounds, replay(trace, c, Loop::kStock).live_rounds)
          << file << " " << name;
    }
  }
}

// A guest dirtying along f(t) = 500 (1 - exp(-t)) pages over a 1000 pages/s link, 1000 pages of memory:
// every round cuts the dirty count by half or more, so the oracle runs to the end (J = 1.612 at round 7).
const char* kConcave =
    "# precopy-trace v1\n# memory_pages=1000; bandwidth_bytes_per_s=4096000\nround,dirty_pages,seconds\n"
    "1,316,1\n2,135,0.316\n3,63,0.135\n4,31,0.063\n5,15,0.031\n6,8,0.015\n7,4,0.008\n";

TEST(Predictive, FollowsAConvergingGuestToTheOptimum) {
  Outcome o = run(kConcave, "predictive");
  Outcome oracle = run(kConcave, "oracle");
  EXPECT_EQ(oracle.live_rounds, 7u);
  EXPECT_EQ(o.live_rounds, 7u);
  EXPECT_LE(o.objective / oracle.objective, 1.0 + 1e-12);
  EXPECT_EQ(run(kConcave, "xen").live_rounds, 5u);  // 31 < 50 in round 4
}

TEST(Predictive, MeetsTheBudgetWhereTheOracleDoes) {
  PolicyConfig c;
  c.downtime_budget_s = 0.1;
  Outcome o = run(kConverging, "predictive", Loop::kPatched, c);
  EXPECT_EQ(o.live_rounds, 4u);
  EXPECT_LE(o.downtime_s, 0.1);
}

TEST(Predictive, UsesPeeksInsideRoundOne) {
  // With peeks showing the 300-page working set full 0.1 s into round 1, the policy knows round 2 will
  // dirty 300 pages again and stops at once.
  std::string text = std::string(kSaturated) + "# section=curve\nround,seconds,pages\n1,0.05,200\n1,0.1,300\n1,0.5,300\n";
  EXPECT_EQ(run(text, "predictive").live_rounds, 1u);
}

}  // namespace
}  // namespace precopy

namespace precopy {
namespace {

// A guest that converges slowly (each round cuts the dirty count by ~7%, less than J's break-even 1/11)
// towards a floor below the budget: with no budget J stops early; with one, predictive keeps going to the
// first round that fits, exactly where the oracle stops.
TEST(Predictive, KeepsGoingWhileTheBudgetIsWithinReach) {
  std::string text = "# precopy-trace v1\n# memory_pages=100000; bandwidth_bytes_per_s=409600000\n"
                     "round,dirty_pages,seconds\n1,20000,1\n";
  double d = 20000;
  for (int k = 2; k <= 30; ++k) {
    double seconds = d / 100000;
    d *= 0.93;
    text += std::to_string(k) + "," + std::to_string(static_cast<long>(d)) + "," + std::to_string(seconds) + "\n";
  }
  PolicyConfig budget;
  budget.downtime_budget_s = 0.05;  // 5000 pages at 100000 pages/s
  Outcome oracle = run(text, "oracle", Loop::kPatched, budget);
  Outcome p = run(text, "predictive", Loop::kPatched, budget);
  EXPECT_LE(oracle.downtime_s, 0.05);
  EXPECT_EQ(p.live_rounds, oracle.live_rounds);
  EXPECT_LT(run(text, "predictive").live_rounds, oracle.live_rounds);  // no budget: J stops sooner
  Outcome stock = run(text, "predictive", Loop::kStock, budget);
  EXPECT_LE(stock.downtime_s, 0.05);  // the stock loop never claims the budget on a guess
}

// A guest that alternates between bursts and pauses (bench/bursty_traces.py's bursty-59, simulated: 32
// MiB/s for 2 s, then 1 s of quiet, on 100 Mbit/s) never gets near a 100 ms budget: its pauses leave
// 4800 pages and more, 1.6 s of downtime. Every round that falls in a pause cuts the count by more than
// its time is worth, and judged on that alone the budget rule kept it going until the hopes it ran in
// between were spent: 28 rounds, 2.4 x the oracle's J. Judged on the whole pursuit (J lower than when it
// began or was last renewed) it gives up when the bursts' rounds cost more than the pauses save.
TEST(Predictive, GivesUpABudgetThatAlternatingBurstsNeverApproach) {
  const char* header = "# precopy-trace v1\n# memory_pages=32768; bandwidth_bytes_per_s=12500000\n"
                       "round,dirty_pages,seconds,pages_sent\n";
  const std::string text = std::string(header) +
      "1,8361,10.74741824,32768\n2,7021,2.7497324799999996,8361\n3,6060,2.3106412799999996,7021\n"
      "4,5213,1.9957408,6060\n5,6727,1.71819584,5213\n6,5769,2.2143033599999997,6727\n"
      "7,4816,1.90038592,5769\n8,6511,1.58810688,4816\n9,5581,2.14352448,6511\n"
      "10,5885,1.83878208,5581\n11,6417,1.9383968,5885\n12,5534,2.11272256,6417\n"
      "13,5982,1.82338112,5534\n14,6222,1.97018176,5982\n15,5279,2.0488249599999997,6222\n"
      "16,6435,1.73982272,5279\n17,6102,2.1186208,6435\n18,5198,2.00950336,6102\n"
      "19,6650,1.71328064,5198\n20,5933,2.189072,6650\n21,5032,1.95412544,5933\n"
      "22,6625,1.65888576,5032\n23,5718,2.1808799999999997,6625\n24,5129,1.88367424,5718\n"
      "25,6575,1.69067072,5129\n26,5663,2.1644959999999998,6575\n27,5800,1.86565184,5663\n"
      "28,6477,1.910544,5800\n29,5587,2.13238336,6477\n30,6031,1.84074816,5587\n";
  PolicyConfig budget;
  budget.downtime_budget_s = 0.1;
  const Outcome oracle = run(text, "oracle", Loop::kPatched, budget);
  EXPECT_GT(oracle.downtime_s, 0.1);  // no round meets the budget: the oracle is J's
  for (Loop loop : {Loop::kPatched, Loop::kStock}) {
    const Outcome p = run(text, "predictive", loop, budget);
    EXPECT_LE(p.live_rounds, 13u) << loop_name(loop);
    EXPECT_LT(p.objective / oracle.objective, 1.5) << loop_name(loop);
  }
}

// A trace of the corpus, data/traces/<corpus_file>.
Trace corpus_trace(const char* corpus_file) {
  return read_trace_file(std::string(PRECOPY_SOURCE_DIR) + "/data/traces/" + corpus_file);
}

// A real Xen trace (data/traces/xen-ju16-step-4-49-16-128-100m-1.csv, the fourteenth held-out set): a
// guest converging at 4 MiB/s whose job of 16 MiB/s, faster than the link, starts in round 3. From round
// 4 on its count rises (6599, 7580, 9214, ... 15820) and no round meets a 1 s budget. The roll-forward to
// the budget, extended below the rounds by the peeks of the quieter rounds before the step, found one
// within reach after every rise, and the migration ran 15 rounds (J 2.78 x the oracle's). A count that
// has just clearly risen refutes the roll-forward's premise, a falling count.
TEST(Predictive, DoesNotRollForwardToABudgetRightAfterTheCountRose) {
  const Trace trace = corpus_trace("xen-ju16-step-4-49-16-128-100m-1.csv");
  PolicyConfig c;
  c.policy = "predictive";
  c.downtime_budget_s = 1.0;
  const Outcome oracle = replay_oracle(trace, c);
  EXPECT_GT(oracle.downtime_s, 1.0);  // no round meets the budget
  const Outcome p = replay(trace, c);
  EXPECT_LE(p.live_rounds, 9u);
  EXPECT_LT(p.objective / oracle.objective, 2.0);
}

// Rounds that each carry a fixed 10 ms of set-up: short rounds cost more than their pages, so the
// round-time model (t = a + b p) must see it, or predictive keeps paying for rounds that save nothing.
TEST(Predictive, AccountsForAFixedCostPerRound) {
  std::string text = "# precopy-trace v1\n# memory_pages=100000; bandwidth_bytes_per_s=409600000\n"
                     "round,dirty_pages,seconds\n";
  double sent = 100000;
  for (int k = 1; k <= 30; ++k) {
    double seconds = 0.01 + sent / 100000;
    double dirty = 2000 + 20000 * seconds;  // a floor of 2000 pages, plus 20000 pages/s
    text += std::to_string(k) + "," + std::to_string(static_cast<long>(dirty)) + "," + std::to_string(seconds) + "\n";
    sent = static_cast<long>(dirty);
  }
  Outcome oracle = run(text, "oracle");
  Outcome p = run(text, "predictive");
  // At most the one more look it takes before its first stop past the oracle's round.
  EXPECT_LE(p.live_rounds, oracle.live_rounds + 1);
  EXPECT_LE(p.objective / oracle.objective, 1.02) << p.live_rounds << " vs " << oracle.live_rounds;
  Outcome stock = run(text, "predictive", Loop::kStock);
  EXPECT_LE(stock.objective / oracle.objective, 1.02) << stock.live_rounds << " vs " << oracle.live_rounds;
  // Stock Xen sends the round after a call-A stop anyway: that round is the look, not one more after it.
  EXPECT_EQ(stock.live_rounds, p.live_rounds);
}

// A sender that is four times slower per page in round 1 than after it (on real Xen: it competes with a
// busy guest for CPU, or pays for first touching all of memory), with a concave dirty curve 2000 t^0.6
// and rounds at 0.4 ms per page after round 1. No line t = a + b p with a >= 0 fits those round times;
// the pace over all rounds is round 1's, which would make every later round look four times longer and
// dirtier than it is and stop predictive at round 2 (J 1.78 x the oracle's). The pace of the recent round
// nearest in size follows the guest to the oracle's round in the patched loop and within 1% of its J in
// the stock one.
TEST(Predictive, UsesTheRecentPaceWhenRoundOneIsSlowerPerPage) {
  std::string text = "# precopy-trace v1\n# memory_pages=32768\nround,dirty_pages,seconds,pages_sent\n";
  double seconds = 52;
  long sent = 32768;
  for (int k = 1; k <= 15; ++k) {
    long dirty = static_cast<long>(2000 * std::pow(seconds, 0.6));
    text += std::to_string(k) + "," + std::to_string(dirty) + "," + std::to_string(seconds) + "," +
            std::to_string(sent) + "\n";
    sent = dirty;
    seconds = 0.0004 * dirty;
  }
  Outcome oracle = run(text, "oracle");
  EXPECT_EQ(run(text, "predictive").live_rounds, oracle.live_rounds);
  EXPECT_LE(run(text, "predictive", Loop::kStock).objective / oracle.objective, 1.01);
}

// A real trace's rounds (from data/traces/, recorded by the e2e testbed) under a format-v1 header.
std::string xen_trace(uint64_t memory_pages, const char* rows) {
  return "# precopy-trace v1\n# memory_pages=" + std::to_string(memory_pages) +
         "; page_size=4096; source=xen\nround,dirty_pages,seconds,pages_sent\n" + rows;
}

// A real Xen trace (data/traces/xen-gz-gzip-4-100m-1.csv, Xen in QEMU): round 1 is four times slower per
// page than the rest, so the round-time line fails, and the dirty count bounces (81, then 148). After
// round 6 the next round sends 148 pages; round 6 itself sent 81 pages at 0.76 ms a page (a small round
// is mostly fixed cost), round 5 sent 161 at 0.44 ms. Round 6's pace makes the next round look as long
// as round 4 and as dirty, and predictive stopped there (J 1.031 x the oracle's, 2% worse than Xen's
// five rounds); round 5, nearest in size, gets it right and predictive follows the oracle to round 7.
TEST(Predictive, TakesThePaceOfTheRoundNearestInSize) {
  const std::string real = xen_trace(32768,
                     "1,3338,52.251680169,32768\n2,515,2.994330945,3338\n3,225,0.3912655,515\n"
                     "4,161,0.086812537,225\n5,81,0.070551702,161\n6,148,0.061689742,81\n"
                     "7,39,0.034921245,148\n");
  Outcome oracle = run(real, "oracle");
  Outcome p = run(real, "predictive");
  EXPECT_EQ(p.live_rounds, oracle.live_rounds);
  EXPECT_LE(p.objective, run(real, "xen").objective);
}

// A real Xen trace (data/traces/xen-burst-bursty-32-2-3-64-100m-2.csv): a burst holds the count level
// for rounds 2 and 3 (10302, 10381), the one more look runs round 4, and it leaves 9508 pages: not level,
// but far below the 10379 the curve predicted for it, in a round as long as round 3. The guest's rate is
// falling (the burst ends), and round 5 falls in the pause (2353). Stopping on J at round 4 cost 1.78 x
// the oracle's J (Xen's five rounds: 1.10); going on follows the guest to within 1% of the oracle. On
// the twins that level off at round 3 or 4 it stays within the trace's online floor (1.13: on the pair
// that sets it no online policy does better). A twin that levels off later, after the burst has come
// back, is what the hope for another pause waits on (bounded by ski rental, see predictive.md).
TEST(Predictive, GoesOnWhenTheRoundRunForASecondLookFallsBelowTheCurve) {
  const Trace trace = parse_trace_string(
      xen_trace(40960, "1,14815,13.507900468,40960\n2,10302,4.8554273,14815\n3,10381,3.382475865,10302\n"
                       "4,9508,3.408957661,10381\n5,2353,3.125439512,9508\n6,4390,0.772803753,2353\n"
                       "7,8343,1.438376867,4390\n8,92,2.737529966,8343\n9,40,0.02880768,92\n"
                       "10,39,0.01021827,40\n11,39,0.010469805,39\n"),
      "burst");
  PolicyConfig c;
  c.policy = "predictive";
  const double on_trace = replay(trace, c).objective / replay_oracle(trace, c).objective;
  EXPECT_LT(on_trace, 1.01);
  // Where round 4 holds level instead, the look stops there as before.
  EXPECT_EQ(replay(plateau_twin(trace, 3), c).live_rounds, 4u);
  const OnlineFloor floor = online_floor(trace, c.downtime_weight);
  EXPECT_EQ(floor.twin_round, 3u);
  for (uint32_t r : {3u, 4u}) {
    const Trace twin = plateau_twin(trace, r);
    EXPECT_LE(replay(twin, c).objective / replay_oracle(twin, c).objective, floor.ratio + 1e-9) << "twin " << r;
  }
}

// A real Xen trace (data/traces/xen-burst-bursty-32-2-3-64-200m-1.csv): a guest that writes in bursts
// of 2 s every 5 s. Rounds 2 to 4 fall inside a burst, and the dirty count stops falling (4232, 4909,
// 5008) while the rounds shorten: judged on one dirty curve the guest no longer converges, and
// predictive stopped after round 3 with 4909 pages to send (J 1.65 x the oracle's). But round 3 was
// shorter than round 2 and dirtied more: the rate changes over time, and the next round may be as quiet
// as the quietest so far. Weighing that, predictive waits out the burst (round 5 dirties 69 pages). At
// the stock loop's call B it does not wait on that hope (it would wait blind, and on a guest whose count
// merely jitters that burns rounds), but its one more look before the first stop, taken there on the
// count it predicts, runs round 5 all the same (it stopped inside the burst, J 1.74 x the oracle's,
// before the look was taken in the stock loop too).
TEST(Predictive, WaitsOutABurstWhenTheRateChangesOverTime) {
  const std::string real = xen_trace(40960,
                     "1,12133,7.192661206,40960\n2,4232,2.029650414,12133\n3,4909,0.698792154,4232\n"
                     "4,5008,0.829391448,4909\n5,69,0.829892911,5008\n6,45,0.014593243,69\n"
                     "7,36,0.00528129,45\n8,42,0.007460891,36\n9,36,0.004918282,42\n");
  Outcome oracle = run(real, "oracle");
  Outcome p = run(real, "predictive");
  EXPECT_GE(p.live_rounds, 5u);
  EXPECT_LE(p.objective / oracle.objective, 1.01);
  Outcome stock = run(real, "predictive", Loop::kStock);
  EXPECT_EQ(stock.live_rounds, 5u);
  EXPECT_LE(stock.objective / oracle.objective, 1.01);
}

// A real Xen trace (data/traces/xen-b2-bursty-16-1-2-96-100m-1.csv): bursts in rounds 5 to 8 (a shorter
// round dirtied more pages: the rate changes over time), then the guest idles with about 40 pages that
// every round dirties. A quiet phase can bring the count back to the fewest any round has left, not
// below it: judged on the quietest rate instead, every 13 ms round of the idle floor looked as if it
// could empty memory, and predictive went on to the end of the trace.
TEST(Predictive, ExpectsNoQuieterPhaseThanTheBestRoundSeen) {
  const std::string real = xen_trace(49152,
                     "1,14795,16.189491658,49152\n2,5783,4.846933127,14795\n3,1804,1.899989098,5783\n"
                     "4,409,0.591339815,1804\n5,611,0.132863819,409\n6,891,0.201387684,611\n"
                     "7,1250,0.294030902,891\n8,1292,0.408111873,1250\n9,45,0.420572561,1292\n"
                     "10,40,0.012520865,45\n11,40,0.015799271,40\n12,40,0.010461183,40\n"
                     "13,40,0.013787751,40\n14,39,0.014870592,40\n15,40,0.011503505,39\n"
                     "16,42,0.013809482,40\n17,40,0.010961534,42\n18,42,0.013944422,40\n"
                     "19,39,0.011106092,42\n");
  Outcome p = run(real, "predictive");
  EXPECT_TRUE(p.converged);
  EXPECT_LE(p.live_rounds, 11u);
  EXPECT_LE(p.objective, run(real, "xen").objective);
}

// A real Xen trace (data/traces/xen-b2-bursty-16-1-2-96-1g-1.csv) whose round 1 is a little faster per
// page than round 2. The line through those two rounds has a fixed part of 72 ms a round, where the
// rounds that follow take 10 to 30 ms in all; in the stock loop that phantom cost stopped predictive
// after round 3 (J 5% worse than Xen's five rounds). A line needs three rounds; before that, the pace of
// the round nearest in size.
TEST(Predictive, FitsNoFixedCostToTwoRounds) {
  const std::string real = xen_trace(49152,
                     "1,3405,2.887555114,49152\n2,1281,0.267099621,3405\n3,463,0.099157741,1281\n"
                     "4,213,0.032250011,463\n5,123,0.015928662,213\n6,125,0.020297096,123\n"
                     "7,61,0.008793785,125\n8,38,0.009567246,61\n9,103,0.009174429,38\n"
                     "10,162,0.014527312,103\n");
  const double xen = run(real, "xen").objective;
  for (Loop loop : {Loop::kPatched, Loop::kStock}) {
    EXPECT_LE(run(real, "predictive", loop).objective, 1.02 * xen) << (loop == Loop::kStock ? "stock" : "patched");
  }
}

// The plateau twin of a real or simulated trace (online_floor.h): the same rounds up to round r, then a
// guest that leaves round r's count every round, for ever.
Trace twin_of(const char* corpus_file, uint32_t round) { return plateau_twin(corpus_trace(corpus_file), round); }

// J of `policy` on `trace` with the default settings.
double objective_of(const Trace& trace, const char* policy) {
  PolicyConfig c;
  c.policy = policy;
  return replay(trace, c).objective;
}

// A fresh predictive policy fed a trace's rounds 1..last, each with its peeks: its verdict after each
// round, and the policy as it stands after round `last`.
struct FedPolicy {
  std::unique_ptr<Policy> policy;
  std::vector<Verdict> verdicts;
};
FedPolicy feed_predictive(const Trace& trace, uint32_t last) {
  PolicyConfig c;
  c.policy = "predictive";
  FedPolicy fed{make_policy(c), {}};
  for (const Round& r : trace.rounds) {
    if (r.round > last) break;
    for (const CurveSample& s : trace.curve) {
      if (s.round == r.round) fed.policy->observe_curve(s);
    }
    fed.verdicts.push_back(fed.policy->after_round(r));
  }
  return fed;
}

// sim-hotcold-1GiB-2.5Gbit's twin from round 3: its peeks say a 27 ms window dirties 432 pages, but now
// every 21 ms round leaves the same 1216. The curve keeps predicting a fall, and predictive went on to
// the round cap (30 rounds, J 1.14 x the oracle's, Xen 1.01). Each round that did not lower J as
// predicted is charged to the prediction: it stops once a fall no longer promises more than that.
TEST(Predictive, StopsBelievingAPredictedFallThatDoesNotCome) {
  Trace twin = twin_of("sim-hotcold-1GiB-2.5Gbit.csv", 3);
  PolicyConfig c;
  c.policy = "predictive";
  Outcome p = replay(twin, c);
  EXPECT_LE(p.live_rounds, 8u);
  EXPECT_LE(p.objective, 1.02 * objective_of(twin, "xen"));
  EXPECT_LE(p.objective / replay_oracle(twin, c).objective, 1.03);
}

// xen-b2-bursty-16-1-2-96-100m-1 is a burst that passes (409, 611, 891, 1250, 1292, then 45 pages):
// predictive waits it out. Its twin from round 6 stays at 891 pages: the burst never passes, and
// predictive waited to the end of the trace (19 rounds, J 1.35 x the oracle's; Xen 1.03), and on a
// longer one would have waited to the round cap. Waiting is ski rental: the rounds spent waiting are
// charged to the hope of a quiet phase, and it stops once they would exceed what the hope is worth (here
// after round 11, J 1.14 x the oracle's: a hope of falling back to 409 pages is worth about five rounds).
TEST(Predictive, WaitsForAQuietPhaseNoLongerThanItIsWorth) {
  Trace twin = twin_of("xen-b2-bursty-16-1-2-96-100m-1.csv", 6);
  PolicyConfig c;
  c.policy = "predictive";
  Outcome p = replay(twin, c);
  EXPECT_TRUE(p.converged);
  EXPECT_LE(p.live_rounds, 12u);
  EXPECT_LE(p.objective / replay_oracle(twin, c).objective, 1.15);
  EXPECT_STREQ(p.reason.c_str(), "waited long enough for a round that would pay");
  // The real guest, whose burst does pass, is still waited out.
  Trace real = corpus_trace("xen-b2-bursty-16-1-2-96-100m-1.csv");
  EXPECT_LE(replay(real, c).objective / replay_oracle(real, c).objective, 1.01);
}

// A real bursty guest (data/traces/xen-pb26-bursty-26-1-1-56-150m-1.csv). Round 5 leaves 1060 pages
// after 0.19 s, more than round 4's 872 after 1.1 s: a burst has begun. A peek of round 3 taken in a
// pause (53 pages after 0.23 s) said a 0.25 s round would leave about 110, and predictive went on
// through the burst on that prediction (1631, 2368, 1492: J 1.20 x the oracle's, Xen 1.06). The newest
// count floors the guess (DirtyCurve::predict_no_lower_than_newest): from round 5 on no round is
// predicted to leave fewer than the one before it, and what carries predictive through the burst is
// the bounded hope of a quieter phase, which here comes true (round 9: 53 pages).
TEST(Predictive, TrustsTheNewestRoundOverAnOlderPhasesPeek) {
  Trace real = corpus_trace("xen-pb26-bursty-26-1-1-56-150m-1.csv");
  const FedPolicy fed = feed_predictive(real, 7);
  ASSERT_EQ(fed.verdicts.size(), 7u);
  for (uint32_t round = 5; round <= 7; ++round) {
    EXPECT_STRNE(fed.verdicts[round - 1].reason, "another round lowers the predicted cost") << round;
  }
  EXPECT_LE(objective_of(real, "predictive"), 1.02 * objective_of(real, "xen"));
}

// A real bursty guest (data/traces/xen-vb30-bursty-30-1-2-40-100m-1.csv): round 6 leaves 3311 pages
// after 0.51 s, inside a burst; round 7, twice as long, leaves 1508: no single dirty curve does that (a
// longer window dirties at least as many pages), so the guest's rate fell during round 7 (the burst
// ended). The curve, still full of the burst's rounds, said a 0.5 s round would leave about 3200, and
// predictive stopped with 1508 to send (J 1.25 x the oracle's, Xen 1.18). At round 7's own rate the
// next round leaves about 700, and another round is worth its risk (here as the hope of a quieter
// phase: a fall predicted after round 4 did not come, so a prediction must promise more); round 8
// leaves 59.
TEST(Predictive, TrustsARateThatFellDuringTheNewestRound) {
  Trace real = corpus_trace("xen-vb30-bursty-30-1-2-40-100m-1.csv");
  const FedPolicy fed = feed_predictive(real, 7);
  ASSERT_EQ(fed.verdicts.size(), 7u);
  EXPECT_EQ(fed.verdicts[6].decision, Decision::kContinue) << fed.verdicts[6].reason;
  EXPECT_LT(fed.policy->estimates().predicted_next_dirty_pages, 1508 / 2);
  PolicyConfig c;
  c.policy = "predictive";
  const Outcome p = replay(real, c);
  EXPECT_GE(p.live_rounds, 8u);
  EXPECT_LE(p.objective / replay_oracle(real, c).objective, 1.02);
  EXPECT_LE(p.objective, objective_of(real, "xen"));
}

// A guest whose count merely jitters around 2000 pages (1000 pages/s link). Round 3 is longer than
// round 2 and leaves clearly fewer pages: the rate fell, and predictive bets one round on it (at round
// 3's rate the next round would leave about 1070). Round 4 is back at the level: the fallen rate
// foresaw it far worse than the curve did, and the next fall (round 5) is not bet on.
TEST(Predictive, StopsTrustingFallenRatesThatDoNotLast) {
  PolicyConfig c;
  c.policy = "predictive";
  c.memory_pages = 10000;
  c.bandwidth_bytes_per_s = 4096000;
  std::unique_ptr<Policy> policy = make_policy(c);
  const char* kRateFell = "another round lowers the predicted cost: the dirty rate fell";
  EXPECT_EQ(policy->after_round({1, 2000, 10.0, 10000}).decision, Decision::kContinue);
  policy->after_round({2, 2100, 2.0, 2000});
  const Verdict bet = policy->after_round({3, 1500, 2.1, 2100});
  EXPECT_EQ(bet.decision, Decision::kContinue);
  EXPECT_STREQ(bet.reason, kRateFell);
  policy->after_round({4, 2050, 1.5, 1500});
  EXPECT_STRNE(policy->after_round({5, 1400, 2.05, 2050}).reason, kRateFell);
}

}  // namespace
}  // namespace precopy
