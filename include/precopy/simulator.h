// A page-level simulator of Xen-style iterative pre-copy, for making traces (see docs/simulator.md).
//
// Round 1 sends every page of the guest at link rate; while a round runs, the guest's workload writes
// pages, and the set of pages written during round k (a set: a page written twice counts once) is what
// round k+1 sends. The simulator always continues, for a fixed number of rounds, so its trace is an exact
// counterfactual for every stopping rule (docs/model.md); it ends early only when a round dirtied nothing.
//
// Writes are modelled as Poisson processes over contiguous page regions: a workload reports, for an
// interval of time, regions and the expected number of writes each page of the region received. A page
// receiving Poisson(λ) writes is dirty with probability 1 - exp(-λ), independently of every other page,
// so the simulator draws the dirty pages of a region directly (skipping between them with geometric
// gaps) instead of drawing every write: the cost is proportional to the pages dirtied, not the writes.
// Everything is seeded: the same config, workload spec and seed give the same trace on a given platform.
#ifndef PRECOPY_SIMULATOR_H_
#define PRECOPY_SIMULATOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "precopy/trace.h"

namespace precopy {

// The guest and link a workload runs against, so that its parameters can be relative to them
// ("5%" of memory, "1.5x" the link's page rate).
struct SimulationContext {
  uint64_t memory_pages = 0;
  uint32_t page_size = 4096;
  double link_pages_per_s = 0;
};

// Pages [first_page, first_page + page_count) each received Poisson(writes_per_page) writes during an
// interval, independently. writes_per_page = +infinity means every page of the region was written.
struct WriteRegion {
  uint64_t first_page = 0;
  uint64_t page_count = 0;
  double writes_per_page = 0;
};

// How a guest writes its memory over time. One instance serves one simulation.
class Workload {
 public:
  virtual ~Workload() = default;

  virtual std::string_view name() const = 0;

  // Called once before the first writes(): resolves parameters against the guest and link and seeds the
  // workload's own randomness (its phase schedule, where its streams start). Throws std::invalid_argument
  // if a parameter does not fit the guest.
  virtual void start(const SimulationContext& context, uint64_t seed) = 0;

  // Appends the regions written during [begin_s, end_s), in seconds since the migration started. Calls
  // come in time order over contiguous intervals (each begins where the last ended), starting at 0.
  // Regions must lie inside the guest's memory; they may overlap.
  virtual void writes(double begin_s, double end_s, std::vector<WriteRegion>& out) = 0;

  // The spec that recreates this workload with every parameter spelled out, e.g.
  // "hotcold:hot=5%,hot_rate=20000,cold_rate=200" (as given, before resolution).
  virtual std::string spec() const = 0;

  // Parameters resolved by start(), in pages and pages per second, for the trace header
  // (e.g. {"hot_pages", "6554"}). Keys are unique and contain neither ';' nor '='.
  virtual std::vector<std::pair<std::string, std::string>> resolved_parameters() const = 0;
};

// One parameter of a built-in workload, for --help and docs.
struct WorkloadParameterInfo {
  std::string key;
  std::string default_value;
  std::string help;
};

struct WorkloadInfo {
  std::string name;
  std::string summary;
  std::vector<WorkloadParameterInfo> parameters;
};

// The built-in workloads, in display order.
const std::vector<WorkloadInfo>& workload_catalog();

// Help text describing every built-in workload, its parameters and their value syntax.
std::string workload_help();

// Creates a built-in workload from "name" or "name:key=value,key=value". Parameter values:
//  sizes: pages ("8192"), a size ("256MiB") or a share of memory ("5%");
//  rates: pages/s ("20000"), a byte or bit rate ("80MB/s", "1Gbit") or a multiple of the link ("1.5x");
//  durations: seconds ("4", "4s", "500ms"); plain numbers otherwise.
// Throws std::invalid_argument (one line) for an unknown name or key or a malformed value.
std::unique_ptr<Workload> make_workload(std::string_view spec);

// Upper bounds that keep a simulation's memory use bounded: 2 bytes of state per guest page.
inline constexpr uint64_t kMaxSimulatedPages = uint64_t{1} << 28;  // 1 TiB of 4 KiB pages
inline constexpr uint32_t kMaxSimulatedRounds = 1000;

struct SimulationConfig {
  uint64_t memory_pages = 0;
  uint32_t page_size = 4096;
  double bandwidth_bytes_per_s = 0;  // link rate; every round sends at exactly this rate
  uint32_t rounds = 30;              // live rounds to simulate (fewer if a round dirties nothing)
  uint64_t seed = 1;
  double round_overhead_s = 0;       // fixed time added to every round (bitmap scan, round set-up)
  // Pages the rest of the guest dirties in every round, however short: kernel timers, per-CPU data, a
  // workload's own bookkeeping. A real guest's count never falls below such a floor (an idle PV guest in
  // the e2e testbed leaves 25 to 57 pages a round); a workload model alone falls towards zero. They are
  // the last pages of memory, written from the start of each round. 0 = none.
  uint64_t floor_pages = 0;
  // Dirty-curve samples (Trace::curve) per round, as XEN_DOMCTL_SHADOW_OP_PEEK would give: at
  // T/2^(n-1), ..., T/4, T/2, T for a round of length T. 0 = none. Sampling splits the round's random
  // draws differently, so a trace with samples is a different (equally distributed) draw than one without.
  uint32_t curve_samples = 0;
  uint32_t curve_rounds = 1;  // how many leading rounds get samples
};

// Checks ranges; throws std::invalid_argument naming the bad field.
void validate(const SimulationConfig& config);

// Runs the simulation. The trace's header carries the guest, the link, source=simulator, the workload
// (name, full spec, resolved parameters), the seed and every other setting, so the trace can be made again
// from its header. Throws std::invalid_argument for a bad config or a
// workload parameter that does not fit, std::logic_error if a workload reports a region outside memory.
Trace simulate(const SimulationConfig& config, Workload& workload);
Trace simulate(const SimulationConfig& config, std::string_view workload_spec);

}  // namespace precopy

#endif  // PRECOPY_SIMULATOR_H_
