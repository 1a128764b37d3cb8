#include "dirty_curve.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace precopy {
namespace {

TEST(DirtyCurve, NothingBeforeTheFirstSample) {
  DirtyCurve c;
  EXPECT_FALSE(c.predict(1.0, 1000));
}

TEST(DirtyCurve, OneSampleIsTheConstantRateModel) {
  DirtyCurve c;
  c.add(2.0, 400);
  EXPECT_NEAR(*c.predict(0.5, 1e9), 100, 1e-9);   // 200 pages/s
  EXPECT_NEAR(*c.predict(4.0, 1e9), 800, 1e-9);
  EXPECT_NEAR(*c.predict(4.0, 500), 500, 1e-9);    // never more than memory
  EXPECT_EQ(*c.predict(0.0, 1e9), 0);
}

TEST(DirtyCurve, InterpolatesInLogLogSpace) {
  DirtyCurve c;
  c.add(1.0, 100);
  c.add(4.0, 200);  // f ~ t^0.5 between them
  EXPECT_NEAR(*c.predict(2.0, 1e9), 100 * std::sqrt(2.0), 1e-9);
  EXPECT_NEAR(*c.predict(1.0, 1e9), 100, 1e-9);
}

TEST(DirtyCurve, ExtrapolatesTheSaturatingCurveWithinConcaveBounds) {
  // Through (1, 100) and (4, 200), 1/f = a + b/t gives b = 0.005 / 0.75 and a = 0.01 - b: a working set
  // of 1/a = 300 pages first dirtied at 1/b = 150 pages/s.
  DirtyCurve c;
  c.add(1.0, 100);
  c.add(4.0, 200);
  EXPECT_NEAR(*c.predict(0.25, 1e9), 100.0 / 3, 1e-9);
  EXPECT_NEAR(*c.predict(16.0, 1e9), 800.0 / 3, 1e-9);
  EXPECT_LT(*c.predict(1e6, 1e9), 300);
  DirtyCurve convex;  // a curve steeper than linear is not a dirty curve: alpha is clamped to 1
  convex.add(1.0, 10);
  convex.add(2.0, 80);
  EXPECT_NEAR(*convex.predict(0.5, 1e9), 5, 1e-9);
  DirtyCurve decreasing;  // nor is a falling one: clamped to 0
  decreasing.add(1.0, 100);
  decreasing.add(2.0, 50);
  EXPECT_NEAR(*decreasing.predict(0.5, 1e9), 100, 1e-9);
}

TEST(DirtyCurve, NewerSampleAtTheSameLengthWins) {
  DirtyCurve c;
  c.add(1.0, 100);
  c.add(1.0, 300);
  EXPECT_EQ(c.size(), 1u);
  EXPECT_NEAR(*c.predict(1.0, 1e9), 300, 1e-9);
}

TEST(DirtyCurve, IgnoresNonsenseAndStaysBounded) {
  DirtyCurve c;
  c.add(NAN, 1);
  c.add(-1, 1);
  c.add(1, INFINITY);
  EXPECT_EQ(c.size(), 0u);
  for (int i = 1; i <= 1000; ++i) c.add(i, i);
  EXPECT_EQ(c.size(), DirtyCurve::kCapacity);
  EXPECT_NEAR(*c.predict(1000, 1e9), 1000, 1e-9);
}

}  // namespace
}  // namespace precopy

namespace precopy {
namespace {

TEST(DirtyCurve, ConstantRateExtensionIsTheOptimisticBound) {
  DirtyCurve c;
  c.add(1.0, 100);
  c.add(4.0, 200);
  EXPECT_NEAR(*c.predict(0.25, 1e9, DirtyCurve::Below::kConstantRate), 25, 1e-9);
  EXPECT_NEAR(*c.predict(0.25, 1e9, DirtyCurve::Below::kSaturating), 100.0 / 3, 1e-9);
}

TEST(DirtyCurve, UpperBoundFollowsFromConcavity) {
  DirtyCurve c;
  c.add(1.0, 100);
  c.add(4.0, 200);
  EXPECT_NEAR(*c.upper_bound(0.5, 1e9), 100, 1e-9);  // no more than the 1 s window
  EXPECT_NEAR(*c.upper_bound(2.0, 1e9), 200, 1e-9);  // min(1 s scaled up: 200, the 4 s window: 200)
  EXPECT_NEAR(*c.upper_bound(8.0, 1e9), 400, 1e-9);  // the 4 s window scaled up
  EXPECT_NEAR(*c.upper_bound(8.0, 300), 300, 1e-9);  // and never more than memory
}

TEST(DirtyCurve, NewestSampleFloorsTheBestGuess) {
  // A bursty guest (data/traces/xen-tb24): a round of 2.33 s in a pause left 1214 pages, the newest, of
  // 1.33 s in a burst, 6565. Between them predict() falls with the window, as no dirty curve can.
  DirtyCurve c;
  c.add(2.33, 1214);
  c.add(1.33, 6565);
  EXPECT_LT(*c.predict(2.15, 1e9), 2000);
  EXPECT_NEAR(*c.predict_no_lower_than_newest(2.15, 1e9), 6565, 1e-9);  // a longer window: at least as many
  EXPECT_NEAR(*c.predict_no_lower_than_newest(2.15, 5000), 5000, 1e-9);  // never more than memory
  // A shorter window: at least the newest sample's constant rate, else predict()'s answer.
  EXPECT_NEAR(*c.predict_no_lower_than_newest(0.665, 1e9), std::max(*c.predict(0.665, 1e9), 6565 / 2.0), 1e-9);
  EXPECT_EQ(*c.predict_no_lower_than_newest(0.0, 1e9), 0);
  // Newest in a pause: no bound from above, the burst seen before may come back.
  DirtyCurve pause;
  pause.add(1.0, 4000);
  pause.add(2.0, 500);
  EXPECT_NEAR(*pause.predict_no_lower_than_newest(1.0, 1e9), 4000, 1e-9);
  // On one concave curve the floor changes nothing.
  DirtyCurve one;
  one.add(4.0, 200);
  one.add(1.0, 100);
  for (double t : {0.25, 1.0, 2.0, 4.0, 16.0}) {
    EXPECT_EQ(*one.predict_no_lower_than_newest(t, 1e9), *one.predict(t, 1e9)) << t;
  }
  // The newest is the sample added last, also when it replaces an older one of the same length.
  one.add(4.0, 300);
  EXPECT_NEAR(*one.predict_no_lower_than_newest(8.0, 1e9), std::max(*one.predict(8.0, 1e9), 300.0), 1e-9);
  EXPECT_FALSE(DirtyCurve().predict_no_lower_than_newest(1.0, 1e9));
}

}  // namespace
}  // namespace precopy
