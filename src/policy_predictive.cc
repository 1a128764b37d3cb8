// `predictive`: stop when another round cannot pay for itself, judged on a dirty-curve model.
//
// The seed paper assumes a constant dirtying rate R, so round n+1 dirties R times the length of round n.
// Real guests dirty along a concave, saturating curve f(t) (a writable working set fills up), so short
// rounds see a higher rate than long ones and the paper's cumulative R misjudges both convergence and
// downtime. This policy learns f from every round (and from peeks inside a round when the loop gives
// them), then rolls the migration forward: round k+1 lasts t = d_k C / B and dirties f(t) pages, and so on.
// With J = total_time + w * downtime, stopping after round k+j costs
//     J(k+j) = T_k + sum_{i=1..j} t_{k+i} + (1 + w) (d_{k+j} C / B + fixed)
// and the policy stops when j = 0 is the predicted minimum. Each step changes J by
// (C/B)((1+w) d_{k+j} - w d_{k+j-1}), which for a concave f only grows as rounds shorten, so J is
// unimodal in j and the first step decides: go on while the next round is predicted to cut the dirty
// count below w/(1+w) of this one. With a downtime budget it stops at the first round whose downtime
// fits, keeps going while the roll-forward reaches a round that fits, and otherwise falls back to J.
#include <algorithm>
#include <cmath>

#include "dirty_curve.h"
#include "policies.h"

namespace precopy {
namespace {

class PredictivePolicy final : public Policy {
 public:
  explicit PredictivePolicy(const PolicyConfig& c)
      : page_size_(c.page_size),
        memory_pages_(static_cast<double>(c.memory_pages)),
        threshold_pages_(static_cast<double>(c.threshold_pages)),
        max_rounds_(c.max_rounds),
        weight_(c.downtime_weight),
        fixed_downtime_s_(c.fixed_downtime_s),
        budget_s_(c.downtime_budget_s),
        link_(c.bandwidth_bytes_per_s) {}

  std::string_view name() const override { return "predictive"; }

  bool decides_before_bitmap() const override { return true; }

  void observe_curve(const CurveSample& s) override { curve_.add(s.seconds, static_cast<double>(s.pages)); }

  Verdict after_round(const Round& r) override {
    if (r.round == 1 && memory_pages_ == 0) memory_pages_ = static_cast<double>(r.pages_sent);
    seconds_sum_ += r.seconds;
    pages_sum_ += static_cast<double>(r.pages_sent);
    curve_.add(r.seconds, static_cast<double>(r.dirty_pages));
    round_ = r.round;
    dirty_ = static_cast<double>(r.dirty_pages);
    return decide(r.round, dirty_, seconds_sum_, pages_sum_);
  }

  Verdict before_bitmap(uint32_t round, double seconds, uint64_t pages_sent) override {
    double memory = memory_pages_ > 0 ? memory_pages_ : static_cast<double>(pages_sent);
    auto dirty = curve_.predict(seconds, memory);
    if (!dirty) return {Decision::kContinue, "no dirty-curve evidence yet"};
    return decide(round, *dirty, seconds_sum_ + seconds, pages_sum_ + static_cast<double>(pages_sent));
  }

  Estimates estimates() const override {
    Estimates e;
    if (round_ == 0) return e;
    double spp = seconds_per_page(seconds_sum_, pages_sum_);
    e.bandwidth_bytes_per_s = page_size_ / spp;
    e.predicted_downtime_s = dirty_ * spp + fixed_downtime_s_;
    double t = dirty_ * spp;
    if (auto next = curve_.predict(t, memory_pages_)) {
      e.predicted_next_dirty_pages = *next;
      if (t > 0) e.dirty_rate_pages_per_s = *next / t;
    }
    // The paper's N, made right: rounds until the dirty count is at most T, rolling the curve forward.
    double d = dirty_;
    for (uint32_t k = round_; k <= max_rounds_; ++k) {
      if (d <= threshold_pages_) {
        e.predicted_rounds = k;
        break;
      }
      auto next = curve_.predict(d * spp, memory_pages_);
      if (!next || *next >= d) break;  // a fixed point above T: never converges
      d = *next;
    }
    return e;
  }

 private:
  // C / B: the time to send one page. The link rate if configured, else measured over all rounds so far
  // (bytes over seconds, which smooths out a slow or fast round), as the model's downtime uses it.
  double seconds_per_page(double seconds, double pages) const {
    if (link_) return page_size_ / *link_;
    if (pages <= 0 || seconds <= 0) return 0;
    return seconds / pages;
  }

  Verdict decide(uint32_t round, double dirty, double seconds, double pages) {
    const double spp = seconds_per_page(seconds, pages);
    if (budget_s_ && dirty * spp + fixed_downtime_s_ <= *budget_s_) {
      return {Decision::kStop, "downtime fits the budget"};
    }
    if (round >= max_rounds_) return {Decision::kStop, "round cap"};
    if (dirty <= 0) return {Decision::kStop, "nothing left to send"};
    const double memory = memory_pages_ > 0 ? memory_pages_ : dirty;
    auto next = curve_.predict(dirty * spp, memory);
    if (!next) return {Decision::kContinue, "no dirty-curve evidence yet"};
    if (budget_s_ && budget_reachable(round, dirty, *next, spp, memory)) {
      return {Decision::kContinue, "a later round is predicted to fit the budget"};
    }
    // One more round changes J by (C/B)((1 + w) d_{k+1} - w d_k). For a concave curve the later steps
    // only change it by more (rounds shorten, so the ratio d_{j+1}/d_j grows): the first step decides.
    if ((1 + weight_) * *next >= weight_ * dirty) return {Decision::kStop, "another round would not pay for itself"};
    return {Decision::kContinue, "another round lowers the predicted cost"};
  }

  // Rolls the curve forward from round `round` (d = dirty, next round d1) looking for a round whose
  // downtime fits the budget, up to the round cap or until the dirty count stops falling.
  bool budget_reachable(uint32_t round, double dirty, double d1, double spp, double memory) const {
    double d = dirty;
    double next = d1;
    for (uint32_t k = round + 1; k <= max_rounds_; ++k) {
      if (next * spp + fixed_downtime_s_ <= *budget_s_) return true;
      if (next >= d * (1 - kNegligibleProgress)) return false;  // levelled off above the budget
      d = next;
      next = curve_.predict(d * spp, memory).value_or(d);
    }
    return false;
  }

  // A round that cuts the dirty count by less than this share is treated as no progress at all.
  static constexpr double kNegligibleProgress = 1e-3;

  double page_size_;
  double memory_pages_;
  double threshold_pages_;
  uint32_t max_rounds_;
  double weight_;
  double fixed_downtime_s_;
  std::optional<double> budget_s_;
  std::optional<double> link_;

  DirtyCurve curve_;
  double seconds_sum_ = 0;
  double pages_sum_ = 0;
  uint32_t round_ = 0;
  double dirty_ = 0;
};

}  // namespace

std::unique_ptr<Policy> make_predictive_policy(const PolicyConfig& config) {
  return std::make_unique<PredictivePolicy>(config);
}

}  // namespace precopy
