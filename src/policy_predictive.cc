// `predictive`: stop when another round cannot pay for itself, judged on a dirty-curve model.
//
// The seed paper assumes a constant dirtying rate R, so round n+1 dirties R times the length of round n.
// Real guests dirty along a concave, saturating curve f(t) (a writable working set fills up), so short
// rounds see a higher rate than long ones and the paper's cumulative R misjudges both convergence and
// downtime. This policy learns f from every round (and from peeks inside a round when the loop gives
// them), then rolls the migration forward: round k+1 lasts t = d_k C / B and dirties f(t) pages, and so on.
// With J = total_time + w * downtime, stopping after round k+j costs
//     J(k+j) = T_k + sum_{i=1..j} t_{k+i} + (1 + w) (d_{k+j} C / B + fixed)
// and the policy stops as soon as j = 0 is the predicted minimum. Each step's change in J is
// (C/B)((1+w) d_{k+j} - w d_{k+j-1}), which for a concave f only grows as rounds shorten, so the first
// rise in J ends the roll-forward. With a downtime budget it stops at the first round whose downtime
// fits, keeps going while a later round is predicted to fit, and otherwise falls back to J.
#include <algorithm>
#include <cmath>
#include <limits>

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
    double spp = seconds_per_page(seconds, pages);
    if (budget_s_ && dirty * spp + fixed_downtime_s_ <= *budget_s_) {
      return {Decision::kStop, "downtime fits the budget"};
    }
    if (round >= max_rounds_) return {Decision::kStop, "round cap"};
    if (dirty <= 0) return {Decision::kStop, "nothing left to send"};

    // Roll forward. Costs are relative to stopping now; the common T_k and fixed downtime cancel.
    const double stop_now = (1 + weight_) * dirty * spp;
    double best = stop_now;
    uint32_t best_extra = 0;
    uint32_t first_fit = 0;
    double cost = 0;
    double d = dirty;
    double previous_j = stop_now;
    for (uint32_t j = 1; round + j <= max_rounds_; ++j) {
      double t = d * spp;
      auto next = curve_.predict(t, memory_pages_ > 0 ? memory_pages_ : d);
      if (!next) break;
      cost += t;
      double j_cost = cost + (1 + weight_) * *next * spp;
      if (j_cost < best) {
        best = j_cost;
        best_extra = j;
      }
      bool fits = budget_s_ && *next * spp + fixed_downtime_s_ <= *budget_s_;
      if (fits && first_fit == 0) first_fit = j;
      bool still_looking_for_fit = budget_s_ && first_fit == 0;
      if (*next >= d) break;  // a fixed point: later rounds repeat this one
      if (j_cost > previous_j && !still_looking_for_fit) break;  // J only rises from here
      previous_j = j_cost;
      d = *next;
    }
    if (first_fit > 0) return {Decision::kContinue, "a later round is predicted to fit the budget"};
    if (best_extra == 0) return {Decision::kStop, "another round would not pay for itself"};
    return {Decision::kContinue, "another round lowers the predicted cost"};
  }

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
