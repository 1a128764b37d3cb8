// `xen-legacy`: the stop rule of xc_domain_save in Xen 3.0.2 - 4.5, the seed paper's baseline. After
// round i it entered the last (suspended) iteration if i >= max_iters (29), or fewer than 50 pages were
// sent in round i, or more than max_factor (3) times memory had been sent in all.
#include <algorithm>

#include "policies.h"

namespace precopy {
namespace {

class XenLegacyPolicy final : public Policy {
 public:
  explicit XenLegacyPolicy(const PolicyConfig& c)
      : threshold_(c.threshold_pages),
        max_iterations_(std::min(kXenLegacyMaxIterations, c.max_rounds)),
        memory_pages_(c.memory_pages) {}

  std::string_view name() const override { return "xen-legacy"; }

  Verdict after_round(const Round& r) override {
    if (memory_pages_ == 0) memory_pages_ = r.pages_sent;  // round 1 sends all of memory
    total_sent_ += r.pages_sent;
    if (r.round >= max_iterations_) return {Decision::kStop, "iteration limit"};
    if (r.pages_sent < threshold_) return {Decision::kStop, "few pages sent in this round"};
    if (total_sent_ > kXenLegacyMaxFactor * memory_pages_) return {Decision::kStop, "sent 3x memory"};
    return {Decision::kContinue, "no stop condition met"};
  }

 private:
  uint64_t threshold_;
  uint32_t max_iterations_;
  uint64_t memory_pages_;
  uint64_t total_sent_ = 0;
};

}  // namespace

std::unique_ptr<Policy> make_xen_legacy_policy(const PolicyConfig& config) {
  return std::make_unique<XenLegacyPolicy>(config);
}

}  // namespace precopy
