// precopy simulate: a page-level pre-copy simulation written as a trace (see docs/simulator.md).
#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

#include "cli.h"
#include "precopy/simulator.h"
#include "precopy/trace.h"
#include "units.h"

namespace precopy::cli {
namespace {

struct SimulateOptions {
  std::string memory;
  std::string bandwidth;
  std::string workload = "constant";
  std::string page_size = "4KiB";
  std::string round_overhead = "0";
  std::string floor_pages = "0";
  uint32_t rounds = 30;
  std::string seed = "1";
  uint32_t curve_samples = 0;
  uint32_t curve_rounds = 1;
  std::string output = "-";
};

// Runs a unit parser, turning its error into a CliError that names the flag.
template <typename Parse>
auto parse_flag(const char* flag, const std::string& text, Parse parse) {
  try {
    return parse(text);
  } catch (const std::invalid_argument& error) {
    throw CliError(std::string(flag) + ": " + error.what());
  }
}

// CLI11 would wrap "-3" round to a huge unsigned number; a seed or a page count is digits only.
uint64_t parse_whole_number(const char* flag, const std::string& text) {
  uint64_t number = 0;
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, number);
  if (text.empty() || error != std::errc() || stop != end) {
    throw CliError(std::string(flag) + ": '" + text + "' is not a whole number in 0.." + std::to_string(UINT64_MAX));
  }
  return number;
}

void run_simulate(const SimulateOptions& options) {
  const uint64_t page_size = parse_flag("--page-size", options.page_size, units::parse_size_bytes);
  const uint64_t memory_bytes = parse_flag("--memory", options.memory, units::parse_size_bytes);
  if (page_size == 0 || page_size > (uint64_t{1} << 30) || (page_size & (page_size - 1)) != 0) {
    throw CliError("--page-size: " + options.page_size + " is not a power of two up to 1GiB");
  }
  if (memory_bytes / page_size > kMaxSimulatedPages) {
    throw CliError("--memory: " + options.memory + " is more than the simulator's limit of " +
                   std::to_string(kMaxSimulatedPages) + " pages");
  }
  if (memory_bytes == 0 || memory_bytes % page_size != 0) {
    throw CliError("--memory: " + options.memory + " is not a positive whole number of " +
                   units::format_size(page_size) + " pages");
  }
  SimulationConfig config;
  config.page_size = static_cast<uint32_t>(page_size);
  config.memory_pages = memory_bytes / page_size;
  config.bandwidth_bytes_per_s = parse_flag("--bandwidth", options.bandwidth, units::parse_rate_bytes_per_s);
  config.round_overhead_s = parse_flag("--round-overhead", options.round_overhead, units::parse_duration_s);
  config.floor_pages = parse_whole_number("--floor-pages", options.floor_pages);
  config.rounds = options.rounds;
  config.seed = parse_whole_number("--seed", options.seed);
  config.curve_samples = options.curve_samples;
  config.curve_rounds = options.curve_rounds;
  try {
    validate(config);
  } catch (const std::invalid_argument& error) {
    throw CliError(error.what());
  }
  std::unique_ptr<Workload> workload;
  try {
    workload = make_workload(options.workload);
  } catch (const std::invalid_argument& error) {
    throw CliError(std::string("--workload: ") + error.what());
  }
  // Everything is checked before anything is written, and the file is written whole or not at all.
  Trace trace;
  try {
    trace = simulate(config, *workload);
  } catch (const std::invalid_argument& error) {  // a parameter that does not fit this guest or link
    throw CliError(std::string("--workload: ") + error.what());
  }
  if (options.output == "-") {
    write_trace(std::cout, trace);
  } else {
    write_trace_file(options.output, trace);
  }
}

}  // namespace

void add_simulate(CLI::App& app) {
  auto options = std::make_shared<SimulateOptions>();
  CLI::App* command = app.add_subcommand(
      "simulate",
      "Simulate pre-copy of a guest over a link, page by page, and write the trace (format v1)");
  command->add_option("--memory", options->memory, "guest memory, e.g. 512MiB, 16GiB")
      ->type_name("SIZE")
      ->required();
  command->add_option("--bandwidth", options->bandwidth, "link rate, e.g. 100Mbit, 10Gbit, 1.25GB/s")
      ->type_name("RATE")
      ->required();
  command->add_option("--workload", options->workload, "NAME[:key=value,...] (see below)")
      ->type_name("SPEC")
      ->capture_default_str();
  command->add_option("--rounds", options->rounds, "live rounds to simulate")
      ->type_name("N")
      ->check(CLI::Range(1u, kMaxSimulatedRounds))
      ->capture_default_str();
  command->add_option("--seed", options->seed, "random seed; the same seed gives the same trace")
      ->type_name("N")
      ->capture_default_str();
  command->add_option("--page-size", options->page_size, "page size")->type_name("SIZE")->capture_default_str();
  command->add_option("--round-overhead", options->round_overhead,
                      "fixed time added to every round, e.g. 5ms (bitmap scan, round set-up)")
      ->type_name("DURATION")
      ->capture_default_str();
  command->add_option("--floor-pages", options->floor_pages,
                      "pages the rest of the guest dirties in every round, however short (kernel timers, "
                      "per-CPU data, the workload's bookkeeping): the last pages of memory; an idle PV guest "
                      "leaves 25 to 57 a round")
      ->type_name("N")
      ->capture_default_str();
  command->add_option("--curve", options->curve_samples,
                      "dirty-curve samples per round (0 = none): distinct pages dirtied so far at "
                      "T/2^(N-1), ..., T/2, T into a round of length T, as SHADOW_OP_PEEK reads them")
      ->type_name("N")
      ->check(CLI::Range(0u, 32u))
      ->capture_default_str();
  command->add_option("--curve-rounds", options->curve_rounds, "how many leading rounds get curve samples")
      ->type_name("N")
      ->capture_default_str();
  command->add_option("-o,--output", options->output, "trace file to write ('-' = stdout); written whole or not at all")
      ->type_name("FILE")
      ->capture_default_str();
  command->footer(
      "Round 1 sends all memory at link rate; each later round sends the pages dirtied during the round\n"
      "before. The simulation always continues (for --rounds rounds, or until a round dirties nothing), so\n"
      "the trace is an exact counterfactual for every stopping policy under 'precopy replay'.\n\n" +
      workload_help() +
                  "Example: precopy simulate --memory 16GiB --bandwidth 10Gbit --workload hotcold:hot=10% "
                  "--seed 3 -o trace.csv");
  command->callback([options] { run_simulate(*options); });
}

}  // namespace precopy::cli
