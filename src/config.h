// Settings behind a precopy_config_t: the policy config plus what the C handle adds (log level, trace
// recording). Parsed from key=value pairs, "NAME,key=value,..." specs and PRECOPY_* variables.
#ifndef PRECOPY_CONFIG_H_
#define PRECOPY_CONFIG_H_

#include <spdlog/common.h>

#include <optional>
#include <string>
#include <string_view>

#include "precopy/policy.h"

namespace precopy {

struct Settings {
  PolicyConfig policy;
  std::optional<spdlog::level::level_enum> log_level;
  std::string trace_path;  // record observed rounds here at destroy; empty = don't
};

// Sets one key (see precopy_config_set in precopy.h). Throws std::invalid_argument with a one-line
// message naming the key and the bad value; `settings` is unchanged then.
void apply_setting(Settings& settings, std::string_view key, std::string_view value);

// Applies "NAME[,key=value...]": all of it or, on error, none of it.
void apply_spec(Settings& settings, std::string_view spec);

// Applies the PRECOPY_* environment variables: all of them or, on error, none.
void apply_environment(Settings& settings);

// "NAME,key=value,..." listing every key that differs from the defaults.
std::string to_spec(const Settings& settings);

}  // namespace precopy

#endif  // PRECOPY_CONFIG_H_
