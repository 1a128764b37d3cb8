// `predictive`: stop when another round cannot pay for itself, judged on a dirty-curve model.
//
// The seed paper assumes a constant dirtying rate R, so round n+1 dirties R times the length of round n.
// Real guests dirty along a concave, saturating curve f(t) (a writable working set fills up), so short
// rounds see a higher rate than long ones and the paper's cumulative R misjudges both convergence and
// downtime. This policy learns f from every round (and from peeks inside a round when the loop gives
// them), learns how long a round of p pages takes (t = a + b p: a fixed part per round plus the link),
// and rolls the migration forward: round k+1 sends d_k pages, lasts t_{k+1} = a + b d_k and dirties
// f(t_{k+1}). With J = total_time + w * downtime and downtime = d C / B, one more round changes J by
//     t_{k+1} + (1 + w) (d_{k+1} - d_k) C / B.
// For a concave f the later rounds only change it by more (rounds shorten, so d_{j+1}/d_j grows), so J is
// unimodal in the stop round and the first step decides: go on while it lowers J.
//
// A guest whose rate changes over time leaves samples from several curves (a long round in a pause, a
// short one in a burst), and the curve between them can fall with the window. The best guess is never
// below what the newest round implies for one phase (DirtyCurve::predict_no_lower_than_newest): the next
// round starts in the phase the last one ended in. The same holds the other way once the count is seen:
// a round whose rate fell clearly below the round before it (a burst ended during it) is the best
// evidence of a quieter phase, and its own rate is the guess for the next round, while such falls have
// foreseen this guest's rounds at least as well as the curve (FallingRate). A round run on that is a bet
// that the quieter phase lasts, and is charged to the hope of one (below).
//
// Where the curve is only extrapolated, or the guest's rate changes over time (a burst: a shorter round
// dirtied more pages than a longer one; weighed only where the count is seen before a stop), it weighs
// what going on could gain against what a wasted round costs and takes the smaller regret. Rounds run
// on a forecast (a predicted fall, or such a hope) that raised J are charged to it, and a forecast must
// promise more than it has cost: waiting on a hope that never comes true is bounded (ski rental). Before
// its first stop on J, once the count has fallen below round 1's, it runs one more round: a count that
// has just stopped falling may be a burst that the next round's pause ends.
//
// With a downtime budget it stops at the first round whose downtime fits; before that it keeps going
// while a round that fits is within reach -- judged optimistically, because stopping short of a budget
// the guest could have met is the costlier mistake -- or while the guest is seen to converge, and
// otherwise falls back to J.
#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string_view>

#include "dirty_curve.h"
#include "falling_rate.h"
#include "policies.h"
#include "round_time_model.h"

namespace precopy {
namespace {

class PredictivePolicy final : public Policy {
 public:
  explicit PredictivePolicy(const PolicyConfig& c)
      : page_size_(c.page_size),
        memory_pages_(static_cast<double>(c.memory_pages)),
        threshold_pages_(static_cast<double>(c.threshold_pages)),
        max_rounds_(c.max_rounds),
        weight_(c.downtime_weight),
        fixed_downtime_s_(c.fixed_downtime_s),
        budget_s_(c.downtime_budget_s),
        link_(c.bandwidth_bytes_per_s) {}

  std::string_view name() const override { return "predictive"; }

  bool decides_before_bitmap() const override { return true; }
  bool decides_on_peeked_count() const override { return true; }

  void observe_curve(const CurveSample& s) override { curve_.add(s.seconds, static_cast<double>(s.pages)); }

  Verdict after_round(const Round& r) override {
    if (r.round == 1 && memory_pages_ == 0) memory_pages_ = static_cast<double>(r.pages_sent);
    times_.add(static_cast<double>(r.pages_sent), r.seconds);
    // What the curve learnt so far says a round this long leaves dirty, before it learns this round: only
    // the round run for a second look is judged by it (decide()), and only where its count is seen.
    expected_dirty_.reset();
    if (second_look_at_ && r.round == *second_look_at_ + 1 && !asked_before_bitmap_) {
      const double memory = memory_pages_ > 0 ? memory_pages_ : static_cast<double>(r.pages_sent);
      expected_dirty_ = curve_.predict_no_lower_than_newest(r.seconds, memory);
    }
    const double dirty = static_cast<double>(r.dirty_pages);
    falling_rate_.add_round(r.seconds, dirty);
    curve_.add(r.seconds, dirty);
    // One dirty curve cannot have a shorter window dirty clearly more pages than a longer one (by more
    // than a count's own noise, about its square root): when a round shorter than the one before does,
    // the guest's rate changes over time (bursts, phases), and a quieter phase may come at any round.
    if (r.round >= 2 && r.seconds < last_seconds_ && clearly_more(dirty, dirty_)) rate_varies_ = true;
    if (!fewest_dirty_ || dirty < *fewest_dirty_) fewest_dirty_ = dirty;
    if (r.round == 1) first_dirty_ = dirty;
    if (r.round >= 2 && clearly_fewer(dirty, first_dirty_)) fell_below_round_one_ = true;
    round_ = r.round;
    previous_dirty_ = dirty_;
    dirty_ = dirty;
    last_seconds_ = r.seconds;
    // After a fall, both guesses for the next round are kept, to be scored when it is done.
    if (falling_rate_.fell()) {
      const double next_seconds = times_.seconds_for(dirty);
      const double memory = memory_pages_ > 0 ? memory_pages_ : dirty;
      if (auto curve_guess = curve_.predict_no_lower_than_newest(next_seconds, memory)) {
        falling_rate_.forecast(next_seconds, *curve_guess);
      }
    }
    const double spp = downtime_seconds_per_page(times_);
    count_forecast_cost(times_.total_seconds() + (1 + weight_) * dirty * spp);
    Verdict v = decide(r.round, dirty_, spp, Count::kSeen);
    // In the stock loop call B decides and this verdict only informs the log, with one exception: stock
    // Xen sends the next round whatever call A says, so where a second look would be taken here, that
    // round is it.
    if (!asked_before_bitmap_) {
      note_forecast(v, r.round);
    } else if (v.decision == Decision::kContinue && std::string_view(v.reason) == kSecondLook) {
      second_look_at_ = r.round;
    }
    launch_round();
    return v;
  }

  // Stock loop, call B: round `round` has been sent but its dirty count is not known yet.
  Verdict before_bitmap(uint32_t round, double seconds, uint64_t pages_sent) override {
    asked_before_bitmap_ = true;
    decided_on_ = kNoForecast;
    const double memory = memory_pages_ > 0 ? memory_pages_ : static_cast<double>(pages_sent);
    auto guess = curve_.predict_no_lower_than_newest(seconds, memory);
    if (!guess) return {Decision::kContinue, "no dirty-curve evidence yet"};
    RoundTimeModel with_this_round = times_;
    with_this_round.add(static_cast<double>(pages_sent), seconds);
    const double spp = downtime_seconds_per_page(with_this_round);
    // A stop here is final and the count is only a guess: claim the budget only if even the most the
    // curve allows fits.
    if (budget_s_) {
      double most = curve_.upper_bound(seconds, memory).value_or(memory);
      if (most * spp + fixed_downtime_s_ <= *budget_s_) return {Decision::kStop, "downtime fits the budget"};
      if (*guess * spp + fixed_downtime_s_ <= *budget_s_) {
        return {Decision::kContinue, "downtime may fit the budget: waiting for the count"};
      }
    }
    return note_forecast(decide(round, *guess, spp, Count::kGuessed), round);
  }

  Estimates estimates() const override {
    Estimates e;
    if (round_ == 0) return e;
    const double spp = downtime_seconds_per_page(times_);
    e.bandwidth_bytes_per_s = page_size_ / spp;
    e.predicted_downtime_s = dirty_ * spp + fixed_downtime_s_;
    const double t = times_.seconds_for(dirty_);
    if (auto curve_guess = curve_.predict_no_lower_than_newest(t, memory_pages_)) {
      const double next = best_guess(t, *curve_guess, Count::kSeen);
      e.predicted_next_dirty_pages = next;
      if (t > 0) e.dirty_rate_pages_per_s = next / t;
    }
    // The paper's N, made right: rounds until the dirty count is at most T, rolling the curve forward.
    double d = dirty_;
    for (uint32_t k = round_; k <= max_rounds_; ++k) {
      if (d <= threshold_pages_) {
        e.predicted_rounds = k;
        break;
      }
      auto next = curve_.predict_no_lower_than_newest(times_.seconds_for(d), memory_pages_);
      if (!next || *next >= d * (1 - kNegligibleProgress)) break;  // levels off above T
      d = *next;
    }
    return e;
  }

 private:
  // C / B for downtime, as the outcome model has it: the link rate if configured, else the rate measured
  // over all rounds so far (bytes over seconds, which smooths out a slow or fast round).
  double downtime_seconds_per_page(const RoundTimeModel& times) const {
    if (link_) return page_size_ / *link_;
    if (times.total_pages() <= 0) return 0;
    return times.total_seconds() / times.total_pages();
  }

  // Whether decide() knows the last round's dirty count or only predicts it (the stock loop's call B).
  enum class Count { kSeen, kGuessed };

  Verdict decide(uint32_t round, double dirty, double spp, Count count) const {
    if (budget_s_ && dirty * spp + fixed_downtime_s_ <= *budget_s_) {
      return {Decision::kStop, "downtime fits the budget"};
    }
    if (round >= max_rounds_) return {Decision::kStop, "round cap"};
    if (dirty <= 0) return {Decision::kStop, "nothing left to send"};
    const double memory = memory_pages_ > 0 ? memory_pages_ : dirty;
    const double next_seconds = times_.seconds_for(dirty);
    const std::optional<double> curve_guess = curve_.predict_no_lower_than_newest(next_seconds, memory);
    if (!curve_guess) return {Decision::kContinue, "no dirty-curve evidence yet"};
    const double guess = best_guess(next_seconds, *curve_guess, count);
    // The roll-forward assumes the count keeps falling; a count that has just risen clearly says it does
    // not, whatever older samples of a quieter phase promise for short windows.
    const bool count_rose = count == Count::kSeen && round >= 2 && clearly_more(dirty, previous_dirty_);
    if (budget_s_ && !count_rose && budget_reachable(round, dirty, spp, memory)) return {Decision::kContinue, kBudgetWithinReach};
    if (budget_s_ && still_converging(spp)) return {Decision::kContinue, kBudgetMayBeMet};
    const double change_if_guess_right = next_seconds + (1 + weight_) * (guess - dirty) * spp;
    // A prediction that has already cost rounds must promise more than they cost (count_forecast_cost).
    if (change_if_guess_right + cost_s_[kPrediction] < 0) {
      // Where only the fallen rate says so, the round is a bet that the quieter phase lasts.
      const bool curve_agrees = next_seconds + (1 + weight_) * (*curve_guess - dirty) * spp + cost_s_[kPrediction] < 0;
      return {Decision::kContinue, curve_agrees ? kLowersPredictedCost : kRateFell};
    }
    // The round run for a second look left the count level with the one it was run on (within its noise,
    // about its square root): the level is confirmed, and hoping for a fall from here is what the second
    // look has just done. At the stock loop's call B the look round's count is predicted and the one it
    // was run on is the last seen. (A count exactly twice its root below counts as a fall here, not as
    // level: the one edge where this test is not !clearly_below.)
    const bool judging_the_look = second_look_at_ && round == *second_look_at_ + 1;
    const double looked_at = count == Count::kSeen ? previous_dirty_ : dirty_;
    if (judging_the_look && dirty > looked_at - 2 * std::sqrt(looked_at)) {
      return {Decision::kStop, "the count held level for one more round"};
    }
    // It fell, and clearly below what the curve expected a round that long to leave: the guest's rate is
    // falling (a burst ending), which is what the look was run for, and the J rule, still judging by the
    // burst's rounds, would cut it a round before the pause. One more round; the next stop on J is final.
    // Only where the count is seen: a stock-loop call B has none.
    if (judging_the_look && count == Count::kSeen && expected_dirty_ && clearly_fewer(dirty, *expected_dirty_)) {
      return {Decision::kContinue, "the round run for a second look fell below the curve: the rate is falling"};
    }
    // The guess says stop. But below its shortest sample the curve is only extrapolated, and a knee in
    // it (a working set that was full in the long rounds but is not in the short ones) would make the
    // next rounds far cheaper than guessed. By concavity the curve is never below the straight line
    // through its shortest sample, so that line bounds what going on could gain. Go on only if the most
    // it could gain exceeds what one more round costs if the guess is right: minimax regret.
    const double below_curve = *curve_.predict(next_seconds, memory, DirtyCurve::Below::kConstantRate);
    // A guest whose rate changes over time may come back to a phase as quiet as its best round so far.
    // Waiting for one pays only where a quiet round is seen before the stop: after the bitmap read. At
    // the stock loop's call B a stop is blind to the round just sent, so waiting there is a guess on a
    // guess (on a guest whose count merely jitters round to round it burns rounds: see predictive.md).
    const bool waits_for_quiet = rate_varies_ && fewest_dirty_ && count == Count::kSeen;
    const double quiet_phase = waits_for_quiet ? *fewest_dirty_ : below_curve;
    const double optimistic = std::min(below_curve, quiet_phase);
    if (optimistic >= guess) return stop_after_a_second_look("another round would not pay for itself");
    // Waiting on a hope is ski rental: each round that does not bring it costs a round, and the hope is
    // worth at most most_gain. Go on only while what the waiting has cost so far, plus this round, is
    // less than that: a guest that never delivers loses at most about what it could have won.
    const double gain = most_gain(round, dirty, optimistic / dirty, spp);
    if (gain > change_if_guess_right + cost_s_[kHope]) {
      if (quiet_phase < below_curve) return {Decision::kContinue, kHedgeOnQuietPhase};
      return {Decision::kContinue, kHedgeOnCurve};
    }
    if (gain > change_if_guess_right) {
      return stop_after_a_second_look("waited long enough for a round that would pay");
    }
    return stop_after_a_second_look("another round would not pay for itself");
  }

  // A stop on J is final, and the count it rests on has stopped falling only just: a writer whose working
  // set is full looks like that, but so does a guest inside a burst that the next round's pause would end
  // (a real bursty guest: 3353, 3590, then 86 pages; one that idles between bursts of a few seconds does
  // so on slow links again and again). Before the first such stop run one more round and look again. It
  // costs at most one round (on a guest that stays level, about 1/(w + 2) of J) and can save the whole
  // downtime, (1 + w) times as much. Not where it cannot be such a burst or has been waited on already:
  // a count that never fell below round 1's (round 1 spans all of memory and many seconds, pauses
  // included, so the guest fills its working set however it writes), or rounds already spent on a hope.
  // In the stock loop the look is the round stock Xen sends after call A anyway when the seen count says
  // stop there; else it is taken at call B on the predicted count, and then decided at the next call B
  // on the count predicted after it (the loop never sees a count before it stops).
  Verdict stop_after_a_second_look(const char* reason) const {
    if (fell_below_round_one_ && !second_look_at_ && !hoped_) {
      return {Decision::kContinue, kSecondLook};
    }
    return {Decision::kStop, reason};
  }

  static constexpr const char* kLowersPredictedCost = "another round lowers the predicted cost";
  static constexpr const char* kRateFell = "another round lowers the predicted cost: the dirty rate fell";
  static constexpr const char* kHedgeOnQuietPhase = "another round may pay: the dirty rate changes over time";
  static constexpr const char* kHedgeOnCurve = "another round may pay: the curve below the last round is uncertain";
  static constexpr const char* kBudgetWithinReach = "a round that fits the budget is within reach";
  static constexpr const char* kBudgetMayBeMet = "the last round paid for itself: the budget may yet be met";
  static constexpr const char* kSecondLook = "one more round before the first stop: the count may be a burst's";

  // What a round was run on: a prediction that it lowers J, or a hope that it might.
  enum Forecast { kPrediction, kHope, kNoForecast };

  // Remembers what a verdict that continues went on for; the round it runs is charged to that
  // (count_forecast_cost) once it is done.
  Verdict note_forecast(Verdict v, uint32_t round) {
    const std::string_view why = v.reason;
    decided_on_ = kNoForecast;
    if (v.decision == Decision::kContinue && why == kLowersPredictedCost) decided_on_ = kPrediction;
    if (v.decision == Decision::kContinue && (why == kBudgetMayBeMet || (why == kBudgetWithinReach && !budget_pursuit_j_))) {
      budget_pursuit_j_ = last_j_;
    }
    if (v.decision == Decision::kContinue && why == kSecondLook) second_look_at_ = round;
    // A round run because the rate fell bets that the quieter phase lasts: if it does not, the hope of
    // one has failed once more.
    if (v.decision == Decision::kContinue && (why == kHedgeOnQuietPhase || why == kHedgeOnCurve || why == kRateFell)) {
      decided_on_ = kHope;
      hoped_ = true;
    }
    return v;
  }

  // The next round starts on the last verdict that continued: after the bitmap read in the patched loop,
  // at call B (before the count it is charged with is known) in the stock loop.
  void launch_round() {
    running_on_ = decided_on_;
    if (running_on_ != kNoForecast && !forecast_start_j_) forecast_start_j_ = last_j_;
  }

  // After each round, with J had the migration stopped there (as the policy sees it). A round run on a
  // forecast that raised J instead of lowering it adds what it cost to that kind of forecast's account,
  // and while it is open a forecast of that kind must promise more than it holds. So a model that keeps
  // predicting a fall that does not come (the guest changed), or a hope that never comes true, costs at
  // most about what it promised, not rounds up to the cap. The kinds keep apart because they fail apart:
  // a burst breaks the prediction the round it starts, and is then what the hope waits out. Once J falls
  // below where the accounts opened, the forecasts paid and they close. A converging guest lowers J
  // every round and never opens one.
  void count_forecast_cost(double j) {
    if (running_on_ != kNoForecast && j > last_j_) cost_s_[running_on_] += j - last_j_;
    if (forecast_start_j_ && j < *forecast_start_j_) {
      cost_s_ = {};
      forecast_start_j_.reset();
    }
    last_j_ = j;
  }

  // The best guess of what a round of `seconds` would leave dirty after the last one, given the dirty
  // curve's (`curve_guess`, never below the newest round's phase): that, or, where the newest round's
  // rate fell, that round's own rate if this guest's falls have earned it (FallingRate). Only where the count is seen: at the stock
  // loop's call B the round just sent is itself a guess, and a stop there must not rest on a pause.
  double best_guess(double seconds, double curve_guess, Count count) const {
    return count == Count::kSeen ? falling_rate_.guess(seconds, curve_guess) : curve_guess;
  }

  // The largest fall in J from going on, if every round shrinks the dirty count by `ratio` (the straight
  // curve's geometric rounds), up to the round cap.
  double most_gain(uint32_t round, double dirty, double ratio, double spp) const {
    double d = dirty;
    double change = 0;
    double best = 0;
    for (uint32_t k = round + 1; k <= max_rounds_; ++k) {
      double step = times_.seconds_for(d) + (1 + weight_) * (ratio - 1) * d * spp;
      if (step >= 0) break;  // the steps only grow from here: J is at its lowest
      change += step;
      best = std::min(best, change);
      d *= ratio;
    }
    return -best;
  }

  // Observed, not predicted: the last completed round lowered J (it cut the dirty count by more than its
  // own time is worth), and so did the pursuit of the budget as a whole: J is below where it was when the
  // pursuit began or this rule last kept it going. While that holds a guest is still converging, whatever
  // the curve's extension says, and with a budget to meet that is reason enough to go on. A guest whose
  // count has levelled off fails the first test at once; one whose count alternates between bursts and
  // pauses passes it after every pause, and fails the second once the bursts' rounds cost more than the
  // pauses save (on such guests the first test alone ran the migration to 20 and more rounds for a budget
  // no round met). So this cannot run a non-convergent guest to the round cap.
  bool still_converging(double spp) const {
    if (round_ < 2) return false;
    const bool last_round_paid_off = last_seconds_ + (1 + weight_) * (dirty_ - previous_dirty_) * spp < 0;
    return last_round_paid_off && (!budget_pursuit_j_ || last_j_ < *budget_pursuit_j_);
  }

  // Rolls the migration forward from round `round`, with the constant-rate extension of the curve below
  // its shortest sample, until a round fits the budget, the dirty count stops falling, or the round cap.
  bool budget_reachable(uint32_t round, double dirty, double spp, double memory) const {
    double d = dirty;
    for (uint32_t k = round + 1; k <= max_rounds_; ++k) {
      double next = curve_.predict(times_.seconds_for(d), memory, DirtyCurve::Below::kConstantRate).value_or(d);
      if (next * spp + fixed_downtime_s_ <= *budget_s_) return true;
      if (next >= d * (1 - kNegligibleProgress)) return false;  // levels off above the budget
      d = next;
    }
    return false;
  }

  // A round that cuts the dirty count by less than this share is no progress.
  static constexpr double kNegligibleProgress = 1e-3;

  double page_size_;
  double memory_pages_;
  double threshold_pages_;
  uint32_t max_rounds_;
  double weight_;
  double fixed_downtime_s_;
  std::optional<double> budget_s_;
  std::optional<double> link_;

  DirtyCurve curve_;
  RoundTimeModel times_;
  uint32_t round_ = 0;
  double dirty_ = 0;           // the last completed round's dirty count
  double previous_dirty_ = 0;  // and the one before it
  double last_seconds_ = 0;    // the last completed round's duration
  bool asked_before_bitmap_ = false;         // the stock loop: decisions come at call B, blind to the count
  std::optional<uint32_t> second_look_at_;  // the round after which the one round before the first stop ran
  double first_dirty_ = 0;                  // round 1's count
  bool fell_below_round_one_ = false;       // a later round left clearly fewer pages dirty than round 1
  bool hoped_ = false;                      // a round has been run on a hope (kHope)
  bool rate_varies_ = false;   // a shorter round dirtied clearly more pages than the one before it
  FallingRate falling_rate_;    // whether the newest round's rate fell, and how far to trust that
  std::optional<double> fewest_dirty_;  // the fewest pages any round so far left dirty
  std::optional<double> expected_dirty_;  // what the curve, before learning it, expected of the look's round
  Forecast decided_on_ = kNoForecast;  // what the last verdict acted on went on for
  Forecast running_on_ = kNoForecast;  // and what the round in flight was started on
  double last_j_ = 0;                    // J had the migration stopped after the last round
  std::array<double, 2> cost_s_{};       // what rounds run on each kind of forecast have added to J
  std::optional<double> forecast_start_j_;  // J when the accounts opened
  std::optional<double> budget_pursuit_j_;  // J when the budget pursuit began, or still_converging() renewed it
};

}  // namespace

std::unique_ptr<Policy> make_predictive_policy(const PolicyConfig& config) {
  return std::make_unique<PredictivePolicy>(config);
}

}  // namespace precopy
