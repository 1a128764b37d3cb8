#include "logging.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <cstdlib>
#include <memory>

namespace precopy {

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view text) {
  using spdlog::level::level_enum;
  if (text == "off") return level_enum::off;
  if (text == "critical") return level_enum::critical;
  if (text == "error") return level_enum::err;
  if (text == "warn" || text == "warning") return level_enum::warn;
  if (text == "info") return level_enum::info;
  if (text == "debug") return level_enum::debug;
  if (text == "trace") return level_enum::trace;
  return std::nullopt;
}

spdlog::logger& logger() {
  // Not registered in spdlog's global registry, so a host program's own spdlog use can't collide with it.
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto log = std::make_shared<spdlog::logger>("precopy", sink);
    log->set_pattern("precopy: %l: %v");
    log->set_level(spdlog::level::warn);
    if (const char* env = std::getenv("PRECOPY_LOG_LEVEL")) {
      if (auto level = parse_log_level(env)) {
        log->set_level(*level);
      } else if (*env) {
        log->warn("ignoring PRECOPY_LOG_LEVEL='{}' (use off, error, warn, info, debug or trace)", env);
      }
    }
    log->flush_on(spdlog::level::trace);
    return log;
  }();
  return *instance;
}

void set_log_level(spdlog::level::level_enum level) { logger().set_level(level); }

}  // namespace precopy
