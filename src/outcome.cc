#include <limits>
#include <stdexcept>
#include <string>

#include "precopy/replay.h"

namespace precopy {

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
  const Round& last = trace.rounds[stop_round - 1];
  Outcome o;
  o.trace = trace.name;
  o.live_rounds = stop_round;
  o.bandwidth_bytes_per_s = trace.bandwidth_bytes_per_s
                                ? *trace.bandwidth_bytes_per_s
                                : static_cast<double>(pages) * trace.page_size / seconds;
  // A trace without a link rate whose rounds all took 0 s has no measurable bandwidth; the parser refuses
  // a zero-length round 1 in that case, so B is finite and positive here.
  double transfer = static_cast<double>(last.dirty_pages) * trace.page_size / o.bandwidth_bytes_per_s;
  o.downtime_s = transfer + trace.fixed_downtime_s + fixed_downtime_s;
  o.total_time_s = seconds + o.downtime_s;
  o.pages_sent = pages + last.dirty_pages;
  o.bytes_sent = o.pages_sent * trace.page_size;
  o.objective = o.total_time_s + downtime_weight * o.downtime_s;
  return o;
}

}  // namespace precopy
