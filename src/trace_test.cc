#include "precopy/trace.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace precopy {
namespace {

const char* kExample =
    "# precopy-trace v1\n"
    "# memory_pages=131072; page_size=4096; bandwidth_bytes_per_s=12500000\n"
    "# source=simulator; workload=idle\n"
    "round,dirty_pages,seconds,pages_sent\n"
    "1,1200,42.10,131072\n"
    "2,310,0.41,1200\n";

TEST(Trace, ParsesTheFormatExample) {
  Trace t = parse_trace_string(kExample, "example");
  EXPECT_EQ(t.memory_pages, 131072u);
  EXPECT_EQ(t.page_size, 4096u);
  ASSERT_TRUE(t.bandwidth_bytes_per_s);
  EXPECT_DOUBLE_EQ(*t.bandwidth_bytes_per_s, 12500000);
  EXPECT_EQ(t.get("workload"), "idle");
  ASSERT_EQ(t.rounds.size(), 2u);
  EXPECT_EQ(t.rounds[1].round, 2u);
  EXPECT_EQ(t.rounds[1].dirty_pages, 310u);
  EXPECT_DOUBLE_EQ(t.rounds[1].seconds, 0.41);
  EXPECT_EQ(t.rounds[1].pages_sent, 1200u);
}

TEST(Trace, DefaultsAndExtensions) {
  Trace t = parse_trace_string(
      "\xEF\xBB\xBF# precopy-trace v1\r\n# memory_pages=100; custom=kept\r\n"
      "seconds,dirty_pages,round,extra\r\n2.5,40,1,x\r\n0.5,10,2,y\r\n",
      "t");
  EXPECT_EQ(t.page_size, 4096u);
  EXPECT_FALSE(t.bandwidth_bytes_per_s);
  EXPECT_EQ(t.rounds[0].pages_sent, 100u);  // round 1 sends all of memory
  EXPECT_EQ(t.rounds[1].pages_sent, 40u);   // later rounds send the previous round's dirty pages
  EXPECT_EQ(t.get("custom"), "kept");
}

TEST(Trace, RoundTripsThroughTheWriter) {
  Trace t = parse_trace_string(kExample, "example");
  t.curve.push_back({1, 10.5, 700});
  std::ostringstream out;
  write_trace(out, t);
  Trace back = parse_trace_string(out.str(), "back");
  EXPECT_EQ(back.memory_pages, t.memory_pages);
  ASSERT_EQ(back.rounds.size(), 2u);
  EXPECT_DOUBLE_EQ(back.rounds[0].seconds, 42.10);
  EXPECT_EQ(back.get("workload"), "idle");
  ASSERT_EQ(back.curve.size(), 1u);
  EXPECT_EQ(back.curve[0].pages, 700u);
}

std::string error_of(const std::string& text) {
  try {
    parse_trace_string(text, "f.csv");
  } catch (const TraceError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Trace, BadInputNamesFileAndLine) {
  const std::string head = "# precopy-trace v1\n# memory_pages=100\n";
  EXPECT_EQ(error_of(head + "round,dirty_pages\n1,5\n"), "f.csv:3: missing column 'seconds'");
  EXPECT_EQ(error_of(head + "round,dirty_pages,seconds\n1,five,1\n"),
            "f.csv:4: dirty_pages: 'five' is not a non-negative integer");
  EXPECT_EQ(error_of(head + "round,dirty_pages,seconds\n1,-5,1\n"),
            "f.csv:4: dirty_pages: '-5' is not a non-negative integer");
  EXPECT_EQ(error_of(head + "round,dirty_pages,seconds\n1,5,nan\n"),
            "f.csv:4: seconds: 'nan' is not a finite non-negative number");
  EXPECT_EQ(error_of(head + "round,dirty_pages,seconds\n1,5,1\n3,5,1\n"),
            "f.csv:5: round 3 out of order (expected round 2)");
  EXPECT_EQ(error_of(head + "round,dirty_pages,seconds\n1,5,1\n1,5,1\n"),
            "f.csv:5: round 1 out of order (expected round 2)");
  EXPECT_EQ(error_of(head + "round,dirty_pages,seconds\n1,500,1\n"), "f.csv:4: dirty_pages 500 exceeds memory_pages 100");
  EXPECT_EQ(error_of(head + "round,dirty_pages,seconds\n1,5\n"), "f.csv:4: expected 3 fields, found 2");
  EXPECT_EQ(error_of("# precopy-trace v1\nround,dirty_pages,seconds\n1,5,1\n"), "f.csv:3: missing header key memory_pages");
  EXPECT_EQ(error_of("round,dirty_pages,seconds\n"),
            "f.csv:1: not a precopy trace: the first line must be '# precopy-trace v1'");
  EXPECT_EQ(error_of("# precopy-trace v2\n"), "f.csv:1: unsupported trace version 'v2' (this reads v1)");
  EXPECT_EQ(error_of(head + "round,dirty_pages,seconds\n"), "f.csv:3: no rounds");
  EXPECT_EQ(error_of(head + "round,dirty_pages,seconds\n1,5,0\n"),
            "f.csv:4: round 1 took 0 seconds and the header gives no bandwidth_bytes_per_s, so the link rate cannot "
            "be measured");
  EXPECT_EQ(error_of(std::string("# precopy-trace v1\n# memory_pages=1\x00\n", 37)),
            "f.csv:2: binary data (NUL byte): not a text trace");
  EXPECT_EQ(error_of(""), "f.csv:0: empty file: expected '# precopy-trace v1'");
  EXPECT_EQ(error_of(head + "round,round,seconds\n"), "f.csv:3: duplicate column 'round'");
  EXPECT_EQ(error_of(head + std::string(5000, 'x')), "f.csv:3: line longer than 4096 bytes");
  EXPECT_EQ(error_of(head + "round,dirty_pages,seconds\n1,5,1\n2,3,0.5\n# section=curve\nround,seconds,pages\n"
                            "2,0.1,1\n1,0.5,4\n"),
            "f.csv:9: curve sample for round 1 after one for round 2: samples must be in round order");
}

TEST(Trace, WriteFileLeavesNoPartialFile) {
  auto dir = std::filesystem::temp_directory_path() / ("precopy-trace-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Trace t = parse_trace_string(kExample, "example");
  std::string path = (dir / "out.csv").string();
  write_trace_file(path, t);
  EXPECT_EQ(read_trace_file(path).rounds.size(), 2u);
  EXPECT_THROW(write_trace_file((dir / "missing-dir" / "x.csv").string(), t), std::runtime_error);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace precopy
