#include "units.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace precopy::units {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

[[noreturn]] void fail(std::string_view what, std::string_view text, std::string_view why) {
  throw std::invalid_argument(std::string(what) + " '" + std::string(text) + "': " + std::string(why));
}

// Splits "1.5GiB" into 1.5 and "GiB". The number must be finite and non-negative.
std::pair<double, std::string_view> split_number(std::string_view original, std::string_view what) {
  std::string_view text = trim(original);
  if (text.empty()) fail(what, original, "empty");
  if (text.front() == '+') text.remove_prefix(1);  // from_chars rejects a leading '+'
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) fail(what, original, "does not start with a number");
  if (!std::isfinite(value)) fail(what, original, "not a finite number");
  if (value < 0) fail(what, original, "negative");
  return {value, trim(std::string_view(end, static_cast<std::size_t>(text.data() + text.size() - end)))};
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Multiplier of a prefix letter (k, M, G, T; case-insensitive), or 0 if `c` is not one.
double decimal_prefix(char c) {
  switch (c) {
    case 'k': case 'K': return 1e3;
    case 'm': case 'M': return 1e6;
    case 'g': case 'G': return 1e9;
    case 't': case 'T': return 1e12;
    default: return 0;
  }
}

double binary_prefix(char c) {
  switch (c) {
    case 'k': case 'K': return 1024.0;
    case 'm': case 'M': return 1024.0 * 1024;
    case 'g': case 'G': return 1024.0 * 1024 * 1024;
    case 't': case 'T': return 1024.0 * 1024 * 1024 * 1024;
    default: return 0;
  }
}

// Bytes per unit for a byte unit ("B", "KiB", "MB", ...), or 0 if `unit` is not one.
double byte_unit(std::string_view unit) {
  if (unit == "B") return 1;
  if (unit.size() == 2 && unit[1] == 'B') return decimal_prefix(unit[0]);
  if (unit.size() == 3 && unit[1] == 'i' && unit[2] == 'B') return binary_prefix(unit[0]);
  return 0;
}

// Bits per unit for a bit unit ("bit", "Mbit", "Mb", "gbit", ...), or 0 if `unit` is not one.
double bit_unit(std::string_view unit) {
  if (unit == "b" || iequals(unit, "bit")) return 1;
  if (unit.size() < 2) return 0;
  const double prefix = decimal_prefix(unit[0]);
  if (prefix == 0) return 0;
  const std::string_view base = unit.substr(1);
  if (base == "b" || iequals(base, "bit")) return prefix;
  return 0;
}

constexpr std::string_view kSizeUnits = "B, KiB, MiB, GiB, TiB (binary) or KB, MB, GB, TB (decimal)";
constexpr std::string_view kRateUnits =
    "bit/s (bit, kbit, Mbit, Gbit, Tbit; Mb, Mbps...) or bytes/s (B/s, KB/s, MB/s, GB/s, KiB/s, MiB/s, GiB/s)";

}  // namespace

double parse_number(std::string_view original, std::string_view what) {
  std::string_view text = trim(original);
  if (text.empty()) fail(what, original, "empty");
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) fail(what, original, "not a number");
  if (!std::isfinite(value)) fail(what, original, "not a finite number");
  return value;
}

uint64_t parse_size_bytes(std::string_view text) {
  constexpr std::string_view what = "size";
  auto [value, unit] = split_number(text, what);
  if (unit.empty()) fail(what, text, "needs a unit: " + std::string(kSizeUnits));
  const double multiplier = byte_unit(unit);
  if (multiplier == 0) fail(what, text, "unknown unit '" + std::string(unit) + "', use " + std::string(kSizeUnits));
  const double bytes = std::round(value * multiplier);
  // 2^63 keeps the conversion exact and leaves headroom for callers that add to it.
  if (bytes >= 9223372036854775808.0) fail(what, text, "too large");
  return static_cast<uint64_t>(bytes);
}

double parse_rate_bytes_per_s(std::string_view text) {
  constexpr std::string_view what = "rate";
  auto [value, unit] = split_number(text, what);
  if (unit.empty()) fail(what, text, "needs a unit: " + std::string(kRateUnits));
  std::string_view base = unit;
  if (base.size() > 2 && base.substr(base.size() - 2) == "/s") {
    base.remove_suffix(2);
  } else if (base.size() > 2 && base.substr(base.size() - 2) == "ps") {  // Mbps, MBps
    base.remove_suffix(2);
  }
  double bytes_per_s = 0;
  if (const double bits = bit_unit(base); bits != 0) {
    bytes_per_s = value * bits / 8;
  } else if (const double bytes = byte_unit(base); bytes != 0) {
    bytes_per_s = value * bytes;
  } else {
    fail(what, text, "unknown unit '" + std::string(unit) + "', use " + std::string(kRateUnits));
  }
  if (!std::isfinite(bytes_per_s)) fail(what, text, "too large");
  return bytes_per_s;
}

double parse_duration_s(std::string_view text) {
  constexpr std::string_view what = "duration";
  auto [value, unit] = split_number(text, what);
  // Sub-second units divide, so that "10ms" is the double nearest 0.01, the same as "0.01" reads as.
  if (unit.empty() || unit == "s") return value;
  if (unit == "ms") return value / 1e3;
  if (unit == "us") return value / 1e6;
  if (unit == "min") return value * 60;
  if (unit == "h") return value * 3600;
  fail(what, text, "unknown unit '" + std::string(unit) + "', use s, ms, us, min or h");
}

std::string format_size(uint64_t bytes) {
  static constexpr std::array<std::pair<uint64_t, const char*>, 4> kUnits{{
      {uint64_t{1} << 40, "TiB"}, {uint64_t{1} << 30, "GiB"}, {uint64_t{1} << 20, "MiB"}, {uint64_t{1} << 10, "KiB"}}};
  for (const auto& [size, name] : kUnits) {
    if (bytes != 0 && bytes % size == 0) return std::to_string(bytes / size) + name;
  }
  return std::to_string(bytes) + "B";
}

std::string format_bit_rate(double bytes_per_s) {
  const double bits = bytes_per_s * 8;
  static constexpr std::array<std::pair<double, const char*>, 4> kPrefixes{
      {{1e12, "Tbit"}, {1e9, "Gbit"}, {1e6, "Mbit"}, {1e3, "kbit"}}};
  double scaled = bits;
  const char* unit = "bit";
  for (const auto& [size, name] : kPrefixes) {
    if (bits >= size) {
      scaled = bits / size;
      unit = name;
      break;
    }
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3f", scaled);
  std::string number = buffer;
  while (!number.empty() && number.back() == '0') number.pop_back();
  if (!number.empty() && number.back() == '.') number.pop_back();
  return number + unit;
}

}  // namespace precopy::units
