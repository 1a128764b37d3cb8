// precopy_xen_policy: libxenguest's precopy_policy_t, speaking send_memory_live()'s protocol.
//
// send_memory_live() (tools/libs/guest/xg_sr_save.c, Xen 4.10 .. staging) calls the policy twice per
// round: call A before round k+1 with iteration = k and dirty_count = the pages round k+1 will send
// (for round 1: the p2m size, iteration 0); the round is sent even if call A says stop. Call B after
// the round with dirty_count = -1 and iteration = rounds sent; a stop there suspends at once and the
// final pass sends what was dirtied meanwhile.
//
// So at call B we know the round's duration and size but not its dirty count, and at call A we know the
// dirty count but can only stop one round later. Policies that can predict the dirty count (predictive)
// decide at call B; the others decide at call A and accept one more live round. The adapter times rounds
// itself between call A and call B.
//
// Unless the caller can read the count at call B: Xen counts the pages dirtied since the log was last
// cleaned, and send_memory_live() cleans it (reading the bitmap) only after call B, so a
// XEN_DOMCTL_SHADOW_OP_PEEK without a bitmap at call B returns the dirty count of the round just sent,
// less the few pages dirtied between the peek and the clean. With it (precopy_xen_policy_peeked, which
// libprecopy_preload calls) a policy that would predict the count (decides_on_peeked_count) records the
// round and decides at call B on the count, as in the patched loop after the bitmap read; the next call
// A then only starts the next round. The others ignore it.
#include <xenctrl.h>
#include <xenguest.h>

#include <exception>

#include "migration.h"
#include "precopy/precopy.h"

namespace precopy {

// Appended to the reason of a call-A stop that the adapter leaves to call B.
constexpr const char* kStopDeferredToCallB = "; stock Xen sends the next round anyway: deciding after it";

int Migration::xen_policy_call(unsigned iteration, long dirty_count, long seen_dirty) noexcept {
  if (fallen_back_) return xen_simple_policy(iteration, dirty_count);
  try {
    recorded_by_xen_adapter_ = true;
    uint64_t now = now_ns();
    if (dirty_count >= 0) {  // call A: round `iteration` is done and its bitmap read
      if (iteration == 0) {
        if (round_in_flight_ != 0) throw std::logic_error("iteration 0 seen twice");
        if (memory_pages_ == 0) memory_pages_ = static_cast<uint64_t>(dirty_count);
      } else {
        if (iteration != round_in_flight_ || round_seconds_ < 0) {
          throw std::logic_error("call A for iteration " + std::to_string(iteration) + " while round " +
                                 std::to_string(round_in_flight_) + " is in flight");
        }
      }
      if (iteration > 0 && !decided_at_call_b_) {
        Verdict v = record_round(Round{iteration, static_cast<uint64_t>(dirty_count), round_seconds_, round_pages_});
        // A stop here still sends one more round live. Policies that predict the dirty count decide at
        // call B instead, so their verdict here only informs the log.
        bool stop_now = v.decision == Decision::kStop && (fallen_back_ || !policy_->decides_before_bitmap() ||
                                                          iteration >= settings_.policy.max_rounds);
        const bool deferred = v.decision == Decision::kStop && !stop_now;
        log_decision("after-bitmap", iteration, static_cast<double>(dirty_count), round_seconds_, v,
                     deferred ? kStopDeferredToCallB : nullptr);
        if (stop_now) return XGS_POLICY_STOP_AND_COPY;  // round iteration+1 still goes live, then stop-and-copy
      }
      if (fallen_back_) return xen_simple_policy(iteration, dirty_count);
      decided_at_call_b_ = false;
      round_in_flight_ = iteration + 1;
      round_start_ns_ = now;
      round_pages_ = static_cast<uint64_t>(dirty_count);
      round_seconds_ = -1;
      return XGS_POLICY_CONTINUE_PRECOPY;
    }
    if (dirty_count != -1 || iteration != round_in_flight_ || round_in_flight_ == 0) {
      throw std::logic_error("call B for iteration " + std::to_string(iteration) + " with dirty_count " +
                             std::to_string(dirty_count) + " while round " + std::to_string(round_in_flight_) +
                             " is in flight");
    }
    // A clock that stands still or runs backwards gives a zero-length round rather than a huge one.
    round_seconds_ = now >= round_start_ns_ ? static_cast<double>(now - round_start_ns_) / 1e9 : 0.0;
    if (seen_dirty >= 0 && policy_->decides_on_peeked_count()) {
      // The count is seen: the patched loop's decision, and a stop here is final as it is there.
      Verdict v = record_round(Round{iteration, static_cast<uint64_t>(seen_dirty), round_seconds_, round_pages_});
      log_decision("after-peek", iteration, static_cast<double>(seen_dirty), round_seconds_, v);
      if (fallen_back_) return xen_simple_policy(iteration, dirty_count);
      decided_at_call_b_ = true;
      return v.decision == Decision::kStop ? XGS_POLICY_STOP_AND_COPY : XGS_POLICY_CONTINUE_PRECOPY;
    }
    Verdict v = before_bitmap(iteration, round_seconds_, round_pages_, "before-bitmap");
    if (fallen_back_) return xen_simple_policy(iteration, dirty_count);
    return v.decision == Decision::kStop ? XGS_POLICY_STOP_AND_COPY : XGS_POLICY_CONTINUE_PRECOPY;
  } catch (const std::exception& e) {
    fall_back(e.what());
  } catch (...) {
    fall_back("unknown exception");
  }
  return xen_simple_policy(iteration, dirty_count);
}

}  // namespace precopy

extern "C" int precopy_xen_policy(struct precopy_stats stats, void* data) {
  static_assert(PRECOPY_CONTINUE == XGS_POLICY_CONTINUE_PRECOPY && PRECOPY_STOP == XGS_POLICY_STOP_AND_COPY);
  auto* migration = static_cast<precopy_t*>(data);
  if (!migration) return precopy::xen_simple_policy(stats.iteration, stats.dirty_count);
  return migration->xen_policy_call(stats.iteration, stats.dirty_count);
}

extern "C" int precopy_xen_policy_peeked(struct precopy_stats stats, long dirty_pages, void* data) {
  auto* migration = static_cast<precopy_t*>(data);
  if (!migration) return precopy::xen_simple_policy(stats.iteration, stats.dirty_count);
  return migration->xen_policy_call(stats.iteration, stats.dirty_count, stats.dirty_count == -1 ? dirty_pages : -1);
}
