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

namespace precopy::cli {

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

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
  try {
    add_replay(app);
    add_simulate(app);
    add_forecast(app);
    add_evaluate(app);
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "precopy: error: " << e.what() << "\n(run 'precopy --help' for usage)\n";
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
