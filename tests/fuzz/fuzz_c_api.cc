// Fuzz target: the C ABI fed arbitrary sequences of calls.
//
// The input is a little program: each step picks one entry point (config_set, config_parse, create,
// observe, decide, decide_before_bitmap, estimate, ...) and its arguments, from well-formed to hostile
// (unknown keys, NaN and infinite numbers, rounds out of order, counts beyond memory, NULL handles).
// The library promises never to throw across the boundary, never to crash, and to keep its error
// convention; the target also checks the promises a save loop relies on:
//  - decisions are PRECOPY_CONTINUE, PRECOPY_STOP or (only where documented) PRECOPY_ERROR;
//  - a caller that observes rounds 1, 2, 3, ... gets PRECOPY_STOP by round max_rounds at the latest;
//  - error messages are one line, and the library's own config string parses back.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "precopy/precopy.h"
#include "precopy/policy.h"

namespace {

// Keys precopy_config_set knows, plus near misses. trace_path is left out on purpose: it makes
// precopy_destroy write a file, and a fuzzer must not litter the disk at a million files a minute.
const char* const kKeys[] = {"policy",           "page_size",          "memory_pages",      "threshold_pages",
                             "max_rounds",       "initial_rounds",     "downtime_budget_ms", "downtime_limit_ms",
                             "downtime_weight",  "fixed_downtime_ms",  "bandwidth_bytes_per_s", "log_level",
                             "",                 "Policy",             " max_rounds ",       "unknown"};

const char* const kValues[] = {"predictive", "paper", "xen", "xen-legacy", "qemu", "continue", "oracle", "bogus",
                               "0", "1", "2", "5", "30", "999", "1000", "1001", "4096", "4095", "-1", "1e3",
                               "0.5", "nan", "inf", "-inf", "1e308", "1e-308", "5e-324", "18446744073709551615",
                               "18446744073709551616", "", " ", "off", "error", "warn", "info", "debug", "trace"};

// Seconds a save loop could report, the impossible ones included.
double pick_seconds(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0: return std::numeric_limits<double>::quiet_NaN();
    case 1: return std::numeric_limits<double>::infinity();
    case 2: return -std::numeric_limits<double>::infinity();
    case 3: return -in.ConsumeFloatingPointInRange<double>(0, 10);
    case 4: return 0;
    case 5: return std::numeric_limits<double>::max();
    case 6: return std::numeric_limits<double>::denorm_min();
    default: return in.ConsumeFloatingPointInRange<double>(0, 100);
  }
}

uint64_t pick_pages(FuzzedDataProvider& in, uint64_t memory) {
  switch (in.ConsumeIntegralInRange<int>(0, 4)) {
    case 0: return 0;
    case 1: return std::numeric_limits<uint64_t>::max();
    case 2: return memory + in.ConsumeIntegralInRange<uint64_t>(0, 2);
    case 3: return in.ConsumeIntegral<uint64_t>();
    default: return in.ConsumeIntegralInRange<uint64_t>(0, memory ? memory : 1);
  }
}

// max_rounds as the handle's config says it ("...,max_rounds=N,..."; absent means the default).
uint32_t max_rounds_of(const char* spec) {
  const char* found = std::strstr(spec, ",max_rounds=");
  if (!found) return precopy::PolicyConfig{}.max_rounds;
  return static_cast<uint32_t>(std::strtoul(found + std::strlen(",max_rounds="), nullptr, 10));
}

// Any call may fail on hostile input; when it does, the message must follow precopy.h's convention.
void check_error(char*& err) {
  if (!err) return;
  FUZZ_CHECK(std::strchr(err, '\n') == nullptr && err[0] != '\0', "error is not one line: '%s'", err);
  precopy_free(err);
  err = nullptr;
}

// One migration as the fuzz input drives it, with what the target knows the library must do.
struct Driver {
  precopy_config_t* config = precopy_config_create();
  precopy_t* handle = nullptr;
  uint32_t max_rounds = 0;
  uint32_t rounds_in_order = 0;  // rounds 1..n observed successfully, in order, on this handle
  uint64_t memory_pages = 1000;
  char* err = nullptr;

  ~Driver() {
    precopy_destroy(handle);
    precopy_config_destroy(config);
    precopy_free(err);
  }

  void create() {
    precopy_destroy(handle);
    handle = precopy_create(config, &err);
    FUZZ_CHECK((handle == nullptr) == (err != nullptr), "create: handle and error disagree");
    check_error(err);
    // A log_level of info or finer would have every observe format its numbers; printing a 1e308 with
    // six decimals takes fmt's bignum path and would cut executions per second tenfold. The xen_policy
    // target covers decision logging with the numbers a save loop produces.
    precopy::fuzz::reset_library_log_level();
    rounds_in_order = 0;
    char* spec = precopy_config_string(config);
    FUZZ_CHECK(spec != nullptr, "config string");
    max_rounds = max_rounds_of(spec);
    FUZZ_CHECK(max_rounds >= 1 && max_rounds <= precopy::kMaxRoundsCap, "max_rounds %u in '%s'", max_rounds, spec);
    // What the library prints must be something it reads back.
    precopy_config_t* copy = precopy_config_create();
    precopy_config_parse(copy, spec, &err);
    FUZZ_CHECK(err == nullptr, "own config string '%s' does not parse: %s", spec, err);
    precopy_config_destroy(copy);
    precopy_free(spec);
  }

  void observe(FuzzedDataProvider& in) {
    uint32_t round = in.ConsumeBool() ? rounds_in_order + 1 : in.ConsumeIntegral<uint32_t>();
    uint64_t dirty = pick_pages(in, memory_pages);
    double seconds = pick_seconds(in);
    uint64_t sent = round == 1 && in.ConsumeBool() ? memory_pages : pick_pages(in, memory_pages);
    precopy_observe(handle, round, dirty, seconds, sent, &err);
    bool accepted = err == nullptr;
    check_error(err);
    if (!handle) {
      FUZZ_CHECK(!accepted, "observe on a NULL handle succeeded");
      return;
    }
    // Only finite, non-negative seconds may be accepted: policies assume them.
    if (accepted) FUZZ_CHECK(std::isfinite(seconds) && seconds >= 0, "observe accepted seconds %g", seconds);
    if (accepted) {
      FUZZ_CHECK(round == rounds_in_order + 1, "observe accepted round %u after %u", round, rounds_in_order);
      rounds_in_order = round;
      int decision = precopy_decide(handle);
      FUZZ_CHECK(decision == PRECOPY_CONTINUE || decision == PRECOPY_STOP, "decide %d after a round", decision);
      // The round cap holds for every policy, fallen back or not.
      FUZZ_CHECK(round < max_rounds || decision == PRECOPY_STOP, "round %u of max %u: continue (%s)", round,
                 max_rounds, precopy_policy_name(handle));
    }
  }

  void decide() {
    int decision = precopy_decide(handle);
    if (!handle || rounds_in_order == 0) {
      FUZZ_CHECK(decision == PRECOPY_ERROR, "decide %d without a round", decision);
    } else {
      FUZZ_CHECK(decision == PRECOPY_CONTINUE || decision == PRECOPY_STOP, "decide %d", decision);
    }
  }

  void before_bitmap(FuzzedDataProvider& in) {
    uint32_t round = in.ConsumeBool() ? rounds_in_order + 1 : in.ConsumeIntegral<uint32_t>();
    int decision = precopy_decide_before_bitmap(handle, round, pick_seconds(in), pick_pages(in, memory_pages));
    if (!handle) {
      FUZZ_CHECK(decision == PRECOPY_ERROR, "before_bitmap %d on NULL", decision);
      return;
    }
    FUZZ_CHECK(decision == PRECOPY_CONTINUE || decision == PRECOPY_STOP, "before_bitmap %d", decision);
    if (round >= max_rounds) FUZZ_CHECK(decision == PRECOPY_STOP, "before_bitmap past the cap: continue");
  }

  void inspect(FuzzedDataProvider& in) {
    int which = in.ConsumeBool() ? in.ConsumeIntegralInRange<int>(0, 4) : in.ConsumeIntegral<int>();
    double value = precopy_estimate(handle, which);
    if (which < 0 || which > 4 || !handle) FUZZ_CHECK(std::isnan(value), "estimate %d is %g", which, value);
    const char* reason = precopy_last_reason(handle);
    FUZZ_CHECK(reason != nullptr && std::strlen(reason) < 256, "last_reason");
    std::string name = precopy_policy_name(handle);
    bool known = name == "none" || name == "xen-fallback";
    for (const auto& n : precopy::policy_names()) known = known || n == name;
    FUZZ_CHECK(known, "policy name '%s'", name.c_str());
  }
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  precopy::fuzz::silence_library_logger();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  precopy::fuzz::reset_library_log_level();
  FuzzedDataProvider in(data, size);
  Driver d;
  // Bounded: a long input must not make one execution slow.
  for (int step = 0; step < 128 && in.remaining_bytes() > 0; ++step) {
    switch (in.ConsumeIntegralInRange<int>(0, 11)) {
      case 0: {
        const char* key = in.PickValueInArray(kKeys);
        std::string value = in.ConsumeBool() ? in.PickValueInArray(kValues) : in.ConsumeRandomLengthString(24);
        precopy_config_set(d.config, key, value.c_str(), &d.err);
        check_error(d.err);
        break;
      }
      case 1: {
        std::string spec = in.ConsumeRandomLengthString(64);
        if (spec.find("trace_path") != std::string::npos) break;  // see kKeys
        precopy_config_parse(d.config, spec.c_str(), &d.err);
        check_error(d.err);
        break;
      }
      case 2:
      case 3: d.create(); break;
      case 4:
      case 5:
      case 6: d.observe(in); break;
      case 7: d.decide(); break;
      case 8: d.before_bitmap(in); break;
      case 9: d.inspect(in); break;
      case 10: d.memory_pages = in.ConsumeIntegralInRange<uint64_t>(0, uint64_t{1} << 40); break;
      default: {
        // The documented NULL paths and a destroyed-then-recreated handle.
        precopy_destroy(d.handle);
        d.handle = nullptr;
        d.rounds_in_order = 0;
        precopy_observe(nullptr, 1, 0, 1, 1, &d.err);
        FUZZ_CHECK(d.err != nullptr, "observe(NULL) reported no error");
        check_error(d.err);
        precopy_config_set(nullptr, "policy", "xen", &d.err);
        check_error(d.err);
        break;
      }
    }
  }
  return 0;
}
