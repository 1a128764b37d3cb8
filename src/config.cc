#include "config.h"

#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "logging.h"
#include "text.h"

namespace precopy {
namespace {

[[noreturn]] void bad(std::string_view key, std::string_view value, const std::string& why) {
  throw std::invalid_argument(std::string(key) + "='" + std::string(value) + "': " + why);
}

uint64_t integer(std::string_view key, std::string_view value, uint64_t min, uint64_t max) {
  uint64_t v = 0;
  if (!parse_u64(value, v)) bad(key, value, "not a whole number");
  if (v < min || v > max) bad(key, value, "must be within " + std::to_string(min) + ".." + std::to_string(max));
  return v;
}

double number(std::string_view key, std::string_view value, bool zero_ok) {
  double v = 0;
  if (!parse_double(value, v) || !std::isfinite(v)) bad(key, value, "not a finite number");
  if (v < 0 || (!zero_ok && v == 0)) bad(key, value, zero_ok ? "must not be negative" : "must be positive");
  return v;
}

// Milliseconds as seconds, for settings that must stay positive: a value so small that it vanishes in
// the conversion (5e-324 ms) is refused here, naming the key, rather than becoming a zero that
// precopy_create refuses later and that the config's own string could not express.
double positive_ms_as_seconds(std::string_view key, std::string_view value) {
  double seconds = number(key, value, false) / 1000;
  if (seconds <= 0) bad(key, value, "too small to be positive");
  return seconds;
}

}  // namespace

void apply_setting(Settings& s, std::string_view key, std::string_view value) {
  key = trim(key);
  value = trim(value);
  PolicyConfig& p = s.policy;
  if (key == "policy") {
    std::string name(value);
    bool known = false;
    for (const auto& n : policy_names()) known = known || n == name;
    if (!known) {
      std::string list;
      for (const auto& n : policy_names()) list += (list.empty() ? "" : ", ") + n;
      bad(key, value, "unknown policy (known: " + list + ")");
    }
    p.policy = name;
  } else if (key == "page_size") {
    uint64_t v = integer(key, value, 1, 1u << 30);
    if ((v & (v - 1)) != 0) bad(key, value, "must be a power of two");
    p.page_size = static_cast<uint32_t>(v);
  } else if (key == "memory_pages") {
    p.memory_pages = integer(key, value, 0, uint64_t{1} << 48);
  } else if (key == "threshold_pages") {
    p.threshold_pages = integer(key, value, 1, uint64_t{1} << 48);
  } else if (key == "max_rounds") {
    p.max_rounds = static_cast<uint32_t>(integer(key, value, 1, kMaxRoundsCap));
  } else if (key == "initial_rounds") {
    double v = number(key, value, false);
    if (v < 1) bad(key, value, "must be at least 1");
    p.initial_rounds = v;
  } else if (key == "downtime_budget_ms") {
    p.downtime_budget_s = positive_ms_as_seconds(key, value);
  } else if (key == "downtime_limit_ms") {
    p.downtime_limit_s = positive_ms_as_seconds(key, value);
  } else if (key == "downtime_weight") {
    p.downtime_weight = number(key, value, true);
  } else if (key == "fixed_downtime_ms") {
    p.fixed_downtime_s = number(key, value, true) / 1000;
  } else if (key == "bandwidth_bytes_per_s") {
    double v = number(key, value, true);
    if (v == 0) {
      p.bandwidth_bytes_per_s.reset();
    } else {
      p.bandwidth_bytes_per_s = v;
    }
  } else if (key == "log_level") {
    auto level = parse_log_level(value);
    if (!level) bad(key, value, "use off, error, warn, info, debug or trace");
    s.log_level = level;
  } else if (key == "trace_path") {
    if (value.empty()) bad(key, value, "must not be empty");
    s.trace_path = std::string(value);
  } else {
    throw std::invalid_argument("unknown key '" + std::string(key) +
                                "' (known: policy, page_size, memory_pages, threshold_pages, max_rounds, "
                                "initial_rounds, downtime_budget_ms, downtime_limit_ms, downtime_weight, "
                                "fixed_downtime_ms, bandwidth_bytes_per_s, log_level, trace_path)");
  }
}

void apply_spec(Settings& settings, std::string_view spec) {
  Settings copy = settings;
  bool first = true;
  for (std::string_view item : split(spec, ',')) {
    item = trim(item);
    if (item.empty()) {
      throw std::invalid_argument("empty element in policy spec '" + std::string(spec) + "'");
    }
    auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      if (!first) {
        throw std::invalid_argument("'" + std::string(item) + "' in policy spec: expected key=value");
      }
      apply_setting(copy, "policy", item);
    } else {
      apply_setting(copy, item.substr(0, eq), item.substr(eq + 1));
    }
    first = false;
  }
  settings = std::move(copy);
}

void apply_environment(Settings& settings) {
  Settings copy = settings;
  struct Var {
    const char* name;
    const char* key;  // nullptr: a whole spec
  };
  static const Var vars[] = {
      {"PRECOPY_POLICY", nullptr},
      {"PRECOPY_DOWNTIME_BUDGET_MS", "downtime_budget_ms"},
      {"PRECOPY_DOWNTIME_WEIGHT", "downtime_weight"},
      {"PRECOPY_MAX_ROUNDS", "max_rounds"},
      {"PRECOPY_THRESHOLD_PAGES", "threshold_pages"},
      {"PRECOPY_FIXED_DOWNTIME_MS", "fixed_downtime_ms"},
      {"PRECOPY_LOG_LEVEL", "log_level"},
      {"PRECOPY_TRACE_PATH", "trace_path"},
  };
  for (const Var& var : vars) {
    const char* value = std::getenv(var.name);
    if (!value || !*value) continue;
    try {
      if (var.key) {
        apply_setting(copy, var.key, value);
      } else {
        apply_spec(copy, value);
      }
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(var.name) + ": " + e.what());
    }
  }
  settings = std::move(copy);
}

std::string to_spec(const Settings& s) {
  const PolicyConfig& p = s.policy;
  const PolicyConfig d;
  std::string out = p.policy;
  auto add = [&](const char* key, const std::string& value) { out += std::string(",") + key + "=" + value; };
  if (p.page_size != d.page_size) add("page_size", std::to_string(p.page_size));
  if (p.memory_pages != d.memory_pages) add("memory_pages", std::to_string(p.memory_pages));
  if (p.threshold_pages != d.threshold_pages) add("threshold_pages", std::to_string(p.threshold_pages));
  if (p.max_rounds != d.max_rounds) add("max_rounds", std::to_string(p.max_rounds));
  if (p.initial_rounds != d.initial_rounds) add("initial_rounds", format_number(p.initial_rounds));
  if (p.downtime_budget_s) add("downtime_budget_ms", format_number(*p.downtime_budget_s * 1000));
  if (p.downtime_limit_s != d.downtime_limit_s) add("downtime_limit_ms", format_number(p.downtime_limit_s * 1000));
  if (p.downtime_weight != d.downtime_weight) add("downtime_weight", format_number(p.downtime_weight));
  if (p.fixed_downtime_s != d.fixed_downtime_s) add("fixed_downtime_ms", format_number(p.fixed_downtime_s * 1000));
  if (p.bandwidth_bytes_per_s) add("bandwidth_bytes_per_s", format_number(*p.bandwidth_bytes_per_s));
  if (s.log_level) add("log_level", std::string(spdlog::level::to_string_view(*s.log_level).data()));
  if (!s.trace_path.empty()) add("trace_path", s.trace_path);
  return out;
}

}  // namespace precopy
