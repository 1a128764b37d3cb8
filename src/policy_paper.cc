// `paper`: Table 1 of Kim & Kim, "An Efficient Method for Reducing Times using Prediction in Live
// Migration of Virtual Machine" (../shared/seed), decided once each round's dirty count is known.
//
// With a constant dirtying rate R (pages/s), page size C and link rate S (bytes/s), round n sends
// D_n = D_1 (R C / S)^(n-1) pages, so the rounds needed to get below T pages are
// N = log_{RC/S}(T / D_1) + 1. R is re-estimated after every round as all pages dirtied so far over all
// time spent; pre-copy stops when the new N exceeds the previous one (the guest got busier) or is <= 0
// (dirtying outpaces the link).
#include <cmath>

#include "policies.h"

namespace precopy {
namespace {

class PaperPolicy final : public Policy {
 public:
  explicit PaperPolicy(const PolicyConfig& c)
      : threshold_(static_cast<double>(c.threshold_pages)),
        rounds_(c.initial_rounds),
        page_size_(c.page_size),
        memory_pages_(static_cast<double>(c.memory_pages)),
        max_rounds_(c.max_rounds) {}

  std::string_view name() const override { return "paper"; }

  Verdict after_round(const Round& r) override {
    if (r.round == 1) {
      if (memory_pages_ == 0) memory_pages_ = static_cast<double>(r.pages_sent);
      link_bytes_per_s_ = static_cast<double>(r.pages_sent) * page_size_ / r.seconds;  // S, from round 1
    }
    dirty_sum_ += static_cast<double>(r.dirty_pages);
    seconds_sum_ += r.seconds;
    last_dirty_ = static_cast<double>(r.dirty_pages);

    if (static_cast<double>(r.dirty_pages) <= threshold_) return {Decision::kStop, "dirty pages at or below T"};
    if (r.round >= rounds_) return {Decision::kStop, "reached the predicted round count N"};
    if (r.round >= max_rounds_) return {Decision::kStop, "round cap"};
    rate_ = dirty_sum_ / seconds_sum_;
    double ratio = rate_ * page_size_ / link_bytes_per_s_;
    double temp = std::log(threshold_ / memory_pages_) / std::log(ratio) + 1;
    if (!(ratio > 0)) return {Decision::kStop, "dirty ratio RC/S is not positive"};
    if (ratio == 1) return {Decision::kStop, "dirty ratio RC/S is 1: no convergence"};
    if (!std::isfinite(temp)) return {Decision::kStop, "predicted N is not finite"};
    if (temp > rounds_) return {Decision::kStop, "predicted N grew"};
    if (temp <= 0) return {Decision::kStop, "predicted N <= 0: dirtying outpaces the link"};
    rounds_ = temp;
    return {Decision::kContinue, "round count below predicted N"};
  }

  Estimates estimates() const override {
    Estimates e;
    e.predicted_rounds = rounds_;
    e.dirty_rate_pages_per_s = rate_;
    e.bandwidth_bytes_per_s = link_bytes_per_s_;
    if (link_bytes_per_s_ > 0) e.predicted_downtime_s = last_dirty_ * page_size_ / link_bytes_per_s_;
    if (seconds_sum_ > 0 && link_bytes_per_s_ > 0) {
      e.predicted_next_dirty_pages = rate_ * (last_dirty_ * page_size_ / link_bytes_per_s_);
    }
    return e;
  }

 private:
  double threshold_;
  double rounds_;  // N
  double page_size_;
  double memory_pages_;  // D_1
  uint32_t max_rounds_;
  double link_bytes_per_s_ = 0;  // S
  double dirty_sum_ = 0;
  double seconds_sum_ = 0;
  double rate_ = std::nan("");  // RR
  double last_dirty_ = 0;
};

}  // namespace

std::unique_ptr<Policy> make_paper_policy(const PolicyConfig& config) {
  return std::make_unique<PaperPolicy>(config);
}

}  // namespace precopy
