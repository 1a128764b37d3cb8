// Factories of the built-in policies (one .cc file each). make_policy() in policy.cc picks by name.
#ifndef PRECOPY_POLICIES_H_
#define PRECOPY_POLICIES_H_

#include <memory>

#include "precopy/policy.h"

namespace precopy {

std::unique_ptr<Policy> make_xen_policy(const PolicyConfig& config);
std::unique_ptr<Policy> make_xen_legacy_policy(const PolicyConfig& config);
std::unique_ptr<Policy> make_paper_policy(const PolicyConfig& config);
std::unique_ptr<Policy> make_qemu_policy(const PolicyConfig& config);
std::unique_ptr<Policy> make_continue_policy(const PolicyConfig& config);
std::unique_ptr<Policy> make_predictive_policy(const PolicyConfig& config);

// Xen's SPP_MAX_ITERATIONS: simple_precopy_policy stops at this iteration.
inline constexpr uint32_t kXenMaxIterations = 5;
// Xen 3.0.2 - 4.5 xc_domain_save: max_iters and max_factor.
inline constexpr uint32_t kXenLegacyMaxIterations = 29;
inline constexpr uint64_t kXenLegacyMaxFactor = 3;

}  // namespace precopy

#endif  // PRECOPY_POLICIES_H_
