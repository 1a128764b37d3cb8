// Bad input wherever a user types or a file arrives: the built `precopy` binary run as a user runs it,
// and the library's PRECOPY_* environment variables.
//
// What every failure must look like: exit status 2 (bad input), nothing on stdout (a script piping the
// output must not mistake half a table for a result), and stderr starting with one line
// "precopy: error: ..." that names the file and line when a file is at fault. Huge files must fail
// fast and in bounded memory, since the parser stops at 100000 rounds.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "precopy/precopy.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  double seconds = 0;
  // Peak RSS of the child. Linux starts a spawned child's count from the parent's peak (the child
  // shares or copies the parent's memory until it execs), so this is at least the test's own peak:
  // bounds are stated on top of parent_max_rss_kib, which is small except under TSan.
  long max_rss_kib = 0;
  long parent_max_rss_kib = 0;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh directory per test, removed afterwards.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("precopy-cli-test-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& content) {
    fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  // Runs the CLI with stdout and stderr captured in files (no shell, so arguments reach it verbatim).
  CliRun run(const std::vector<std::string>& args) {
    const fs::path out = dir_ / ".stdout", err = dir_ / ".stderr";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> argv_strings = {PRECOPY_CLI};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    CliRun r;
    struct rusage self = {};
    getrusage(RUSAGE_SELF, &self);
    r.parent_max_rss_kib = self.ru_maxrss;
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    int spawn_error = posix_spawn(&pid, PRECOPY_CLI, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawn_error != 0) {
      ADD_FAILURE() << "cannot run " << PRECOPY_CLI;
      return r;
    }
    int status = 0;
    struct rusage usage = {};
    wait4(pid, &status, 0, &usage);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.max_rss_kib = usage.ru_maxrss;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }

  fs::path dir_;
};

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// The shape of every bad-input failure; `mention` must appear in the error line.
void expect_bad_input(const CliRun& r, const std::string& mention) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "") << "a failed run printed to stdout";
  const std::string line = first_line(r.err);
  EXPECT_EQ(line.rfind("precopy: error: ", 0), 0u) << r.err;
  EXPECT_NE(line.find(mention), std::string::npos) << "expected '" << mention << "' in: " << line;
  // At most a usage hint follows the error line.
  const std::string rest = r.err.substr(std::min(r.err.size(), line.size() + 1));
  EXPECT_TRUE(rest.empty() || rest.rfind("(run 'precopy", 0) == 0) << "more than one line of error: " << r.err;
}

const char* const kGoodTrace =
    "# precopy-trace v1\n# memory_pages=1000; page_size=4096; bandwidth_bytes_per_s=4096000\n"
    "round,dirty_pages,seconds,pages_sent\n"
    "1,400,1.0,1000\n2,200,0.4,400\n3,120,0.2,200\n4,100,0.12,120\n5,40,0.1,100\n6,30,0.04,40\n";

std::string to_crlf(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
  return out;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// ---- trace files ---------------------------------------------------------------------------------

TEST_F(CliTest, AGoodTraceWorks) {
  const CliRun r = run({"replay", "--json", write("good.csv", kGoodTrace).string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"policy\":\"xen\""), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
}

TEST_F(CliTest, MissingFile) {
  const std::string missing = (dir_ / "no-such-trace.csv").string();
  expect_bad_input(run({"replay", missing}), missing + ":0: cannot open");
}

TEST_F(CliTest, DirectoryWithoutTraces) {
  write("empty-corpus/README.txt", "not a trace\n");
  const std::string corpus = (dir_ / "empty-corpus").string();
  expect_bad_input(run({"replay", corpus}), corpus + ": directory holds no .csv traces");
}

TEST_F(CliTest, TruncatedFiles) {
  const std::string text = kGoodTrace;
  // Cut inside the header, inside the column line, and inside a row.
  const fs::path header_only = write("header-only.csv", text.substr(0, text.find("round,") - 5));
  expect_bad_input(run({"replay", header_only.string()}), header_only.string() + ":");
  const fs::path no_rows = write("no-rows.csv", text.substr(0, text.find("1,400")));
  expect_bad_input(run({"replay", no_rows.string()}), no_rows.string() + ":3: no rounds");
  const fs::path mid_row = write("mid-row.csv", text.substr(0, text.find("0.4,400") + 2));
  expect_bad_input(run({"replay", mid_row.string()}), mid_row.string() + ":5: expected 4 fields, found 3");
}

TEST_F(CliTest, EmptyFile) {
  const fs::path empty = write("empty.csv", "");
  expect_bad_input(run({"replay", empty.string()}), empty.string() + ":0: empty file");
}

TEST_F(CliTest, BinaryFile) {
  std::string junk = "# precopy-trace v1\n# memory_pages=1000\nround,dirty_pages,seconds\n1,";
  for (int i = 0; i < 512; ++i) junk += static_cast<char>((i * 37) & 0xff);
  const fs::path binary = write("binary.csv", junk);
  expect_bad_input(run({"replay", binary.string()}), binary.string() + ":4: binary data");
  // A file that is not text from its first byte (an image, a core dump) is refused at line 1.
  const fs::path elf = write("elf.csv", std::string("\x7f" "ELF\x02\x01\x01", 7) + std::string(64, '\xff'));
  expect_bad_input(run({"replay", elf.string()}), elf.string() + ":1: not a precopy trace");
}

TEST_F(CliTest, CrlfAndBomReadLikeTheirPlainTwin) {
  const CliRun plain = run({"replay", "--json", write("plain/t.csv", kGoodTrace).string()});
  const CliRun crlf = run({"replay", "--json", write("crlf/t.csv", to_crlf(kGoodTrace)).string()});
  const CliRun bom = run({"replay", "--json", write("bom/t.csv", "\xEF\xBB\xBF" + std::string(kGoodTrace)).string()});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(crlf.exit_code, 0) << crlf.err;
  EXPECT_EQ(bom.exit_code, 0) << bom.err;
  EXPECT_EQ(replace_all(crlf.out, "/crlf/", "/plain/"), plain.out);
  EXPECT_EQ(replace_all(bom.out, "/bom/", "/plain/"), plain.out);
}

TEST_F(CliTest, DuplicateAndMissingRounds) {
  const fs::path duplicate = write("duplicate.csv",
                                   "# precopy-trace v1\n# memory_pages=1000; bandwidth_bytes_per_s=4096000\n"
                                   "round,dirty_pages,seconds\n1,400,1\n2,200,0.4\n2,200,0.4\n3,100,0.2\n");
  expect_bad_input(run({"replay", duplicate.string()}),
                   duplicate.string() + ":6: round 2 out of order (expected round 3)");
  const fs::path gap = write("gap.csv",
                             "# precopy-trace v1\n# memory_pages=1000; bandwidth_bytes_per_s=4096000\n"
                             "round,dirty_pages,seconds\n1,400,1\n3,100,0.2\n");
  expect_bad_input(run({"replay", gap.string()}), gap.string() + ":5: round 3 out of order");
}

TEST_F(CliTest, BadValuesNameFileAndLine) {
  const std::string head = "# precopy-trace v1\n# memory_pages=1000; bandwidth_bytes_per_s=4096000\n"
                           "round,dirty_pages,seconds\n1,400,1\n";
  struct Case {
    const char* row;
    const char* mention;
  } cases[] = {{"2,-5,0.4\n", ":5: dirty_pages: '-5' is not a non-negative integer"},
               {"2,5,nan\n", ":5: seconds: 'nan' is not a finite"},
               {"2,5,1e999\n", ":5: seconds: '1e999'"},
               {"2,2000,0.4\n", ":5: dirty_pages 2000 exceeds memory_pages 1000"},
               {"2,abc,0.4\n", ":5: dirty_pages: 'abc'"}};
  int i = 0;
  for (const Case& c : cases) {
    const fs::path path = write("bad" + std::to_string(i++) + ".csv", head + c.row);
    expect_bad_input(run({"replay", path.string()}), path.string() + c.mention);
  }
}

TEST_F(CliTest, OneBadFileAmongGoodOnesPrintsNothing) {
  const fs::path good = write("corpus/a-good.csv", kGoodTrace);
  const fs::path bad = write("corpus/b-bad.csv", std::string(kGoodTrace) + "7,1,x\n");
  expect_bad_input(run({"replay", (dir_ / "corpus").string()}), bad.string() + ":10: expected 4 fields");
  expect_bad_input(run({"replay", good.string(), bad.string()}), bad.string() + ":10: expected 4 fields");
}

// 10^7 rounds (about 150 MB): the parser stops at round 100001, so the run must end in a few seconds
// and in little memory whatever the file's size (10 MB peak RSS, 80 MB under ASan; the bound, 128 MiB,
// is below the file's size, so reading it whole would fail the test).
TEST_F(CliTest, HugeTraceFailsFastInBoundedMemory) {
  const fs::path huge = dir_ / "huge.csv";
  {
    std::ofstream out(huge, std::ios::binary);
    out << "# precopy-trace v1\n# memory_pages=1000; bandwidth_bytes_per_s=4096000\nround,dirty_pages,seconds\n";
    std::string chunk;
    for (uint32_t k = 1; k <= 10'000'000; ++k) {
      chunk += std::to_string(k);
      chunk += ",100,0.1\n";
      if (chunk.size() > (1 << 20)) {
        out << chunk;
        chunk.clear();
      }
    }
    out << chunk;
  }
  ASSERT_GT(fs::file_size(huge), 100'000'000u);
  const CliRun r = run({"replay", huge.string()});
  expect_bad_input(r, huge.string() + ":100004: too many rounds (more than 100000)");
  // A few seconds on an idle machine; the margin is for ASan builds on a busy CI host.
  EXPECT_LT(r.seconds, 60) << "took " << r.seconds << " s";
  EXPECT_LT(r.max_rss_kib, r.parent_max_rss_kib + 128 * 1024) << "peak RSS " << r.max_rss_kib << " KiB";
}

// A single line of 100 MB must not be read into memory either (lines are limited to 4096 bytes).
TEST_F(CliTest, EndlessLineFailsFast) {
  const fs::path path = dir_ / "long-line.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "# precopy-trace v1\n# memory_pages=1000; note=";
    out << std::string(100'000'000, 'x');
  }
  const CliRun r = run({"replay", path.string()});
  expect_bad_input(r, path.string() + ":2: line longer than 4096 bytes");
  EXPECT_LT(r.seconds, 30);
  EXPECT_LT(r.max_rss_kib, r.parent_max_rss_kib + 128 * 1024) << "peak RSS " << r.max_rss_kib << " KiB";
}

// ---- flags ---------------------------------------------------------------------------------------

TEST_F(CliTest, BadFlagsAndValues) {
  const std::string trace = write("good.csv", kGoodTrace).string();
  expect_bad_input(run({"replay", "--bogus", trace}), "--bogus");
  expect_bad_input(run({"replay", "--policy", "nonsense", trace}), "nonsense");
  expect_bad_input(run({"replay", "--loop", "sideways", trace}), "--loop");
  expect_bad_input(run({"replay", "--downtime-budget-ms", "-5", trace}), "--downtime-budget-ms");
  expect_bad_input(run({"replay", "--downtime-budget-ms", "abc", trace}), "--downtime-budget-ms");
  expect_bad_input(run({"replay", "--downtime-weight", "-1", trace}), "--downtime-weight");
  expect_bad_input(run({"replay", "--fixed-downtime-ms", "x", trace}), "--fixed-downtime-ms");
  expect_bad_input(run({"replay", "--set", "max_rounds=0", trace}), "max_rounds");
  expect_bad_input(run({"replay", "--set", "max_rounds", trace}), "--set 'max_rounds': expected key=value");
  expect_bad_input(run({"replay", "--set", "no_such_key=1", trace}), "no_such_key");
  expect_bad_input(run({"replay"}), "traces");
  expect_bad_input(run({"no-such-subcommand"}), "unknown subcommand 'no-such-subcommand'");
  expect_bad_input(run({}), "subcommand");
}

// NaN passes naive range checks (every comparison with it is false) and would then be skipped as if
// the flag were absent, so the user would believe a budget was applied.
TEST_F(CliTest, NanFlagValuesAreRefused) {
  const std::string trace = write("good.csv", kGoodTrace).string();
  expect_bad_input(run({"replay", "--downtime-budget-ms", "nan", trace}), "--downtime-budget-ms");
  expect_bad_input(run({"replay", "--downtime-weight", "nan", trace}), "--downtime-weight");
  expect_bad_input(run({"replay", "--fixed-downtime-ms", "nan", trace}), "--fixed-downtime-ms");
}

// Known bug, reported to the owner of src/replay.cc; enable when fixed.
// A valid trace of 100000 rounds (the parser's limit) takes a minute per run: replay_oracle() in
// src/replay.cc calls outcome_after(), itself O(k), for every k, and the CLI computes the oracle for
// every trace. Running sums make it O(K).
// The parser's largest trace replays under every policy: the oracle is O(K), not O(K^2) (which took a
// minute here). No timing assertion -- the machine is shared -- only that it completes and agrees.
TEST_F(CliTest, TheLongestValidTraceReplays) {
  const fs::path longest = dir_ / "longest.csv";
  {
    std::ofstream out(longest, std::ios::binary);
    out << "# precopy-trace v1\n# memory_pages=100000; bandwidth_bytes_per_s=4096000\nround,dirty_pages,seconds\n";
    for (uint32_t k = 1; k <= 100'000; ++k) out << k << ",90000,0.1\n";
  }
  const CliRun r = run({"replay", "--json", longest.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"policy\":\"oracle\""), std::string::npos);
}

TEST_F(CliTest, HelpAndVersionSucceed) {
  const CliRun help = run({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("replay"), std::string::npos);
  const CliRun version = run({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find(precopy_version()), std::string::npos) << version.out;
}

// ---- the library's environment variables -----------------------------------------------------------

// Sets environment variables for one test and restores them afterwards.
class ScopedEnv {
 public:
  void set(const char* name, const char* value) {
    const char* old = std::getenv(name);
    saved_.push_back({name, old ? std::optional<std::string>(old) : std::nullopt});
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        ::setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        ::unsetenv(it->first.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// Applies the environment to a config set to "xen,max_rounds=7"; returns the error (empty if none) and
// the config's string afterwards.
std::pair<std::string, std::string> config_from_env() {
  precopy_config_t* config = precopy_config_create();
  char* err = nullptr;
  precopy_config_parse(config, "xen,max_rounds=7", &err);
  EXPECT_EQ(err, nullptr);
  precopy_config_from_env(config, &err);
  std::string error = err ? err : "";
  precopy_free(err);
  char* spec = precopy_config_string(config);
  std::string after = spec;
  precopy_free(spec);
  precopy_config_destroy(config);
  return {error, after};
}

TEST(CliEnvironment, BadValuesAreOneLineErrorsNamingTheVariableAndChangeNothing) {
  struct Case {
    const char* name;
    const char* value;
  } cases[] = {{"PRECOPY_POLICY", "bogus"},
               {"PRECOPY_POLICY", "xen,max_rounds"},
               {"PRECOPY_POLICY", "xen,,max_rounds=3"},
               {"PRECOPY_POLICY", "xen,trace_path="},
               {"PRECOPY_MAX_ROUNDS", "0"},
               {"PRECOPY_MAX_ROUNDS", "1001"},
               {"PRECOPY_MAX_ROUNDS", "ten"},
               {"PRECOPY_MAX_ROUNDS", "-3"},
               {"PRECOPY_DOWNTIME_BUDGET_MS", "-1"},
               {"PRECOPY_DOWNTIME_BUDGET_MS", "nan"},
               {"PRECOPY_DOWNTIME_BUDGET_MS", "inf"},
               {"PRECOPY_DOWNTIME_BUDGET_MS", "300ms"},
               {"PRECOPY_DOWNTIME_WEIGHT", "-0.5"},
               {"PRECOPY_THRESHOLD_PAGES", "0"},
               {"PRECOPY_FIXED_DOWNTIME_MS", "1e999"},
               {"PRECOPY_LOG_LEVEL", "loud"},
               // A line break in a value must not break the one-line error (found by fuzz_c_api).
               {"PRECOPY_POLICY", "bogus\nsecond line"},
               {"PRECOPY_MAX_ROUNDS", "3\r\n4"}};
  for (const Case& c : cases) {
    ScopedEnv env;
    env.set("PRECOPY_MAX_ROUNDS", "5");  // a good variable beside the bad one is not applied either
    env.set(c.name, c.value);
    auto [error, after] = config_from_env();
    EXPECT_NE(error, "") << c.name << "=" << c.value;
    EXPECT_EQ(error.rfind(std::string(c.name) + ": ", 0), 0u) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    EXPECT_EQ(error.find('\r'), std::string::npos) << error;
    EXPECT_EQ(after, "xen,max_rounds=7") << c.name << "=" << c.value;
  }
}

TEST(CliEnvironment, GoodAndEmptyValues) {
  ScopedEnv env;
  env.set("PRECOPY_POLICY", "paper,threshold_pages=20");
  env.set("PRECOPY_MAX_ROUNDS", "12");
  env.set("PRECOPY_DOWNTIME_BUDGET_MS", "");  // empty: ignored
  env.set("PRECOPY_TRACE_PATH", "");
  auto [error, after] = config_from_env();
  EXPECT_EQ(error, "");
  EXPECT_EQ(after, "paper,threshold_pages=20,max_rounds=12");
}

}  // namespace
