// A guest whose dirty rate fell during the newest round: when the dirty curve's guess gives way to the
// newest round's own rate.
//
// One dirty curve f (increasing, concave, f(0) = 0) cannot have a window dirty pages at a clearly lower
// rate than a longer window before it, nor leave clearly fewer pages than a shorter one. When the newest
// round does either against the round before it, the guest's rate fell during it: a burst ended, a
// phase changed. The curve, learnt from the busier phase's rounds, still expects their counts for the
// next round; the newest round's own rate (the constant-rate line through it) is then the better guess,
// if the guest's phases last longer than a round. On a guest whose count merely jitters, a low count is
// chance and the next round is back at the level. So each such line is scored against the round that
// follows, beside the curve's guess for it, and trusted only while its record on this guest is at least
// as good as the curve's: the first fall is taken at its word, a fall that did not last is not trusted
// again until a later one makes up for it. O(1) state, no allocation.
#ifndef PRECOPY_FALLING_RATE_H_
#define PRECOPY_FALLING_RATE_H_

#include <cmath>
#include <optional>

namespace precopy {

// A dirty count is noisy by about its square root (pages written at random): beyond twice that, two
// counts differ.
inline bool clearly_fewer(double count, double reference) { return count < reference - 2 * std::sqrt(reference); }
inline bool clearly_more(double count, double reference) { return count > reference + 2 * std::sqrt(reference); }

class FallingRate {
 public:
  // Round k is done: `seconds` long, `pages` left dirty. Scores the guesses kept for it (forecast()),
  // then learns whether its rate fell.
  void add_round(double seconds, double pages);

  // The guess for a round of `seconds` after the newest one, given the curve's: the newest round's
  // constant-rate line where its rate fell, the line is lower and trusted; else the curve's guess.
  double guess(double seconds, double curve_guess) const;

  // Keeps the curve's guess and the line for the round about to run (`seconds` is its predicted
  // length), to score them when it is done. A no-op unless the rate fell and the line is lower.
  void forecast(double seconds, double curve_guess);

  // Whether the newest round's rate fell, and whether such lines are trusted on this guest.
  bool fell() const { return fell_; }
  bool trusted() const { return record_ >= 0; }

 private:
  // The newest round's constant-rate line at `seconds`, after a fall and for a shorter window.
  std::optional<double> line(double seconds) const;

  double newest_seconds_ = 0;
  double newest_pages_ = 0;
  bool has_round_ = false;
  bool fell_ = false;
  struct Forecast {
    double curve;
    double line;
  };
  std::optional<Forecast> pending_;  // the guesses for the round in flight
  double record_ = 0;                // sum over scored rounds: the curve's log error minus the line's
};

}  // namespace precopy

#endif  // PRECOPY_FALLING_RATE_H_
