// Fuzz target: replay of every policy, in both save loops, on any trace the parser accepts.
//
// The parser target proves what a trace may hold; this one proves that everything downstream (the
// policies' arithmetic, the stock-loop emulation through precopy_xen_policy, the outcome model, the
// oracle) copes with all of it: huge and tiny numbers, zero-length rounds, a single round, 100000
// rounds. A trace header may carry policy settings under their config names (max_rounds=3;
// downtime_budget_ms=300; ...), so the fuzzer varies the configuration through the text as well.
//
// Checked for every (policy, loop): the stop round is within 1..K; downtime and total time are not
// NaN and not negative; total time covers the live rounds; pages and bytes add up where they cannot
// overflow; and the oracle is never beaten: with no budget (or none fitting) nobody has a smaller J,
// and with a budget nobody stops earlier and still fits it.
//
// And the online floor (src/online_floor.h): every policy, in either loop, is at least the floor times
// the least J on the trace or on the plateau twin that sets it. That is the floor's claim, checked
// against every policy on every input.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "config.h"
#include "fuzz_support.h"
#include "online_floor.h"
#include "precopy/replay.h"
#include "precopy/trace.h"

namespace {

// Settings a trace header may override for this target (the rest keep their defaults).
const char* const kSettingKeys[] = {"threshold_pages", "max_rounds",        "initial_rounds",
                                    "downtime_budget_ms", "downtime_limit_ms", "downtime_weight",
                                    "fixed_downtime_ms"};

precopy::PolicyConfig config_from_header(const precopy::Trace& trace) {
  precopy::Settings settings;
  for (const char* key : kSettingKeys) {
    auto value = trace.get(key);
    if (!value) continue;
    try {
      precopy::apply_setting(settings, key, *value);
    } catch (const std::invalid_argument&) {
      // A bad value in the header is ignored: this target is about replay, not config parsing.
    }
  }
  return settings.policy;
}

// True when Σ pages and pages × page_size cannot wrap around 2^64 for this trace.
bool sums_fit_in_64_bits(const precopy::Trace& trace) {
  const double most_pages = static_cast<double>(trace.memory_pages) * static_cast<double>(trace.rounds.size() + 1);
  return most_pages * trace.page_size < 1.8e19;
}

void check_outcome(const precopy::Trace& trace, const precopy::Outcome& o, const char* what) {
  const uint32_t rounds = static_cast<uint32_t>(trace.rounds.size());
  FUZZ_CHECK(o.live_rounds >= 1 && o.live_rounds <= rounds, "%s: stop round %u of %u", what, o.live_rounds, rounds);
  FUZZ_CHECK(!std::isnan(o.downtime_s) && o.downtime_s >= 0, "%s: downtime %g", what, o.downtime_s);
  double live_seconds = 0;
  uint64_t live_pages = 0;
  for (uint32_t i = 0; i < o.live_rounds; ++i) {
    live_seconds += trace.rounds[i].seconds;
    live_pages += trace.rounds[i].pages_sent;
  }
  FUZZ_CHECK(!std::isnan(o.total_time_s) && o.total_time_s >= live_seconds, "%s: total %g < live %g", what,
             o.total_time_s, live_seconds);
  if (sums_fit_in_64_bits(trace)) {
    FUZZ_CHECK(o.pages_sent == live_pages + trace.rounds[o.live_rounds - 1].dirty_pages, "%s: pages %llu", what,
               static_cast<unsigned long long>(o.pages_sent));
    FUZZ_CHECK(o.pages_sent >= trace.rounds[0].pages_sent, "%s: sent less than round 1", what);
    FUZZ_CHECK(o.bytes_sent == o.pages_sent * trace.page_size, "%s: bytes %llu", what,
               static_cast<unsigned long long>(o.bytes_sent));
  }
}

// The oracle's J without a budget: the least J over every stop round, which the floor is relative to.
double least_objective(const precopy::Trace& trace, precopy::PolicyConfig c) {
  c.downtime_budget_s.reset();
  return precopy::replay_oracle(trace, c).objective;
}

void check_online_floor(const precopy::Trace& trace, const precopy::PolicyConfig& base) {
  const precopy::OnlineFloor floor = precopy::online_floor(trace, base.downtime_weight, base.fixed_downtime_s);
  FUZZ_CHECK(!(floor.ratio < 1), "floor %.17g below 1", floor.ratio);
  if (floor.twin_round == 0) return;
  FUZZ_CHECK(floor.twin_round < trace.rounds.size() && precopy::has_plateau_twin(trace, floor.twin_round),
             "floor from round %u of %zu without a twin", floor.twin_round, trace.rounds.size());
  const precopy::Trace twin = precopy::plateau_twin(trace, floor.twin_round);
  const double least_trace = least_objective(trace, base);
  const double least_twin = least_objective(twin, base);
  if (!(least_trace > 0) || !(least_twin > 0) || !std::isfinite(least_trace) || !std::isfinite(least_twin)) return;
  for (const std::string& name : precopy::policy_names()) {
    precopy::PolicyConfig config = base;
    config.policy = name;
    for (precopy::Loop loop : {precopy::Loop::kPatched, precopy::Loop::kStock, precopy::Loop::kStockPeek}) {
      const precopy::Outcome on_trace = precopy::replay(trace, config, loop);
      const precopy::Outcome on_twin = precopy::replay(twin, config, loop);
      const std::string what = name + "/" + precopy::loop_name(loop) + " on the twin";
      check_outcome(twin, on_twin, what.c_str());
      const double worst = std::max(on_trace.objective / least_trace, on_twin.objective / least_twin);
      if (std::isnan(worst)) continue;
      FUZZ_CHECK(worst >= floor.ratio * (1 - 1e-9), "%s: %.17g on the pair, below the floor %.17g (twin from %u)",
                 what.c_str(), worst, floor.ratio, floor.twin_round);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  precopy::fuzz::silence_library_logger();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  precopy::fuzz::reset_library_log_level();
  precopy::Trace trace;
  try {
    trace = precopy::parse_trace_string(std::string(reinterpret_cast<const char*>(data), size), "fuzz-input");
  } catch (const precopy::TraceError&) {
    return 0;  // the parser target checks the errors
  }
  const precopy::PolicyConfig base = config_from_header(trace);
  const precopy::Outcome oracle = precopy::replay_oracle(trace, base);
  check_outcome(trace, oracle, "oracle");
  const bool oracle_fits_budget = base.downtime_budget_s && oracle.downtime_s <= *base.downtime_budget_s;

  for (const std::string& name : precopy::policy_names()) {
    precopy::PolicyConfig config = base;
    config.policy = name;
    for (precopy::Loop loop : {precopy::Loop::kPatched, precopy::Loop::kStock, precopy::Loop::kStockPeek}) {
      const precopy::Outcome o = precopy::replay(trace, config, loop);
      const std::string what = name + "/" + precopy::loop_name(loop);
      check_outcome(trace, o, what.c_str());
      if (oracle_fits_budget) {
        FUZZ_CHECK(!(o.downtime_s <= *base.downtime_budget_s && o.live_rounds < oracle.live_rounds),
                   "%s stops after round %u within the budget, before the oracle's %u", what.c_str(), o.live_rounds,
                   oracle.live_rounds);
      } else if (!std::isnan(o.objective) && !std::isnan(oracle.objective)) {
        FUZZ_CHECK(oracle.objective <= o.objective, "%s: J %.17g beats the oracle's %.17g", what.c_str(), o.objective,
                   oracle.objective);
      }
    }
    // With the count peeked at call B a predicting policy decides as the patched loop does after the
    // bitmap read, which then sees no peeks inside rounds either: on a trace whose rounds send what the
    // stock loop sends (round 1 all of memory, then what the round before left dirty), in times its
    // nanosecond clock gives back exactly (whole nanoseconds, far from where the clock saturates).
    bool sends_as_stock_xen = trace.rounds[0].pages_sent == trace.memory_pages;
    for (std::size_t k = 0; k < trace.rounds.size(); ++k) {
      const double s = trace.rounds[k].seconds;
      const bool clock_exact = s < 1e9 && static_cast<double>(std::llround(s * 1e9)) / 1e9 == s;
      sends_as_stock_xen = sends_as_stock_xen && clock_exact &&
                           (k == 0 || trace.rounds[k].pages_sent == trace.rounds[k - 1].dirty_pages);
    }
    if (name == "predictive" && sends_as_stock_xen) {
      precopy::Trace without_peeks = trace;
      without_peeks.curve.clear();
      const precopy::Outcome patched = precopy::replay(without_peeks, config, precopy::Loop::kPatched);
      const precopy::Outcome peeked = precopy::replay(trace, config, precopy::Loop::kStockPeek);
      FUZZ_CHECK(patched.live_rounds == peeked.live_rounds && patched.converged == peeked.converged,
                 "predictive: patched without peeks stops after %u, stock-peek after %u", patched.live_rounds,
                 peeked.live_rounds);
    }
    // Xen's rule gives the same stop whichever loop drives it (see policy_xen.cc).
    if (name == "xen") {
      const precopy::Outcome patched = precopy::replay(trace, config, precopy::Loop::kPatched);
      const precopy::Outcome stock = precopy::replay(trace, config, precopy::Loop::kStock);
      FUZZ_CHECK(patched.live_rounds == stock.live_rounds && patched.converged == stock.converged,
                 "xen: patched stops after %u, stock after %u", patched.live_rounds, stock.live_rounds);
    }
  }
  check_online_floor(trace, base);
  return 0;
}
