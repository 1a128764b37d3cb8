#include "units.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace precopy::units {
namespace {

TEST(ParseSize, BinaryUnits) {
  EXPECT_EQ(parse_size_bytes("512MiB"), 512ull << 20);
  EXPECT_EQ(parse_size_bytes("16GiB"), 16ull << 30);
  EXPECT_EQ(parse_size_bytes("64GiB"), 64ull << 30);
  EXPECT_EQ(parse_size_bytes("4KiB"), 4096u);
  EXPECT_EQ(parse_size_bytes("1TiB"), 1ull << 40);
  EXPECT_EQ(parse_size_bytes("1.5GiB"), 3ull << 29);
  EXPECT_EQ(parse_size_bytes(" 2 GiB "), 2ull << 30);
}

TEST(ParseSize, DecimalAndBytes) {
  EXPECT_EQ(parse_size_bytes("4096B"), 4096u);
  EXPECT_EQ(parse_size_bytes("2GB"), 2000000000u);
  EXPECT_EQ(parse_size_bytes("1kB"), 1000u);
  EXPECT_EQ(parse_size_bytes("1.1GB"), 1100000000u);
}

TEST(ParseSize, RejectsBadInput) {
  EXPECT_THROW(parse_size_bytes(""), std::invalid_argument);
  EXPECT_THROW(parse_size_bytes("131072"), std::invalid_argument);  // no unit: pages or bytes?
  EXPECT_THROW(parse_size_bytes("GiB"), std::invalid_argument);
  EXPECT_THROW(parse_size_bytes("-1GiB"), std::invalid_argument);
  EXPECT_THROW(parse_size_bytes("1G"), std::invalid_argument);
  EXPECT_THROW(parse_size_bytes("1Gbit"), std::invalid_argument);
  EXPECT_THROW(parse_size_bytes("nanGiB"), std::invalid_argument);
  EXPECT_THROW(parse_size_bytes("infGiB"), std::invalid_argument);
  EXPECT_THROW(parse_size_bytes("1e30TiB"), std::invalid_argument);
}

TEST(ParseSize, MessageNamesTheText) {
  try {
    parse_size_bytes("12 parsecs");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("'12 parsecs'"), std::string::npos) << error.what();
    EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);
  }
}

TEST(ParseRate, BitRates) {
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("100Mbit"), 12.5e6);
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("100Mbit/s"), 12.5e6);
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("100Mbps"), 12.5e6);
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("100Mb"), 12.5e6);
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("10Gbit"), 1.25e9);
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("10gbit"), 1.25e9);
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("25Gbit"), 3.125e9);
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("2.5Gbit"), 312.5e6);
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("800kbit"), 100e3);
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("8bit/s"), 1);
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("8bps"), 1);
}

TEST(ParseRate, ByteRates) {
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("125MB/s"), 125e6);
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("125MB"), 125e6);
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("125MBps"), 125e6);
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("1GiB/s"), 1073741824.0);
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("4096B/s"), 4096);
}

TEST(ParseRate, CaseOfBMatters) {
  EXPECT_DOUBLE_EQ(parse_rate_bytes_per_s("1Mb/s") * 8, parse_rate_bytes_per_s("1MB/s"));
}

TEST(ParseRate, RejectsBadInput) {
  EXPECT_THROW(parse_rate_bytes_per_s("100"), std::invalid_argument);
  EXPECT_THROW(parse_rate_bytes_per_s("100Mfoo"), std::invalid_argument);
  EXPECT_THROW(parse_rate_bytes_per_s("fast"), std::invalid_argument);
  EXPECT_THROW(parse_rate_bytes_per_s("-1Gbit"), std::invalid_argument);
  EXPECT_THROW(parse_rate_bytes_per_s("100Kibit"), std::invalid_argument);
  EXPECT_THROW(parse_rate_bytes_per_s("/s"), std::invalid_argument);
}

TEST(ParseDuration, Units) {
  EXPECT_DOUBLE_EQ(parse_duration_s("30"), 30);
  EXPECT_DOUBLE_EQ(parse_duration_s("30s"), 30);
  EXPECT_DOUBLE_EQ(parse_duration_s("250ms"), 0.25);
  EXPECT_DOUBLE_EQ(parse_duration_s("2min"), 120);
  EXPECT_THROW(parse_duration_s("2 weeks"), std::invalid_argument);
  EXPECT_THROW(parse_duration_s("-1s"), std::invalid_argument);
}

TEST(ParseNumber, WholeTextMustBeANumber) {
  EXPECT_DOUBLE_EQ(parse_number("1e6", "x"), 1e6);
  EXPECT_DOUBLE_EQ(parse_number("-0.5", "x"), -0.5);
  EXPECT_DOUBLE_EQ(parse_number("+3", "x"), 3);
  EXPECT_THROW(parse_number("3x", "x"), std::invalid_argument);
  EXPECT_THROW(parse_number("nan", "x"), std::invalid_argument);
  EXPECT_THROW(parse_number("", "x"), std::invalid_argument);
}

TEST(FormatSize, ShortestExactBinaryUnit) {
  EXPECT_EQ(format_size(512ull << 20), "512MiB");
  EXPECT_EQ(format_size(16ull << 30), "16GiB");
  EXPECT_EQ(format_size(3ull << 29), "1536MiB");
  EXPECT_EQ(format_size(4096), "4KiB");
  EXPECT_EQ(format_size(1000), "1000B");
  EXPECT_EQ(format_size(0), "0B");
}

TEST(FormatBitRate, DecimalPrefixes) {
  EXPECT_EQ(format_bit_rate(12.5e6), "100Mbit");
  EXPECT_EQ(format_bit_rate(1.25e9), "10Gbit");
  EXPECT_EQ(format_bit_rate(3.125e9), "25Gbit");
  EXPECT_EQ(format_bit_rate(312.5e6), "2.5Gbit");
  EXPECT_EQ(format_bit_rate(100e3), "800kbit");
}

TEST(Units, RoundTrip) {
  for (const char* text : {"100Mbit", "1Gbit", "2.5Gbit", "10Gbit", "25Gbit", "40Gbit"}) {
    EXPECT_EQ(format_bit_rate(parse_rate_bytes_per_s(text)), text);
  }
  for (const char* text : {"512MiB", "1GiB", "4GiB", "16GiB", "64GiB"}) {
    EXPECT_EQ(format_size(parse_size_bytes(text)), text);
  }
}

}  // namespace
}  // namespace precopy::units
