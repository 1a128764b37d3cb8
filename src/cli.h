// Subcommands of the `precopy` command-line tool. Each add_* registers one subcommand on the app;
// its callback does the work and throws CliError (or TraceError / std::exception) on failure, which
// precopy_main.cc turns into a one-line "precopy: error: ..." on stderr and a non-zero exit status.
#ifndef PRECOPY_CLI_H_
#define PRECOPY_CLI_H_

#include <stdexcept>
#include <string>
#include <vector>

namespace CLI {
class App;
class Validator;
}

namespace precopy::cli {

// Exit statuses (documented in docs/cli.md and precopy(1)).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // I/O or internal failure
inline constexpr int kExitBadInput = 2;  // bad flags, bad trace file, bad values

// A user error with a one-line message.
class CliError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void add_replay(CLI::App& app);
void add_simulate(CLI::App& app);
void add_forecast(CLI::App& app);
void add_evaluate(CLI::App& app);

// Trace files as given; a directory stands for its *.csv files, sorted. Throws CliError.
std::vector<std::string> expand_trace_inputs(const std::vector<std::string>& inputs);

// Option checks with one-line messages ("must be a positive number").
CLI::Validator positive_number();
CLI::Validator non_negative_number();

// The median of a sample; NaN when it is empty.
double median(std::vector<double> values);

// True when stderr is a terminal (progress indicators and colour only then).
bool stderr_is_terminal();

}  // namespace precopy::cli

#endif  // PRECOPY_CLI_H_
