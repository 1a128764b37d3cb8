// `xen`: Xen 4.10+ simple_precopy_policy as send_memory_live() drives it (tools/libs/guest/xg_sr_save.c).
//
// The stock policy stops when dirty_count < 50 (seen at the call before a round) or iteration >= 5 (seen
// at the call after a round). A stop at the call before a round still sends that round live, so Xen stops
// after round min(5, j + 1), j the first round whose dirty count is below the target. This class gives the
// same stop in both loops: in the stock loop the target is remembered at call A and acted on at call B.
#include <algorithm>

#include "policies.h"

namespace precopy {
namespace {

class XenPolicy final : public Policy {
 public:
  explicit XenPolicy(const PolicyConfig& c)
      : target_(c.threshold_pages), max_iterations_(std::min(kXenMaxIterations, c.max_rounds)) {}

  std::string_view name() const override { return "xen"; }

  Verdict after_round(const Round& r) override {
    if (below_target_) return {Decision::kStop, "dirty count fell below the target a round ago"};
    if (r.round >= max_iterations_) return {Decision::kStop, "iteration limit"};
    if (r.dirty_pages < target_) below_target_ = true;  // Xen still sends one more round live
    return {Decision::kContinue, below_target_ ? "below target: one more live round" : "above target"};
  }

  bool decides_before_bitmap() const override { return true; }

  Verdict before_bitmap(uint32_t round, double, uint64_t) override {
    if (below_target_) return {Decision::kStop, "dirty count fell below the target a round ago"};
    if (round >= max_iterations_) return {Decision::kStop, "iteration limit"};
    return {Decision::kContinue, "below iteration limit"};
  }

 private:
  uint64_t target_;
  uint32_t max_iterations_;
  bool below_target_ = false;
};

}  // namespace

std::unique_ptr<Policy> make_xen_policy(const PolicyConfig& config) { return std::make_unique<XenPolicy>(config); }

}  // namespace precopy
