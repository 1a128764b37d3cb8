// precopy replay: exact outcomes of stopping policies on recorded traces, against the oracle.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli.h"
#include "config.h"
#include "precopy/replay.h"
#include "precopy/trace.h"

namespace precopy::cli {
namespace {

struct ReplayOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> policies;
  std::vector<std::string> settings;
  std::string loop = "patched";
  double budget_ms = 0;
  double weight = -1;
  double fixed_ms = -1;
  bool json = false;
  bool summary_only = false;
};

}  // namespace

// Files as given; directories contribute their *.csv files, sorted, so a corpus is one argument.
std::vector<std::string> expand_trace_inputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const auto& input : inputs) {
    std::error_code ec;
    if (std::filesystem::is_directory(input, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : std::filesystem::directory_iterator(input, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".csv") found.push_back(entry.path().string());
      }
      if (ec) throw CliError(input + ": cannot list directory: " + ec.message());
      std::sort(found.begin(), found.end());
      if (found.empty()) throw CliError(input + ": directory holds no .csv traces");
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(input);
    }
  }
  return files;
}

namespace {

PolicyConfig base_config(const ReplayOptions& o) {
  Settings s;
  for (const auto& kv : o.settings) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) throw CliError("--set '" + kv + "': expected key=value");
    apply_setting(s, kv.substr(0, eq), kv.substr(eq + 1));
  }
  if (o.budget_ms > 0) s.policy.downtime_budget_s = o.budget_ms / 1000;
  if (o.weight >= 0) s.policy.downtime_weight = o.weight;
  if (o.fixed_ms >= 0) s.policy.fixed_downtime_s = o.fixed_ms / 1000;
  validate(s.policy);
  return s.policy;
}

std::string fmt(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

void run_replay(const ReplayOptions& o) {
  if (o.loop != "patched" && o.loop != "stock" && o.loop != "stock-peek" && o.loop != "both") {
    throw CliError("--loop must be patched, stock, stock-peek or both, not '" + o.loop + "'");
  }
  std::vector<std::string> policies = o.policies;
  if (policies.empty()) policies = {"oracle", "predictive", "paper", "xen", "xen-legacy", "qemu"};
  for (const auto& p : policies) {
    if (p == "oracle") continue;
    PolicyConfig probe;
    probe.policy = p;
    make_policy(probe);  // throws a one-line error for an unknown name
  }
  std::vector<Loop> loops;
  if (o.loop == "stock-peek") {
    loops.push_back(Loop::kStockPeek);
  } else {
    if (o.loop != "stock") loops.push_back(Loop::kPatched);
    if (o.loop != "patched") loops.push_back(Loop::kStock);
  }
  PolicyConfig base = base_config(o);
  std::vector<std::string> files = expand_trace_inputs(o.inputs);
  // Read every trace first: a bad file fails the run before anything is printed.
  std::vector<Trace> traces;
  for (const auto& f : files) traces.push_back(read_trace_file(f));

  struct Agg {
    std::vector<double> ratio;
    double total = 0, downtime = 0, bytes = 0;
    int not_converged = 0;
  };
  std::map<std::string, Agg> agg;
  std::vector<std::string> order;
  for (const Trace& trace : traces) {
    Outcome oracle = replay_oracle(trace, base);
    if (!o.json && !o.summary_only) {
      std::cout << "trace " << trace.name << ": " << trace.memory_pages << " pages of " << trace.page_size << " B, "
                << trace.rounds.size() << " rounds\n";
      std::printf("  %-12s %-8s %6s %10s %11s %12s %10s %8s  %s\n", "policy", "loop", "rounds", "total_s",
                  "downtime_s", "sent_MiB", "J", "J/oracle", "reason");
    }
    for (const auto& name : policies) {
      for (Loop loop : loops) {
        if (name == "oracle" && loop != loops.front()) continue;  // the oracle is loop-free
        PolicyConfig c = base;
        c.policy = name;
        Outcome out = name == "oracle" ? oracle : replay(trace, c, loop);
        double ratio = oracle.objective > 0 ? out.objective / oracle.objective : 1.0;
        std::string key = name + (loops.size() > 1 && name != "oracle" ? std::string("/") + loop_name(loop) : "");
        if (!agg.count(key)) order.push_back(key);
        Agg& a = agg[key];
        a.ratio.push_back(ratio);
        a.total += out.total_time_s;
        a.downtime += out.downtime_s;
        a.bytes += static_cast<double>(out.bytes_sent);
        a.not_converged += out.converged ? 0 : 1;
        if (o.json) {
          nlohmann::json j = {{"trace", trace.name},
                              {"policy", name},
                              {"loop", loop_name(loop)},
                              {"live_rounds", out.live_rounds},
                              {"total_time_s", out.total_time_s},
                              {"downtime_s", out.downtime_s},
                              {"pages_sent", out.pages_sent},
                              {"bytes_sent", out.bytes_sent},
                              {"converged", out.converged},
                              {"objective", out.objective},
                              {"objective_over_oracle", ratio},
                              {"reason", out.reason}};
          if (base.downtime_budget_s) j["downtime_budget_s"] = *base.downtime_budget_s;
          std::cout << j.dump() << '\n';
        } else if (!o.summary_only) {
          std::printf("  %-12s %-8s %6u %10.3f %11.4f %12.2f %10.3f %8.4f  %s%s\n", name.c_str(),
                      name == "oracle" ? "-" : loop_name(loop), out.live_rounds, out.total_time_s, out.downtime_s,
                      static_cast<double>(out.bytes_sent) / (1 << 20), out.objective, ratio,
                      out.converged ? "" : "[did not converge] ", out.reason.c_str());
        }
      }
    }
  }
  if (o.json || (traces.size() < 2 && !o.summary_only)) return;
  std::printf("\nsummary over %zu traces (J = total_time + %s x downtime%s)\n", traces.size(),
              fmt("%g", base.downtime_weight).c_str(),
              base.downtime_budget_s ? (", budget " + fmt("%g", *base.downtime_budget_s * 1000) + " ms").c_str() : "");
  std::printf("  %-20s %12s %11s %12s %14s %14s %9s\n", "policy", "median J/or", "worst J/or", "total_s", "downtime_s",
              "sent_GiB", "unconverged");
  for (const auto& key : order) {
    const Agg& a = agg[key];
    std::printf("  %-20s %12.4f %11.4f %12.2f %14.4f %14.3f %9d\n", key.c_str(), median(a.ratio),
                *std::max_element(a.ratio.begin(), a.ratio.end()), a.total, a.downtime, a.bytes / (1 << 30),
                a.not_converged);
  }
}

}  // namespace

void add_replay(CLI::App& app) {
  auto opts = std::make_shared<ReplayOptions>();
  CLI::App* sub = app.add_subcommand("replay", "Replay traces under stopping policies and compare them with the oracle");
  sub->add_option("traces", opts->inputs, "Trace files (format v1) or directories of *.csv traces")->required();
  sub->add_option("-p,--policy", opts->policies,
                  "Policy to replay (repeatable): oracle, predictive, paper, xen, xen-legacy, qemu, continue. "
                  "Default: all but continue")
      ->allow_extra_args(false);
  sub->add_option("--loop", opts->loop,
                  "Save loop: patched (decide after each round's bitmap), stock (libxenguest's call A / "
                  "call B protocol through precopy_xen_policy), stock-peek (the same, with the round's "
                  "dirty count peeked at call B, as libprecopy_preload does on stock Xen), or both "
                  "(patched and stock)")
      ->capture_default_str();
  sub->add_option("--downtime-budget-ms", opts->budget_ms, "Downtime budget for predictive and oracle")
      ->check(positive_number());
  sub->add_option("--downtime-weight", opts->weight, "w in J = total_time + w x downtime (default 10)")
      ->check(non_negative_number());
  sub->add_option("--fixed-downtime-ms", opts->fixed_ms, "Constant part of downtime added to every stop")
      ->check(non_negative_number());
  sub->add_option("--set", opts->settings, "Policy setting key=value (repeatable), e.g. threshold_pages=50")
      ->allow_extra_args(false);
  sub->add_flag("--json", opts->json, "One JSON object per line per (trace, policy, loop)");
  sub->add_flag("--summary", opts->summary_only, "Print only the per-policy summary over all traces");
  sub->callback([opts] { run_replay(*opts); });
}

}  // namespace precopy::cli
