#include "prediction.h"

#include <algorithm>
#include <cmath>

#include "dirty_curve.h"
#include "falling_rate.h"

namespace precopy {

std::vector<OneStepPrediction> one_step_predictions(const Trace& trace) {
  std::vector<OneStepPrediction> out;
  DirtyCurve curve;
  FallingRate falling_rate;
  double dirty_sum = 0;
  double seconds_sum = 0;
  std::size_t next_sample = 0;
  const double memory = static_cast<double>(trace.memory_pages);
  for (std::size_t i = 0; i < trace.rounds.size(); ++i) {
    const Round& r = trace.rounds[i];
    if (i > 0 && seconds_sum > 0) {
      OneStepPrediction p;
      p.round = r.round;
      p.actual = static_cast<double>(r.dirty_pages);
      const double curve_guess = curve.predict_no_lower_than_newest(r.seconds, memory).value_or(0);
      p.curve_model = falling_rate.guess(r.seconds, curve_guess);
      falling_rate.forecast(r.seconds, curve_guess);
      p.constant_rate = std::min(memory, dirty_sum / seconds_sum * r.seconds);
      out.push_back(p);
    }
    while (next_sample < trace.curve.size() && trace.curve[next_sample].round <= r.round) {
      const CurveSample& s = trace.curve[next_sample++];
      curve.add(s.seconds, static_cast<double>(s.pages));
    }
    curve.add(r.seconds, static_cast<double>(r.dirty_pages));
    falling_rate.add_round(r.seconds, static_cast<double>(r.dirty_pages));
    dirty_sum += static_cast<double>(r.dirty_pages);
    seconds_sum += r.seconds;
  }
  return out;
}

double absolute_percentage_error(double predicted, double actual) {
  return std::fabs(predicted - actual) / std::max(actual, 1.0);
}

}  // namespace precopy
