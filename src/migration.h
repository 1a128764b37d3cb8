// One migration's decision state: what a precopy_t handle wraps.
//
// It validates what the save loop reports, enforces the round cap for every policy, and keeps Xen's own
// simple policy running alongside so that, should the chosen policy fail in any way, it can answer as
// Xen would from the very next call (logging why once). Nothing here throws out of the Xen paths.
#ifndef PRECOPY_MIGRATION_H_
#define PRECOPY_MIGRATION_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "precopy/policy.h"
#include "precopy/trace.h"

namespace precopy {

using ClockFn = uint64_t (*)(void* data);

// Peeks (observe_curve) a recording keeps. Xen's patched loop peeks once per doubling of a round's
// elapsed time: 5 in the testbed's 13 s round 1, fewer in shorter rounds. 400 is 20 per round for 20
// rounds, and bounds the memory a recording can take whatever the caller sends.
inline constexpr std::size_t kMaxRecordedPeeks = 400;

class Migration {
 public:
  // Throws std::invalid_argument for an invalid config.
  explicit Migration(const Settings& settings);
  ~Migration();
  Migration(const Migration&) = delete;
  Migration& operator=(const Migration&) = delete;

  // The patched loop. observe() validates and decides at once (throws std::invalid_argument for a round
  // out of order or impossible numbers, leaving the state as it was); decision() repeats the answer.
  Verdict observe(const Round& round);
  void observe_curve(const CurveSample& sample);
  bool has_decision() const { return last_round_ > 0; }
  const Verdict& decision() const { return last_verdict_; }

  // Stock loop, call B without the bitmap (see precopy_decide_before_bitmap).
  Verdict before_bitmap(uint32_t round, double seconds, uint64_t pages_sent, const char* where = "before-bitmap");

  // libxenguest's precopy_policy protocol (send_memory_live): returns XGS_POLICY_* values. At call B,
  // `seen_dirty` >= 0 is the round's dirty count read without clearing the log (precopy_xen_policy_peeked).
  int xen_policy_call(unsigned iteration, long dirty_count, long seen_dirty = -1) noexcept;
  void set_clock(ClockFn now_ns, void* data);

  const char* policy_name() const;
  Estimates estimates() const;

  // Writes the observed rounds as a trace v1 file to settings.trace_path, if set. Logs on failure.
  void write_recording() noexcept;

 private:
  Verdict record_round(const Round& round);  // observe() without the log line
  Verdict decide_checked(const Round& round);
  Verdict decide_before_bitmap_checked(uint32_t round, double seconds, uint64_t pages_sent);
  void fall_back(const char* why) noexcept;
  // `deferred`: the verdict is a stop that takes effect only at the next call (the stock loop's call A);
  // it is logged as continue, with the policy's reason followed by `deferred`.
  void log_decision(const char* where, uint32_t round, double dirty, double seconds, const Verdict& v,
                    const char* deferred = nullptr) const;
  uint64_t now_ns() const;

  Settings settings_;
  std::unique_ptr<Policy> policy_;
  std::unique_ptr<Policy> xen_shadow_;  // Xen's own rule, fed every round, answers after a fall-back
  bool fallen_back_ = false;
  uint64_t memory_pages_ = 0;
  uint32_t last_round_ = 0;
  Verdict last_verdict_;
  std::vector<Round> recorded_;  // reserved up to the round cap at construction: no growth later
  std::vector<CurveSample> recorded_curve_;  // reserved likewise, kMaxRecordedPeeks; later peeks are dropped
  uint64_t dropped_peeks_ = 0;
  bool recorded_by_xen_adapter_ = false;

  // Stock-loop timing: the round in flight, when it started, how many pages it sends.
  ClockFn clock_ = nullptr;
  void* clock_data_ = nullptr;
  uint32_t round_in_flight_ = 0;
  uint64_t round_start_ns_ = 0;
  uint64_t round_pages_ = 0;
  double round_seconds_ = -1;  // measured at call B; -1 before it
  bool decided_at_call_b_ = false;  // the round in flight was recorded and decided at call B, on a peek
};

// Xen's simple_precopy_policy (xg_sr_save.c), the answer whenever precopy cannot give its own.
int xen_simple_policy(unsigned iteration, long dirty_count) noexcept;

}  // namespace precopy

#endif  // PRECOPY_MIGRATION_H_

// The C ABI's handle is the migration itself (precopy.h declares it opaque).
struct precopy_t final : public precopy::Migration {
  using precopy::Migration::Migration;
};
