#include "migration.h"

#include <time.h>

#include <cmath>
#include <exception>
#include <stdexcept>

#include "logging.h"
#include "policies.h"

namespace precopy {

int xen_simple_policy(unsigned iteration, long dirty_count) noexcept {
  // SPP_TARGET_DIRTY_COUNT and SPP_MAX_ITERATIONS in xg_sr_save.c; XGS_POLICY_STOP_AND_COPY == 1.
  constexpr long kTargetDirtyCount = 50;
  bool stop = (dirty_count >= 0 && dirty_count < kTargetDirtyCount) || iteration >= kXenMaxIterations;
  return stop ? 1 : 0;
}

Migration::Migration(const Settings& settings) : settings_(settings) {
  policy_ = make_policy(settings_.policy);  // validates
  PolicyConfig shadow = settings_.policy;
  shadow.policy = "xen";
  xen_shadow_ = make_xen_policy(shadow);
  memory_pages_ = settings_.policy.memory_pages;
  if (settings_.log_level) set_log_level(*settings_.log_level);
  if (!settings_.trace_path.empty()) {
    recorded_.reserve(settings_.policy.max_rounds + 1);
    recorded_curve_.reserve(kMaxRecordedPeeks);
  }
  last_verdict_ = {Decision::kContinue, "no round observed yet"};
  logger().debug("new migration: {}", to_spec(settings_));
}

Migration::~Migration() = default;

const char* Migration::policy_name() const { return fallen_back_ ? "xen-fallback" : settings_.policy.policy.c_str(); }

Estimates Migration::estimates() const {
  if (fallen_back_) return {};
  try {
    return policy_->estimates();
  } catch (...) {
    return {};
  }
}

void Migration::fall_back(const char* why) noexcept {
  if (fallen_back_) return;
  fallen_back_ = true;
  try {
    logger().warn("policy '{}' failed ({}); using Xen's own policy for the rest of this migration",
                  settings_.policy.policy, why);
  } catch (...) {
  }
}

Verdict Migration::observe(const Round& r) {
  Verdict v = record_round(r);
  log_decision("after-bitmap", r.round, static_cast<double>(r.dirty_pages), r.seconds, v);
  return v;
}

Verdict Migration::record_round(const Round& r) {
  if (r.round != last_round_ + 1) {
    throw std::invalid_argument("round " + std::to_string(r.round) + " out of order (expected " +
                                std::to_string(last_round_ + 1) + ")");
  }
  if (!std::isfinite(r.seconds) || r.seconds < 0) throw std::invalid_argument("round seconds must be finite and >= 0");
  uint64_t memory = memory_pages_ ? memory_pages_ : (r.round == 1 ? r.pages_sent : 0);
  if (memory && (r.dirty_pages > memory || r.pages_sent > memory)) {
    throw std::invalid_argument("round " + std::to_string(r.round) + " reports more pages than memory holds (" +
                                std::to_string(memory) + ")");
  }
  if (r.round == 1 && memory_pages_ == 0) memory_pages_ = r.pages_sent;
  last_round_ = r.round;
  if (recorded_.size() < recorded_.capacity()) recorded_.push_back(r);
  last_verdict_ = decide_checked(r);
  return last_verdict_;
}

Verdict Migration::decide_checked(const Round& r) {
  Verdict shadow = xen_shadow_->after_round(r);
  if (r.round >= settings_.policy.max_rounds) return {Decision::kStop, "round cap"};
  if (fallen_back_) return shadow;
  try {
    return policy_->after_round(r);
  } catch (const std::exception& e) {
    fall_back(e.what());
  } catch (...) {
    fall_back("unknown exception");
  }
  return shadow;
}

void Migration::observe_curve(const CurveSample& sample) {
  if (sample.round != last_round_ + 1) {
    throw std::invalid_argument("peek for round " + std::to_string(sample.round) + " while round " +
                                std::to_string(last_round_ + 1) + " is running");
  }
  if (!std::isfinite(sample.seconds) || sample.seconds < 0) throw std::invalid_argument("peek seconds must be finite and >= 0");
  if (memory_pages_ && sample.pages > memory_pages_) throw std::invalid_argument("peek counts more pages than memory holds");
  if (!settings_.trace_path.empty()) {
    if (recorded_curve_.size() < recorded_curve_.capacity()) {
      recorded_curve_.push_back(sample);
    } else {
      ++dropped_peeks_;
    }
  }
  if (fallen_back_) return;
  try {
    policy_->observe_curve(sample);
  } catch (const std::exception& e) {
    fall_back(e.what());
  } catch (...) {
    fall_back("unknown exception");
  }
}

Verdict Migration::before_bitmap(uint32_t round, double seconds, uint64_t pages_sent, const char* where) {
  last_verdict_ = decide_before_bitmap_checked(round, seconds, pages_sent);
  log_decision(where, round, std::nan(""), seconds, last_verdict_);
  return last_verdict_;
}

Verdict Migration::decide_before_bitmap_checked(uint32_t round, double seconds, uint64_t pages_sent) {
  if (round >= settings_.policy.max_rounds) return {Decision::kStop, "round cap"};
  if (fallen_back_) return xen_shadow_->before_bitmap(round, seconds, pages_sent);
  try {
    return policy_->before_bitmap(round, seconds, pages_sent);
  } catch (const std::exception& e) {
    fall_back(e.what());
  } catch (...) {
    fall_back("unknown exception");
  }
  return xen_shadow_->before_bitmap(round, seconds, pages_sent);
}

void Migration::log_decision(const char* where, uint32_t round, double dirty, double seconds, const Verdict& v,
                             const char* deferred) const {
  spdlog::logger& log = logger();
  if (!log.should_log(spdlog::level::info)) return;
  Estimates e = estimates();
  log.info("policy={} at={} round={} dirty_pages={} seconds={:.6f} est_rounds={:.2f} est_rate={:.1f} "
           "est_bandwidth={:.0f} est_downtime_s={:.6f} est_next_dirty={:.0f} decision={} reason=\"{}{}\"",
           policy_name(), where, round, dirty, seconds, e.predicted_rounds, e.dirty_rate_pages_per_s,
           e.bandwidth_bytes_per_s, e.predicted_downtime_s, e.predicted_next_dirty_pages,
           v.decision == Decision::kStop && !deferred ? "stop" : "continue",
           v.reason, deferred ? deferred : "");
}

void Migration::set_clock(ClockFn now_ns, void* data) {
  clock_ = now_ns;
  clock_data_ = data;
}

uint64_t Migration::now_ns() const {
  if (clock_) return clock_(clock_data_);
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

void Migration::write_recording() noexcept {
  if (settings_.trace_path.empty()) return;
  try {
    if (recorded_.empty()) {
      logger().warn("no rounds observed: not writing {}", settings_.trace_path);
      return;
    }
    Trace t;
    t.name = settings_.trace_path;
    t.memory_pages = memory_pages_;
    t.page_size = settings_.policy.page_size;
    t.set("memory_pages", std::to_string(memory_pages_));
    t.set("page_size", std::to_string(t.page_size));
    t.set("source", recorded_by_xen_adapter_ ? "xen" : "precopy");
    t.set("policy", settings_.policy.policy);
    t.rounds = recorded_;
    // A trace's peeks belong to its rounds: those of the round that was running when the migration
    // stopped (no count of its own) are left out, as the trace format requires.
    for (const CurveSample& s : recorded_curve_) {
      if (s.round <= recorded_.size()) t.curve.push_back(s);
    }
    write_trace_file(settings_.trace_path, t);
    logger().info("recorded {} rounds and {} peeks to {}", recorded_.size(), t.curve.size(), settings_.trace_path);
    if (dropped_peeks_) {
      logger().warn("{} peeks beyond the first {} were not recorded", dropped_peeks_, kMaxRecordedPeeks);
    }
  } catch (const std::exception& e) {
    try {
      logger().error("cannot record trace: {}", e.what());
    } catch (...) {
    }
  } catch (...) {
  }
}

}  // namespace precopy
