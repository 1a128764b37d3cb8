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
  std::size_t next_ = 0;  // ring position of the next insertion once full
};

}  // namespace precopy

#endif  // PRECOPY_DIRTY_CURVE_H_
