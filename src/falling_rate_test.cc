#include "falling_rate.h"

#include <gtest/gtest.h>

#include <limits>

namespace precopy {
namespace {

TEST(FallingRate, ALongerRoundThatLeavesClearlyFewerPagesIsAFall) {
  FallingRate f;
  f.add_round(2.0, 2100);
  EXPECT_FALSE(f.fell());  // one round: nothing to compare with
  f.add_round(2.1, 1500);  // a longer window, 600 pages fewer (noise: about 2 x sqrt(2100) = 92)
  EXPECT_TRUE(f.fell());
  // The next round, 1.5 s, at round 2's rate; the curve's guess where it is lower or no fall applies.
  EXPECT_NEAR(f.guess(1.5, 2000), 1500 * 1.5 / 2.1, 1e-9);
  EXPECT_EQ(f.guess(1.5, 900), 900);
  EXPECT_EQ(f.guess(2.5, 2000), 2000);  // no longer than the fallen round: the line says nothing new
}

TEST(FallingRate, AShorterRoundMayLeaveFewerPagesButNotAtALowerRate) {
  FallingRate converging;
  converging.add_round(2.0, 2000);
  converging.add_round(1.0, 1100);  // half the window, more than half the pages: one concave curve
  EXPECT_FALSE(converging.fell());
  FallingRate fell;
  fell.add_round(2.0, 2000);
  fell.add_round(1.0, 900);  // below 1000, the longer round's rate, by more than the noise (63)
  EXPECT_TRUE(fell.fell());
  FallingRate noise;
  noise.add_round(2.0, 2000);
  noise.add_round(2.1, 1950);  // within the noise
  EXPECT_FALSE(noise.fell());
}

TEST(FallingRate, DistrustsFallsThatDidNotLastUntilOneDoes) {
  FallingRate f;
  f.add_round(2.0, 2000);
  f.add_round(2.1, 1400);
  ASSERT_TRUE(f.fell());
  EXPECT_TRUE(f.trusted());  // the first fall is taken at its word
  f.forecast(1.4, 2000);     // the line says 933, the curve 2000
  f.add_round(1.4, 2050);    // back at the level: the curve was right
  EXPECT_FALSE(f.trusted());
  f.add_round(2.05, 1300);  // another fall, now not trusted
  ASSERT_TRUE(f.fell());
  EXPECT_EQ(f.guess(1.3, 2000), 2000);
  f.forecast(1.3, 2000);   // the line says 825
  f.add_round(1.3, 700);   // and this time the guest stayed quiet: the line's record makes up for it
  EXPECT_TRUE(f.trusted());
}

TEST(FallingRate, IgnoresRoundsItCannotUse) {
  FallingRate f;
  f.add_round(2.0, 2000);
  f.add_round(-1, 100);
  f.add_round(std::numeric_limits<double>::quiet_NaN(), 100);
  f.add_round(1.0, std::numeric_limits<double>::infinity());
  EXPECT_FALSE(f.fell());
  f.add_round(2.0, 1000);  // still compared with the last usable round
  EXPECT_TRUE(f.fell());
}

}  // namespace
}  // namespace precopy
