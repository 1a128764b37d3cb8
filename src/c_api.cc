// The C ABI (include/precopy/precopy.h). Every entry point catches everything: no exception crosses it.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <new>

#include "config.h"
#include "migration.h"
#include "precopy/precopy.h"

struct precopy_config_t {
  precopy::Settings settings;
};

namespace {

void set_error(char** errptr, const char* message) noexcept {
  if (!errptr) return;
  std::free(*errptr);
  *errptr = strdup(message);  // NULL if even that fails: the caller still sees failure by the return
  // precopy.h promises one line, but messages quote the caller's values, which may hold line breaks.
  for (char* c = *errptr; c && *c; ++c) {
    if (*c == '\n' || *c == '\r') *c = ' ';
  }
}

// Runs `body`, turning any exception into an error message.
template <typename F>
bool guarded(char** errptr, F&& body) noexcept {
  try {
    body();
    return true;
  } catch (const std::bad_alloc&) {
    set_error(errptr, "out of memory");
  } catch (const std::exception& e) {
    set_error(errptr, e.what());
  } catch (...) {
    set_error(errptr, "unknown internal error");
  }
  return false;
}

}  // namespace

extern "C" {

const char* precopy_version(void) { return PRECOPY_VERSION_STRING; }

void precopy_free(void* ptr) { std::free(ptr); }

precopy_config_t* precopy_config_create(void) { return new (std::nothrow) precopy_config_t; }

void precopy_config_destroy(precopy_config_t* config) { delete config; }

void precopy_config_set(precopy_config_t* config, const char* key, const char* value, char** errptr) {
  if (!config || !key || !value) return set_error(errptr, "precopy_config_set: NULL argument");
  guarded(errptr, [&] { precopy::apply_setting(config->settings, key, value); });
}

void precopy_config_parse(precopy_config_t* config, const char* spec, char** errptr) {
  if (!config || !spec) return set_error(errptr, "precopy_config_parse: NULL argument");
  guarded(errptr, [&] { precopy::apply_spec(config->settings, spec); });
}

void precopy_config_from_env(precopy_config_t* config, char** errptr) {
  if (!config) return set_error(errptr, "precopy_config_from_env: NULL config");
  guarded(errptr, [&] { precopy::apply_environment(config->settings); });
}

char* precopy_config_string(const precopy_config_t* config) {
  if (!config) return nullptr;
  char* out = nullptr;
  guarded(nullptr, [&] { out = strdup(precopy::to_spec(config->settings).c_str()); });
  return out;
}

precopy_t* precopy_create(const precopy_config_t* config, char** errptr) {
  if (!config) {
    set_error(errptr, "precopy_create: NULL config");
    return nullptr;
  }
  precopy_t* handle = nullptr;
  guarded(errptr, [&] { handle = new precopy_t(config->settings); });
  return handle;
}

void precopy_destroy(precopy_t* handle) {
  if (!handle) return;
  handle->write_recording();
  delete handle;
}

const char* precopy_policy_name(const precopy_t* handle) { return handle ? handle->policy_name() : "none"; }

void precopy_observe(precopy_t* handle, uint32_t round, uint64_t dirty_pages, double seconds, uint64_t pages_sent,
                     char** errptr) {
  if (!handle) return set_error(errptr, "precopy_observe: NULL handle");
  guarded(errptr, [&] { handle->observe(precopy::Round{round, dirty_pages, seconds, pages_sent}); });
}

void precopy_observe_curve(precopy_t* handle, uint32_t round, double seconds, uint64_t pages, char** errptr) {
  if (!handle) return set_error(errptr, "precopy_observe_curve: NULL handle");
  guarded(errptr, [&] { handle->observe_curve(precopy::CurveSample{round, seconds, pages}); });
}

int precopy_decide(precopy_t* handle) {
  if (!handle || !handle->has_decision()) return PRECOPY_ERROR;
  return handle->decision().decision == precopy::Decision::kStop ? PRECOPY_STOP : PRECOPY_CONTINUE;
}

int precopy_decide_before_bitmap(precopy_t* handle, uint32_t round, double seconds, uint64_t pages_sent) {
  if (!handle) return PRECOPY_ERROR;
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  int result = PRECOPY_ERROR;
  guarded(nullptr, [&] {
    result = handle->before_bitmap(round, seconds, pages_sent).decision == precopy::Decision::kStop
                 ? PRECOPY_STOP
                 : PRECOPY_CONTINUE;
  });
  return result;
}

const char* precopy_last_reason(const precopy_t* handle) {
  return handle ? handle->decision().reason : "NULL handle";
}

double precopy_estimate(const precopy_t* handle, int which) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!handle) return nan;
  precopy::Estimates e = handle->estimates();
  switch (which) {
    case PRECOPY_ESTIMATE_ROUNDS: return e.predicted_rounds;
    case PRECOPY_ESTIMATE_DIRTY_RATE: return e.dirty_rate_pages_per_s;
    case PRECOPY_ESTIMATE_BANDWIDTH: return e.bandwidth_bytes_per_s;
    case PRECOPY_ESTIMATE_DOWNTIME: return e.predicted_downtime_s;
    case PRECOPY_ESTIMATE_NEXT_DIRTY: return e.predicted_next_dirty_pages;
    default: return nan;
  }
}

void precopy_set_clock(precopy_t* handle, precopy_clock_fn now_ns, void* clock_data) {
  if (handle) handle->set_clock(now_ns, clock_data);
}

}  // extern "C"
