#include "online_floor.h"

#include <gtest/gtest.h>

#include <sstream>

#include "precopy/replay.h"

namespace precopy {
namespace {

// A link of 4096000 B/s: one page takes a millisecond, so with w = 10 a stop leaving d pages costs
// 11 d ms of J beyond the time so far. Round 3 falls from 1000 pages to 10.
const char* kFallsInRoundThree =
    "# precopy-trace v1\n# memory_pages=10000; bandwidth_bytes_per_s=4096000\n"
    "round,dirty_pages,seconds,pages_sent\n1,1000,10,10000\n2,1000,1,1000\n3,10,1,1000\n4,10,0.01,10\n"
    "# section=curve\nround,seconds,pages\n1,5,600\n3,0.5,8\n";

TEST(PlateauTwin, RepeatsTheRoundItStartsFromAtItsPace) {
  Trace t = parse_trace_string(kFallsInRoundThree, "falls");
  Trace twin = plateau_twin(t, 1);
  ASSERT_EQ(twin.rounds.size(), 4u);
  EXPECT_EQ(twin.rounds[0].dirty_pages, 1000u);
  EXPECT_EQ(twin.rounds[0].seconds, 10);
  for (std::size_t k = 1; k < 4; ++k) {
    EXPECT_EQ(twin.rounds[k].round, k + 1);
    EXPECT_EQ(twin.rounds[k].dirty_pages, 1000u);
    EXPECT_EQ(twin.rounds[k].pages_sent, 1000u);
    EXPECT_DOUBLE_EQ(twin.rounds[k].seconds, 1.0);  // round 1's 1 ms per page
  }
  ASSERT_EQ(twin.curve.size(), 1u);  // round 3's peek is of a round the twin does not share
  EXPECT_EQ(twin.curve[0].round, 1u);
  EXPECT_NE(twin.name.find("plateau twin from round 1"), std::string::npos);
}

TEST(PlateauTwin, IsDefinedOnlyWhereARoundLeftPagesAndHasAPace) {
  Trace t = parse_trace_string(
      "# precopy-trace v1\n# memory_pages=100\nround,dirty_pages,seconds,pages_sent\n1,5,1,100\n2,0,0.1,5\n"
      "3,0,0,0\n",
      "t");
  EXPECT_TRUE(has_plateau_twin(t, 1));
  EXPECT_FALSE(has_plateau_twin(t, 2));  // nothing left: the migration is over
  EXPECT_FALSE(has_plateau_twin(t, 3));  // the last round: nothing after it to differ
  EXPECT_FALSE(has_plateau_twin(t, 0));
  EXPECT_THROW(plateau_twin(t, 2), std::invalid_argument);
  EXPECT_EQ(plateau_twin_rounds(t), std::vector<uint32_t>{1});
}

TEST(OnlineFloor, IsSetByTheLastRoundTheTwoLookAlike) {
  // J after each stop: 21, 22, 12.11, 12.12 (oracle: round 3). The twin from round 2 stays at 1000
  // pages: J 21, 22, 23, 24 (oracle: round 1). Stopping by round 2 costs at least 21 / 12.11 on the
  // trace; going on costs at least 23 / 21 on the twin. The twin from round 1 is the same guest but
  // offers a stop at round 2 after only one wasted round (22 / 21), so round 2's twin sets the floor.
  Trace t = parse_trace_string(kFallsInRoundThree, "falls");
  OnlineFloor f = online_floor(t, 10);
  EXPECT_EQ(f.twin_round, 2u);
  EXPECT_NEAR(f.ratio, 23.0 / 21.0, 1e-12);
  // With downtime free (w = 0) waiting costs more than it saves: J is the time, least at round 1.
  OnlineFloor free_downtime = online_floor(t, 0);
  EXPECT_NEAR(free_downtime.ratio, 1.0, 1e-12);
}

TEST(OnlineFloor, IsOneForAGuestThatNeverChanges) {
  Trace t = parse_trace_string(
      "# precopy-trace v1\n# memory_pages=10000; bandwidth_bytes_per_s=4096000\n"
      "round,dirty_pages,seconds,pages_sent\n1,1000,10,10000\n2,1000,1,1000\n3,1000,1,1000\n",
      "level");
  OnlineFloor f = online_floor(t, 10);
  EXPECT_EQ(f.ratio, 1.0);
  EXPECT_EQ(f.twin_round, 0u);
  const Trace one_round =
      parse_trace_string("# precopy-trace v1\n# memory_pages=10\nround,dirty_pages,seconds\n1,1,1\n");
  EXPECT_EQ(online_floor(one_round, 10).twin_round, 0u);  // one round: nothing to tell apart
}

TEST(OnlineFloor, NoPolicyCanStayWithinFivePercentOnARealWriterThatStalled) {
  // A real Xen trace (docs/evaluation.md): the count holds at ~4650 pages for three rounds, then falls
  // as the sender speeds up. Its twin holds for ever; whatever a policy does, one of the two costs it
  // more than 5% over the oracle.
  Trace t = read_trace_file(std::string(PRECOPY_SOURCE_DIR) + "/data/traces/xen-w8-writer-8-32-100m-2.csv");
  OnlineFloor f = online_floor(t, 10);
  EXPECT_GT(f.ratio, 1.05);
  EXPECT_GE(f.twin_round, 3u);
  EXPECT_LE(f.twin_round, 5u);
}

TEST(OnlineFloor, LooksAtTheFirstRoundsOnlyOfAVeryLongTrace) {
  std::ostringstream text;
  text << "# precopy-trace v1\n# memory_pages=100000\nround,dirty_pages,seconds,pages_sent\n1,5000,10,100000\n";
  for (int k = 2; k <= 20000; ++k) {
    text << k << ',' << (k % 2 ? 5000 : 4000) << ",0.5," << (k % 2 ? 4000 : 5000) << '\n';
  }
  const Trace long_trace = parse_trace_string(text.str(), "long");
  EXPECT_EQ(plateau_twin_rounds(long_trace).size(), kMaxTwinRound);
  OnlineFloor f = online_floor(long_trace, 10);
  EXPECT_LE(f.twin_round, kMaxTwinRound);
  EXPECT_GE(f.ratio, 1.0);
}

}  // namespace
}  // namespace precopy
