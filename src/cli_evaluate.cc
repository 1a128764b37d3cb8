// precopy evaluate: the comparison run over a corpus of traces -- every policy against the oracle and
// against Xen, the downtime-budget mode, non-convergent guests, and one-step prediction error -- as a
// text or Markdown report (docs/evaluation.md is made from it by bench/evaluate.sh).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <vector>

#include "cli.h"
#include "online_floor.h"
#include "precopy/replay.h"
#include "prediction.h"

namespace precopy::cli {
namespace {

struct EvaluateOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> policies = {"predictive", "paper", "xen", "xen-legacy", "qemu"};
  std::vector<double> budgets_ms = {100, 300, 1000};
  std::string loop = "patched";
  double weight = 10;
  bool markdown = false;
  bool ignore_curve = false;
  std::optional<uint32_t> curve_rounds;  // keep only the peeks of rounds 1..N
  std::string plot_dir;
};

double worst(const std::vector<double>& v) { return v.empty() ? std::nan("") : *std::max_element(v.begin(), v.end()); }

// Prints rows as an aligned text table or a Markdown table.
class Table {
 public:
  Table(bool markdown, std::vector<std::string> header) : markdown_(markdown), rows_{std::move(header)} {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print() const {
    std::vector<std::size_t> width(rows_[0].size(), 0);
    for (const auto& r : rows_)
      for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    for (std::size_t n = 0; n < rows_.size(); ++n) {
      const auto& r = rows_[n];
      std::string line = markdown_ ? "|" : " ";
      for (std::size_t i = 0; i < r.size(); ++i) {
        std::string cell = r[i];
        cell.resize(width[i], ' ');
        line += " " + cell + (markdown_ ? " |" : " ");
      }
      std::printf("%s\n", line.c_str());
      if (n == 0 && markdown_) {
        std::string rule = "|";
        for (std::size_t w : width) rule += std::string(w + 2, '-') + "|";
        std::printf("%s\n", rule.c_str());
      }
    }
    std::printf("\n");
  }

 private:
  bool markdown_;
  std::vector<std::vector<std::string>> rows_;
};

std::string num(double v, const char* format = "%.4f") {
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

void heading(bool markdown, const std::string& text) {
  if (markdown) {
    std::printf("### %s\n\n", text.c_str());
  } else {
    std::printf("== %s\n", text.c_str());
  }
}

struct Run {
  Outcome oracle;
  std::map<std::string, Outcome> by_policy;
};

Run run_all(const Trace& t, const PolicyConfig& base, const std::vector<std::string>& policies, Loop loop) {
  Run r;
  r.oracle = replay_oracle(t, base);
  for (const auto& name : policies) {
    PolicyConfig c = base;
    c.policy = name;
    r.by_policy[name] = replay(t, c, loop);
  }
  return r;
}

// A guest pre-copy cannot bring down: its dirty count levels off at once (no later round dirties less
// than half of what round 2 did) and never falls to the threshold. Writers faster than the link and
// saturated working sets look like this; slowly converging guests do not.
bool non_convergent(const Trace& t, const PolicyConfig& base) {
  if (t.rounds.size() < 3) return false;
  uint64_t second = t.rounds[1].dirty_pages;
  uint64_t lowest = second;
  for (std::size_t i = 1; i < t.rounds.size(); ++i) lowest = std::min(lowest, t.rounds[i].dirty_pages);
  return lowest > base.threshold_pages && 2 * lowest >= second;
}

void write_plot_data(const std::string& dir, const std::vector<Trace>& traces, const std::vector<Run>& runs,
                     const std::vector<std::string>& policies) {
  std::filesystem::create_directories(dir);
  std::ofstream index(dir + "/traces.txt");
  std::ofstream scatter(dir + "/time_vs_downtime.dat");
  scatter << "# policy trace total_time_over_oracle downtime_over_oracle\n";
  for (std::size_t i = 0; i < traces.size(); ++i) {
    std::string stem = std::filesystem::path(traces[i].name).stem().string();
    index << stem << '\n';
    std::ofstream rounds(dir + "/" + stem + ".rounds.dat");
    for (const Round& r : traces[i].rounds) rounds << r.round << ' ' << r.dirty_pages << '\n';
    std::ofstream stops(dir + "/" + stem + ".stops.dat");
    auto write_stop = [&](const std::string& name, const Outcome& o) {
      stops << '"' << name << "\" " << o.live_rounds << ' ' << traces[i].rounds[o.live_rounds - 1].dirty_pages << '\n';
    };
    write_stop("oracle", runs[i].oracle);
    for (const auto& name : policies) {
      const Outcome& o = runs[i].by_policy.at(name);
      write_stop(name, o);
      scatter << name << ' ' << stem << ' ' << o.total_time_s / runs[i].oracle.total_time_s << ' '
              << (runs[i].oracle.downtime_s > 0 ? o.downtime_s / runs[i].oracle.downtime_s : 1.0) << '\n';
    }
  }
}

// Every policy on the plateau twins of the corpus (see online_floor.h), and per trace the floor no policy
// can beat on the pair {trace, twin}, listed where it exceeds the 5% the targets allow.
void print_online_floor(const EvaluateOptions& o, const std::vector<Trace>& traces, const std::vector<Run>& runs,
                        const PolicyConfig& base, Loop loop) {
  constexpr double kTarget = 1.05;
  struct TwinRuns {
    std::vector<uint32_t> from_round;
    std::vector<Run> runs;
  };
  std::vector<TwinRuns> twins(traces.size());
  std::size_t twin_count = 0;
  for (std::size_t i = 0; i < traces.size(); ++i) {
    twins[i].from_round = plateau_twin_rounds(traces[i]);
    for (uint32_t r : twins[i].from_round) {
      twins[i].runs.push_back(run_all(plateau_twin(traces[i], r), base, o.policies, loop));
    }
    twin_count += twins[i].from_round.size();
  }
  const bool md = o.markdown;
  heading(md, "The online floor: the corpus and its " + std::to_string(twin_count) + " plateau twins, " + o.loop +
                  " loop");
  auto ratio = [](const Run& r, const std::string& name) {
    return r.by_policy.at(name).objective / r.oracle.objective;
  };
  Table t(md, {"policy", "worst J/oracle, corpus", "worst J/oracle, corpus and twins", "median J/oracle, twins",
               "twins >2% worse J than xen"});
  for (const auto& name : o.policies) {
    std::vector<double> corpus, on_twins;
    int worse = 0;
    for (std::size_t i = 0; i < traces.size(); ++i) {
      corpus.push_back(ratio(runs[i], name));
      for (const Run& r : twins[i].runs) {
        on_twins.push_back(ratio(r, name));
        worse += r.by_policy.at(name).objective > 1.02 * r.by_policy.at("xen").objective ? 1 : 0;
      }
    }
    const double worst_of_all = std::max(worst(corpus), on_twins.empty() ? 0.0 : worst(on_twins));
    t.add({name, num(worst(corpus)), num(worst_of_all), num(median(on_twins)), std::to_string(worse)});
  }
  t.print();

  bool has_predictive = std::find(o.policies.begin(), o.policies.end(), "predictive") != o.policies.end();
  Table per(md, {"trace", "floor", "twin from round", "predictive: trace", "predictive: twin", "xen: trace",
                 "xen: twin"});
  int above = 0, misses = 0;
  std::vector<double> floors;
  for (std::size_t i = 0; i < traces.size(); ++i) {
    const OnlineFloor f = online_floor(traces[i], o.weight);
    floors.push_back(f.ratio);
    above += f.ratio > kTarget ? 1 : 0;
    if (!has_predictive || ratio(runs[i], "predictive") <= kTarget) continue;
    ++misses;
    std::string p_twin = "-", x_twin = "-";  // stay "-" when no twin lifts the floor above 1
    for (std::size_t k = 0; k < twins[i].from_round.size(); ++k) {
      if (twins[i].from_round[k] != f.twin_round) continue;
      p_twin = num(ratio(twins[i].runs[k], "predictive"));
      x_twin = num(ratio(twins[i].runs[k], "xen"));
    }
    per.add({std::filesystem::path(traces[i].name).filename().string(), num(f.ratio),
             f.twin_round ? std::to_string(f.twin_round) : "-", num(ratio(runs[i], "predictive")), p_twin,
             num(ratio(runs[i], "xen")), x_twin});
  }
  std::printf("The floor of a trace: no policy keeps J/oracle below it on both the trace and its plateau twin "
              "(identical until round r, then level for ever). Median floor %.4f; %d of %zu traces have a floor "
              "above %.2f.\n\n",
              median(floors), above, traces.size(), kTarget);
  if (has_predictive && misses == 0) {
    std::printf("No trace where predictive is more than %.0f%% above the oracle.\n\n", (kTarget - 1) * 100);
  } else if (has_predictive) {
    std::printf("Traces where predictive is more than %.0f%% above the oracle, with the floor of each:\n\n",
                (kTarget - 1) * 100);
    per.print();
  }
}

void run_evaluate(const EvaluateOptions& o) {
  if (o.loop != "patched" && o.loop != "stock" && o.loop != "stock-peek") {
    throw CliError("--loop must be patched, stock or stock-peek");
  }
  const Loop loop = o.loop == "stock" ? Loop::kStock : o.loop == "stock-peek" ? Loop::kStockPeek : Loop::kPatched;
  for (const auto& p : o.policies) {
    PolicyConfig probe;
    probe.policy = p;
    make_policy(probe);
  }
  bool has_xen = std::find(o.policies.begin(), o.policies.end(), "xen") != o.policies.end();
  if (!has_xen) throw CliError("--policy must include xen: results are reported relative to it");
  std::vector<Trace> traces;
  std::size_t not_counterfactual = 0;
  for (const auto& f : expand_trace_inputs(o.inputs)) {
    Trace t = read_trace_file(f);
    // Only a trace recorded with "always continue" is an exact counterfactual for every policy; one
    // recorded under a policy that stopped early says nothing of the rounds it never ran.
    auto recorded_under = t.get("policy");
    if (recorded_under && *recorded_under != "continue") {
      ++not_counterfactual;
      continue;
    }
    if (o.ignore_curve) t.curve.clear();
    if (o.curve_rounds) {
      const uint32_t last = *o.curve_rounds;
      std::erase_if(t.curve, [last](const CurveSample& s) { return s.round > last; });
    }
    traces.push_back(std::move(t));
  }
  if (traces.empty()) throw CliError("no trace recorded with 'always continue' among the inputs");
  PolicyConfig base;
  base.downtime_weight = o.weight;
  const bool md = o.markdown;
  bool progress = stderr_is_terminal();

  std::vector<Run> runs;
  for (std::size_t i = 0; i < traces.size(); ++i) {
    if (progress) std::fprintf(stderr, "\revaluating %zu/%zu", i + 1, traces.size());
    runs.push_back(run_all(traces[i], base, o.policies, loop));
  }
  if (progress) std::fprintf(stderr, "\r\033[K");

  // 1. Every policy against the oracle and against Xen.
  heading(md, "J = total_time + " + num(o.weight, "%g") + " x downtime, " + std::to_string(traces.size()) +
                  " traces, " + o.loop + " loop");
  Table main(md, {"policy", "median J/oracle", "worst J/oracle", "time vs xen", "downtime vs xen", "bytes vs xen",
                  "traces >2% worse J than xen"});
  for (const auto& name : o.policies) {
    std::vector<double> ratio;
    double time = 0, down = 0, bytes = 0, xtime = 0, xdown = 0, xbytes = 0;
    int worse = 0;
    for (const Run& r : runs) {
      const Outcome& p = r.by_policy.at(name);
      const Outcome& x = r.by_policy.at("xen");
      ratio.push_back(p.objective / r.oracle.objective);
      time += p.total_time_s, down += p.downtime_s, bytes += static_cast<double>(p.bytes_sent);
      xtime += x.total_time_s, xdown += x.downtime_s, xbytes += static_cast<double>(x.bytes_sent);
      worse += p.objective > 1.02 * x.objective ? 1 : 0;
    }
    main.add({name, num(median(ratio)), num(worst(ratio)), num(time / xtime, "%.3f"), num(down / xdown, "%.3f"),
              num(bytes / xbytes, "%.3f"), std::to_string(worse)});
  }
  main.print();
  if (!md) std::printf("(time, downtime and bytes vs xen: sums over all traces, divided by xen's sums)\n\n");
  if (not_counterfactual > 0) {
    std::printf("%zu trace(s) left out: recorded under a policy that stopped early (header policy=...), so not an "
                "exact counterfactual for the others.\n\n",
                not_counterfactual);
  }

  // 2. Guests that never converge (QEMU's 300 ms rule never stops).
  std::vector<std::size_t> heavy;
  for (std::size_t i = 0; i < traces.size(); ++i) {
    if (non_convergent(traces[i], base)) heavy.push_back(i);
  }
  heading(md, "Non-convergent guests (" + std::to_string(heavy.size()) +
                  " traces whose dirty count levels off above half of round 2's)");
  if (!heavy.empty()) {
    Table t(md, {"policy", "worst time/xen", "worst bytes/xen", "worst downtime/xen", "median time/xen"});
    for (const auto& name : o.policies) {
      std::vector<double> time, bytes, down;
      for (std::size_t i : heavy) {
        const Outcome& p = runs[i].by_policy.at(name);
        const Outcome& x = runs[i].by_policy.at("xen");
        time.push_back(p.total_time_s / x.total_time_s);
        bytes.push_back(static_cast<double>(p.bytes_sent) / static_cast<double>(x.bytes_sent));
        down.push_back(p.downtime_s / x.downtime_s);
      }
      t.add({name, num(worst(time), "%.3f"), num(worst(bytes), "%.3f"), num(worst(down), "%.3f"),
             num(median(time), "%.3f")});
    }
    // The best any policy can do without more downtime than Xen: the oracle with Xen's own downtime
    // as its budget (the earliest round whose downtime is no more than Xen's).
    std::vector<Outcome> bounded(traces.size());
    std::vector<double> time, bytes, down;
    for (std::size_t i : heavy) {
      PolicyConfig c = base;
      const Outcome& x = runs[i].by_policy.at("xen");
      c.downtime_budget_s = x.downtime_s * (1 + 1e-12);
      bounded[i] = replay_oracle(traces[i], c);
      time.push_back(bounded[i].total_time_s / x.total_time_s);
      bytes.push_back(static_cast<double>(bounded[i].bytes_sent) / static_cast<double>(x.bytes_sent));
      down.push_back(bounded[i].downtime_s / x.downtime_s);
    }
    t.add({"oracle, downtime <= xen's", num(worst(time), "%.3f"), num(worst(bytes), "%.3f"), num(worst(down), "%.3f"),
           num(median(time), "%.3f")});
    t.print();
    // Per trace: where "time <= 0.70 x xen's with no more downtime" is possible at all, and what
    // predictive does there.
    bool has_predictive = std::find(o.policies.begin(), o.policies.end(), "predictive") != o.policies.end();
    if (has_predictive) {
    int feasible = 0, predictive_meets = 0;
    Table per(md, {"trace", "xen rounds", "predictive rounds", "predictive time/xen", "predictive downtime/xen",
                   "best time/xen at xen's downtime", "0.70 x time, same downtime possible"});
    for (std::size_t i : heavy) {
      const Outcome& x = runs[i].by_policy.at("xen");
      const Outcome& p = runs[i].by_policy.at("predictive");
      bool possible = bounded[i].total_time_s <= 0.70 * x.total_time_s && bounded[i].downtime_s <= x.downtime_s;
      bool met = p.total_time_s <= 0.70 * x.total_time_s && p.downtime_s <= x.downtime_s * (1 + 1e-9);
      feasible += possible ? 1 : 0;
      predictive_meets += possible && met ? 1 : 0;
      per.add({std::filesystem::path(traces[i].name).filename().string(), std::to_string(x.live_rounds),
               std::to_string(p.live_rounds), num(p.total_time_s / x.total_time_s, "%.3f"),
               num(p.downtime_s / x.downtime_s, "%.3f"), num(bounded[i].total_time_s / x.total_time_s, "%.3f"),
               possible ? (met ? "yes; predictive meets it" : "yes; predictive does not") : "no (no policy can)"});
    }
    per.print();
    std::printf("%d of %zu non-convergent traces allow time <= 0.70 x xen's with no more downtime; predictive "
                "meets that on %d of them.\n\n",
                feasible, heavy.size(), predictive_meets);
    }
  }

  // 3. Downtime budgets: meet the budget wherever the oracle can, at no more total time; and what trying
  // costs on the guests where no round fits (there the oracle is simply the J-optimal stop).
  heading(md, "Downtime budget: predictive against the oracle");
  Table budget(md, {"budget", "traces the oracle fits", "predictive fits", "worst time/oracle (fitting traces)",
                    "median time/oracle", "traces no round fits", "median J/oracle there", "worst J/oracle there"});
  for (double ms : o.budgets_ms) {
    PolicyConfig c = base;
    c.downtime_budget_s = ms / 1000;
    c.policy = "predictive";
    int fits = 0, predictive_fits = 0;
    std::vector<double> time, unfit_j;
    for (const Trace& t : traces) {
      Outcome oracle = replay_oracle(t, c);
      Outcome p = replay(t, c, loop);
      if (oracle.downtime_s > ms / 1000) {
        unfit_j.push_back(p.objective / oracle.objective);
        continue;
      }
      ++fits;
      predictive_fits += p.downtime_s <= ms / 1000 ? 1 : 0;
      time.push_back(p.total_time_s / oracle.total_time_s);
    }
    budget.add({num(ms, "%g ms"), std::to_string(fits), std::to_string(predictive_fits), num(worst(time)),
                num(median(time)), std::to_string(unfit_j.size()), num(median(unfit_j)), num(worst(unfit_j))});
  }
  budget.print();

  // 4. How well each model foresees the next round's dirty count.
  std::vector<double> curve_err, constant_err;
  for (const Trace& t : traces) {
    for (const auto& p : one_step_predictions(t)) {
      curve_err.push_back(absolute_percentage_error(p.curve_model, p.actual));
      constant_err.push_back(absolute_percentage_error(p.constant_rate, p.actual));
    }
  }
  heading(md, "One-step dirty-count prediction error (" + std::to_string(curve_err.size()) + " predictions)");
  Table err(md, {"model", "median abs. % error", "90th percentile"});
  auto p90 = [](std::vector<double> v) {
    if (v.empty()) return std::nan("");
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(0.9 * static_cast<double>(v.size() - 1))];
  };
  err.add({"dirty curve (predictive)", num(100 * median(curve_err), "%.1f%%"), num(100 * p90(curve_err), "%.1f%%")});
  err.add({"constant rate (paper)", num(100 * median(constant_err), "%.1f%%"), num(100 * p90(constant_err), "%.1f%%")});
  err.print();

  // 5. The online floor: what no policy can do on a trace and the guest that looked the same until the
  // trace's count changed.
  print_online_floor(o, traces, runs, base, loop);

  if (!o.plot_dir.empty()) write_plot_data(o.plot_dir, traces, runs, o.policies);
}

}  // namespace

void add_evaluate(CLI::App& app) {
  auto o = std::make_shared<EvaluateOptions>();
  CLI::App* sub = app.add_subcommand("evaluate", "Compare policies over a corpus of traces: the evaluation report");
  sub->add_option("traces", o->inputs, "Trace files or directories of *.csv traces")->required();
  sub->add_option("-p,--policy", o->policies, "Policies to compare (repeatable; must include xen)")
      ->allow_extra_args(false)
      ->capture_default_str();
  sub->add_option("--downtime-budget-ms", o->budgets_ms,
                  "Downtime budget to test predictive against the oracle with (repeatable)")
      ->allow_extra_args(false)
      ->capture_default_str();
  sub->add_option("--loop", o->loop,
                  "Save loop: patched, stock (precopy_xen_policy alone) or stock-peek (with the count "
                  "peeked at call B, as libprecopy_preload does on stock Xen)")
      ->capture_default_str();
  sub->add_option("--downtime-weight", o->weight, "w in J = total_time + w x downtime")
      ->check(non_negative_number())
      ->capture_default_str();
  sub->add_flag("--markdown", o->markdown, "Print Markdown tables");
  sub->add_flag("--ignore-curve", o->ignore_curve,
                "Drop the traces' dirty-curve peeks, as a loop without XEN_DOMCTL_SHADOW_OP_PEEK would see them");
  sub->add_option("--curve-rounds", o->curve_rounds,
                  "Keep only the peeks of the first N rounds (the simulator peeks in round 1, the patched Xen "
                  "tools in every round)")
      ->type_name("N");
  sub->add_option("--plot-data", o->plot_dir, "Also write gnuplot data files into this directory");
  sub->callback([o] { run_evaluate(*o); });
}

}  // namespace precopy::cli
