// Small text helpers shared by the trace reader, the config parser and the CLI.
#ifndef PRECOPY_TEXT_H_
#define PRECOPY_TEXT_H_

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace precopy {

std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);

// Whole-string parses: no sign, no trailing junk, no overflow. Return false on any of those.
bool parse_u64(std::string_view s, uint64_t& out);
// Accepts what strtod accepts in the C locale except hex, inf and nan spelled out; the caller checks
// the range (the value may still overflow to inf).
bool parse_double(std::string_view s, double& out);

// Shortest text that reads back to the same double ("0.41", "1e-06", "12500000").
std::string format_number(double value);

// Writes a file through `path.tmp.PID` and rename(2), so readers never see a partial file and a failed
// write leaves nothing behind. Throws std::runtime_error naming the path.
void write_text_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace precopy

#endif  // PRECOPY_TEXT_H_
