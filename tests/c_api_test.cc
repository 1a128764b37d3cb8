// The C ABI as a toolstack sees it, including the libxenguest call protocol.
#include <gtest/gtest.h>
#include <xenctrl.h>
#include <xenguest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "precopy/precopy.h"
#include "precopy/trace.h"

extern "C" int precopy_install_into_save_callbacks(struct save_callbacks* callbacks, precopy_t* handle);

namespace {

struct Config {
  precopy_config_t* config = precopy_config_create();
  ~Config() { precopy_config_destroy(config); }
};

struct Handle {
  precopy_t* handle = nullptr;
  explicit Handle(const char* spec) {
    Config c;
    char* err = nullptr;
    precopy_config_parse(c.config, spec, &err);
    EXPECT_EQ(err, nullptr) << err;
    handle = precopy_create(c.config, &err);
    EXPECT_EQ(err, nullptr) << err;
    precopy_free(err);
  }
  ~Handle() { precopy_destroy(handle); }
};

uint64_t fake_clock(void* data) { return *static_cast<uint64_t*>(data); }

TEST(CApi, XenguestCallbacksTypeCheck) {
  struct save_callbacks callbacks = {};
  Handle h("xen");
  EXPECT_EQ(precopy_install_into_save_callbacks(&callbacks, h.handle), 1);
  EXPECT_EQ(callbacks.data, h.handle);
}

TEST(CApi, ErrorsAreReportedThroughErrptrAndReplaceOldMessages) {
  Config c;
  char* err = nullptr;
  precopy_config_set(c.config, "policy", "nonsense", &err);
  ASSERT_NE(err, nullptr);
  EXPECT_NE(std::string(err).find("unknown policy"), std::string::npos) << err;
  precopy_config_set(c.config, "max_rounds", "0", &err);  // frees the previous message
  ASSERT_NE(err, nullptr);
  EXPECT_NE(std::string(err).find("max_rounds"), std::string::npos) << err;
  precopy_free(err);
  err = nullptr;
  precopy_config_set(c.config, "downtime_budget_ms", "nan", &err);
  EXPECT_NE(err, nullptr);
  precopy_free(err);
  err = nullptr;
  precopy_config_set(c.config, "unknown_key", "1", &err);
  EXPECT_NE(err, nullptr);
  precopy_free(err);
  err = nullptr;
  precopy_config_parse(c.config, "paper,threshold_pages=10,max_rounds=x", &err);
  EXPECT_NE(err, nullptr);
  precopy_free(err);
  char* spec = precopy_config_string(c.config);
  EXPECT_STREQ(spec, "predictive");  // the failed parse changed nothing
  precopy_free(spec);
}

TEST(CApi, NullArgumentsNeverCrash) {
  char* err = nullptr;
  EXPECT_EQ(precopy_create(nullptr, &err), nullptr);
  EXPECT_NE(err, nullptr);
  precopy_free(err);
  precopy_observe(nullptr, 1, 1, 1, 1, nullptr);
  EXPECT_EQ(precopy_decide(nullptr), PRECOPY_ERROR);
  EXPECT_TRUE(std::isnan(precopy_estimate(nullptr, PRECOPY_ESTIMATE_ROUNDS)));
  precopy_destroy(nullptr);
  precopy_config_destroy(nullptr);
  struct precopy_stats stats = {};
  stats.dirty_count = 10;
  EXPECT_EQ(precopy_xen_policy(stats, nullptr), XGS_POLICY_STOP_AND_COPY);  // Xen's own rule: 10 < 50
}

TEST(CApi, ObserveDecidePaperPolicy) {
  Handle h("paper,memory_pages=1000");
  EXPECT_EQ(precopy_decide(h.handle), PRECOPY_ERROR);  // nothing observed yet
  char* err = nullptr;
  precopy_observe(h.handle, 1, 100, 10.0, 1000, &err);
  ASSERT_EQ(err, nullptr);
  EXPECT_EQ(precopy_decide(h.handle), PRECOPY_CONTINUE);
  EXPECT_GT(precopy_estimate(h.handle, PRECOPY_ESTIMATE_ROUNDS), 1);
  precopy_observe(h.handle, 3, 10, 1.0, 100, &err);  // round 2 skipped
  ASSERT_NE(err, nullptr);
  EXPECT_NE(std::string(err).find("out of order"), std::string::npos);
  precopy_free(err);
  err = nullptr;
  precopy_observe(h.handle, 2, 40, 1.0, 100, &err);
  ASSERT_EQ(err, nullptr);
  EXPECT_EQ(precopy_decide(h.handle), PRECOPY_STOP);  // 40 <= T = 50
  EXPECT_STREQ(precopy_last_reason(h.handle), "dirty pages at or below T");
}

TEST(CApi, ObserveRejectsImpossibleRounds) {
  Handle h("predictive,memory_pages=1000");
  char* err = nullptr;
  precopy_observe(h.handle, 1, 2000, 1.0, 1000, &err);
  ASSERT_NE(err, nullptr);
  precopy_free(err);
  err = nullptr;
  precopy_observe(h.handle, 1, 10, NAN, 1000, &err);
  ASSERT_NE(err, nullptr);
  precopy_free(err);
  err = nullptr;
  precopy_observe(h.handle, 1, 10, 1.0, 1000, &err);
  EXPECT_EQ(err, nullptr);
}

// Drives precopy_xen_policy exactly as send_memory_live() does, over per-round dirty counts, and returns
// the live round after which it suspends.
unsigned run_stock_loop(precopy_t* handle, const std::vector<long>& dirty, double seconds_per_page,
                        long memory_pages) {
  uint64_t now = 0;
  if (handle) precopy_set_clock(handle, fake_clock, &now);
  struct precopy_stats stats = {};
  stats.dirty_count = memory_pages;
  for (unsigned x = 0;;) {
    int decision = precopy_xen_policy(stats, handle);
    ++x;
    now += static_cast<uint64_t>(static_cast<double>(stats.dirty_count) * seconds_per_page * 1e9);
    if (decision != XGS_POLICY_CONTINUE_PRECOPY) return x;
    stats.iteration = x;
    stats.total_written += stats.dirty_count;
    stats.dirty_count = -1;
    if (precopy_xen_policy(stats, handle) != XGS_POLICY_CONTINUE_PRECOPY) return x;
    if (x > dirty.size()) return 0;  // should have stopped (round cap)
    stats.dirty_count = dirty[x - 1];
  }
}

TEST(CApi, XenPolicyThroughTheStockProtocol) {
  // Xen stops after round min(5, j + 1), j the first round with fewer than 50 dirty pages.
  for (auto [dirty, expected] : std::vector<std::pair<std::vector<long>, unsigned>>{
           {{1000, 800, 40, 30, 20, 10, 5}, 4},
           {{10, 5, 5}, 2},
           {{1000, 1000, 1000, 1000, 1000, 1000, 1000}, 5},
           {{1000, 900, 800, 700, 49, 1}, 5}}) {
    Handle h("xen");
    EXPECT_EQ(run_stock_loop(h.handle, dirty, 1e-4, 100000), expected);
    EXPECT_EQ(run_stock_loop(nullptr, dirty, 1e-4, 100000), expected);  // NULL handle: Xen's own rule
  }
}

TEST(CApi, ContinuePolicyHonoursTheRoundCapInTheStockLoop) {
  Handle h("continue,max_rounds=8");
  std::vector<long> dirty(20, 5000);
  EXPECT_EQ(run_stock_loop(h.handle, dirty, 1e-4, 100000), 8u);
}

TEST(CApi, ProtocolViolationFallsBackToXenPolicy) {
  Handle h("continue,max_rounds=30");
  uint64_t now = 0;
  precopy_set_clock(h.handle, fake_clock, &now);
  struct precopy_stats stats = {};
  stats.dirty_count = 1000;
  EXPECT_EQ(precopy_xen_policy(stats, h.handle), XGS_POLICY_CONTINUE_PRECOPY);
  stats.iteration = 7;  // call B for a round that was never started
  stats.dirty_count = -1;
  EXPECT_EQ(precopy_xen_policy(stats, h.handle), XGS_POLICY_STOP_AND_COPY);  // Xen: iteration >= 5
  EXPECT_STREQ(precopy_policy_name(h.handle), "xen-fallback");
  stats.iteration = 2;
  EXPECT_EQ(precopy_xen_policy(stats, h.handle), XGS_POLICY_CONTINUE_PRECOPY);  // keeps answering as Xen
}

TEST(CApi, EnvironmentConfig) {
  Config c;
  setenv("PRECOPY_POLICY", "qemu,downtime_limit_ms=100", 1);
  setenv("PRECOPY_MAX_ROUNDS", "12", 1);
  char* err = nullptr;
  precopy_config_from_env(c.config, &err);
  ASSERT_EQ(err, nullptr) << err;
  char* spec = precopy_config_string(c.config);
  EXPECT_STREQ(spec, "qemu,max_rounds=12,downtime_limit_ms=100");
  precopy_free(spec);
  setenv("PRECOPY_DOWNTIME_BUDGET_MS", "-5", 1);
  precopy_config_from_env(c.config, &err);
  ASSERT_NE(err, nullptr);
  EXPECT_NE(std::string(err).find("PRECOPY_DOWNTIME_BUDGET_MS"), std::string::npos) << err;
  precopy_free(err);
  unsetenv("PRECOPY_POLICY");
  unsetenv("PRECOPY_MAX_ROUNDS");
  unsetenv("PRECOPY_DOWNTIME_BUDGET_MS");
}

}  // namespace

namespace {

TEST(CApi, PeeksInsideRoundOneLetPredictiveStopAtOnce) {
  // A 300-page working set that is full 0.1 s into round 1: round 2 would dirty it all again.
  Handle h("predictive,memory_pages=1000,bandwidth_bytes_per_s=4096000");
  char* err = nullptr;
  precopy_observe_curve(h.handle, 1, 0.05, 200, &err);
  precopy_observe_curve(h.handle, 1, 0.1, 300, &err);
  precopy_observe_curve(h.handle, 1, 0.5, 300, &err);
  ASSERT_EQ(err, nullptr) << err;
  precopy_observe_curve(h.handle, 2, 0.5, 300, &err);  // round 2 has not started
  ASSERT_NE(err, nullptr);
  precopy_free(err);
  err = nullptr;
  precopy_observe(h.handle, 1, 300, 1.0, 1000, &err);
  ASSERT_EQ(err, nullptr) << err;
  EXPECT_EQ(precopy_decide(h.handle), PRECOPY_STOP);
  EXPECT_STREQ(precopy_last_reason(h.handle), "another round would not pay for itself");
}

TEST(CApi, WithoutPeeksPredictiveTriesASecondRound) {
  Handle h("predictive,memory_pages=1000,bandwidth_bytes_per_s=4096000");
  char* err = nullptr;
  precopy_observe(h.handle, 1, 300, 1.0, 1000, &err);
  ASSERT_EQ(err, nullptr) << err;
  EXPECT_EQ(precopy_decide(h.handle), PRECOPY_CONTINUE);
  EXPECT_NEAR(precopy_estimate(h.handle, PRECOPY_ESTIMATE_DOWNTIME), 0.3, 1e-9);
  EXPECT_NEAR(precopy_estimate(h.handle, PRECOPY_ESTIMATE_BANDWIDTH), 4096000, 1e-3);
  EXPECT_NEAR(precopy_estimate(h.handle, PRECOPY_ESTIMATE_NEXT_DIRTY), 90, 1e-6);  // 300 x 0.3 s / 1 s
}

}  // namespace

namespace {

// A migration recorded with trace_path=, read back once its handle is gone.
class CApiRecording : public testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::TempDir() + "precopy-" + testing::UnitTest::GetInstance()->current_test_info()->name() + ".csv";
    std::remove(path_.c_str());
  }
  void TearDown() override { std::remove(path_.c_str()); }
  std::string spec(const std::string& policy) const { return policy + ",trace_path=" + path_; }
  precopy::Trace recorded() const { return precopy::read_trace_file(path_); }

  std::string path_;
};

TEST_F(CApiRecording, KeepsEachRoundsPeeksInTheTrace) {
  // What the patched libxl-save-helper sends: peeks during each round, then the round's count. Peeks
  // of a round that never reports its count (here one sent after the stop) are not recorded: the
  // trace format has no row for them to belong to.
  {
    Handle h(spec("continue,max_rounds=2").c_str());
    char* err = nullptr;
    precopy_observe_curve(h.handle, 1, 0.25, 120, &err);
    precopy_observe_curve(h.handle, 1, 0.5, 200, &err);
    precopy_observe(h.handle, 1, 260, 1.0, 1000, &err);
    EXPECT_EQ(precopy_decide(h.handle), PRECOPY_CONTINUE);
    precopy_observe_curve(h.handle, 2, 0.125, 90, &err);
    precopy_observe(h.handle, 2, 150, 0.26, 260, &err);
    EXPECT_EQ(precopy_decide(h.handle), PRECOPY_STOP);
    precopy_observe_curve(h.handle, 3, 0.05, 40, &err);
    ASSERT_EQ(err, nullptr) << err;
  }
  precopy::Trace trace;
  ASSERT_NO_THROW(trace = recorded());
  ASSERT_EQ(trace.rounds.size(), 2u);
  ASSERT_EQ(trace.curve.size(), 3u);
  EXPECT_EQ(trace.curve[0].round, 1u);
  EXPECT_DOUBLE_EQ(trace.curve[1].seconds, 0.5);
  EXPECT_EQ(trace.curve[1].pages, 200u);
  EXPECT_EQ(trace.curve[2].round, 2u);
  EXPECT_EQ(trace.curve[2].pages, 90u);
}

TEST_F(CApiRecording, BoundsThePeeksItKeeps) {
  {
    Handle h(spec("continue,max_rounds=1").c_str());
    char* err = nullptr;
    for (int i = 1; i <= 1000; ++i) precopy_observe_curve(h.handle, 1, i * 0.001, static_cast<uint64_t>(i), &err);
    precopy_observe(h.handle, 1, 1000, 1.5, 100000, &err);
    ASSERT_EQ(err, nullptr) << err;
  }
  precopy::Trace trace;
  ASSERT_NO_THROW(trace = recorded());
  EXPECT_EQ(trace.curve.size(), 400u);  // kMaxRecordedPeeks: the first ones, in order
  EXPECT_EQ(trace.curve.back().pages, 400u);
}

}  // namespace
