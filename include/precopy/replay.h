// Exact replay of a recorded trace under a stopping policy, and the offline optimum.
#ifndef PRECOPY_REPLAY_H_
#define PRECOPY_REPLAY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "precopy/policy.h"
#include "precopy/trace.h"

namespace precopy {

// Which save loop the policy is driven by.
//  kPatched: the decision is taken after each round's dirty bitmap is read (xen-patches/).
//  kStock:   libxenguest's send_memory_live() protocol: call A before each round with the dirty count
//            (a stop there still sends that round live), call B after it with dirty_count = -1.
//  kStockPeek: the same protocol, with the round's dirty count peeked at call B
//            (precopy_xen_policy_peeked), as libprecopy_preload does on stock Xen.
enum class Loop { kPatched, kStock, kStockPeek };

struct Outcome {
  std::string trace;
  std::string policy;
  Loop loop = Loop::kPatched;
  uint32_t live_rounds = 0;  // stop-and-copy follows this round
  double total_time_s = 0;
  double downtime_s = 0;
  uint64_t pages_sent = 0;
  uint64_t bytes_sent = 0;
  double bandwidth_bytes_per_s = 0;  // the B used for downtime
  double objective = 0;              // J = total_time + w * downtime
  bool converged = true;             // false: the policy ran off the end of the trace without stopping
  std::string reason;
};

// The outcome of stopping after live round `stop_round` (1..K), by the model in docs/model.md.
// `fixed_downtime_s` adds to the trace's own fixed part.
Outcome outcome_after(const Trace& trace, uint32_t stop_round, double downtime_weight,
                      double fixed_downtime_s = 0);

// outcome_after(trace, k, ...) for every k = 1..K at once, in O(K).
std::vector<Outcome> outcomes_of_every_stop(const Trace& trace, double downtime_weight, double fixed_downtime_s = 0);

// Replays `trace` under the policy named in `config`. The trace must hold at least one round.
// Policy config fields left at 0 (memory_pages, bandwidth) are filled from the trace.
Outcome replay(const Trace& trace, const PolicyConfig& config, Loop loop = Loop::kPatched);

// The offline optimum: with a downtime budget, the earliest round whose downtime fits it; otherwise
// (or if none fits) the round minimising J = total_time + w * downtime.
Outcome replay_oracle(const Trace& trace, const PolicyConfig& config);

// "oracle" or any make_policy() name.
Outcome replay_named(const Trace& trace, const PolicyConfig& config, Loop loop = Loop::kPatched);

const char* loop_name(Loop loop);

}  // namespace precopy

#endif  // PRECOPY_REPLAY_H_
