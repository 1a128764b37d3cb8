// The page-level pre-copy simulator: see include/precopy/simulator.h and docs/simulator.md.
#include "precopy/simulator.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "text.h"
#include "units.h"
#include "workload.h"

namespace precopy {
namespace {

// Bumped whenever a change to the simulator or a built-in workload changes the traces it makes, so that
// a trace says which model produced it.
constexpr int kSimulatorModelVersion = 1;

// Purposes of the random streams derived from the user's seed.
constexpr uint64_t kWorkloadStream = 1;
constexpr uint64_t kPageStream = 2;

constexpr uint32_t kMaxCurveSamples = 32;

// For every page, the last round that dirtied it (0: none yet). A round's dirty set is the pages stamped
// with its number, so a page written many times in a round is counted once, and nothing has to be cleared
// between rounds. Two bytes per page: 8 MiB for a 16 GiB guest.
class DirtyTracker {
 public:
  explicit DirtyTracker(uint64_t pages) : stamp_(pages, 0) {}

  // Dirties, in `round`, each page of `region` with probability 1 - exp(-writes_per_page), independently:
  // the chance that a page receiving Poisson(writes_per_page) writes receives at least one. Returns the
  // number of pages newly dirty in this round.
  uint64_t mark(const WriteRegion& region, uint16_t round, sim::Rng& rng) {
    const double writes_per_page = region.writes_per_page;
    if (region.page_count == 0 || !(writes_per_page > 0)) return 0;
    const uint64_t end = region.first_page + region.page_count;
    // Past 40 expected writes a page is missed with probability e^-40 (4e-18): every page is written.
    if (writes_per_page > 40) return mark_all(region.first_page, region.page_count, round);
    if (writes_per_page < kSparseBelow) {
      // Sparse: jump from written page to written page. The number of unwritten pages before the next
      // written one is geometric, P(gap >= g) = exp(-writes_per_page * g): floor(Exp(1) / writes_per_page).
      const double mean_gap_scale = 1 / writes_per_page;
      uint64_t fresh = 0;
      uint64_t page = region.first_page;
      while (true) {
        const double gap = rng.exponential() * mean_gap_scale;
        if (gap >= static_cast<double>(end - page)) break;
        page += static_cast<uint64_t>(gap);
        fresh += stamp_[page] != round;
        stamp_[page] = round;
        ++page;
      }
      return fresh;
    }
    if (writes_per_page <= kDenseAbove) {
      return mark_bernoulli(region.first_page, region.page_count, -std::expm1(-writes_per_page), round, rng);
    }
    // Dense: jump from unwritten page to unwritten page and dirty every page in between. A page is missed
    // with probability p = exp(-writes_per_page); the run of written pages before the next miss is
    // geometric with P(run >= r) = (1 - p)^r.
    const double run_scale = -1 / std::log1p(-std::exp(-writes_per_page));
    uint64_t fresh = 0;
    uint64_t page = region.first_page;
    while (page < end) {
      const double run = rng.exponential() * run_scale;
      const uint64_t count = run >= static_cast<double>(end - page) ? end - page : static_cast<uint64_t>(run);
      fresh += mark_all(page, count, round);
      page += count + 1;  // past the missed page
    }
    return fresh;
  }

 private:
  // Where each way of drawing pages is cheapest: jumping costs a logarithm per page drawn (or missed),
  // drawing 64 pages at a time costs about a nanosecond per page whatever the probability.
  static constexpr double kSparseBelow = 0.08;  // P(written) < 8%: jump between written pages
  static constexpr double kDenseAbove = 2.5;    // P(missed) < 8%: jump between missed pages

  // Dirties each page of [first, first + count) with probability `probability` (rounded to a multiple of
  // 2^-20, far finer than the noise of any count it affects), 64 pages at a time: a word whose bits are
  // each set with that probability is built from 20 random words, one per binary digit of the
  // probability, least significant first (AND with a random word halves a bit's chance, OR adds a half).
  uint64_t mark_bernoulli(uint64_t first, uint64_t count, double probability, uint16_t round, sim::Rng& rng) {
    constexpr int kDigits = 20;
    const auto fixed_point = static_cast<uint32_t>(std::llround(probability * (1 << kDigits)));
    if (fixed_point == 0) return 0;
    if (fixed_point >= (1u << kDigits)) return mark_all(first, count, round);
    const int lowest_digit = std::countr_zero(fixed_point);  // below it the word would stay 0
    uint64_t fresh = 0;
    for (uint64_t done = 0; done < count; done += 64) {
      uint64_t chosen = 0;
      for (int digit = lowest_digit; digit < kDigits; ++digit) {
        const uint64_t random = rng.next();
        chosen = ((fixed_point >> digit) & 1) ? (chosen | random) : (chosen & random);
      }
      const uint64_t lanes = std::min<uint64_t>(64, count - done);
      uint16_t* stamp = stamp_.data() + first + done;
      for (uint64_t lane = 0; lane < lanes; ++lane) {  // branch-free
        const uint16_t hit = static_cast<uint16_t>((chosen >> lane) & 1);
        fresh += hit & static_cast<uint16_t>(stamp[lane] != round);
        stamp[lane] = hit ? round : stamp[lane];
      }
    }
    return fresh;
  }

  uint64_t mark_all(uint64_t first, uint64_t count, uint16_t round) {
    uint16_t* stamp = stamp_.data() + first;
    uint64_t fresh = 0;
    for (uint64_t i = 0; i < count; ++i) {  // branch-free, so the compiler vectorises it
      fresh += stamp[i] != round;
      stamp[i] = round;
    }
    return fresh;
  }

  std::vector<uint16_t> stamp_;
};

std::string number_text(double value) {
  std::ostringstream text;
  text.precision(12);
  text << value;
  return text.str();
}

}  // namespace

void validate(const SimulationConfig& config) {
  auto bad = [](const std::string& field, const std::string& why) {
    throw std::invalid_argument("simulation " + field + ": " + why);
  };
  if (config.memory_pages == 0 || config.memory_pages > kMaxSimulatedPages) {
    bad("memory_pages", std::to_string(config.memory_pages) + " is not in 1.." + std::to_string(kMaxSimulatedPages));
  }
  if (config.page_size < 512 || config.page_size > (1u << 30) || (config.page_size & (config.page_size - 1)) != 0) {
    bad("page_size", std::to_string(config.page_size) + " is not a power of two in 512..1GiB");
  }
  if (!std::isfinite(config.bandwidth_bytes_per_s) || config.bandwidth_bytes_per_s < 1) {
    bad("bandwidth", number_text(config.bandwidth_bytes_per_s) + " bytes/s is not a finite rate of at least 1 B/s");
  }
  if (config.rounds < 1 || config.rounds > kMaxSimulatedRounds) {
    bad("rounds", std::to_string(config.rounds) + " is not in 1.." + std::to_string(kMaxSimulatedRounds));
  }
  if (!std::isfinite(config.round_overhead_s) || config.round_overhead_s < 0 || config.round_overhead_s > 3600) {
    bad("round_overhead", number_text(config.round_overhead_s) + " s is not in 0..3600 s");
  }
  if (config.floor_pages > config.memory_pages) {
    bad("floor_pages", std::to_string(config.floor_pages) + " is more than the guest's " +
                           std::to_string(config.memory_pages) + " pages");
  }
  if (config.curve_samples > kMaxCurveSamples) {
    bad("curve_samples", std::to_string(config.curve_samples) + " is more than " + std::to_string(kMaxCurveSamples));
  }
}

Trace simulate(const SimulationConfig& config, Workload& workload) {
  validate(config);
  const SimulationContext context{config.memory_pages, config.page_size,
                                  config.bandwidth_bytes_per_s / config.page_size};
  workload.start(context, sim::derive_seed(config.seed, kWorkloadStream));
  sim::Rng rng(sim::derive_seed(config.seed, kPageStream));
  DirtyTracker tracker(config.memory_pages);

  Trace trace;
  trace.name = workload.spec();
  trace.memory_pages = config.memory_pages;
  trace.page_size = config.page_size;
  trace.bandwidth_bytes_per_s = config.bandwidth_bytes_per_s;
  // The writer puts four keys on a line: the guest and link first, then where the trace came from.
  trace.set("memory_pages", std::to_string(config.memory_pages));
  trace.set("page_size", std::to_string(config.page_size));
  trace.set("bandwidth_bytes_per_s", format_number(config.bandwidth_bytes_per_s));
  trace.set("link", units::format_bit_rate(config.bandwidth_bytes_per_s));
  trace.set("source", "simulator");
  trace.set("workload", std::string(workload.name()));
  trace.set("seed", std::to_string(config.seed));
  trace.set("simulator_version", std::to_string(kSimulatorModelVersion));
  trace.set("workload_spec", workload.spec());
  trace.set("memory", units::format_size(config.memory_pages * config.page_size));
  trace.set("rounds_simulated", std::to_string(config.rounds));
  trace.set("round_overhead_s", format_number(config.round_overhead_s));
  trace.set("curve_samples", std::to_string(config.curve_samples));
  trace.set("curve_rounds", std::to_string(config.curve_rounds));
  // Only where there is one, so that the traces made without a floor stay as they were.
  if (config.floor_pages > 0) trace.set("floor_pages", std::to_string(config.floor_pages));
  for (const auto& [key, value] : workload.resolved_parameters()) trace.set(key, value);

  std::vector<WriteRegion> regions;
  // Past 40 expected writes every page of a region is written (DirtyTracker::mark).
  const WriteRegion floor{config.memory_pages - config.floor_pages, config.floor_pages, 41};
  double clock = 0;  // seconds since the migration started
  uint64_t to_send = config.memory_pages;
  for (uint32_t round = 1; round <= config.rounds; ++round) {
    const double seconds =
        static_cast<double>(to_send) * config.page_size / config.bandwidth_bytes_per_s + config.round_overhead_s;
    const bool sampled = config.curve_samples > 0 && round <= config.curve_rounds;
    const uint32_t pieces = sampled ? config.curve_samples : 1;
    uint64_t dirty = 0;
    double piece_begin = 0;
    for (uint32_t piece = 1; piece <= pieces; ++piece) {
      const double piece_end = piece == pieces ? seconds : std::ldexp(seconds, -static_cast<int>(pieces - piece));
      regions.clear();
      if (piece == 1 && floor.page_count > 0) regions.push_back(floor);
      workload.writes(clock + piece_begin, clock + piece_end, regions);
      for (const WriteRegion& region : regions) {
        if (region.first_page > config.memory_pages || region.page_count > config.memory_pages - region.first_page) {
          throw std::logic_error("workload " + std::string(workload.name()) + " wrote pages " +
                                 std::to_string(region.first_page) + "+" + std::to_string(region.page_count) +
                                 " outside memory (" + std::to_string(config.memory_pages) + " pages)");
        }
        dirty += tracker.mark(region, static_cast<uint16_t>(round), rng);
      }
      if (sampled) trace.curve.push_back({round, piece_end, dirty});
      piece_begin = piece_end;
    }
    trace.rounds.push_back({round, dirty, seconds, to_send});
    clock += seconds;
    to_send = dirty;
    if (dirty == 0) break;  // nothing left to send: pre-copy is over
  }
  return trace;
}

Trace simulate(const SimulationConfig& config, std::string_view workload_spec) {
  validate(config);  // before building the workload, so a bad config is reported first
  std::unique_ptr<Workload> workload = make_workload(workload_spec);
  return simulate(config, *workload);
}

}  // namespace precopy
