#include <limits>
#include <stdexcept>
#include <string>

#include "precopy/replay.h"

namespace precopy {

namespace {

// The outcome of stopping after round `stop_round`, given the sums of seconds and pages over rounds
// 1..stop_round (added in round order, so every caller gets the same bits).
Outcome outcome_from_sums(const Trace& trace, uint32_t stop_round, double seconds, uint64_t pages,
                          double downtime_weight, double fixed_downtime_s) {
  const Round& last = trace.rounds[stop_round - 1];
  Outcome o;
  o.trace = trace.name;
  o.live_rounds = stop_round;
  o.bandwidth_bytes_per_s = trace.bandwidth_bytes_per_s
                                ? *trace.bandwidth_bytes_per_s
                                : static_cast<double>(pages) * trace.page_size / seconds;
  // A trace without a link rate must have a round 1 that took time and sent pages (the parser refuses
  // others), so B is finite and positive here.
  double transfer = static_cast<double>(last.dirty_pages) * trace.page_size / o.bandwidth_bytes_per_s;
  o.downtime_s = transfer + trace.fixed_downtime_s + fixed_downtime_s;
  o.total_time_s = seconds + o.downtime_s;
  o.pages_sent = pages + last.dirty_pages;
  o.bytes_sent = o.pages_sent * trace.page_size;
  o.objective = o.total_time_s + downtime_weight * o.downtime_s;
  return o;
}

}  // namespace

Outcome outcome_after(const Trace& trace, uint32_t stop_round, double downtime_weight, double fixed_downtime_s) {
  if (stop_round < 1 || stop_round > trace.rounds.size()) {
    throw std::out_of_range("stop round " + std::to_string(stop_round) + " outside the trace's 1.." +
                            std::to_string(trace.rounds.size()));
  }
  double seconds = 0;
  uint64_t pages = 0;
  for (uint32_t i = 0; i < stop_round; ++i) {
    seconds += trace.rounds[i].seconds;
    pages += trace.rounds[i].pages_sent;
  }
  return outcome_from_sums(trace, stop_round, seconds, pages, downtime_weight, fixed_downtime_s);
}

std::vector<Outcome> outcomes_of_every_stop(const Trace& trace, double downtime_weight, double fixed_downtime_s) {
  std::vector<Outcome> all;
  all.reserve(trace.rounds.size());
  double seconds = 0;
  uint64_t pages = 0;
  for (uint32_t k = 1; k <= trace.rounds.size(); ++k) {
    seconds += trace.rounds[k - 1].seconds;
    pages += trace.rounds[k - 1].pages_sent;
    all.push_back(outcome_from_sums(trace, k, seconds, pages, downtime_weight, fixed_downtime_s));
  }
  return all;
}

}  // namespace precopy
