#include "round_time_model.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>

namespace precopy {
namespace {

// A model that has seen these rounds, (pages sent, seconds), in order.
RoundTimeModel after(std::initializer_list<std::pair<double, double>> rounds) {
  RoundTimeModel m;
  for (const auto& [pages, seconds] : rounds) m.add(pages, seconds);
  return m;
}

TEST(RoundTimeModel, PredictsNothingBeforeARoundHasSentPages) {
  RoundTimeModel m;
  EXPECT_EQ(m.seconds_for(1000), 0);
  m.add(0, 0.5);  // a round that sent nothing gives no pace
  EXPECT_EQ(m.seconds_for(1000), 0);
}

TEST(RoundTimeModel, ThreeRoundsFitAFixedPartPerRound) {
  const RoundTimeModel m = after({{1000, 1.1}, {500, 0.6}, {100, 0.2}});  // 0.1 s a round plus 1 ms a page
  EXPECT_NEAR(m.seconds_for(50), 0.15, 1e-9);
  EXPECT_NEAR(m.seconds_for(0), 0.1, 1e-9);  // an empty round still costs the fixed part
  EXPECT_DOUBLE_EQ(m.total_pages(), 1600);
  EXPECT_DOUBLE_EQ(m.total_seconds(), 1.9);
}

TEST(RoundTimeModel, TwoRoundsGiveNoFixedPartButTheNearestRoundsPace) {
  const RoundTimeModel m = after({{1000, 2.0}, {100, 0.1}});  // 2 ms a page, then 1 ms
  // A line through two rounds would claim a fixed part of -0.1 s; each size takes its nearest's pace.
  EXPECT_NEAR(m.seconds_for(80), 0.08, 1e-12);
  EXPECT_NEAR(m.seconds_for(900), 1.8, 1e-12);
}

TEST(RoundTimeModel, BigRoundsSlowerPerPageDoNotMakeSmallRoundsLookLong) {
  // Round 1 at 2 ms a page (the sender competing with the guest), later ones at 1 ms: the least-squares
  // line has a negative fixed part (-0.56 s), and the mean pace (1.9 ms) would nearly double a small
  // round. The small round's own pace holds.
  const RoundTimeModel m = after({{10000, 20}, {1000, 1}, {100, 0.1}});
  EXPECT_NEAR(m.seconds_for(100), 0.1, 1e-12);
  EXPECT_NEAR(m.seconds_for(12000), 24, 1e-9);
}

TEST(RoundTimeModel, RoundsTooFastToTimeFallBackToTheMeanPace) {
  // A round sent in no measurable time is no pace of its own: the one timed round's pace.
  EXPECT_NEAR(after({{100, 0}, {300, 0.4}}).seconds_for(200), 0.4 / 300 * 200, 1e-12);
  EXPECT_EQ(after({{100, 0}}).seconds_for(200), 0);  // no time spent at all: the mean pace is zero
}

TEST(RoundTimeModel, OnlyTheLastEightRoundsServeAsTheNearest) {
  RoundTimeModel m;
  m.add(50, 0.01);  // a small, fast round, then eight big ones ever slower per page (no line fits)
  for (int i = 0; i < 8; ++i) {
    const double pages = 10000 - 1000 * i;
    m.add(pages, 0.002 * pages * pages / 5000);
  }
  // The small round has left the ring: the nearest in size is now the 3000-page one (1.2 ms a page).
  EXPECT_NEAR(m.seconds_for(50), 0.06, 1e-12);
}

}  // namespace
}  // namespace precopy
