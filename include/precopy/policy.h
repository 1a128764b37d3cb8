// Stopping policies: after each pre-copy round, go on or enter stop-and-copy.
#ifndef PRECOPY_POLICY_H_
#define PRECOPY_POLICY_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "precopy/trace.h"

namespace precopy {

// Upper bound for max_rounds: keeps every per-migration structure bounded.
inline constexpr uint32_t kMaxRoundsCap = 1000;

enum class Decision { kContinue = 0, kStop = 1 };

// What a policy knows at construction. Zero/absent values mean "learn it from the rounds".
struct PolicyConfig {
  std::string policy = "predictive";
  uint32_t page_size = 4096;
  uint64_t memory_pages = 0;              // p2m size; 0 = taken from round 1's pages_sent
  uint64_t threshold_pages = 50;          // the paper's T and Xen's dirty target
  uint32_t max_rounds = 30;               // hard cap on live rounds
  double initial_rounds = 30;             // the paper's initial N
  std::optional<double> downtime_budget_s;  // stop as soon as downtime fits (predictive, oracle)
  double downtime_limit_s = 0.3;          // qemu's downtime limit
  double downtime_weight = 10;            // w in J = total_time + w * downtime
  double fixed_downtime_s = 0;            // constant part of downtime
  std::optional<double> bandwidth_bytes_per_s;  // link rate if known
};

// Estimates a policy may expose after a round; NaN when it has none.
struct Estimates {
  double predicted_rounds = std::numeric_limits<double>::quiet_NaN();
  double dirty_rate_pages_per_s = std::numeric_limits<double>::quiet_NaN();
  double bandwidth_bytes_per_s = std::numeric_limits<double>::quiet_NaN();
  double predicted_downtime_s = std::numeric_limits<double>::quiet_NaN();
  double predicted_next_dirty_pages = std::numeric_limits<double>::quiet_NaN();
};

struct Verdict {
  Decision decision = Decision::kContinue;
  const char* reason = "";  // static string: why
};

// One policy instance per migration. Implementations keep O(1) state and do not allocate in the
// per-round calls. They may assume rounds arrive 1, 2, 3... with finite, non-negative numbers: the
// callers (replay, the C ABI) validate first.
class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string_view name() const = 0;

  // Round r has been sent and its dirty count read (the "patched loop"). kStop: stop-and-copy now,
  // sending r.dirty_pages with the guest paused.
  virtual Verdict after_round(const Round& r) = 0;

  // Stock libxenguest only: round `round` has been sent (its time and size are known) but its dirty
  // bitmap is not read yet. kStop: stop-and-copy right after it. Policies that cannot predict the
  // dirty count keep the default (continue).
  virtual Verdict before_bitmap(uint32_t round, double seconds, uint64_t pages_sent);

  // True when before_bitmap() can predict the round's dirty count. The stock-loop adapter then leaves
  // the decision to call B; otherwise it acts at call A, accepting one more live round.
  virtual bool decides_before_bitmap() const { return false; }

  // True when, in the stock loop, the round's dirty count read at call B (precopy_xen_policy_peeked)
  // should replace the prediction: the round is then recorded and decided there, as after the bitmap
  // read. Policies that replicate stock Xen (`xen`) or record its bitmap counts (`continue`) keep the
  // default and go on deciding on the bitmap's counts at call A.
  virtual bool decides_on_peeked_count() const { return false; }

  // A peek at the dirty bitmap during a round (without clearing it): `pages` distinct pages were dirty
  // `seconds` into round `round`. Optional evidence of the dirty curve; most policies ignore it.
  virtual void observe_curve(const CurveSample& /*sample*/) {}

  virtual Estimates estimates() const { return {}; }
};

// Names accepted by make_policy, in display order. "oracle" is not among them: it needs the whole
// trace and lives in replay.h.
const std::vector<std::string>& policy_names();

// Creates a policy by name. Throws std::invalid_argument with a one-line message for an unknown name
// or an invalid config.
std::unique_ptr<Policy> make_policy(const PolicyConfig& config);

// Checks a config's ranges; throws std::invalid_argument naming the bad field.
void validate(const PolicyConfig& config);

}  // namespace precopy

#endif  // PRECOPY_POLICY_H_
