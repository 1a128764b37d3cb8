// `precopy simulate` end to end: the file it writes, its determinism, and its errors.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "precopy/simulator.h"
#include "precopy/trace.h"

namespace {

struct Result {
  int status;
  std::string out;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result simulate(const std::string& args) {
  const std::string err_path = testing::TempDir() + "/simulate_stderr.txt";
  const std::string command = std::string(PRECOPY_CLI) + " simulate " + args + " 2>" + err_path;
  Result result{-1, {}, {}};
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer;
  while (std::fgets(buffer.data(), buffer.size(), pipe)) result.out += buffer.data();
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.err = slurp(err_path);
  return result;
}

std::string temp_path(const std::string& name) {
  const std::string path = testing::TempDir() + "/" + name;
  std::filesystem::remove(path);
  return path;
}

TEST(CliSimulate, WritesATraceThatReadsBackAndReplays) {
  const std::string path = temp_path("sim-kcompile.csv");
  const Result result =
      simulate("--memory 512MiB --bandwidth 100Mbit --workload kcompile --seed 3 --curve 8 -o " + path);
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "");
  const precopy::Trace trace = precopy::read_trace_file(path);
  EXPECT_EQ(trace.memory_pages, 131072u);
  ASSERT_TRUE(trace.bandwidth_bytes_per_s.has_value());
  EXPECT_DOUBLE_EQ(*trace.bandwidth_bytes_per_s, 12.5e6);
  EXPECT_EQ(trace.get("source"), "simulator");
  EXPECT_EQ(trace.get("workload"), "kcompile");
  EXPECT_EQ(trace.get("seed"), "3");
  EXPECT_EQ(trace.rounds.at(0).pages_sent, 131072u);
  EXPECT_EQ(trace.curve.size(), 8u);

  // The file is exactly what the library makes for the same settings.
  precopy::SimulationConfig config;
  config.memory_pages = 131072;
  config.bandwidth_bytes_per_s = 12.5e6;
  config.seed = 3;
  config.curve_samples = 8;
  std::ostringstream expected;
  precopy::write_trace(expected, precopy::simulate(config, "kcompile"));
  EXPECT_EQ(slurp(path), expected.str());
}

TEST(CliSimulate, SameFlagsSameBytes) {
  const std::string args = "--memory 1GiB --bandwidth 1Gbit --workload zipf:s=1.1 --seed 9";
  const Result first = simulate(args);
  const Result second = simulate(args);
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_EQ(first.out, second.out);
  EXPECT_NE(first.out, simulate("--memory 1GiB --bandwidth 1Gbit --workload zipf:s=1.1 --seed 10").out);
}

TEST(CliSimulate, BadInputIsOneLineExitTwoAndNoFile) {
  const std::string path = temp_path("sim-bad.csv");
  for (const char* args : {"--memory 512 --bandwidth 100Mbit", "--memory 512MiB --bandwidth 100",
                           "--memory 512MiB --bandwidth 100Mbit --workload nosuch",
                           "--memory 512MiB --bandwidth 100Mbit --workload idle:hot=2x",
                           "--memory 512MiB --bandwidth 100Mbit --workload hotcold:size=1",
                           "--memory 512MiB --bandwidth 100Mbit --rounds 0",
                           "--memory 512MiB --bandwidth 100Mbit --seed -1",
                           "--memory 512MiB --bandwidth 100Mbit --round-overhead 3parsecs",
                           "--memory 1MiB --bandwidth 100Mbit --floor-pages 257",
                           "--memory 1MiB --bandwidth 100Mbit --floor-pages -1",
                           "--memory 4097B --bandwidth 100Mbit", "--memory 2TiB --bandwidth 100Mbit",
                           "--memory 512MiB --bandwidth 0Mbit", "--memory 512MiB --bandwidth 100Mbit --curve 99",
                           "--memory 512MiB --bandwidth 100Mbit --workload kcompile:compute_s=1us",
                           "--bandwidth 100Mbit"}) {
    const Result result = simulate(std::string(args) + " -o " + path);
    EXPECT_EQ(result.status, 2) << args;
    EXPECT_EQ(result.err.rfind("precopy: error: ", 0), 0u) << args << ": " << result.err;
    EXPECT_FALSE(std::filesystem::exists(path)) << args;
  }
  const Result one_line = simulate("--memory 512MiB --bandwidth 100Mbit --workload nosuch");
  EXPECT_EQ(one_line.err,
            "precopy: error: --workload: unknown workload 'nosuch' (known: constant, hotcold, zipf, alloc, "
            "kcompile, bursty, step, idle, heavy)\n");
}

TEST(CliSimulate, UnwritableOutputFailsWithoutLeavingFiles) {
  const std::string directory = testing::TempDir() + "/no-such-directory";
  std::filesystem::remove_all(directory);
  const Result result = simulate("--memory 512MiB --bandwidth 100Mbit -o " + directory + "/trace.csv");
  EXPECT_EQ(result.status, 1);
  EXPECT_FALSE(std::filesystem::exists(directory));
}

TEST(CliSimulate, HelpExplainsEveryWorkloadAndParameter) {
  const Result result = simulate("--help");
  ASSERT_EQ(result.status, 0);
  for (const precopy::WorkloadInfo& info : precopy::workload_catalog()) {
    EXPECT_NE(result.out.find("  " + info.name + ": "), std::string::npos) << info.name;
    for (const auto& param : info.parameters) {
      EXPECT_NE(result.out.find(param.key + "=" + param.default_value), std::string::npos) << param.key;
    }
  }
}

}  // namespace
