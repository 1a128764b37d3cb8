#include "prediction.h"

#include <gtest/gtest.h>

namespace precopy {
namespace {

TEST(Prediction, ComparesTheCurveWithTheConstantRateModel) {
  // f(t) = 300 t / (t + 2): a working set of 300 pages. The paper's rate after round 1 is 200 / 4 = 50
  // pages/s, so it predicts 50 pages for the 1 s round 2 (truth: 100); the curve model extends the one
  // sample linearly too, but after round 2 it has the curve and predicts round 3 (33 pages).
  Trace t = parse_trace_string(
      "# precopy-trace v1\n# memory_pages=100000\nround,dirty_pages,seconds\n1,200,4\n2,100,1\n3,33,0.25\n", "t");
  auto p = one_step_predictions(t);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].round, 2u);
  EXPECT_NEAR(p[0].constant_rate, 50, 1e-9);
  EXPECT_NEAR(p[0].curve_model, 50, 1e-9);
  EXPECT_EQ(p[1].round, 3u);
  EXPECT_NEAR(p[1].curve_model, 100.0 / 3, 1e-9);
  EXPECT_NEAR(p[1].constant_rate, 300.0 / 5 * 0.25, 1e-9);
  EXPECT_NEAR(absolute_percentage_error(p[1].constant_rate, p[1].actual), 18.0 / 33, 1e-9);
}

TEST(Prediction, PeeksSharpenTheFirstPrediction) {
  Trace t = parse_trace_string(
      "# precopy-trace v1\n# memory_pages=100000\nround,dirty_pages,seconds\n1,200,4\n2,100,1\n"
      "# section=curve\nround,seconds,pages\n1,1,100\n1,2,141\n", "t");
  auto p = one_step_predictions(t);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NEAR(p[0].curve_model, 100, 1e-9);
}

}  // namespace
}  // namespace precopy
