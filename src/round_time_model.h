// How long a pre-copy round of p pages takes, learnt from the rounds so far.
//
// A round costs a fixed part (the bitmap read, the per-round bookkeeping of the save loop) plus the
// link's time for its pages: t = a + b p, fitted by least squares from running sums. Where no such line
// fits (too few rounds, or big rounds slower per page than small ones), the pace of the recent round
// nearest in size stands in. O(1) state, no allocation.
#ifndef PRECOPY_ROUND_TIME_MODEL_H_
#define PRECOPY_ROUND_TIME_MODEL_H_

#include <array>
#include <cstddef>

namespace precopy {

class RoundTimeModel {
 public:
  // A round that sent `pages` pages in `seconds`.
  void add(double pages, double seconds);

  double total_pages() const { return sp_; }
  double total_seconds() const { return st_; }

  // Predicted seconds for a round of `pages` pages; 0 before any round has sent a page.
  double seconds_for(double pages) const;

 private:
  struct Recent {
    double pages;
    double seconds;
  };

  // The recent round whose page count is nearest to `pages` by ratio; the newest of equals.
  const Recent* nearest_in_size(double pages) const;

  double n_ = 0, sp_ = 0, st_ = 0, spp_ = 0, spt_ = 0;
  std::array<Recent, 8> recent_{};  // the last rounds that sent pages, a ring
  std::size_t added_ = 0;
};

}  // namespace precopy

#endif  // PRECOPY_ROUND_TIME_MODEL_H_
