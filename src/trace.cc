#include "precopy/trace.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <istream>
#include <map>
#include <ostream>
#include <sstream>
#include <cstring>

#include "text.h"

namespace precopy {

std::optional<std::string> Trace::get(const std::string& key) const {
  for (const auto& [k, v] : meta) {
    if (k == key) return v;
  }
  return std::nullopt;
}

void Trace::set(const std::string& key, const std::string& value) {
  for (auto& [k, v] : meta) {
    if (k == key) {
      v = value;
      return;
    }
  }
  meta.emplace_back(key, value);
}

namespace {

class Parser {
 public:
  Parser(std::istream& in, const std::string& name) : in_(in), name_(name) {}

  Trace run() {
    trace_.name = name_;
    std::string line;
    bool saw_magic = false;
    while (next_line(line)) {
      std::string_view text = trim(line);
      if (text.empty()) continue;
      if (!saw_magic) {
        if (text.substr(0, 16) != "# precopy-trace ") {
          fail("not a precopy trace: the first line must be '# precopy-trace v1'");
        }
        if (trim(text.substr(16)) != "v1") {
          fail("unsupported trace version '" + std::string(trim(text.substr(16))) + "' (this reads v1)");
        }
        saw_magic = true;
        continue;
      }
      if (text[0] == '#') {
        header_line(text.substr(1));
      } else if (columns_.empty()) {
        column_line(text);
      } else if (in_curve_) {
        curve_row(text);
      } else {
        round_row(text);
      }
    }
    if (!saw_magic) fail_at(0, "empty file: expected '# precopy-trace v1'");
    finish();
    return std::move(trace_);
  }

 private:
  bool next_line(std::string& line) {
    line.clear();
    char c;
    while (in_.get(c)) {
      if (c == '\n') break;
      if (c == '\0') {
        ++line_no_;
        fail("binary data (NUL byte): not a text trace");
      }
      if (line.size() >= kMaxTraceLineBytes) {
        ++line_no_;
        fail("line longer than " + std::to_string(kMaxTraceLineBytes) + " bytes");
      }
      line.push_back(c);
    }
    if (line.empty() && !in_) return false;
    ++line_no_;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF files are fine
    if (line_no_ == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // so is a UTF-8 BOM
    return true;
  }

  [[noreturn]] void fail(const std::string& message) const { fail_at(line_no_, message); }
  [[noreturn]] void fail_at(std::size_t line, const std::string& message) const {
    throw TraceError(name_ + ":" + std::to_string(line) + ": " + message);
  }

  void header_line(std::string_view text) {
    for (std::string_view item : split(text, ';')) {
      item = trim(item);
      auto eq = item.find('=');
      if (eq == std::string_view::npos) continue;  // free text in a comment
      std::string key(trim(item.substr(0, eq)));
      std::string value(trim(item.substr(eq + 1)));
      if (key.empty()) fail("empty key in header");
      if (key == "section") {
        if (value != "curve") fail("unknown section '" + value + "'");
        if (columns_.empty()) fail("the curve section must follow the round table");
        in_curve_ = true;
        curve_columns_seen_ = false;
        continue;
      }
      trace_.set(key, value);
      header_lines_[key] = line_no_;
    }
  }

  void column_line(std::string_view text) {
    for (std::string_view col : split(text, ',')) {
      std::string name(trim(col));
      for (const auto& existing : columns_) {
        if (existing == name) fail("duplicate column '" + name + "'");
      }
      columns_.push_back(name);
    }
    auto find = [&](const char* name) -> int {
      for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (columns_[i] == name) return static_cast<int>(i);
      }
      return -1;
    };
    col_round_ = find("round");
    col_dirty_ = find("dirty_pages");
    col_seconds_ = find("seconds");
    col_sent_ = find("pages_sent");
    for (const char* required : {"round", "dirty_pages", "seconds"}) {
      if (find(required) < 0) fail(std::string("missing column '") + required + "'");
    }
  }

  std::vector<std::string_view> fields(std::string_view text, std::size_t expected) {
    auto parts = split(text, ',');
    if (parts.size() != expected) {
      fail("expected " + std::to_string(expected) + " fields, found " + std::to_string(parts.size()));
    }
    for (auto& p : parts) p = trim(p);
    return parts;
  }

  uint64_t integer(std::string_view field, const char* what) {
    uint64_t value = 0;
    if (!parse_u64(field, value)) {
      fail(std::string(what) + ": '" + std::string(field) + "' is not a non-negative integer");
    }
    return value;
  }

  double seconds(std::string_view field) {
    double value = 0;
    if (!parse_double(field, value) || !std::isfinite(value) || value < 0) {
      fail("seconds: '" + std::string(field) + "' is not a finite non-negative number");
    }
    return value;
  }

  void round_row(std::string_view text) {
    if (trace_.rounds.size() >= kMaxTraceRounds) {
      fail("too many rounds (more than " + std::to_string(kMaxTraceRounds) + ")");
    }
    auto f = fields(text, columns_.size());
    Round r;
    uint64_t number = integer(f[col_round_], "round");
    uint64_t expected = trace_.rounds.size() + 1;
    if (number != expected) {
      fail("round " + std::to_string(number) + " out of order (expected round " + std::to_string(expected) +
           ")");
    }
    r.round = static_cast<uint32_t>(number);
    r.dirty_pages = integer(f[col_dirty_], "dirty_pages");
    r.seconds = seconds(f[col_seconds_]);
    has_sent_.push_back(col_sent_ >= 0 && !f[col_sent_].empty());
    if (has_sent_.back()) r.pages_sent = integer(f[col_sent_], "pages_sent");
    trace_.rounds.push_back(r);
    row_lines_.push_back(line_no_);
  }

  void curve_row(std::string_view text) {
    if (!curve_columns_seen_) {
      auto cols = fields(text, 3);
      if (cols[0] != "round" || cols[1] != "seconds" || cols[2] != "pages") {
        fail("the curve section's columns must be 'round,seconds,pages'");
      }
      curve_columns_seen_ = true;
      return;
    }
    if (trace_.curve.size() >= kMaxTraceRounds) fail("too many curve samples");
    auto f = fields(text, 3);
    CurveSample s;
    uint64_t round = integer(f[0], "round");
    if (round < 1 || round > trace_.rounds.size()) fail("curve sample for unknown round " + std::string(f[0]));
    // A round's peeks reach a policy during that round, so a sample listed after a later round's would
    // be out of time: refused, not silently skipped.
    if (!trace_.curve.empty() && round < trace_.curve.back().round) {
      fail("curve sample for round " + std::string(f[0]) + " after one for round " +
           std::to_string(trace_.curve.back().round) + ": samples must be in round order");
    }
    s.round = static_cast<uint32_t>(round);
    s.seconds = seconds(f[1]);
    s.pages = integer(f[2], "pages");
    trace_.curve.push_back(s);
  }

  std::size_t key_line(const std::string& key) const {
    auto it = header_lines_.find(key);
    return it == header_lines_.end() ? 0 : it->second;
  }

  void finish() {
    auto memory = trace_.get("memory_pages");
    if (!memory) fail_at(line_no_, "missing header key memory_pages");
    uint64_t pages = 0;
    if (!parse_u64(*memory, pages) || pages == 0) {
      fail_at(key_line("memory_pages"), "memory_pages: '" + *memory + "' is not a positive integer");
    }
    // The config's limit too (config.cc): beyond it the p2m size no longer fits libxenguest's `long`
    // dirty_count, and the stock-loop replay would hand the adapter a negative one.
    if (pages > (uint64_t{1} << 48)) {
      fail_at(key_line("memory_pages"), "memory_pages: '" + *memory + "' is more than 2^48 pages");
    }
    trace_.memory_pages = pages;
    if (auto ps = trace_.get("page_size")) {
      uint64_t size = 0;
      if (!parse_u64(*ps, size) || size == 0 || (size & (size - 1)) != 0 || size > (1u << 30)) {
        fail_at(key_line("page_size"), "page_size: '" + *ps + "' is not a power of two");
      }
      trace_.page_size = static_cast<uint32_t>(size);
    }
    if (auto bw = trace_.get("bandwidth_bytes_per_s")) {
      double value = 0;
      if (!parse_double(*bw, value) || !std::isfinite(value) || value <= 0) {
        fail_at(key_line("bandwidth_bytes_per_s"), "bandwidth_bytes_per_s: '" + *bw + "' is not a positive number");
      }
      trace_.bandwidth_bytes_per_s = value;
    }
    if (auto fd = trace_.get("fixed_downtime_s")) {
      double value = 0;
      if (!parse_double(*fd, value) || !std::isfinite(value) || value < 0) {
        fail_at(key_line("fixed_downtime_s"), "fixed_downtime_s: '" + *fd + "' is not a non-negative number");
      }
      trace_.fixed_downtime_s = value;
    }
    if (columns_.empty()) fail_at(line_no_, "missing the column line 'round,dirty_pages,seconds[,pages_sent]'");
    if (trace_.rounds.empty()) fail_at(line_no_, "no rounds");
    for (std::size_t i = 0; i < trace_.rounds.size(); ++i) {
      Round& r = trace_.rounds[i];
      if (!has_sent_[i]) r.pages_sent = i == 0 ? trace_.memory_pages : trace_.rounds[i - 1].dirty_pages;
      if (r.dirty_pages > trace_.memory_pages) {
        fail_at(row_lines_[i], "dirty_pages " + std::to_string(r.dirty_pages) + " exceeds memory_pages " +
                                   std::to_string(trace_.memory_pages));
      }
      if (r.pages_sent > trace_.memory_pages) {
        fail_at(row_lines_[i], "pages_sent " + std::to_string(r.pages_sent) + " exceeds memory_pages " +
                                   std::to_string(trace_.memory_pages));
      }
    }
    if (!trace_.bandwidth_bytes_per_s && trace_.rounds[0].seconds <= 0) {
      fail_at(row_lines_[0], "round 1 took 0 seconds and the header gives no bandwidth_bytes_per_s, so the "
                             "link rate cannot be measured");
    }
    // Likewise a round 1 that sent nothing: the measured rate would be 0 and every downtime infinite,
    // or 0/0 = NaN after a round that dirtied nothing.
    if (!trace_.bandwidth_bytes_per_s && trace_.rounds[0].pages_sent == 0) {
      fail_at(row_lines_[0], "round 1 sent no pages and the header gives no bandwidth_bytes_per_s, so the "
                             "link rate cannot be measured");
    }
  }

  std::istream& in_;
  const std::string& name_;
  Trace trace_;
  std::size_t line_no_ = 0;
  std::vector<std::string> columns_;
  int col_round_ = -1, col_dirty_ = -1, col_seconds_ = -1, col_sent_ = -1;
  bool in_curve_ = false;
  bool curve_columns_seen_ = false;
  std::vector<bool> has_sent_;
  std::vector<std::size_t> row_lines_;
  std::map<std::string, std::size_t> header_lines_;
};

// Groups header pairs a few to a line, as the format's own example does.
void write_meta(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& meta) {
  std::size_t on_line = 0;
  for (const auto& [key, value] : meta) {
    out << (on_line == 0 ? "# " : "; ") << key << '=' << value;
    if (++on_line == 4) {
      out << '\n';
      on_line = 0;
    }
  }
  if (on_line) out << '\n';
}

}  // namespace

Trace parse_trace(std::istream& in, const std::string& name) { return Parser(in, name).run(); }

Trace parse_trace_string(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  return parse_trace(in, name);
}

Trace read_trace_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TraceError(path + ":0: cannot open: " + std::strerror(errno));
  return parse_trace(in, path);
}

void write_trace(std::ostream& out, const Trace& trace) {
  Trace t = trace;  // the typed fields are authoritative over their header copies
  t.set("memory_pages", std::to_string(t.memory_pages));
  t.set("page_size", std::to_string(t.page_size));
  if (t.bandwidth_bytes_per_s) t.set("bandwidth_bytes_per_s", format_number(*t.bandwidth_bytes_per_s));
  if (t.fixed_downtime_s > 0) t.set("fixed_downtime_s", format_number(t.fixed_downtime_s));
  out << "# precopy-trace v1\n";
  write_meta(out, t.meta);
  out << "round,dirty_pages,seconds,pages_sent\n";
  for (const Round& r : t.rounds) {
    out << r.round << ',' << r.dirty_pages << ',' << format_number(r.seconds) << ',' << r.pages_sent << '\n';
  }
  if (!t.curve.empty()) {
    out << "# section=curve\nround,seconds,pages\n";
    for (const CurveSample& s : t.curve) {
      out << s.round << ',' << format_number(s.seconds) << ',' << s.pages << '\n';
    }
  }
}

void write_trace_file(const std::string& path, const Trace& trace) {
  write_text_file_atomically(path, [&](std::ostream& out) { write_trace(out, trace); });
}

}  // namespace precopy
