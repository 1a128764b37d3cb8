// One-step prediction of a round's dirty count, by the dirty-curve model (the predictive policy's) and
// by the seed paper's constant-rate model, for measuring how well each foresees the next round.
#ifndef PRECOPY_PREDICTION_H_
#define PRECOPY_PREDICTION_H_

#include <cstddef>
#include <vector>

#include "precopy/trace.h"

namespace precopy {

struct OneStepPrediction {
  uint32_t round = 0;       // the round predicted (2..K)
  double actual = 0;        // its dirty count
  double curve_model = 0;   // the predictive policy's best guess from rounds < round (and peeks in
                            // them): the dirty curve's, or after a fall the fallen rate's (FallingRate)
  double constant_rate = 0; // the paper's: (sum of dirty) / (sum of seconds) x this round's seconds
};

// For k = 2..K: predictions of round k's dirty count from what was known after round k-1 plus round k's
// duration (known at the stock loop's call B, before the bitmap is read).
std::vector<OneStepPrediction> one_step_predictions(const Trace& trace);

// |predicted - actual| / actual, with actual counted as at least one page.
double absolute_percentage_error(double predicted, double actual);

}  // namespace precopy

#endif  // PRECOPY_PREDICTION_H_
