#include "online_floor.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "precopy/replay.h"

namespace precopy {
namespace {

// J / J_oracle for every stop round 1..K (the oracle without a budget is the least J).
std::vector<double> ratios_to_oracle(const Trace& trace, double weight, double fixed_downtime_s) {
  std::vector<Outcome> stops = outcomes_of_every_stop(trace, weight, fixed_downtime_s);
  double best = std::numeric_limits<double>::infinity();
  for (const Outcome& o : stops) best = std::min(best, o.objective);
  std::vector<double> ratio;
  ratio.reserve(stops.size());
  for (const Outcome& o : stops) ratio.push_back(best > 0 ? o.objective / best : 1.0);
  return ratio;
}

double least(const std::vector<double>& v, std::size_t from, std::size_t to) {
  return *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(to));
}

}  // namespace

bool has_plateau_twin(const Trace& trace, uint32_t round) {
  if (round < 1 || round >= trace.rounds.size()) return false;
  const Round& r = trace.rounds[round - 1];
  return r.dirty_pages > 0 && r.pages_sent > 0 && r.seconds > 0;
}

Trace plateau_twin(const Trace& trace, uint32_t round) {
  if (!has_plateau_twin(trace, round)) {
    throw std::invalid_argument(trace.name + ": no plateau twin from round " + std::to_string(round));
  }
  Trace twin = trace;
  twin.name = trace.name + " (plateau twin from round " + std::to_string(round) + ")";
  const Round& from = trace.rounds[round - 1];
  const double seconds = from.seconds / static_cast<double>(from.pages_sent) * static_cast<double>(from.dirty_pages);
  for (std::size_t k = round; k < twin.rounds.size(); ++k) {
    twin.rounds[k].dirty_pages = from.dirty_pages;
    twin.rounds[k].pages_sent = from.dirty_pages;
    twin.rounds[k].seconds = seconds;
  }
  twin.curve.erase(std::remove_if(twin.curve.begin(), twin.curve.end(),
                                  [round](const CurveSample& s) { return s.round > round; }),
                   twin.curve.end());
  return twin;
}

std::vector<uint32_t> plateau_twin_rounds(const Trace& trace) {
  std::vector<uint32_t> rounds;
  const std::size_t last = std::min<std::size_t>(trace.rounds.size(), kMaxTwinRound + std::size_t{1});
  for (uint32_t r = 1; r < last; ++r) {
    if (has_plateau_twin(trace, r)) rounds.push_back(r);
  }
  return rounds;
}

OnlineFloor online_floor(const Trace& trace, double weight, double fixed_downtime_s) {
  OnlineFloor floor;
  const std::vector<uint32_t> twin_rounds = plateau_twin_rounds(trace);
  if (twin_rounds.empty()) return floor;
  const std::vector<double> own = ratios_to_oracle(trace, weight, fixed_downtime_s);
  for (uint32_t r : twin_rounds) {
    const std::vector<double> twin = ratios_to_oracle(plateau_twin(trace, r), weight, fixed_downtime_s);
    // Stopping at some s <= r: the policy cannot tell the two apart, so it stops at s on both.
    double same_stop = std::numeric_limits<double>::infinity();
    for (uint32_t s = 1; s <= r; ++s) same_stop = std::min(same_stop, std::max(own[s - 1], twin[s - 1]));
    // Going on past r: at best the best stop after r on each.
    const double go_on = std::max(least(own, r, own.size()), least(twin, r, twin.size()));
    const double f = std::min(same_stop, go_on);
    if (f > floor.ratio) floor = {f, r};
  }
  return floor;
}

}  // namespace precopy
