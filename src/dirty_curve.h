// The dirty curve f(t): how many distinct pages a guest dirties in a window of t seconds.
//
// Every live round k is one sample (seconds_k, dirty_k) of it, and peeks inside a round (the trace's
// curve section) are more. f is increasing and concave with f(0) = 0 -- a writable working set fills
// up, so short windows see a higher rate than long ones -- and the paper's constant-rate model
// f(t) = R t is the degenerate, straight case. DirtyCurve keeps the latest samples in a fixed-size
// buffer (no allocation) and answers f(t) by interpolating between the two nearest samples in log-log
// space, or beyond them by the saturating curve f(t) = t / (a t + b) through the two nearest: a working
// set of 1/a pages first dirtied at 1/b pages per second, whose local slope in log-log space falls from
// 1 for short windows to 0 once the set is full, as real dirty curves do.
#ifndef PRECOPY_DIRTY_CURVE_H_
#define PRECOPY_DIRTY_CURVE_H_

#include <array>
#include <cstddef>
#include <optional>

namespace precopy {

class DirtyCurve {
 public:
  static constexpr std::size_t kCapacity = 32;

  // Adds the sample f(seconds) = pages. Samples with seconds <= 0 or non-finite values are ignored. A
  // sample at the same window length as an older one replaces it (the newer one is more relevant).
  void add(double seconds, double pages);

  // How to extend the curve below its shortest sample.
  enum class Below {
    kSaturating,     // the saturating curve t / (a t + b) through the two shortest samples: the best guess
    kConstantRate,   // alpha = 1, the straight line through the shortest sample: by concavity the curve
                     // is never below it, so this is the most optimistic prediction the samples allow
  };

  // f(seconds), at most `max_pages`; nullopt before the first sample.
  std::optional<double> predict(double seconds, double max_pages, Below below = Below::kSaturating) const;

  // f(seconds) as predict() has it, but never below what the newest sample implies for one phase of the
  // guest: a guest whose rate changes over time (bursts, phases) leaves samples from several curves, and
  // predict() between them can fall with the window (a long round in a pause beside a short one in a
  // burst) and promise a next round far cleaner than the one just seen. The newest sample is the best
  // evidence of the phase the next round starts in, and one concave curve through it with f(0) = 0 is
  // never below the newest count for a longer window, nor below its constant-rate line for a shorter
  // one. Only from below: the same sample taken in a pause would bound it from above, and a stop must
  // not rest on the pause lasting. The best guess of the predictive policy; not for samples that are not
  // a time series (a forecast's curve file).
  std::optional<double> predict_no_lower_than_newest(double seconds, double max_pages) const;

  // The most f(seconds) can be given the samples, for an increasing concave f with f(0) = 0: no more
  // than any longer window's count, nor than a shorter window's count scaled up linearly.
  std::optional<double> upper_bound(double seconds, double max_pages) const;

  std::size_t size() const { return count_; }

 private:
  struct Sample {
    double seconds;
    double pages;
  };
  std::array<Sample, kCapacity> samples_{};
  std::size_t count_ = 0;
  std::size_t next_ = 0;    // ring position of the next insertion once full
  std::size_t newest_ = 0;  // the sample added last
};

}  // namespace precopy

#endif  // PRECOPY_DIRTY_CURVE_H_
