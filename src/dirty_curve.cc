#include "dirty_curve.h"

#include <algorithm>
#include <cmath>

namespace precopy {
namespace {

double power_law(double t_from, double d_from, double alpha, double t) {
  if (d_from <= 0) return 0;
  return d_from * std::pow(t / t_from, alpha);
}

// The saturating curve f(t) = t / (a t + b) -- a working set of 1/a pages first dirtied at 1/b pages per
// second -- through two samples, evaluated at t. It is the constant-rate model when a = 0 and a full
// working set when b = 0; samples that would need a < 0 (steeper than linear) or a falling curve are
// outside what a dirty curve can be, and get the straight line or the flat one instead.
double saturating(double t0, double d0, double t1, double d1, double t) {
  if (d0 <= 0 || d1 <= 0 || !(t1 > t0 * (1 + 1e-9))) return power_law(t0, d0, 1.0, t);
  if (d1 <= d0) return d0;
  double b = (1 / d0 - 1 / d1) / (1 / t0 - 1 / t1);
  double a = 1 / d0 - b / t0;
  if (a < 0) return power_law(t0, d0, 1.0, t);
  return t / (a * t + b);
}

}  // namespace

void DirtyCurve::add(double seconds, double pages) {
  if (!std::isfinite(seconds) || !std::isfinite(pages) || seconds <= 0 || pages < 0) return;
  for (std::size_t i = 0; i < count_; ++i) {
    if (std::fabs(samples_[i].seconds - seconds) <= 1e-9 * seconds) {
      samples_[i].pages = pages;
      newest_ = i;
      return;
    }
  }
  if (count_ < kCapacity) {
    newest_ = count_;
    samples_[count_++] = {seconds, pages};
  } else {
    newest_ = next_;
    samples_[next_] = {seconds, pages};
    next_ = (next_ + 1) % kCapacity;
  }
}

std::optional<double> DirtyCurve::predict(double t, double max_pages, Below below_mode) const {
  if (count_ == 0 || !std::isfinite(t)) return std::nullopt;
  if (t <= 0) return 0.0;
  // The nearest samples on each side of t, and the two smallest and two largest windows.
  const Sample* below = nullptr;
  const Sample* above = nullptr;
  const Sample* small1 = nullptr;
  const Sample* small2 = nullptr;
  const Sample* large1 = nullptr;
  const Sample* large2 = nullptr;
  for (std::size_t i = 0; i < count_; ++i) {
    const Sample* s = &samples_[i];
    if (s->seconds <= t && (!below || s->seconds > below->seconds)) below = s;
    if (s->seconds >= t && (!above || s->seconds < above->seconds)) above = s;
    if (!small1 || s->seconds < small1->seconds) {
      small2 = small1;
      small1 = s;
    } else if (!small2 || s->seconds < small2->seconds) {
      small2 = s;
    }
    if (!large1 || s->seconds > large1->seconds) {
      large2 = large1;
      large1 = s;
    } else if (!large2 || s->seconds > large2->seconds) {
      large2 = s;
    }
  }
  double pages;
  if (below && above) {
    if (above->seconds <= below->seconds * (1 + 1e-12)) {
      pages = below->pages;
    } else if (below->pages <= 0 || above->pages <= 0) {
      double f = (t - below->seconds) / (above->seconds - below->seconds);
      pages = below->pages + f * (above->pages - below->pages);
    } else {
      double alpha = std::log(above->pages / below->pages) / std::log(above->seconds / below->seconds);
      pages = power_law(below->seconds, below->pages, alpha, t);
    }
  } else if (above) {  // t is shorter than every sample: extend the saturating curve through the short end
    pages = small2 && below_mode == Below::kSaturating
                ? saturating(small1->seconds, small1->pages, small2->seconds, small2->pages, t)
                : power_law(small1->seconds, small1->pages, 1.0, t);
  } else {  // t is longer than every sample
    pages = large2 ? saturating(large2->seconds, large2->pages, large1->seconds, large1->pages, t)
                   : power_law(large1->seconds, large1->pages, 1.0, t);
  }
  if (!std::isfinite(pages) || pages < 0) pages = 0;
  return std::min(pages, max_pages);
}

std::optional<double> DirtyCurve::predict_no_lower_than_newest(double t, double max_pages) const {
  std::optional<double> pages = predict(t, max_pages);
  if (!pages || t <= 0) return pages;
  const Sample& newest = samples_[newest_];
  const double floor = t >= newest.seconds ? newest.pages : newest.pages * t / newest.seconds;
  return std::min(std::max(*pages, floor), max_pages);
}

std::optional<double> DirtyCurve::upper_bound(double t, double max_pages) const {
  if (count_ == 0 || !std::isfinite(t)) return std::nullopt;
  if (t <= 0) return 0.0;
  double bound = max_pages;
  for (std::size_t i = 0; i < count_; ++i) {
    const Sample& s = samples_[i];
    bound = std::min(bound, s.seconds >= t ? s.pages : s.pages * t / s.seconds);
  }
  return bound;
}

}  // namespace precopy
