#include <cmath>
#include <stdexcept>
#include <string>

#include "policies.h"
#include "precopy/policy.h"

namespace precopy {

Verdict Policy::before_bitmap(uint32_t /*round*/, double /*seconds*/, uint64_t /*pages_sent*/) {
  return {Decision::kContinue, "cannot predict the dirty count"};
}

const std::vector<std::string>& policy_names() {
  static const std::vector<std::string> names = {"predictive", "paper", "xen", "xen-legacy", "qemu", "continue"};
  return names;
}

namespace {
void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}
bool finite_nonneg(double v) { return std::isfinite(v) && v >= 0; }
}  // namespace

void validate(const PolicyConfig& c) {
  require(c.page_size > 0 && (c.page_size & (c.page_size - 1)) == 0,
          "page_size must be a power of two, not " + std::to_string(c.page_size));
  require(c.threshold_pages >= 1, "threshold_pages must be at least 1");
  require(c.max_rounds >= 1 && c.max_rounds <= kMaxRoundsCap,
          "max_rounds must be within 1.." + std::to_string(kMaxRoundsCap));
  require(std::isfinite(c.initial_rounds) && c.initial_rounds >= 1, "initial_rounds must be at least 1");
  require(!c.downtime_budget_s || (std::isfinite(*c.downtime_budget_s) && *c.downtime_budget_s > 0),
          "downtime budget must be a positive number");
  require(std::isfinite(c.downtime_limit_s) && c.downtime_limit_s > 0, "downtime limit must be positive");
  require(finite_nonneg(c.downtime_weight), "downtime_weight must be a non-negative number");
  require(finite_nonneg(c.fixed_downtime_s), "fixed downtime must be a non-negative number");
  require(!c.bandwidth_bytes_per_s || (std::isfinite(*c.bandwidth_bytes_per_s) && *c.bandwidth_bytes_per_s > 0),
          "bandwidth must be a positive number");
}

std::unique_ptr<Policy> make_policy(const PolicyConfig& config) {
  validate(config);
  const std::string& n = config.policy;
  if (n == "predictive") return make_predictive_policy(config);
  if (n == "paper") return make_paper_policy(config);
  if (n == "xen") return make_xen_policy(config);
  if (n == "xen-legacy") return make_xen_legacy_policy(config);
  if (n == "qemu") return make_qemu_policy(config);
  if (n == "continue") return make_continue_policy(config);
  std::string known;
  for (const auto& name : policy_names()) known += (known.empty() ? "" : ", ") + name;
  throw std::invalid_argument("unknown policy '" + n + "' (known: " + known + ")");
}

}  // namespace precopy
