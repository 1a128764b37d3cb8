#include "round_time_model.h"

#include <algorithm>
#include <cmath>

namespace precopy {

void RoundTimeModel::add(double pages, double seconds) {
  ++n_;
  sp_ += pages;
  st_ += seconds;
  spp_ += pages * pages;
  spt_ += pages * seconds;
  if (pages > 0 && seconds > 0) {
    recent_[added_ % recent_.size()] = {pages, seconds};
    ++added_;
  }
}

double RoundTimeModel::seconds_for(double pages) const {
  if (sp_ <= 0) return 0;
  // Two rounds always lie on a line, so a fixed part fitted to two is no evidence of one (a round 1
  // slightly faster per page than round 2 would give a phantom fixed cost): a line needs three.
  double denominator = n_ * spp_ - sp_ * sp_;
  if (n_ >= 3 && denominator > 1e-9 * n_ * spp_) {
    double b = (n_ * spt_ - sp_ * st_) / denominator;
    double a = (st_ - b * sp_) / n_;
    if (b > 0 && a >= 0 && std::isfinite(a) && std::isfinite(b)) return a + b * pages;
  }
  // No line with a fixed part: too few rounds, or big rounds went slower per page than small ones (a
  // sender that competes with the guest for CPU, or pays for first touching memory in round 1). The
  // pace over all rounds would then be the big rounds' pace, several times too slow for the small
  // round to come, making it look long and dirty. Use the pace of the recent round nearest in size.
  if (const Recent* nearest = nearest_in_size(pages)) return nearest->seconds / nearest->pages * pages;
  return st_ / sp_ * pages;  // no round has sent pages in measurable time: the mean pace
}

const RoundTimeModel::Recent* RoundTimeModel::nearest_in_size(double pages) const {
  const std::size_t count = std::min<std::size_t>(added_, recent_.size());
  const double p = std::max(pages, 1.0);
  const Recent* nearest = nullptr;
  double nearest_distance = 0;
  for (std::size_t back = 1; back <= count; ++back) {
    const Recent& r = recent_[(added_ - back) % recent_.size()];
    const double distance = r.pages > p ? r.pages / p : p / r.pages;
    if (!nearest || distance < nearest_distance) {
      nearest = &r;
      nearest_distance = distance;
    }
  }
  return nearest;
}

}  // namespace precopy
