// Parsing and printing of memory sizes and link rates with units, for the command-line tool and the
// simulator's workload parameters ("16GiB", "10Gbit", "250MB/s").
//
// Binary prefixes (KiB, MiB, GiB, TiB) are powers of 1024; decimal prefixes (K/k, M, G, T) are powers
// of 1000, as network rates are quoted. `b`/`bit` means bits and `B` means bytes; this is the only
// place where case matters, because "Mb" and "MB" differ by a factor of 8 in everyday use.
#ifndef PRECOPY_UNITS_H_
#define PRECOPY_UNITS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace precopy::units {

// A size in bytes: "512MiB", "16GiB", "1.5GiB", "4096B", "4KiB", "2GB" (decimal). A unit is required,
// so that a bare "131072" is not silently read as bytes when pages were meant.
// Throws std::invalid_argument with a one-line message naming the text.
uint64_t parse_size_bytes(std::string_view text);

// A rate in bytes per second. Bit rates: "100Mbit", "10Gbit/s", "10Gbps", "25Gb", "800kbit".
// Byte rates: "125MB/s", "1GiB/s", "500KB/s". "/s" is optional after "bit" and after bytes units
// ("125MB" is read as 125 MB/s). A unit is required. Throws std::invalid_argument.
double parse_rate_bytes_per_s(std::string_view text);

// A duration in seconds: "30s", "250ms", "2min", or a bare number of seconds. Throws std::invalid_argument.
double parse_duration_s(std::string_view text);

// A plain finite number ("3", "-0.5", "1e6"); the whole text must be used. Throws std::invalid_argument
// naming `what` in the message.
double parse_number(std::string_view text, std::string_view what);

// The shortest exact spelling with a binary unit: 536870912 -> "512MiB", 1610612736 -> "1536MiB",
// 4096 -> "4KiB", 1000 -> "1000B".
std::string format_size(uint64_t bytes);

// A link rate in bits per second with a decimal prefix: 12.5e6 B/s -> "100Mbit", 3.125e9 -> "25Gbit",
// 312.5e6 -> "2.5Gbit". Up to 3 significant decimals, trailing zeros dropped.
std::string format_bit_rate(double bytes_per_s);

}  // namespace precopy::units

#endif  // PRECOPY_UNITS_H_
