// xen_preload.cc -- libprecopy_preload.so: precopy for stock Xen without a rebuild.
//
// Loaded with LD_PRELOAD into libxl-save-helper (the wrapper precopy-save-helper does that, and
// only for the helper), this object interposes xc_domain_save(). When the save is a plain live
// migration and the caller installed no precopy_policy, it loads libprecopy.so.0, configures a
// handle from the PRECOPY_* environment variables and installs libprecopy's precopy_xen_policy
// adapter for the duration of the real xc_domain_save(), which it reaches with
// dlvsym(RTLD_NEXT, "xc_domain_save", "VERS_4.17.0"). The adapter speaks send_memory_live()'s
// two-calls-per-round protocol and times the rounds itself (monotonic clock between its call
// before a round and its call after it).
//
// At the call after each round it also reads that round's dirty count without clearing the log
// (XEN_DOMCTL_SHADOW_OP_PEEK with no bitmap, through the helper's own xc_interface and libxenctrl's
// xc_logdirty_control, found at run time) and passes it on (precopy_xen_policy_peeked), so that a
// policy that would otherwise predict the count decides on it, as in the patched loop. The save
// loop reads the bitmap only after that call, so the peek sees the round just sent. A peek that
// fails is logged once and not tried again: the policy then decides on its prediction.
//
// Failure policy: nothing here may make a migration fail that would have worked without it.
// If libprecopy cannot be loaded or configured, one line goes to stderr (which libxl passes
// through to xl) and the callbacks are left exactly as the caller set them, so Xen's own
// simple policy runs. A policy set by the caller is never replaced.
//
// libprecopy is dlopen()ed rather than linked: a DT_NEEDED dependency of a preloaded object that
// cannot be found is fatal to ld.so, so linking would turn "libprecopy missing" into "migration
// impossible". PRECOPY_LIBRARY names another file to load (tests, non-standard prefixes).
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Xen's headers are C: no extern "C" of their own, and GNU extensions (built as gnu++20).
extern "C" {
#include <xenctrl.h>
#include <xenguest.h>
}

#include "precopy/precopy.h"

namespace {

constexpr const char kTag[] = "libprecopy_preload";
constexpr const char kXenVersionNode[] = "VERS_4.17.0";
constexpr const char kDefaultLibrary[] = "libprecopy.so.0";

using XcDomainSaveFn = int (*)(xc_interface*, int, uint32_t, uint32_t, struct save_callbacks*,
                               xc_stream_type_t, int);

// The part of libprecopy's C ABI that the preload uses, resolved with dlsym.
struct Api {
  decltype(&precopy_version) version = nullptr;
  decltype(&precopy_free) free = nullptr;
  decltype(&precopy_config_create) config_create = nullptr;
  decltype(&precopy_config_destroy) config_destroy = nullptr;
  decltype(&precopy_config_from_env) config_from_env = nullptr;
  decltype(&precopy_config_string) config_string = nullptr;
  decltype(&precopy_create) create = nullptr;
  decltype(&precopy_destroy) destroy = nullptr;
  decltype(&precopy_policy_name) policy_name = nullptr;
  decltype(&precopy_xen_policy) xen_policy = nullptr;
  decltype(&precopy_xen_policy_peeked) xen_policy_peeked = nullptr;  // optional: older libraries lack it
};

using XcLogdirtyControlFn = long long (*)(xc_interface*, uint32_t, unsigned int, xc_hypercall_buffer_t*,
                                          unsigned long, unsigned int, xc_shadow_op_stats_t*);

// State of the save in progress. libxl-save-helper runs one xc_domain_save at a time in a
// single thread; the trampoline below needs a place that does not depend on callbacks->data,
// which belongs to the caller's other callbacks.
struct Active {
  const Api* api = nullptr;
  precopy_t* handle = nullptr;
  xc_interface* xch = nullptr;
  uint32_t domid = 0;
  XcLogdirtyControlFn peek = nullptr;  // nullptr: no peeks (none possible, or one failed)
};
Active g_active;

void log_line(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void log_line(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  // One write, so that the line is not interleaved with other writers of the same stderr.
  fprintf(stderr, "%s: %s\n", kTag, buf);
  fflush(stderr);
}

// True when PRECOPY_LOG_LEVEL asks for informational messages.
bool verbose() {
  const char* level = getenv("PRECOPY_LOG_LEVEL");
  if (level == nullptr) return false;
  return strcmp(level, "info") == 0 || strcmp(level, "debug") == 0 || strcmp(level, "trace") == 0;
}

XcDomainSaveFn real_xc_domain_save() {
  static XcDomainSaveFn real = nullptr;
  if (real == nullptr) {
    void* sym = dlvsym(RTLD_NEXT, "xc_domain_save", kXenVersionNode);
    if (sym == nullptr) sym = dlsym(RTLD_NEXT, "xc_domain_save");  // other Xen versions
    real = reinterpret_cast<XcDomainSaveFn>(sym);
  }
  return real;
}

template <typename Fn>
bool resolve(void* dl, const char* name, Fn* out, const char** missing) {
  *out = reinterpret_cast<Fn>(dlsym(dl, name));
  if (*out == nullptr && *missing == nullptr) *missing = name;
  return *out != nullptr;
}

// Loads libprecopy once per process. Returns nullptr and sets *why on failure.
const Api* load_api(char* why, size_t why_size) {
  static Api api;
  static bool loaded = false;
  if (loaded) return &api;

  const char* path = getenv("PRECOPY_LIBRARY");
  if (path == nullptr || *path == '\0') path = kDefaultLibrary;
  void* dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (dl == nullptr) {
    const char* err = dlerror();
    snprintf(why, why_size, "cannot load %s: %s", path, err ? err : "unknown error");
    return nullptr;
  }
  const char* missing = nullptr;
  resolve(dl, "precopy_version", &api.version, &missing);
  resolve(dl, "precopy_free", &api.free, &missing);
  resolve(dl, "precopy_config_create", &api.config_create, &missing);
  resolve(dl, "precopy_config_destroy", &api.config_destroy, &missing);
  resolve(dl, "precopy_config_from_env", &api.config_from_env, &missing);
  resolve(dl, "precopy_config_string", &api.config_string, &missing);
  resolve(dl, "precopy_create", &api.create, &missing);
  resolve(dl, "precopy_destroy", &api.destroy, &missing);
  resolve(dl, "precopy_policy_name", &api.policy_name, &missing);
  resolve(dl, "precopy_xen_policy", &api.xen_policy, &missing);
  api.xen_policy_peeked = reinterpret_cast<decltype(api.xen_policy_peeked)>(dlsym(dl, "precopy_xen_policy_peeked"));
  if (missing != nullptr) {
    snprintf(why, why_size, "%s lacks %s", path, missing);
    dlclose(dl);
    api = Api{};
    return nullptr;
  }
  // The library stays loaded for the life of the process: the helper exits right after the
  // save, and unloading a C++ library with static state buys nothing.
  loaded = true;
  return &api;
}

// Creates a handle configured from the environment, or returns nullptr and sets *why.
precopy_t* make_handle(const Api& api, char* why, size_t why_size) {
  precopy_config_t* config = api.config_create();
  if (config == nullptr) {
    snprintf(why, why_size, "precopy_config_create failed");
    return nullptr;
  }
  char* err = nullptr;
  api.config_from_env(config, &err);
  precopy_t* handle = nullptr;
  if (err == nullptr) handle = api.create(config, &err);
  if (handle == nullptr) {
    snprintf(why, why_size, "bad configuration: %s", err ? err : "precopy_create failed");
  } else if (verbose()) {
    char* text = api.config_string(config);
    log_line("libprecopy %s, policy %s (%s)", api.version(), api.policy_name(handle),
             text ? text : "?");
    api.free(text);
  }
  api.free(err);
  api.config_destroy(config);
  return handle;
}

// libxenctrl's xc_logdirty_control, from the helper's own libraries (libxenguest needs libxenctrl), or
// nullptr. Looked up rather than linked, for the reason libprecopy is.
XcLogdirtyControlFn find_logdirty_control() {
  void* sym = dlvsym(RTLD_DEFAULT, "xc_logdirty_control", kXenVersionNode);
  if (sym == nullptr) sym = dlsym(RTLD_DEFAULT, "xc_logdirty_control");
  return reinterpret_cast<XcLogdirtyControlFn>(sym);
}

// Installed as callbacks->precopy_policy; callbacks->data stays the caller's.
int trampoline(struct precopy_stats stats, void* /*caller_data*/) {
  if (stats.dirty_count == -1 && g_active.peek != nullptr) {  // after a round, before its bitmap is read
    xc_shadow_op_stats_t counts = {};
    if (g_active.peek(g_active.xch, g_active.domid, XEN_DOMCTL_SHADOW_OP_PEEK, nullptr, 0, 0, &counts) >= 0) {
      return g_active.api->xen_policy_peeked(stats, static_cast<long>(counts.dirty_count), g_active.handle);
    }
    log_line("cannot read the dirty count after round %u (XEN_DOMCTL_SHADOW_OP_PEEK: %s); deciding on "
             "predicted counts from here", stats.iteration, strerror(errno));
    g_active.peek = nullptr;
  }
  return g_active.api->xen_policy(stats, g_active.handle);
}

}  // namespace

extern "C" PRECOPY_EXPORT int xc_domain_save(xc_interface* xch, int io_fd, uint32_t dom,
                                             uint32_t flags, struct save_callbacks* callbacks,
                                             xc_stream_type_t stream_type, int recv_fd) {
  XcDomainSaveFn real = real_xc_domain_save();
  if (real == nullptr) {
    log_line("cannot find the real xc_domain_save (is libxenguest loaded?)");
    errno = ENOSYS;
    return -1;
  }

  // Only a plain live save runs send_memory_live(); a caller's own policy is left alone.
  const bool applies = callbacks != nullptr && callbacks->precopy_policy == nullptr &&
                       (flags & XCFLAGS_LIVE) && stream_type == XC_STREAM_PLAIN &&
                       g_active.handle == nullptr;
  if (!applies) {
    if (verbose() && callbacks != nullptr && callbacks->precopy_policy != nullptr)
      log_line("the caller set its own precopy policy; leaving it in place");
    return real(xch, io_fd, dom, flags, callbacks, stream_type, recv_fd);
  }

  char why[400] = "";
  const Api* api = load_api(why, sizeof why);
  precopy_t* handle = api ? make_handle(*api, why, sizeof why) : nullptr;
  if (handle == nullptr) {
    log_line("%s; using Xen's default precopy policy", why);
    return real(xch, io_fd, dom, flags, callbacks, stream_type, recv_fd);
  }

  g_active.api = api;
  g_active.handle = handle;
  g_active.xch = xch;
  g_active.domid = dom;
  // A peek needs the caller's xc_interface, libxenctrl's call and a library that takes the count.
  g_active.peek = xch != nullptr && api->xen_policy_peeked != nullptr ? find_logdirty_control() : nullptr;
  if (verbose()) {
    log_line(g_active.peek ? "reading each round's dirty count at the call after it (XEN_DOMCTL_SHADOW_OP_PEEK)"
                           : "not reading dirty counts after rounds: the policy decides there on predicted counts");
  }
  callbacks->precopy_policy = trampoline;
  const int rc = real(xch, io_fd, dom, flags, callbacks, stream_type, recv_fd);
  const int saved_errno = errno;
  callbacks->precopy_policy = nullptr;
  g_active = Active{};
  api->destroy(handle);  // writes PRECOPY_TRACE_PATH, if set
  errno = saved_errno;
  return rc;
}
