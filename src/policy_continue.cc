// `continue`: never stops early; runs until the round cap (or until a round dirtied nothing). This is
// the recording policy: a trace recorded under it is an exact counterfactual for every stopping rule
// that stops within it.
#include "policies.h"

namespace precopy {
namespace {

class ContinuePolicy final : public Policy {
 public:
  explicit ContinuePolicy(const PolicyConfig& c) : max_rounds_(c.max_rounds) {}

  std::string_view name() const override { return "continue"; }

  Verdict after_round(const Round& r) override {
    if (r.round >= max_rounds_) return {Decision::kStop, "round cap"};
    if (r.dirty_pages == 0) return {Decision::kStop, "nothing left to send"};
    return {Decision::kContinue, "recording: always continue"};
  }

  bool decides_before_bitmap() const override { return true; }

  Verdict before_bitmap(uint32_t round, double, uint64_t) override {
    if (round >= max_rounds_) return {Decision::kStop, "round cap"};
    return {Decision::kContinue, "recording: always continue"};
  }

 private:
  uint32_t max_rounds_;
};

}  // namespace

std::unique_ptr<Policy> make_continue_policy(const PolicyConfig& config) {
  return std::make_unique<ContinuePolicy>(config);
}

}  // namespace precopy
