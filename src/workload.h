// Internals shared by the simulator and its workload models: a small, fully specified random number
// generator (so traces do not depend on the standard library's distribution implementations) and the
// page streams used by allocation-like workloads.
#ifndef PRECOPY_WORKLOAD_H_
#define PRECOPY_WORKLOAD_H_

#include <cmath>
#include <cstdint>
#include <vector>

#include "precopy/simulator.h"

namespace precopy::sim {

// SplitMix64 step: turns consecutive or related seeds into unrelated 64-bit states.
inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Derives the seed of an independent random stream (`stream` names its purpose) from the user's seed,
// so that, e.g., the workload's phase schedule does not shift when the simulator draws more pages.
inline uint64_t derive_seed(uint64_t seed, uint64_t stream) {
  uint64_t state = seed ^ (stream * 0xD1B54A32D192ED03ull);
  splitmix64(state);
  return splitmix64(state);
}

// xoshiro256** (Blackman and Vigna): fast, 256 bits of state, good statistical quality.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t state = seed;
    for (uint64_t& word : state_) word = splitmix64(state);
  }

  uint64_t next() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in (0, 1]: never 0, so its logarithm is finite.
  double uniform_open_zero() { return static_cast<double>((next() >> 11) + 1) * 0x1.0p-53; }

  // Uniform in [low, high).
  double uniform(double low, double high) {
    return low + (high - low) * (static_cast<double>(next() >> 11) * 0x1.0p-53);
  }

  // Exponential with mean 1.
  double exponential() { return -std::log(uniform_open_zero()); }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

// A stream of writes walking through an arena of pages in order, each page written once per pass, and
// wrapping round when it reaches the end (the allocator reusing freed memory). Models freshly allocated
// memory and page-cache fills: unlike random writes, its distinct-page count grows linearly with time
// until the arena is used up.
class PageStream {
 public:
  PageStream() = default;
  PageStream(uint64_t first_page, uint64_t page_count, uint64_t start_offset)
      : first_page_(first_page), page_count_(page_count), position_(page_count ? start_offset % page_count : 0) {}

  // Advances by `pages` (fractions carry over to later calls) and appends the pages written.
  void advance(double pages, std::vector<WriteRegion>& out);

  uint64_t page_count() const { return page_count_; }

 private:
  uint64_t first_page_ = 0;
  uint64_t page_count_ = 0;
  uint64_t position_ = 0;  // next page to write, relative to first_page_
  double carry_ = 0;       // the fractional page not yet written
};

}  // namespace precopy::sim

#endif  // PRECOPY_WORKLOAD_H_
