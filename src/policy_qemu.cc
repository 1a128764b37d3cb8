// `qemu`: QEMU's rule (migration/ram.c): stop when the remaining dirty memory can be sent within the
// downtime limit (300 ms by default) at the bandwidth measured over the last round. It has no round
// cap: a guest that never fits keeps migrating (QEMU relies on auto-converge or the operator).
#include "policies.h"

namespace precopy {
namespace {

class QemuPolicy final : public Policy {
 public:
  explicit QemuPolicy(const PolicyConfig& c)
      : page_size_(c.page_size), limit_s_(c.downtime_limit_s), link_(c.bandwidth_bytes_per_s) {}

  std::string_view name() const override { return "qemu"; }

  Verdict after_round(const Round& r) override {
    if (link_) {
      bandwidth_ = *link_;
    } else if (r.seconds > 0 && r.pages_sent > 0) {
      bandwidth_ = static_cast<double>(r.pages_sent) * page_size_ / r.seconds;
    }
    pending_bytes_ = static_cast<double>(r.dirty_pages) * page_size_;
    if (bandwidth_ > 0 && pending_bytes_ <= bandwidth_ * limit_s_) {
      return {Decision::kStop, "remaining dirty memory fits the downtime limit"};
    }
    return {Decision::kContinue, "remaining dirty memory exceeds the downtime limit"};
  }

  Estimates estimates() const override {
    Estimates e;
    if (bandwidth_ > 0) {
      e.bandwidth_bytes_per_s = bandwidth_;
      e.predicted_downtime_s = pending_bytes_ / bandwidth_;
    }
    return e;
  }

 private:
  double page_size_;
  double limit_s_;
  std::optional<double> link_;
  double bandwidth_ = 0;
  double pending_bytes_ = 0;
};

}  // namespace

std::unique_ptr<Policy> make_qemu_policy(const PolicyConfig& config) { return std::make_unique<QemuPolicy>(config); }

}  // namespace precopy
