#include "precopy/replay.h"

#include <xenctrl.h>
#include <xenguest.h>

#include <limits>
#include <stdexcept>

#include "migration.h"
#include "precopy/precopy.h"

namespace precopy {
namespace {

PolicyConfig fill_from_trace(const Trace& trace, PolicyConfig config) {
  if (config.memory_pages == 0) config.memory_pages = trace.memory_pages;
  config.page_size = trace.page_size;
  if (!config.bandwidth_bytes_per_s && trace.bandwidth_bytes_per_s) {
    config.bandwidth_bytes_per_s = trace.bandwidth_bytes_per_s;
  }
  return config;
}

Outcome finish(const Trace& trace, const PolicyConfig& config, Loop loop, uint32_t stop_round, bool converged,
               std::string reason) {
  Outcome o = outcome_after(trace, stop_round, config.downtime_weight, config.fixed_downtime_s);
  o.policy = config.policy;
  o.loop = loop;
  o.converged = converged;
  o.reason = std::move(reason);
  return o;
}

// Running past the end of a trace whose last round dirtied nothing is the natural end of the migration:
// every further round would be empty, so it is a stop after that round.
Outcome ran_off_end(const Trace& trace, const PolicyConfig& config, Loop loop) {
  const uint32_t rounds = static_cast<uint32_t>(trace.rounds.size());
  if (trace.rounds.back().dirty_pages == 0) return finish(trace, config, loop, rounds, true, "nothing left to send");
  return finish(trace, config, loop, rounds, false, "ran off the end of the trace without stopping");
}

Outcome replay_patched(const Trace& trace, const PolicyConfig& config) {
  auto policy = make_policy(config);
  std::size_t next_sample = 0;
  for (const Round& r : trace.rounds) {
    // Peeks taken during this round reach the policy before the round's own count, as in the loop.
    while (next_sample < trace.curve.size() && trace.curve[next_sample].round <= r.round) {
      if (trace.curve[next_sample].round == r.round) policy->observe_curve(trace.curve[next_sample]);
      ++next_sample;
    }
    Verdict v = policy->after_round(r);
    if (v.decision == Decision::kStop) return finish(trace, config, Loop::kPatched, r.round, true, v.reason);
  }
  return ran_off_end(trace, config, Loop::kPatched);
}

// The trace's clock: advanced by each round's recorded seconds while the round is "sent".
uint64_t replay_clock(void* data) { return *static_cast<uint64_t*>(data); }

// Saturates rather than converting an out-of-range double: a trace may hold a round longer than 2^64 ns
// (584 years), and a double-to-uint64_t conversion out of range is undefined behaviour.
void advance_replay_clock(uint64_t& now_ns, double seconds) {
  constexpr uint64_t kEnd = std::numeric_limits<uint64_t>::max();
  const double ns = seconds * 1e9 + 0.5;
  const uint64_t step = ns < 1.8e19 ? static_cast<uint64_t>(ns) : kEnd;
  now_ns = step < kEnd - now_ns ? now_ns + step : kEnd;
}

// send_memory_live() step by step, with precopy_xen_policy as the callback and the trace as the guest; in
// Loop::kStockPeek, precopy_xen_policy_peeked at call B, given the count the round left (a peek at call B
// reads what the bitmap read after it returns, less the pages dirtied in between, which a trace lacks).
Outcome replay_stock(const Trace& trace, const PolicyConfig& config, Loop loop) {
  Settings settings;
  settings.policy = config;
  precopy_t handle(settings);
  uint64_t now_ns = 0;
  handle.set_clock(replay_clock, &now_ns);

  struct precopy_stats stats = {};
  stats.dirty_count = static_cast<long>(trace.memory_pages);
  const uint32_t rounds = static_cast<uint32_t>(trace.rounds.size());
  for (uint32_t x = 0;;) {
    int decision = precopy_xen_policy(stats, &handle);  // call A
    ++x;
    if (x > rounds) return ran_off_end(trace, config, loop);
    if (stats.dirty_count > 0 && decision != XGS_POLICY_ABORT) {
      advance_replay_clock(now_ns, trace.rounds[x - 1].seconds);
    }
    if (decision != XGS_POLICY_CONTINUE_PRECOPY) {
      return finish(trace, config, loop, x, true, "stopped at call A: one more live round, then stop");
    }
    stats.iteration = x;
    stats.total_written += static_cast<unsigned long>(stats.dirty_count);
    stats.dirty_count = -1;
    const long left_dirty = static_cast<long>(trace.rounds[x - 1].dirty_pages);
    decision = loop == Loop::kStockPeek ? precopy_xen_policy_peeked(stats, left_dirty, &handle)
                                        : precopy_xen_policy(stats, &handle);  // call B
    if (decision != XGS_POLICY_CONTINUE_PRECOPY) {
      return finish(trace, config, loop, x, true, handle.decision().reason);
    }
    if (x == rounds) return ran_off_end(trace, config, loop);
    stats.dirty_count = left_dirty;  // the bitmap read after call B
  }
}

}  // namespace

const char* loop_name(Loop loop) {
  switch (loop) {
    case Loop::kPatched: return "patched";
    case Loop::kStock: return "stock";
    case Loop::kStockPeek: return "stock-peek";
  }
  return "?";
}

Outcome replay(const Trace& trace, const PolicyConfig& config, Loop loop) {
  if (trace.rounds.empty()) throw std::invalid_argument(trace.name + ": trace has no rounds");
  PolicyConfig filled = fill_from_trace(trace, config);
  return loop == Loop::kPatched ? replay_patched(trace, filled) : replay_stock(trace, filled, loop);
}

Outcome replay_oracle(const Trace& trace, const PolicyConfig& config) {
  if (trace.rounds.empty()) throw std::invalid_argument(trace.name + ": trace has no rounds");
  PolicyConfig filled = fill_from_trace(trace, config);
  filled.policy = "oracle";
  const std::vector<Outcome> stops = outcomes_of_every_stop(trace, filled.downtime_weight, filled.fixed_downtime_s);
  if (filled.downtime_budget_s) {
    for (const Outcome& o : stops) {
      if (o.downtime_s <= *filled.downtime_budget_s) {
        return finish(trace, filled, Loop::kPatched, o.live_rounds, true,
                      "earliest round whose downtime fits the budget");
      }
    }
  }
  const Outcome* best = &stops[0];
  for (const Outcome& o : stops) {
    if (o.objective < best->objective) best = &o;
  }
  return finish(trace, filled, Loop::kPatched, best->live_rounds, true,
                filled.downtime_budget_s ? "no round fits the budget: minimum J" : "minimum J");
}

Outcome replay_named(const Trace& trace, const PolicyConfig& config, Loop loop) {
  if (config.policy == "oracle") return replay_oracle(trace, config);
  return replay(trace, config, loop);
}

}  // namespace precopy
