// The library's one logger: spdlog to stderr (libxl passes the save helper's stderr to its log).
// Default level warn: silent inside libxenguest unless something goes wrong or PRECOPY_LOG_LEVEL asks.
#ifndef PRECOPY_LOGGING_H_
#define PRECOPY_LOGGING_H_

#include <spdlog/spdlog.h>

#include <optional>
#include <string_view>

namespace precopy {

spdlog::logger& logger();

// "off", "error", "warn", "info", "debug", "trace" (also "warning", "critical").
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view text);

void set_log_level(spdlog::level::level_enum level);

}  // namespace precopy

#endif  // PRECOPY_LOGGING_H_
