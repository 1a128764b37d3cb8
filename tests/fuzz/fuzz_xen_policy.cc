// Fuzz target: precopy_xen_policy, the function libxenguest's send_memory_live() calls twice per round,
// and precopy_xen_policy_peeked, the same with a count peeked after each round (libprecopy_preload).
//
// Inside the save loop a crash loses the guest's migration and a decision outside XGS_POLICY_* or a
// missing stop hangs it, so the input drives the adapter three ways:
//  1. as send_memory_live() does (call A with the dirty count, the round, call B with -1), with fuzzed
//     dirty counts (0, huge, beyond the p2m size, negative) and a clock that jumps, stands still or
//     runs backwards. Checked: every answer is XGS_POLICY_CONTINUE_PRECOPY or _STOP_AND_COPY; the loop
//     stops by round max_rounds (by round 5 once fallen back to Xen's rule, which has that cap);
//     `xen` stops after round min(5, j + 1) as Xen itself would, j the first round below the target;
//  2. with arbitrary precopy_stats in any order (iterations wrapping and jumping, dirty_count from
//     LONG_MIN to LONG_MAX), interleaved with precopy_observe of NaN and infinite seconds. Checked:
//     the answer is an XGS_POLICY_* value and, once the handle has fallen back, exactly Xen's rule;
//  3. with a NULL handle, which must answer as Xen's simple_precopy_policy.
// In modes 1 and 2 half the handles are driven through precopy_xen_policy_peeked, with fuzzed peeked
// counts (negative: the peek failed; beyond the p2m size: impossible) at call B.
#include <fuzzer/FuzzedDataProvider.h>
#include <xenctrl.h>
#include <xenguest.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "precopy/policy.h"
#include "precopy/precopy.h"

namespace {

// Xen's simple_precopy_policy (xg_sr_save.c), written out here independently of the library's copy.
int xen_rule(unsigned iteration, long dirty_count) {
  constexpr long kTargetDirtyCount = 50;
  constexpr unsigned kMaxIterations = 5;
  bool stop = (dirty_count >= 0 && dirty_count < kTargetDirtyCount) || iteration >= kMaxIterations;
  return stop ? XGS_POLICY_STOP_AND_COPY : XGS_POLICY_CONTINUE_PRECOPY;
}

struct FuzzClock {
  uint64_t now_ns = 0;
};

uint64_t read_fuzz_clock(void* data) { return static_cast<FuzzClock*>(data)->now_ns; }

// Moves the clock as a broken or virtualised host clock might.
void move_clock(FuzzClock& clock, FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0: break;  // stands still
    case 1: clock.now_ns -= in.ConsumeIntegralInRange<uint64_t>(0, 10'000'000'000); break;  // backwards
    case 2: clock.now_ns = in.ConsumeIntegral<uint64_t>(); break;                           // jumps anywhere
    case 3: clock.now_ns = std::numeric_limits<uint64_t>::max() - in.ConsumeIntegralInRange<uint64_t>(0, 9); break;
    default: clock.now_ns += in.ConsumeIntegralInRange<uint64_t>(0, 100'000'000'000); break;
  }
}

long pick_dirty_count(FuzzedDataProvider& in, long p2m_size) {
  switch (in.ConsumeIntegralInRange<int>(0, 9)) {
    case 0: return -1;
    case 1: return 0;
    case 2: return LONG_MAX;
    case 3: return LONG_MIN;
    case 4: return in.ConsumeIntegral<long>();
    case 5: return p2m_size < LONG_MAX - 3 ? p2m_size + in.ConsumeIntegralInRange<long>(1, 3) : LONG_MAX;
    case 6: return in.ConsumeIntegralInRange<long>(0, 60);  // around Xen's target of 50
    default: return in.ConsumeIntegralInRange<long>(0, std::max(p2m_size, 1L));
  }
}

unsigned pick_iteration(FuzzedDataProvider& in, unsigned expected) {
  switch (in.ConsumeIntegralInRange<int>(0, 4)) {
    case 0: return expected + 1;
    case 1: return expected - 1;  // wraps at 0
    case 2: return UINT_MAX - in.ConsumeIntegralInRange<unsigned>(0, 2);
    case 3: return in.ConsumeIntegral<unsigned>();
    default: return expected;
  }
}

// A handle with a fuzzed config. Returns nullptr when the config is refused (that's fine too).
precopy_t* make_handle(FuzzedDataProvider& in, std::string& policy, uint32_t& max_rounds, uint64_t& threshold,
                       bool may_log_decisions) {
  const auto& names = precopy::policy_names();
  policy = names[in.ConsumeIntegralInRange<std::size_t>(0, names.size() - 1)];
  // Mostly short migrations (fast executions); sometimes up to the cap of 1000 rounds.
  max_rounds = in.ConsumeIntegralInRange<int>(0, 7) != 0 ? in.ConsumeIntegralInRange<uint32_t>(1, 12)
                                                         : in.ConsumeIntegralInRange<uint32_t>(1, precopy::kMaxRoundsCap);
  threshold = in.ConsumeIntegralInRange<uint64_t>(1, 200);
  std::string spec = policy + ",max_rounds=" + std::to_string(max_rounds) + ",threshold_pages=" +
                     std::to_string(threshold);
  if (in.ConsumeBool()) spec += ",downtime_budget_ms=" + std::to_string(in.ConsumeIntegralInRange<int>(1, 2000));
  if (in.ConsumeBool()) spec += ",memory_pages=" + std::to_string(in.ConsumeIntegralInRange<uint64_t>(0, 1 << 20));
  if (in.ConsumeBool()) {
    spec += ",bandwidth_bytes_per_s=" + std::to_string(in.ConsumeIntegralInRange<uint64_t>(0, uint64_t{1} << 40));
  }
  // Formats every decision (into a null sink). Not always, as formatting dominates an execution, and
  // only where the numbers are a clock's: printing 1e308 seconds to six decimals takes fmt's slow path.
  if (may_log_decisions && in.ConsumeIntegralInRange<int>(0, 7) == 0) spec += ",log_level=info";
  precopy_config_t* config = precopy_config_create();
  char* err = nullptr;
  precopy_config_parse(config, spec.c_str(), &err);
  FUZZ_CHECK(err == nullptr, "spec '%s' refused: %s", spec.c_str(), err);
  precopy_t* handle = precopy_create(config, &err);
  precopy_free(err);
  precopy_config_destroy(config);
  return handle;
}

bool fallen_back(precopy_t* handle) { return std::string(precopy_policy_name(handle)) == "xen-fallback"; }

// Mode 1: send_memory_live() step by step.
void follow_the_protocol(FuzzedDataProvider& in) {
  std::string policy;
  uint32_t max_rounds = 0;
  uint64_t threshold = 0;
  precopy_t* handle = make_handle(in, policy, max_rounds, threshold, true);
  if (!handle) return;
  FuzzClock clock;
  clock.now_ns = in.ConsumeIntegral<uint64_t>();
  precopy_set_clock(handle, read_fuzz_clock, &clock);

  const long p2m_size = in.ConsumeBool() ? in.ConsumeIntegralInRange<long>(0, 1L << 36) : pick_dirty_count(in, 1000);
  const bool peeks = in.ConsumeBool();
  std::vector<long> dirty_counts;  // dirty_counts[k - 1]: the count given at call A after round k
  struct precopy_stats stats = {};
  stats.dirty_count = p2m_size;
  unsigned rounds_sent = 0;
  for (;;) {
    int decision = precopy_xen_policy(stats, handle);  // call A
    FUZZ_CHECK(precopy::fuzz::is_xen_decision(decision), "call A answered %d", decision);
    ++rounds_sent;
    move_clock(clock, in);  // the round is sent whatever call A said
    if (decision != XGS_POLICY_CONTINUE_PRECOPY) break;
    // Past every cap (1000 rounds, Xen's 5) by a margin: the loop would never end on its own.
    FUZZ_CHECK(rounds_sent <= precopy::kMaxRoundsCap + 1, "%u rounds and no stop", rounds_sent);
    stats.iteration = rounds_sent;
    stats.total_written += static_cast<unsigned long>(stats.dirty_count);
    stats.dirty_count = -1;
    decision = peeks ? precopy_xen_policy_peeked(stats, pick_dirty_count(in, p2m_size), handle)
                     : precopy_xen_policy(stats, handle);  // call B
    FUZZ_CHECK(precopy::fuzz::is_xen_decision(decision), "call B answered %d", decision);
    if (decision != XGS_POLICY_CONTINUE_PRECOPY) break;
    // When the input runs out, the guest keeps dirtying all of memory: the worst case for stopping.
    stats.dirty_count = in.remaining_bytes() > 0 ? pick_dirty_count(in, p2m_size) : p2m_size;
    dirty_counts.push_back(stats.dirty_count);
  }

  const bool fell_back = fallen_back(handle);
  const uint32_t cap = fell_back ? std::max<uint32_t>(max_rounds, 5) : max_rounds;
  FUZZ_CHECK(rounds_sent <= cap, "%s (max_rounds %u%s) stopped after round %u", policy.c_str(), max_rounds,
             fell_back ? ", fallen back" : "", rounds_sent);
  if (!fell_back && policy == "xen") {  // peeked counts or not: Xen's choices on call A's counts
    // Xen stops after round min(5, j + 1), j the first round with fewer dirty pages than the target.
    uint32_t expected = std::min<uint32_t>(5, max_rounds);
    for (std::size_t k = 1; k <= dirty_counts.size(); ++k) {
      if (dirty_counts[k - 1] < static_cast<long>(threshold)) {
        expected = std::min<uint32_t>(expected, static_cast<uint32_t>(k + 1));
        break;
      }
    }
    FUZZ_CHECK(rounds_sent == expected, "xen stopped after round %u, Xen would after %u", rounds_sent, expected);
  }
  if (!fell_back && policy == "continue") {
    // Never early: at the cap, or (in this loop, one round late) after a round that dirtied nothing.
    // Peeked counts do not move it: it records the bitmap's.
    bool after_empty_round = rounds_sent >= 2 && dirty_counts.size() >= rounds_sent - 1 &&
                             dirty_counts[rounds_sent - 2] == 0;
    FUZZ_CHECK(rounds_sent == max_rounds || after_empty_round, "continue stopped after round %u of %u",
               rounds_sent, max_rounds);
  }
  precopy_destroy(handle);
}

// Mode 2: anything a confused or malicious caller could send.
void arbitrary_calls(FuzzedDataProvider& in) {
  std::string policy;
  uint32_t max_rounds = 0;
  uint64_t threshold = 0;
  precopy_t* handle = make_handle(in, policy, max_rounds, threshold, false);
  if (!handle) return;
  FuzzClock clock;
  precopy_set_clock(handle, read_fuzz_clock, &clock);
  unsigned iteration = 0;
  for (int step = 0; step < 200 && in.remaining_bytes() > 0; ++step) {
    switch (in.ConsumeIntegralInRange<int>(0, 5)) {
      case 0:
      case 1: {
        struct precopy_stats stats = {};
        iteration = pick_iteration(in, iteration);
        stats.iteration = iteration;
        stats.total_written = in.ConsumeIntegral<unsigned long>();
        stats.dirty_count = pick_dirty_count(in, 1000);
        const bool was_fallen_back = fallen_back(handle);
        int decision = in.ConsumeBool() ? precopy_xen_policy_peeked(stats, pick_dirty_count(in, 1000), handle)
                                        : precopy_xen_policy(stats, handle);
        FUZZ_CHECK(precopy::fuzz::is_xen_decision(decision), "answered %d", decision);
        if (was_fallen_back) {
          FUZZ_CHECK(decision == xen_rule(stats.iteration, stats.dirty_count),
                     "fallen back, iteration %u dirty %ld: %d is not Xen's answer", stats.iteration,
                     stats.dirty_count, decision);
        }
        break;
      }
      case 2: move_clock(clock, in); break;
      case 3: {
        // The patched loop's entry points on the same handle, with impossible numbers.
        double seconds = 0;
        switch (in.ConsumeIntegralInRange<int>(0, 3)) {
          case 0: seconds = std::numeric_limits<double>::quiet_NaN(); break;
          case 1: seconds = std::numeric_limits<double>::infinity(); break;
          case 2: seconds = -1; break;
          default: seconds = in.ConsumeFloatingPoint<double>(); break;
        }
        char* err = nullptr;
        precopy_observe(handle, in.ConsumeIntegral<uint32_t>(), in.ConsumeIntegral<uint64_t>(), seconds,
                        in.ConsumeIntegral<uint64_t>(), &err);
        if (!std::isfinite(seconds) || seconds < 0) FUZZ_CHECK(err != nullptr, "observe took seconds %g", seconds);
        precopy_free(err);
        int decision = precopy_decide_before_bitmap(handle, in.ConsumeIntegral<uint32_t>(), seconds,
                                                    in.ConsumeIntegral<uint64_t>());
        FUZZ_CHECK(decision == PRECOPY_CONTINUE || decision == PRECOPY_STOP, "before_bitmap %d", decision);
        break;
      }
      case 4: {
        int decision = precopy_decide(handle);
        FUZZ_CHECK(decision >= PRECOPY_ERROR && decision <= PRECOPY_STOP, "decide %d", decision);
        for (int which = 0; which <= 4; ++which) (void)precopy_estimate(handle, which);
        break;
      }
      default: precopy_set_clock(handle, read_fuzz_clock, &clock); break;
    }
  }
  precopy_destroy(handle);
}

// Mode 3: no handle at all (a toolstack that failed to create one still passes callbacks.data).
void null_handle(FuzzedDataProvider& in) {
  for (int step = 0; step < 64 && in.remaining_bytes() > 0; ++step) {
    struct precopy_stats stats = {};
    stats.iteration = pick_iteration(in, 0);
    stats.dirty_count = pick_dirty_count(in, 1000);
    int decision = precopy_xen_policy(stats, nullptr);
    FUZZ_CHECK(decision == xen_rule(stats.iteration, stats.dirty_count), "NULL handle: %d", decision);
    decision = precopy_xen_policy_peeked(stats, pick_dirty_count(in, 1000), nullptr);
    FUZZ_CHECK(decision == xen_rule(stats.iteration, stats.dirty_count), "NULL handle, peeked: %d", decision);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  precopy::fuzz::silence_library_logger();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  precopy::fuzz::reset_library_log_level();
  FuzzedDataProvider in(data, size);
  switch (in.ConsumeIntegralInRange<int>(0, 4)) {
    case 0:
    case 1:
    case 2: follow_the_protocol(in); break;
    case 3: arbitrary_calls(in); break;
    default: null_handle(in); break;
  }
  return 0;
}
