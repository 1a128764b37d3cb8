// Shared by the fuzz targets: invariant checks that abort (so libFuzzer records a crash and the input),
// and a logger that formats every line but prints none (so decisions logged at info level are
// exercised without flooding the fuzzer's output).
#ifndef PRECOPY_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define PRECOPY_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <spdlog/sinks/null_sink.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "logging.h"

// Not assert(): fuzzing builds may define NDEBUG, and a violated invariant must never pass silently.
#define FUZZ_CHECK(condition, ...)                                                        \
  do {                                                                                    \
    if (!(condition)) {                                                                   \
      std::fprintf(stderr, "invariant violated at %s:%d: %s\n", __FILE__, __LINE__, #condition); \
      std::fprintf(stderr, "  " __VA_ARGS__);                                             \
      std::fprintf(stderr, "\n");                                                         \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

namespace precopy::fuzz {

// The library's logger keeps its level and format, but its output goes nowhere.
inline void silence_library_logger() {
  auto& sinks = precopy::logger().sinks();
  sinks.clear();
  sinks.push_back(std::make_shared<spdlog::sinks::null_sink_mt>());
}

// Every input starts from the library's default level, so one input's log_level setting cannot make
// the next input behave differently (crashes must reproduce from the input alone).
inline void reset_library_log_level() { precopy::set_log_level(spdlog::level::warn); }

// libxenguest's precopy_policy_t answers (XGS_POLICY_ABORT is never ours to give).
inline bool is_xen_decision(int decision) { return decision == 0 || decision == 1; }

}  // namespace precopy::fuzz

#endif  // PRECOPY_TESTS_FUZZ_FUZZ_SUPPORT_H_
