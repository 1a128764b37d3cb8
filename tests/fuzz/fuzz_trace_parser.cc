// Fuzz target: the trace v1 parser on arbitrary bytes.
//
// A trace file is the one input precopy takes from outside the host (recorded elsewhere, copied around,
// edited by hand). The parser must either return a trace every later stage can rely on or throw
// TraceError with a one-line "NAME:LINE: message"; any other exception, a crash, a hang or undefined
// behaviour is a bug. A trace it accepts must also survive write_trace and parse back unchanged, since
// recordings are written by the library and read again by the CLI.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "fuzz_support.h"
#include "precopy/trace.h"

namespace {

constexpr const char* kInputName = "fuzz-input";

bool is_power_of_two(uint64_t value) { return value != 0 && (value & (value - 1)) == 0; }

void check_error_message(const precopy::TraceError& error) {
  const std::string message = error.what();
  const std::string prefix = std::string(kInputName) + ":";
  FUZZ_CHECK(message.rfind(prefix, 0) == 0, "error does not name the input: %s", message.c_str());
  std::size_t digits_end = prefix.size();
  while (digits_end < message.size() && message[digits_end] >= '0' && message[digits_end] <= '9') ++digits_end;
  FUZZ_CHECK(digits_end > prefix.size() && message.compare(digits_end, 2, ": ") == 0,
             "error does not give a line number: %s", message.c_str());
  FUZZ_CHECK(message.find('\n') == std::string::npos, "error spans several lines: %s", message.c_str());
}

void check_valid(const precopy::Trace& trace) {
  FUZZ_CHECK(trace.memory_pages > 0 && trace.memory_pages <= (uint64_t{1} << 48), "memory_pages %llu",
             static_cast<unsigned long long>(trace.memory_pages));
  FUZZ_CHECK(is_power_of_two(trace.page_size), "page_size %u", trace.page_size);
  FUZZ_CHECK(!trace.bandwidth_bytes_per_s ||
                 (std::isfinite(*trace.bandwidth_bytes_per_s) && *trace.bandwidth_bytes_per_s > 0),
             "bandwidth %g", trace.bandwidth_bytes_per_s.value_or(0));
  FUZZ_CHECK(std::isfinite(trace.fixed_downtime_s) && trace.fixed_downtime_s >= 0, "fixed downtime %g",
             trace.fixed_downtime_s);
  FUZZ_CHECK(!trace.rounds.empty() && trace.rounds.size() <= precopy::kMaxTraceRounds, "%zu rounds",
             trace.rounds.size());
  for (std::size_t i = 0; i < trace.rounds.size(); ++i) {
    const precopy::Round& r = trace.rounds[i];
    FUZZ_CHECK(r.round == i + 1, "round %u at position %zu", r.round, i);
    FUZZ_CHECK(r.dirty_pages <= trace.memory_pages, "round %u dirty %llu", r.round,
               static_cast<unsigned long long>(r.dirty_pages));
    FUZZ_CHECK(r.pages_sent <= trace.memory_pages, "round %u sent %llu", r.round,
               static_cast<unsigned long long>(r.pages_sent));
    FUZZ_CHECK(std::isfinite(r.seconds) && r.seconds >= 0, "round %u seconds %g", r.round, r.seconds);
  }
  // Without a link rate the bandwidth is measured from the rounds, which needs time to have passed.
  FUZZ_CHECK(trace.bandwidth_bytes_per_s || (trace.rounds[0].seconds > 0 && trace.rounds[0].pages_sent > 0),
             "unmeasurable bandwidth accepted");
  FUZZ_CHECK(trace.curve.size() <= precopy::kMaxTraceRounds, "%zu curve samples", trace.curve.size());
  for (const precopy::CurveSample& s : trace.curve) {
    FUZZ_CHECK(s.round >= 1 && s.round <= trace.rounds.size(), "curve sample for round %u", s.round);
    FUZZ_CHECK(std::isfinite(s.seconds) && s.seconds >= 0, "curve seconds %g", s.seconds);
  }
}

void check_round_trip(const precopy::Trace& trace) {
  std::ostringstream written;
  precopy::write_trace(written, trace);
  precopy::Trace again;
  try {
    again = precopy::parse_trace_string(written.str(), kInputName);
  } catch (const precopy::TraceError& e) {
    FUZZ_CHECK(false, "a written trace does not read back: %s\n--- text ---\n%s", e.what(), written.str().c_str());
  }
  FUZZ_CHECK(again.memory_pages == trace.memory_pages && again.page_size == trace.page_size, "header changed");
  FUZZ_CHECK(again.bandwidth_bytes_per_s == trace.bandwidth_bytes_per_s, "bandwidth changed");
  FUZZ_CHECK(again.fixed_downtime_s == trace.fixed_downtime_s, "fixed downtime changed");
  FUZZ_CHECK(again.rounds.size() == trace.rounds.size(), "round count changed");
  for (std::size_t i = 0; i < trace.rounds.size(); ++i) {
    const precopy::Round& a = trace.rounds[i];
    const precopy::Round& b = again.rounds[i];
    FUZZ_CHECK(a.round == b.round && a.dirty_pages == b.dirty_pages && a.seconds == b.seconds &&
                   a.pages_sent == b.pages_sent,
               "round %zu changed", i + 1);
  }
  FUZZ_CHECK(again.curve.size() == trace.curve.size(), "curve length changed");
  for (std::size_t i = 0; i < trace.curve.size(); ++i) {
    const precopy::CurveSample& a = trace.curve[i];
    const precopy::CurveSample& b = again.curve[i];
    FUZZ_CHECK(a.round == b.round && a.seconds == b.seconds && a.pages == b.pages, "curve sample %zu changed", i);
  }
  // Every header key survives in its place (the known keys may be respelled, "0100" as "100"); the
  // writer adds page_size when the file left it to its default.
  FUZZ_CHECK(again.meta.size() >= trace.meta.size() && again.meta.size() <= trace.meta.size() + 1,
             "%zu header keys became %zu", trace.meta.size(), again.meta.size());
  for (std::size_t i = 0; i < trace.meta.size(); ++i) {
    const auto& [key, value] = trace.meta[i];
    FUZZ_CHECK(again.meta[i].first == key, "header key %zu renamed", i);
    const bool typed = key == "memory_pages" || key == "page_size" || key == "bandwidth_bytes_per_s" ||
                       key == "fixed_downtime_s";
    FUZZ_CHECK(typed || again.meta[i].second == value, "header value of '%s' changed", key.c_str());
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  precopy::fuzz::silence_library_logger();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  precopy::Trace trace;
  try {
    trace = precopy::parse_trace_string(text, kInputName);
  } catch (const precopy::TraceError& e) {
    check_error_message(e);
    return 0;
  }
  // Any other exception escapes, and libFuzzer reports the uncaught exception as a crash.
  check_valid(trace);
  check_round_trip(trace);
  return 0;
}
