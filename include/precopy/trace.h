// Trace format v1: the per-round record of one pre-copy migration.
//
// A trace is a sequence of live rounds k = 1..K. Round k sends pages_sent_k pages in seconds_k seconds;
// dirty_pages_k pages were dirtied while it ran. Round 1 sends all of memory. See docs/model.md.
#ifndef PRECOPY_TRACE_H_
#define PRECOPY_TRACE_H_

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace precopy {

struct Round {
  uint32_t round = 0;        // 1-based, consecutive
  uint64_t dirty_pages = 0;  // pages dirtied while this round ran
  double seconds = 0;        // wall time of this round
  uint64_t pages_sent = 0;   // pages sent live in this round
};

// One sample of the dirty curve inside a round: `pages` distinct pages were dirty `seconds` after the
// round started (read without clearing the bitmap). Optional; see docs/model.md.
struct CurveSample {
  uint32_t round = 0;
  double seconds = 0;
  uint64_t pages = 0;
};

struct Trace {
  std::string name;  // where it came from (file path or a label), used in messages and reports
  uint64_t memory_pages = 0;
  uint32_t page_size = 4096;
  std::optional<double> bandwidth_bytes_per_s;  // link rate if known, else measured from the rounds
  double fixed_downtime_s = 0;                   // constant part of downtime (suspend/resume)
  // Every `key=value` of the header in file order, the known keys included (so a rewrite keeps them).
  std::vector<std::pair<std::string, std::string>> meta;
  std::vector<Round> rounds;
  std::vector<CurveSample> curve;

  // Value of a header key, or nullopt.
  std::optional<std::string> get(const std::string& key) const;
  // Sets (or replaces) a header key.
  void set(const std::string& key, const std::string& value);
};

// A trace that cannot be read. what() is one line: "FILE:LINE: message".
class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Limits that keep a hostile file from exhausting memory.
inline constexpr std::size_t kMaxTraceRounds = 100000;
inline constexpr std::size_t kMaxTraceLineBytes = 4096;

// Parses trace v1 text. `name` is used in error messages. Throws TraceError.
Trace parse_trace(std::istream& in, const std::string& name);
Trace parse_trace_string(const std::string& text, const std::string& name = "<string>");
Trace read_trace_file(const std::string& path);

// Writes trace v1 text (header keys, then the table; the curve section when present).
void write_trace(std::ostream& out, const Trace& trace);
// Writes to `path` through a temporary file and rename, so no partial file is left behind.
// Throws std::runtime_error on I/O failure.
void write_trace_file(const std::string& path, const Trace& trace);

}  // namespace precopy

#endif  // PRECOPY_TRACE_H_
