#include "falling_rate.h"

#include <algorithm>

namespace precopy {

void FallingRate::add_round(double seconds, double pages) {
  if (!std::isfinite(seconds) || !std::isfinite(pages) || seconds <= 0 || pages < 0) {
    pending_.reset();
    return;
  }
  if (pending_) {
    // How far off each guess was on a log scale, with one page added so that an empty round scores.
    auto log_error = [pages](double guess) { return std::fabs(std::log((guess + 1) / (pages + 1))); };
    record_ += log_error(pending_->curve) - log_error(pending_->line);
    pending_.reset();
  }
  // A window dirties at least as many pages as a shorter one, and at no higher a rate (concavity): the
  // newest round may leave no fewer than the round before scaled down to its length.
  fell_ = has_round_ && clearly_fewer(pages, newest_pages_ * std::min(1.0, seconds / newest_seconds_));
  newest_seconds_ = seconds;
  newest_pages_ = pages;
  has_round_ = true;
}

std::optional<double> FallingRate::line(double seconds) const {
  if (!fell_ || !(seconds > 0 && seconds < newest_seconds_)) return std::nullopt;
  return newest_pages_ * seconds / newest_seconds_;
}

double FallingRate::guess(double seconds, double curve_guess) const {
  if (!trusted()) return curve_guess;
  const std::optional<double> l = line(seconds);
  return l ? std::min(*l, curve_guess) : curve_guess;
}

void FallingRate::forecast(double seconds, double curve_guess) {
  pending_.reset();
  const std::optional<double> l = line(seconds);
  if (l && *l < curve_guess) pending_ = Forecast{curve_guess, *l};
}

}  // namespace precopy
