// Tests of libprecopy_preload.so and the precopy-save-helper wrapper (docs/xen.md).
//
// Each test runs tests/fake_xen_save_driver.c, a stand-in for libxl-save-helper linked against
// tests/fake_libxenguest.c, which exports xc_domain_save@VERS_4.17.0 and runs the callbacks
// exactly as Xen 4.17's send_memory_live() does over a scripted dirty-page sequence. With the
// preload in LD_PRELOAD, its xc_domain_save sits in front of the fake one. Nothing here asserts
// on timing: the rounds sleep a few milliseconds only so that the policy's clock moves.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "precopy/trace.h"

extern char** environ;

namespace {

constexpr uint64_t kP2m = 262144;  // a 1 GiB guest
// Pages found dirty after each live round. Never below Xen's 50-page target.
const std::vector<uint64_t> kBusy = {40000, 20000, 12000, 9000, 8000, 7800, 7700,
                                     7600,  7600,  7600,  7600, 7600, 7600};
// Settles below 50 pages after round 3 (j = 3).
const std::vector<uint64_t> kSettling = {40000, 2000, 30, 20, 10, 10, 10, 10, 10, 10};

using Env = std::vector<std::pair<std::string, std::string>>;

struct Call {
  char point = 0;
  unsigned iteration = 0;
  unsigned long total_written = 0;
  long dirty_count = 0;
  int decision = 0;
};

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::map<std::string, std::string> kv;
  std::vector<Call> calls;

  int num(const std::string& key) const {
    auto it = kv.find(key);
    return it == kv.end() ? -1 : std::atoi(it->second.c_str());
  }
  std::vector<std::string> err_lines() const {
    std::vector<std::string> lines;
    std::istringstream in(err);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) lines.push_back(line);
    return lines;
  }
};

std::string join(const std::vector<uint64_t>& v) {
  std::string s;
  for (auto x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class XenPreloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Some runs end on the helper's assertion (SIGABRT): no core files from them.
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    std::string tmpl = ::testing::TempDir() + "precopy_preload_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const char* f : {"/out", "/err", "/trace.txt"}) unlink((dir_ + f).c_str());
    rmdir(dir_.c_str());
  }

  // Runs `program` (default: the driver) with args and an environment made of ours minus every
  // PRECOPY_*, LD_PRELOAD and LIBXL_* variable, plus PRECOPY_LIBRARY pointing at the freshly built
  // libprecopy, LD_PRELOAD (if `preload`) and `env` (which wins).
  Outcome run(const std::vector<uint64_t>& dirty, const Env& env, bool preload = true,
          std::vector<std::string> extra_args = {}, const std::string& program = PRECOPY_TEST_DRIVER) {
    std::vector<std::string> args = {program, "--p2m", std::to_string(kP2m), "--dirty", join(dirty),
                                     "--round-us", "3000"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());

    std::map<std::string, std::string> vars;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string kv = *e;
      auto eq = kv.find('=');
      if (eq == std::string::npos) continue;
      std::string key = kv.substr(0, eq);
      if (key.rfind("PRECOPY_", 0) == 0 || key.rfind("LIBXL_", 0) == 0 || key == "LD_PRELOAD")
        continue;
      vars[key] = kv.substr(eq + 1);
    }
    vars["PRECOPY_LIBRARY"] = PRECOPY_TEST_LIBRARY;
    if (preload) vars["LD_PRELOAD"] = PRECOPY_TEST_PRELOAD;
    for (const auto& [k, v] : env) vars[k] = v;

    std::vector<std::string> env_strings;
    for (const auto& [k, v] : vars) env_strings.push_back(k + "=" + v);
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);

    const std::string out_path = dir_ + "/out", err_path = dir_ + "/err";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = -1;
    Outcome r;
    int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      ADD_FAILURE() << "posix_spawn " << program << ": " << strerror(rc);
      return r;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      auto eq = line.find('=');
      if (eq == std::string::npos) continue;
      std::string key = line.substr(0, eq), value = line.substr(eq + 1);
      if (key == "call") {
        Call c;
        char point = 0;
        if (sscanf(value.c_str(), "%c,%u,%lu,%ld,%d", &point, &c.iteration, &c.total_written,
                   &c.dirty_count, &c.decision) == 5) {
          c.point = point;
          r.calls.push_back(c);
        }
      } else {
        r.kv[key] = value;
      }
    }
    return r;
  }

  // Checks what every run must satisfy, whatever the policy: the save completed, the guest was
  // suspended once, the caller's data pointer reached its callbacks, and its precopy_policy
  // field is as it was before the call.
  static void expect_clean(const Outcome& r) {
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.num("rc"), 0);
    EXPECT_EQ(r.num("suspends"), 1);
    EXPECT_EQ(r.num("data_ok"), 1);
    EXPECT_EQ(r.num("policy_restored"), 1);
  }

  // Exactly one line on stderr, from the preload, saying it keeps Xen's policy.
  static void expect_one_fallback_line(const Outcome& r, const std::string& mention) {
    auto lines = r.err_lines();
    ASSERT_EQ(lines.size(), 1u) << r.err;
    EXPECT_EQ(lines[0].rfind("libprecopy_preload: ", 0), 0u) << lines[0];
    EXPECT_NE(lines[0].find("using Xen's default precopy policy"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find(mention), std::string::npos) << lines[0];
  }

  std::string dir_;
};

// Rounds Xen's simple policy sends on a dirty sequence: min(5, j + 1), j the first round after
// which fewer than 50 pages were dirty.
unsigned xen_rounds(const std::vector<uint64_t>& dirty) {
  for (unsigned j = 1; j <= dirty.size() && j < 5; ++j)
    if (dirty[j - 1] < 50) return j + 1;
  return 5;
}

TEST_F(XenPreloadTest, FakeLibxenguestRunsXensSimplePolicyWithoutThePreload) {
  for (const auto& dirty : {kBusy, kSettling}) {
    Outcome r = run(dirty, {}, /*preload=*/false);
    expect_clean(r);
    EXPECT_EQ(r.num("rounds"), static_cast<int>(xen_rounds(dirty)));
    EXPECT_TRUE(r.err.empty()) << r.err;
  }
  EXPECT_EQ(xen_rounds(kBusy), 5u);
  EXPECT_EQ(xen_rounds(kSettling), 4u);
}

TEST_F(XenPreloadTest, FakeLibxenguestFollowsSendMemoryLiveProtocol) {
  Outcome r = run(kBusy, {}, /*preload=*/false);
  expect_clean(r);
  // 5 rounds: A,B per round; Xen's policy stops at B of round 5.
  ASSERT_EQ(r.calls.size(), 10u);
  unsigned long written = 0;
  for (unsigned k = 1; k <= 5; ++k) {
    const Call& a = r.calls[2 * (k - 1)];
    const Call& b = r.calls[2 * (k - 1) + 1];
    const long expect_dirty = k == 1 ? static_cast<long>(kP2m) : static_cast<long>(kBusy[k - 2]);
    EXPECT_EQ(a.point, 'A');
    EXPECT_EQ(a.iteration, k - 1);
    EXPECT_EQ(a.dirty_count, expect_dirty);
    EXPECT_EQ(a.total_written, written);
    written += static_cast<unsigned long>(expect_dirty);
    EXPECT_EQ(b.point, 'B');
    EXPECT_EQ(b.iteration, k);
    EXPECT_EQ(b.dirty_count, -1);
    EXPECT_EQ(b.total_written, written);
  }
  EXPECT_EQ(r.kv["stop"], "B");
  EXPECT_EQ(r.kv["live"], "262144,40000,20000,12000,9000");
  EXPECT_EQ(r.num("final"), 8000);  // the dirty pages of round 5 go in stop-and-copy
}

TEST_F(XenPreloadTest, XenPolicyThroughThePreloadStopsWhereXenWould) {
  for (const auto& dirty : {kBusy, kSettling}) {
    Outcome r = run(dirty, {{"PRECOPY_POLICY", "xen"}});
    expect_clean(r);
    EXPECT_EQ(r.num("rounds"), static_cast<int>(xen_rounds(dirty))) << r.out << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
  }
}

TEST_F(XenPreloadTest, ContinuePolicyRunsItsRoundCap) {
  // Xen alone stops after 4 rounds on kSettling and 5 on kBusy; the installed policy decides.
  for (const auto& dirty : {kBusy, kSettling}) {
    Outcome r = run(dirty, {{"PRECOPY_POLICY", "continue,max_rounds=8"}});
    expect_clean(r);
    EXPECT_EQ(r.num("rounds"), 8) << r.out << r.err;
  }
  Outcome r = run(kBusy, {{"PRECOPY_POLICY", "continue"}, {"PRECOPY_MAX_ROUNDS", "3"}});
  expect_clean(r);
  EXPECT_EQ(r.num("rounds"), 3) << r.out << r.err;
}

TEST_F(XenPreloadTest, InstalledPolicySeesTheRounds) {
  const std::string trace_path = dir_ + "/trace.txt";
  Outcome r = run(kBusy, {{"PRECOPY_POLICY", "continue,max_rounds=8"}, {"PRECOPY_TRACE_PATH", trace_path}});
  expect_clean(r);
  ASSERT_EQ(r.num("rounds"), 8);
  precopy::Trace trace;
  ASSERT_NO_THROW(trace = precopy::read_trace_file(trace_path)) << slurp(trace_path);
  // Round k's dirty count is known once its bitmap is read, i.e. for every round but the last.
  ASSERT_GE(trace.rounds.size(), 7u) << slurp(trace_path);
  for (unsigned k = 1; k <= 7; ++k) {
    const precopy::Round& round = trace.rounds[k - 1];
    EXPECT_EQ(round.round, k);
    EXPECT_EQ(round.pages_sent, k == 1 ? kP2m : kBusy[k - 2]) << "round " << k;
    EXPECT_EQ(round.dirty_pages, kBusy[k - 1]) << "round " << k;
    EXPECT_GT(round.seconds, 0.0) << "round " << k;
  }
}

TEST_F(XenPreloadTest, PredictivePolicyCompletesTheSave) {
  Outcome r = run(kSettling, {{"PRECOPY_POLICY", "predictive"}, {"PRECOPY_DOWNTIME_BUDGET_MS", "300"}});
  expect_clean(r);
  EXPECT_GE(r.num("rounds"), 1);
  EXPECT_LE(r.num("rounds"), 30);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

// After each round, before its bitmap is read, the preload reads the round's dirty count with
// XEN_DOMCTL_SHADOW_OP_PEEK (the fake library's xc_logdirty_control answers with the scripted count) and
// predictive decides there on it: its log says after-peek with the count, and never decides blind.
TEST_F(XenPreloadTest, PredictiveDecidesOnThePeekedCountAfterEachRound) {
  Outcome r = run(kSettling, {{"PRECOPY_POLICY", "predictive"}, {"PRECOPY_LOG_LEVEL", "info"}});
  expect_clean(r);
  EXPECT_NE(r.err.find("reading each round's dirty count at the call after it"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("at=after-peek round=1 dirty_pages=40000 "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("at=after-peek round=2 dirty_pages=2000 "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("at=before-bitmap"), std::string::npos) << r.err;
  // The stop is taken at a call after a round, on a count seen there: stop-and-copy sends that count.
  EXPECT_EQ(r.kv["stop"], "B");
  ASSERT_GE(r.num("rounds"), 1);
  EXPECT_EQ(r.num("final"), static_cast<int>(kSettling[r.num("rounds") - 1]));
}

// A hypervisor that refuses the peek: one line, and the policy decides on predicted counts from there.
TEST_F(XenPreloadTest, RefusedPeekIsLoggedOnceAndTheSaveGoesOn) {
  Outcome r = run(kSettling, {{"PRECOPY_POLICY", "predictive"}, {"FAKE_XENGUEST_PEEK", "fail"}});
  expect_clean(r);
  auto lines = r.err_lines();
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_EQ(lines[0], "libprecopy_preload: cannot read the dirty count after round 1 (XEN_DOMCTL_SHADOW_OP_PEEK: "
                      "Operation not permitted); deciding on predicted counts from here");
  Outcome logged = run(kSettling, {{"PRECOPY_POLICY", "predictive"}, {"FAKE_XENGUEST_PEEK", "fail"},
                                   {"PRECOPY_LOG_LEVEL", "info"}});
  expect_clean(logged);
  EXPECT_NE(logged.err.find("at=before-bitmap round=1 "), std::string::npos) << logged.err;
  EXPECT_EQ(logged.err.find("at=after-peek"), std::string::npos) << logged.err;
}

// Without an xc_interface (no real caller passes none) there is nothing to peek with: silently blind.
TEST_F(XenPreloadTest, NoInterfaceNoPeek) {
  Outcome r = run(kSettling, {{"PRECOPY_POLICY", "predictive"}, {"PRECOPY_LOG_LEVEL", "info"}}, true, {"--no-xch"});
  expect_clean(r);
  EXPECT_NE(r.err.find("not reading dirty counts after rounds"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("at=after-peek"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("at=before-bitmap round=1 "), std::string::npos) << r.err;
}

TEST_F(XenPreloadTest, BadPolicyNameFallsBackToXenWithOneLine) {
  Outcome r = run(kBusy, {{"PRECOPY_POLICY", "no-such-policy"}});
  expect_clean(r);
  EXPECT_EQ(r.num("rounds"), 5);
  expect_one_fallback_line(r, "bad configuration");
}

TEST_F(XenPreloadTest, BadNumbersFallBackToXenWithOneLine) {
  for (const Env& env : {Env{{"PRECOPY_MAX_ROUNDS", "many"}}, Env{{"PRECOPY_DOWNTIME_BUDGET_MS", "-5"}},
                         Env{{"PRECOPY_POLICY", "predictive,threshold_pages=0"}}}) {
    Outcome r = run(kSettling, env);
    expect_clean(r);
    EXPECT_EQ(r.num("rounds"), 4) << env[0].first;
    expect_one_fallback_line(r, "bad configuration");
  }
}

TEST_F(XenPreloadTest, MissingLibraryFallsBackToXenWithOneLine) {
  Outcome r = run(kBusy, {{"PRECOPY_LIBRARY", "/nonexistent/libprecopy.so.0"}, {"PRECOPY_POLICY", "continue"}});
  expect_clean(r);
  EXPECT_EQ(r.num("rounds"), 5);
  expect_one_fallback_line(r, "cannot load /nonexistent/libprecopy.so.0");
}

TEST_F(XenPreloadTest, LibraryWithoutTheApiFallsBackToXenWithOneLine) {
  Outcome r = run(kBusy, {{"PRECOPY_LIBRARY", "libm.so.6"}});
  expect_clean(r);
  EXPECT_EQ(r.num("rounds"), 5);
  expect_one_fallback_line(r, "libm.so.6 lacks precopy_");
}

TEST_F(XenPreloadTest, CallerPolicyIsLeftAlone) {
  Outcome r = run(kBusy, {{"PRECOPY_POLICY", "continue,max_rounds=8"}}, true, {"--caller-policy", "2"});
  expect_clean(r);
  EXPECT_EQ(r.num("rounds"), 2);
  EXPECT_EQ(r.num("caller_policy_calls"), 4);  // A,B of rounds 1 and 2
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(XenPreloadTest, NonLiveSavePassesThroughSilently) {
  Outcome r = run(kBusy, {{"PRECOPY_POLICY", "no-such-policy"}}, true, {"--nonlive"});
  expect_clean(r);
  EXPECT_EQ(r.num("rounds"), 0);
  EXPECT_EQ(r.num("final"), static_cast<int>(kP2m));
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(XenPreloadTest, InfoLogNamesThePolicy) {
  Outcome r = run(kBusy, {{"PRECOPY_POLICY", "xen"}, {"PRECOPY_LOG_LEVEL", "info"}});
  expect_clean(r);
  EXPECT_NE(r.err.find("libprecopy_preload: libprecopy "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("policy xen"), std::string::npos) << r.err;
}

TEST_F(XenPreloadTest, WrapperPreloadsOnlyTheHelper) {
  // The wrapper execs PRECOPY_REAL_SAVE_HELPER (here the driver) with the preload.
  Env env = {{"PRECOPY_REAL_SAVE_HELPER", PRECOPY_TEST_DRIVER},
             {"PRECOPY_PRELOAD", PRECOPY_TEST_PRELOAD},
             {"PRECOPY_POLICY", "continue,max_rounds=8"}};
  Outcome r = run(kBusy, env, /*preload=*/false, {}, PRECOPY_TEST_WRAPPER);
  expect_clean(r);
  EXPECT_EQ(r.num("rounds"), 8) << r.out << r.err;

  // A missing preload: one line, and the helper still runs with Xen's policy.
  env[1].second = "/nonexistent/libprecopy_preload.so";
  r = run(kBusy, env, /*preload=*/false, {}, PRECOPY_TEST_WRAPPER);
  expect_clean(r);
  EXPECT_EQ(r.num("rounds"), 5);
  auto lines = r.err_lines();
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_EQ(lines[0].rfind("precopy-save-helper: ", 0), 0u) << lines[0];
}

// Debian's own libxl-save-helper (xen-utils-4.17) binds xc_domain_save@VERS_4.17.0 to the preload,
// both when preloaded directly and through the wrapper, which must find the helper by itself.
constexpr const char kDebianHelper[] = "/usr/lib/xen-4.17/bin/libxl-save-helper";

bool binds_to_preload(const std::string& ld_debug_output) {
  const std::string want = "libprecopy_preload.so [0]: normal symbol `xc_domain_save' [VERS_4.17.0]";
  std::istringstream in(ld_debug_output);
  for (std::string line; std::getline(in, line);)
    if (line.find("file " + std::string(kDebianHelper) + " [0] to ") != std::string::npos &&
        line.find(want) != std::string::npos)
      return true;
  return false;
}

TEST_F(XenPreloadTest, DebianSaveHelperBindsToThePreload) {
  if (access(kDebianHelper, X_OK) != 0)
    GTEST_SKIP() << kDebianHelper << " not installed (apt-get install xen-utils-4.17)";
  // The helper does not understand the driver's arguments and stops on an assertion in main();
  // by then LD_BIND_NOW has made ld.so bind every symbol, and LD_DEBUG=bindings said where.
  const Env env = {{"LD_BIND_NOW", "1"}, {"LD_DEBUG", "bindings"}};
  Outcome r = run(kBusy, env, /*preload=*/true, {}, kDebianHelper);
  EXPECT_TRUE(binds_to_preload(r.err)) << r.err.substr(0, 3000);

  Env via_wrapper = env;
  via_wrapper.push_back({"PRECOPY_PRELOAD", PRECOPY_TEST_PRELOAD});
  r = run(kBusy, via_wrapper, /*preload=*/false, {}, PRECOPY_TEST_WRAPPER);
  EXPECT_TRUE(binds_to_preload(r.err)) << r.err.substr(0, 3000);
}

}  // namespace
