// precopy forecast: what each policy would do for a guest of a given size on a given link, from a few
// measured points of its dirty curve -- the question operators ask before they migrate.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "dirty_curve.h"
#include "precopy/replay.h"
#include "text.h"
#include "units.h"

namespace precopy::cli {
namespace {

struct ForecastOptions {
  std::string memory;
  std::string bandwidth;
  std::string curve_file;
  std::string page_size = "4KiB";
  uint32_t rounds = 30;
  std::vector<std::string> policies;
  double budget_ms = 0;
  double weight = 10;
  double fixed_ms = 0;
  bool json = false;
};

// "seconds,pages" lines (a header line and # comments allowed): distinct pages dirtied in a window of
// that many seconds, e.g. from sampling the dirty bitmap without clearing it.
std::vector<CurveSample> read_curve(const std::string& path) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path);
    if (!file) throw CliError(path + ": cannot open dirty-curve file");
    in = &file;
  }
  std::vector<CurveSample> samples;
  std::string line;
  for (std::size_t line_no = 1; std::getline(*in, line); ++line_no) {
    std::string_view text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    auto fields = split(text, ',');
    double seconds = 0, pages = 0;
    bool ok = fields.size() == 2 && parse_double(trim(fields[0]), seconds) && parse_double(trim(fields[1]), pages);
    if (!ok) {
      if (samples.empty() && line_no == 1) continue;  // a header such as "seconds,pages"
      throw CliError(path + ":" + std::to_string(line_no) + ": expected 'seconds,pages'");
    }
    if (!std::isfinite(seconds) || seconds <= 0 || !std::isfinite(pages) || pages < 0) {
      throw CliError(path + ":" + std::to_string(line_no) + ": seconds must be > 0 and pages >= 0");
    }
    if (samples.size() >= 10000) throw CliError(path + ": more than 10000 samples");
    samples.push_back({1, seconds, static_cast<uint64_t>(std::llround(pages))});
  }
  if (samples.empty()) throw CliError(path + ": no samples");
  return samples;
}

// The migration the curve implies, recorded as "always continue": round 1 sends all of memory, each
// later round sends what the one before dirtied, and a round of t seconds dirties f(t) pages.
Trace synthesize(const ForecastOptions& o, const std::vector<CurveSample>& samples) {
  uint64_t memory_bytes = units::parse_size_bytes(o.memory);
  double rate = units::parse_rate_bytes_per_s(o.bandwidth);
  uint64_t page_size = units::parse_size_bytes(o.page_size);
  if (page_size == 0 || (page_size & (page_size - 1)) != 0 || page_size > (1u << 30)) {
    throw CliError("--page-size: " + o.page_size + " is not a power of two up to 1GiB");
  }
  if (memory_bytes < page_size) throw CliError("--memory is smaller than one page");
  if (!(rate > 0)) throw CliError("--bandwidth must be positive");
  Trace t;
  t.name = "forecast";
  t.memory_pages = memory_bytes / page_size;
  t.page_size = static_cast<uint32_t>(page_size);
  t.bandwidth_bytes_per_s = rate;
  t.set("source", "forecast");
  DirtyCurve curve;
  for (const auto& s : samples) {
    if (static_cast<double>(s.pages) > static_cast<double>(t.memory_pages)) {
      throw CliError("dirty-curve sample of " + std::to_string(s.pages) + " pages exceeds memory (" +
                     std::to_string(t.memory_pages) + " pages)");
    }
    curve.add(s.seconds, static_cast<double>(s.pages));
  }
  const double seconds_per_page = static_cast<double>(page_size) / rate;
  const double memory = static_cast<double>(t.memory_pages);
  uint64_t send = t.memory_pages;
  for (uint32_t k = 1; k <= o.rounds; ++k) {
    double seconds = static_cast<double>(send) * seconds_per_page;
    auto dirty = static_cast<uint64_t>(std::llround(curve.predict(seconds, memory).value_or(0)));
    t.rounds.push_back({k, dirty, seconds, send});
    if (dirty == 0) break;
    send = dirty;
  }
  for (const auto& s : samples) {
    if (s.seconds <= t.rounds[0].seconds) t.curve.push_back(s);  // what peeks in round 1 would see
  }
  return t;
}

void run_forecast(const ForecastOptions& o) {
  if (o.rounds < 1 || o.rounds > kMaxRoundsCap) throw CliError("--rounds must be within 1..1000");
  Trace trace = synthesize(o, read_curve(o.curve_file));
  PolicyConfig base;
  base.downtime_weight = o.weight;
  base.fixed_downtime_s = o.fixed_ms / 1000;
  if (o.budget_ms > 0) base.downtime_budget_s = o.budget_ms / 1000;
  base.max_rounds = o.rounds;
  std::vector<std::string> policies = o.policies;
  if (policies.empty()) policies = {"oracle", "predictive", "paper", "xen", "xen-legacy", "qemu"};
  const Round& last = trace.rounds.back();
  bool converges = last.dirty_pages <= base.threshold_pages;
  if (!o.json) {
    std::printf("guest %s over %s: round 1 sends %llu pages in %.3f s; ", units::format_size(trace.memory_pages *
                                                                                              trace.page_size).c_str(),
                units::format_bit_rate(*trace.bandwidth_bytes_per_s).c_str(),
                static_cast<unsigned long long>(trace.memory_pages), trace.rounds[0].seconds);
    if (converges) {
      std::printf("dirty pages fall to %llu (<= %llu) by round %u\n", static_cast<unsigned long long>(last.dirty_pages),
                  static_cast<unsigned long long>(base.threshold_pages), last.round);
    } else {
      std::printf("dirty pages level off near %llu (%.1f ms to send): pre-copy does not converge\n",
                  static_cast<unsigned long long>(last.dirty_pages),
                  static_cast<double>(last.dirty_pages) * trace.page_size / *trace.bandwidth_bytes_per_s * 1000);
    }
    std::printf("  %-12s %6s %10s %11s %10s  %s\n", "policy", "rounds", "total_s", "downtime_s", "sent_GiB", "stops");
  }
  for (const auto& name : policies) {
    PolicyConfig c = base;
    c.policy = name;
    Outcome out = replay_named(trace, c);
    if (o.json) {
      std::cout << nlohmann::json{{"policy", name},
                                  {"live_rounds", out.live_rounds},
                                  {"total_time_s", out.total_time_s},
                                  {"downtime_s", out.downtime_s},
                                  {"bytes_sent", out.bytes_sent},
                                  {"converged", out.converged},
                                  {"guest_converges", converges}}
                       .dump()
                << '\n';
    } else {
      std::printf("  %-12s %6u %10.3f %11.4f %10.3f  %s\n", name.c_str(), out.live_rounds, out.total_time_s,
                  out.downtime_s, static_cast<double>(out.bytes_sent) / (1u << 30),
                  out.converged ? out.reason.c_str() : "never (runs until the forecast's last round)");
    }
  }
}

}  // namespace

void add_forecast(CLI::App& app) {
  auto o = std::make_shared<ForecastOptions>();
  CLI::App* sub = app.add_subcommand("forecast", "Predict rounds, time, downtime and bytes of a migration per policy");
  sub->add_option("--memory", o->memory, "Guest memory, e.g. 8GiB")->required();
  sub->add_option("--bandwidth", o->bandwidth, "Migration link rate, e.g. 10Gbit or 1GB/s")->required();
  sub->add_option("--dirty-curve", o->curve_file,
                  "File of 'seconds,pages' lines: distinct pages the guest dirties within that many seconds ('-' for "
                  "stdin)")
      ->required();
  sub->add_option("--page-size", o->page_size, "Page size, e.g. 4KiB")->type_name("SIZE")->capture_default_str();
  sub->add_option("--rounds", o->rounds, "Rounds to look ahead (the round cap)")->capture_default_str();
  sub->add_option("-p,--policy", o->policies, "Policy to forecast (repeatable); default: all and the oracle")
      ->allow_extra_args(false);
  sub->add_option("--downtime-budget-ms", o->budget_ms, "Downtime budget")->check(positive_number());
  sub->add_option("--downtime-weight", o->weight, "w in J = total_time + w x downtime")
      ->check(non_negative_number())
      ->capture_default_str();
  sub->add_option("--fixed-downtime-ms", o->fixed_ms, "Constant part of downtime")->check(non_negative_number());
  sub->add_flag("--json", o->json, "One JSON object per line per policy");
  sub->callback([o] { run_forecast(*o); });
}

}  // namespace precopy::cli
