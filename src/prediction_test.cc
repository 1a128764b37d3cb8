#include "prediction.h"

#include <gtest/gtest.h>

namespace precopy {
namespace {

TEST(Prediction, ComparesTheCurveWithTheConstantRateModel) {
  // f(t) = 100 sqrt(t): a concave curve. The paper's rate after round 1 is 200 / 4 = 50 pages/s, so it
  // predicts 50 pages for the 1 s round 2 (truth: 100); the curve model extends t^1 from one sample
  // too, but after round 2 it knows the exponent and predicts round 3 exactly.
  Trace t = parse_trace_string(
      "# precopy-trace v1\n# memory_pages=100000\nround,dirty_pages,seconds\n1,200,4\n2,100,1\n3,50,0.25\n", "t");
  auto p = one_step_predictions(t);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].round, 2u);
  EXPECT_NEAR(p[0].constant_rate, 50, 1e-9);
  EXPECT_NEAR(p[0].curve_model, 50, 1e-9);
  EXPECT_EQ(p[1].round, 3u);
  EXPECT_NEAR(p[1].curve_model, 50, 1e-9);
  EXPECT_NEAR(p[1].constant_rate, 300.0 / 5 * 0.25, 1e-9);
  EXPECT_NEAR(absolute_percentage_error(p[1].constant_rate, p[1].actual), 0.7, 1e-9);
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
