#include "dirty_curve.h"

#include <algorithm>
#include <cmath>

namespace precopy {
namespace {

// The power-law exponent between two samples, kept within what an increasing concave curve allows.
double local_exponent(double t0, double d0, double t1, double d1) {
  if (!(t1 > t0 * (1 + 1e-9)) || d0 <= 0 || d1 <= 0) return 1.0;
  double alpha = std::log(d1 / d0) / std::log(t1 / t0);
  if (!std::isfinite(alpha)) return 1.0;
  return std::clamp(alpha, 0.0, 1.0);
}

double power_law(double t_from, double d_from, double alpha, double t) {
  if (d_from <= 0) return 0;
  return d_from * std::pow(t / t_from, alpha);
}

}  // namespace

void DirtyCurve::add(double seconds, double pages) {
  if (!std::isfinite(seconds) || !std::isfinite(pages) || seconds <= 0 || pages < 0) return;
  for (std::size_t i = 0; i < count_; ++i) {
    if (std::fabs(samples_[i].seconds - seconds) <= 1e-9 * seconds) {
      samples_[i].pages = pages;
      return;
    }
  }
  if (count_ < kCapacity) {
    samples_[count_++] = {seconds, pages};
  } else {
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
  } else if (above) {  // t is shorter than every sample: extend the short end's power law down to it
    double alpha = small2 && below_mode == Below::kLocalPowerLaw
                       ? local_exponent(small1->seconds, small1->pages, small2->seconds, small2->pages)
                       : 1.0;
    pages = power_law(small1->seconds, small1->pages, alpha, t);
  } else {  // t is longer than every sample
    double alpha = large2 ? local_exponent(large2->seconds, large2->pages, large1->seconds, large1->pages) : 1.0;
    pages = power_law(large1->seconds, large1->pages, alpha, t);
  }
  if (!std::isfinite(pages) || pages < 0) pages = 0;
  return std::min(pages, max_pages);
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
