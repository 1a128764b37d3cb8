// precopy: the command-line tool. Output goes to stdout, diagnostics to stderr; see docs/cli.md.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <iostream>

#include "cli.h"
#include "precopy/trace.h"
#include "text.h"

namespace precopy::cli {

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

namespace {
CLI::Validator number_check(bool zero_ok) {
  return CLI::Validator(
      [zero_ok](std::string& text) -> std::string {
        double value = 0;
        if (!precopy::parse_double(precopy::trim(text), value) || !std::isfinite(value)) return "'" + text + "' is not a number";
        if (value < 0 || (!zero_ok && value == 0)) return zero_ok ? "must not be negative" : "must be a positive number";
        return {};
      },
      zero_ok ? "NUMBER>=0" : "NUMBER>0");
}
}  // namespace

CLI::Validator positive_number() { return number_check(false); }
CLI::Validator non_negative_number() { return number_check(true); }

double median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace precopy::cli

int main(int argc, char** argv) {
  using namespace precopy::cli;
  CLI::App app{"precopy: decide when a live migration should stop pre-copy and enter stop-and-copy.\n"
               "Replays recorded per-round traces under stopping policies (the seed paper's, Xen's, QEMU's\n"
               "and precopy's own predictive one) against the offline optimum.",
               "precopy"};
  app.set_version_flag("--version", std::string("precopy ") + PRECOPY_VERSION_STRING);
  app.require_subcommand(1);
  app.footer("Exit status: 0 success, 1 failure (I/O, internal), 2 bad input (flags, trace files).\n"
             "Run 'precopy SUBCOMMAND --help' for a subcommand's flags.");
  // The subcommand named on the command line, if any: usage errors point at its own --help.
  std::string subcommand;
  try {
    add_replay(app);
    add_simulate(app);
    add_forecast(app);
    add_evaluate(app);
    if (argc > 1 && argv[1][0] != '-') {
      subcommand = argv[1];
      bool known = false;
      std::string names;
      for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        known = known || sub->get_name() == subcommand;
        names += (names.empty() ? "" : ", ") + sub->get_name();
      }
      if (!known) {
        std::cerr << "precopy: error: unknown subcommand '" << subcommand << "' (known: " << names << ")\n";
        return kExitBadInput;
      }
    }
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "precopy: error: " << e.what() << "\n(run 'precopy " << (subcommand.empty() ? "" : subcommand + " ")
              << "--help' for usage)\n";
    return kExitBadInput;
  } catch (const CliError& e) {
    std::cerr << "precopy: error: " << e.what() << '\n';
    return kExitBadInput;
  } catch (const precopy::TraceError& e) {
    std::cerr << "precopy: error: " << e.what() << '\n';
    return kExitBadInput;
  } catch (const std::invalid_argument& e) {
    std::cerr << "precopy: error: " << e.what() << '\n';
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "precopy: error: " << e.what() << '\n';
    return kExitFailure;
  }
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "precopy: error: writing to stdout failed\n";
    return kExitFailure;
  }
  return kExitOk;
}
