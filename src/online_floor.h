// The online floor: how close to the oracle any stopping rule can stay on a trace, given that it cannot
// tell the trace from a guest that looked the same so far and then never changed.
//
// The oracle knows the future; a policy sees only the rounds so far. Up to round r a trace is identical
// to its plateau twin from round r: a guest that, from then on, dirties every round exactly what round r
// left, at round r's pace (a writer in balance with the link, a working set that stays full). A policy
// must take the same decisions on both until it has seen round r+1. So on the pair {trace, twin} no
// policy can keep J / J_oracle below
//   F_r = min( min_{s <= r} max(rho_trace(s), rho_twin(s)),        -- stop by round r: the same stop on both
//              max(min_{s > r} rho_trace(s), min_{s > r} rho_twin(s)) ) -- go on: the best of each after r
// where rho(s) is J after stopping at round s over that trace's oracle J. The floor of a trace is the
// largest F_r. A target "J / J_oracle <= x on every trace" that a trace's floor exceeds can only be met
// there by a policy that is worse than the floor on the twin: by betting on which of the two it faces.
#ifndef PRECOPY_ONLINE_FLOOR_H_
#define PRECOPY_ONLINE_FLOOR_H_

#include <cstdint>
#include <vector>

#include "precopy/trace.h"

namespace precopy {

// Twins are made from the first rounds only, so the analysis of a hostile 100,000-round trace stays fast.
inline constexpr uint32_t kMaxTwinRound = 64;

// The trace's rounds 1..round, then rounds round+1..K (K: the trace's length) that each send what round
// `round` left, at that round's seconds per page, and leave the same count. Peeks in rounds after
// `round` are dropped. Requires 1 <= round < K, and round `round` to have sent pages in measurable time.
Trace plateau_twin(const Trace& trace, uint32_t round);

// Whether plateau_twin(trace, round) is defined: round r left pages dirty (else the migration is over)
// and sent pages in measurable time (else it has no pace).
bool has_plateau_twin(const Trace& trace, uint32_t round);

// The rounds r whose twins the analysis uses: 1..min(K - 1, kMaxTwinRound), where the twin is defined.
std::vector<uint32_t> plateau_twin_rounds(const Trace& trace);

struct OnlineFloor {
  double ratio = 1;         // no policy keeps J / J_oracle below this on both the trace and the twin
  uint32_t twin_round = 0;  // the r whose twin sets it (0: no twin, the floor is the trivial 1)
};

// The largest F_r over the twins of rounds 1..min(K - 1, kMaxTwinRound), for J = total_time + weight x
// downtime with `fixed_downtime_s` added to every stop (as in outcome_after).
OnlineFloor online_floor(const Trace& trace, double weight, double fixed_downtime_s = 0);

}  // namespace precopy

#endif  // PRECOPY_ONLINE_FLOOR_H_
