// The built-in workload models of the simulator and the parsing of their specs ("name:key=value,...").
#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

#include "precopy/simulator.h"
#include "units.h"
#include "workload.h"

namespace precopy {
namespace sim {

void PageStream::advance(double pages, std::vector<WriteRegion>& out) {
  if (page_count_ == 0 || !(pages > 0)) return;
  const double total = pages + carry_;
  if (!std::isfinite(total)) {  // an unbounded rate: every page, and no meaningful position afterwards
    out.push_back({first_page_, page_count_, std::numeric_limits<double>::infinity()});
    carry_ = 0;
    return;
  }
  if (total >= static_cast<double>(page_count_)) {
    // A full pass or more: every page of the arena was written at least once.
    out.push_back({first_page_, page_count_, std::numeric_limits<double>::infinity()});
    const double whole = std::floor(total);
    carry_ = total - whole;
    position_ = (position_ + static_cast<uint64_t>(std::fmod(whole, static_cast<double>(page_count_)))) % page_count_;
    return;
  }
  const uint64_t count = static_cast<uint64_t>(total);
  carry_ = total - static_cast<double>(count);
  if (count == 0) return;
  const uint64_t to_end = page_count_ - position_;
  const double every_page = std::numeric_limits<double>::infinity();
  if (count <= to_end) {
    out.push_back({first_page_ + position_, count, every_page});
  } else {
    out.push_back({first_page_ + position_, to_end, every_page});
    out.push_back({first_page_, count - to_end, every_page});
  }
  position_ = (position_ + count) % page_count_;
}

}  // namespace sim

namespace {

using sim::PageStream;
using sim::Rng;

enum class Kind { kPages, kRate, kSeconds, kNumber };

struct ParameterDef {
  const char* key;
  Kind kind;
  const char* default_value;
  const char* help;
};

// A parameter value as written, checked for syntax; resolve() turns it into pages, pages/s, seconds or
// a number once the guest and link are known.
struct Value {
  enum class Unit { kPlain, kShareOfMemory, kBytes, kBytesPerSecond, kTimesLink } unit = Unit::kPlain;
  double number = 0;
};

Value parse_value(Kind kind, const std::string& key, const std::string& text) {
  const std::string what = "parameter " + key;
  // A bare number is plain (pages, pages/s); anything else must carry a unit ("1e3" is a number).
  auto plain = [&](Value& out) {
    try {
      out = {Value::Unit::kPlain, units::parse_number(text, what)};
      return true;
    } catch (const std::invalid_argument&) {
      return false;
    }
  };
  Value value;
  try {
    switch (kind) {
      case Kind::kPages:
        if (!text.empty() && text.back() == '%') {
          value = {Value::Unit::kShareOfMemory, units::parse_number(text.substr(0, text.size() - 1), what) / 100};
          if (value.number > 1) throw std::invalid_argument(what + " '" + text + "': more than 100% of memory");
        } else if (!plain(value)) {
          value = {Value::Unit::kBytes, static_cast<double>(units::parse_size_bytes(text))};
        }
        break;
      case Kind::kRate:
        if (!text.empty() && text.back() == 'x') {
          value = {Value::Unit::kTimesLink, units::parse_number(text.substr(0, text.size() - 1), what)};
        } else if (!plain(value)) {
          value = {Value::Unit::kBytesPerSecond, units::parse_rate_bytes_per_s(text)};
        }
        break;
      case Kind::kSeconds:
        value = {Value::Unit::kPlain, units::parse_duration_s(text)};
        break;
      case Kind::kNumber:
        value = {Value::Unit::kPlain, units::parse_number(text, what)};
        break;
    }
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(std::string("workload ") + error.what());
  }
  if (!(value.number >= 0) || !std::isfinite(value.number)) {
    throw std::invalid_argument("workload parameter " + key + " '" + text + "': must be a finite number >= 0");
  }
  return value;
}

double resolve(const Value& value, const SimulationContext& context) {
  switch (value.unit) {
    case Value::Unit::kPlain: return value.number;
    case Value::Unit::kShareOfMemory: return std::round(value.number * static_cast<double>(context.memory_pages));
    case Value::Unit::kBytes: return std::ceil(value.number / context.page_size);
    case Value::Unit::kBytesPerSecond: return value.number / context.page_size;
    case Value::Unit::kTimesLink: return value.number * context.link_pages_per_s;
  }
  return value.number;
}

// What every built-in workload shares: its parameters as given (for spec()) and as resolved.
class BuiltinWorkload : public Workload {
 public:
  BuiltinWorkload(std::string name, const std::vector<ParameterDef>& defs, std::map<std::string, std::string> given)
      : name_(std::move(name)), defs_(defs) {
    for (const ParameterDef& def : defs_) {
      auto it = given.find(def.key);
      texts_.push_back(it == given.end() ? def.default_value : it->second);
      values_.push_back(parse_value(def.kind, def.key, texts_.back()));
      if (it != given.end()) given.erase(it);
    }
    if (!given.empty()) {
      std::string keys;
      for (const ParameterDef& def : defs_) keys += (keys.empty() ? "" : ", ") + std::string(def.key);
      throw std::invalid_argument("workload " + name_ + " has no parameter '" + given.begin()->first +
                                  "' (it has: " + (keys.empty() ? "none" : keys) + ")");
    }
  }

  std::string_view name() const override { return name_; }

  std::string spec() const override {
    std::string text = name_;
    for (std::size_t i = 0; i < defs_.size(); ++i) {
      // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on a temporary built with operator+.
      text += i == 0 ? ':' : ',';
      text += defs_[i].key;
      text += '=';
      text += texts_[i];
    }
    return text;
  }

  std::vector<std::pair<std::string, std::string>> resolved_parameters() const override { return resolved_; }

  void start(const SimulationContext& context, uint64_t seed) final {
    context_ = context;
    resolved_.clear();
    numbers_.clear();
    for (std::size_t i = 0; i < defs_.size(); ++i) {
      double number = resolve(values_[i], context);
      const char* suffix = "";
      switch (defs_[i].kind) {
        case Kind::kPages:
          // A working set larger than the guest is the whole guest.
          number = std::min(number, static_cast<double>(context.memory_pages));
          suffix = "_pages";
          break;
        case Kind::kRate: suffix = "_pages_per_s"; break;
        case Kind::kSeconds:
        case Kind::kNumber: break;
      }
      numbers_.push_back(number);
      std::ostringstream text;
      text.precision(10);
      text << number;
      resolved_.emplace_back(std::string(defs_[i].key) + suffix, text.str());
    }
    prepare(seed);
  }

 protected:
  // Resolved value of parameter `key`: pages, pages/s, seconds or a plain number.
  double number(std::string_view key) const {
    for (std::size_t i = 0; i < defs_.size(); ++i) {
      if (defs_[i].key == key) return numbers_[i];
    }
    throw std::logic_error("workload " + name_ + ": no parameter " + std::string(key));
  }
  uint64_t pages(std::string_view key) const { return static_cast<uint64_t>(number(key)); }
  const SimulationContext& context() const { return context_; }

  // Appends random writes at `rate` writes/s spread evenly over [first, first + count) for `seconds`.
  static void uniform_writes(uint64_t first, uint64_t count, double rate, double seconds,
                             std::vector<WriteRegion>& out) {
    if (count == 0 || !(rate > 0) || !(seconds > 0)) return;
    out.push_back({first, count, rate * seconds / static_cast<double>(count)});
  }

  // Called at the end of start(), with the numbers resolved.
  virtual void prepare(uint64_t seed) = 0;

 private:
  std::string name_;
  std::vector<ParameterDef> defs_;
  std::vector<std::string> texts_;
  std::vector<Value> values_;
  std::vector<double> numbers_;
  std::vector<std::pair<std::string, std::string>> resolved_;
  SimulationContext context_;
};

// ---- constant and heavy: uniform random writes at a constant rate -----------------------------------

const std::vector<ParameterDef> kConstantParams{
    {"rate", Kind::kRate, "2000", "writes per second, each to a page drawn uniformly from the working set"},
    {"wss", Kind::kPages, "100%", "working set the writes fall on"},
};
const std::vector<ParameterDef> kHeavyParams{
    {"rate", Kind::kRate, "2x", "writes per second (default: twice the pages the link sends per second)"},
    {"wss", Kind::kPages, "50%", "working set the writes fall on"},
};

class UniformWorkload : public BuiltinWorkload {
 public:
  using BuiltinWorkload::BuiltinWorkload;
  void writes(double begin_s, double end_s, std::vector<WriteRegion>& out) override {
    uniform_writes(0, wss_, rate_, end_s - begin_s, out);
  }

 private:
  void prepare(uint64_t) override {
    wss_ = pages("wss");
    rate_ = number("rate");
  }
  uint64_t wss_ = 0;
  double rate_ = 0;
};

// ---- hotcold and idle: a hot set written often, the rest of memory rarely ----------------------------

const std::vector<ParameterDef> kHotColdParams{
    {"hot", Kind::kPages, "5%", "size of the hot set (the first pages of memory)"},
    {"hot_rate", Kind::kRate, "20000", "writes per second into the hot set"},
    {"cold_rate", Kind::kRate, "200", "writes per second into the rest of memory"},
};
const std::vector<ParameterDef> kIdleParams{
    {"hot", Kind::kPages, "4MiB", "pages the idle kernel and daemons keep touching (timers, logs, stacks)"},
    {"hot_rate", Kind::kRate, "40", "writes per second into them"},
    {"cold_rate", Kind::kRate, "2", "writes per second anywhere else in memory"},
};

class HotColdWorkload : public BuiltinWorkload {
 public:
  using BuiltinWorkload::BuiltinWorkload;
  void writes(double begin_s, double end_s, std::vector<WriteRegion>& out) override {
    const double seconds = end_s - begin_s;
    uniform_writes(0, hot_, hot_rate_, seconds, out);
    uniform_writes(hot_, context().memory_pages - hot_, cold_rate_, seconds, out);
  }

 private:
  void prepare(uint64_t) override {
    hot_ = pages("hot");
    hot_rate_ = number("hot_rate");
    cold_rate_ = number("cold_rate");
  }
  uint64_t hot_ = 0;
  double hot_rate_ = 0, cold_rate_ = 0;
};

// ---- zipf: page popularity falls off as rank^-s ------------------------------------------------------

const std::vector<ParameterDef> kZipfParams{
    {"rate", Kind::kRate, "20000", "writes per second"},
    {"s", Kind::kNumber, "1", "skew exponent: the page of popularity rank r gets a share proportional to r^-s"},
    {"wss", Kind::kPages, "100%", "pages that are ever written (ranks 1..wss)"},
};

class ZipfWorkload : public BuiltinWorkload {
 public:
  using BuiltinWorkload::BuiltinWorkload;
  void writes(double begin_s, double end_s, std::vector<WriteRegion>& out) override {
    const double writes = rate_ * (end_s - begin_s);
    if (!(writes > 0)) return;
    for (const Bucket& bucket : buckets_) {
      out.push_back({bucket.first_page, bucket.page_count, writes * bucket.share_per_page});
    }
  }

 private:
  // Ranks are grouped into buckets of equal per-page share: one rank each at the top, where shares differ
  // most, then buckets growing by a quarter, whose share is the integral of x^-s over the bucket (the
  // error is far below the Poisson noise). The regions stay few (about 90 for 16 GiB), so marking is fast.
  struct Bucket {
    uint64_t first_page;
    uint64_t page_count;
    double share_per_page;
  };

  void prepare(uint64_t) override {
    const uint64_t wss = pages("wss");
    rate_ = number("rate");
    const double s = number("s");
    buckets_.clear();
    auto integral = [s](double a, double b) {  // ∫_a^b x^-s dx
      if (std::abs(s - 1) < 1e-12) return std::log(b / a);
      return (std::pow(b, 1 - s) - std::pow(a, 1 - s)) / (1 - s);
    };
    constexpr uint64_t kSingleRanks = 32;
    double total = 0;
    uint64_t rank = 1;  // 1-based rank of the bucket's first page
    while (rank <= wss) {
      uint64_t size = rank <= kSingleRanks ? 1 : std::max<uint64_t>(1, rank / 4);
      size = std::min(size, wss - rank + 1);
      const double first = static_cast<double>(rank);
      const double last = first + static_cast<double>(size) - 1;
      const double weight = size == 1 ? std::pow(first, -s) : integral(first - 0.5, last + 0.5);
      buckets_.push_back({rank - 1, size, weight});
      total += weight;
      rank += size;
    }
    for (Bucket& bucket : buckets_) {
      bucket.share_per_page = bucket.share_per_page / total / static_cast<double>(bucket.page_count);
    }
  }

  std::vector<Bucket> buckets_;
  double rate_ = 0;
};

// ---- alloc: a stream of freshly allocated pages ------------------------------------------------------

const std::vector<ParameterDef> kAllocParams{
    {"rate", Kind::kRate, "2000", "pages per second taken fresh from the allocator and written"},
    {"arena", Kind::kPages, "50%", "memory the allocator hands out; the stream wraps round when it is used up"},
    {"hot", Kind::kPages, "1%", "the allocating program's own working set"},
    {"hot_rate", Kind::kRate, "2000", "writes per second into that working set"},
};

class AllocWorkload : public BuiltinWorkload {
 public:
  using BuiltinWorkload::BuiltinWorkload;
  void writes(double begin_s, double end_s, std::vector<WriteRegion>& out) override {
    const double seconds = end_s - begin_s;
    uniform_writes(0, hot_, hot_rate_, seconds, out);
    stream_.advance(rate_ * seconds, out);
  }

 private:
  void prepare(uint64_t seed) override {
    const uint64_t memory = context().memory_pages;
    hot_ = pages("hot");
    hot_rate_ = number("hot_rate");
    rate_ = number("rate");
    const uint64_t arena = pages("arena");
    // The arena follows the working set when both fit, and ends at the top of memory otherwise. The
    // stream starts at a random point of it: the allocator has been running before the migration.
    Rng rng(seed);
    stream_ = PageStream(std::min(hot_, memory - arena), arena, arena ? rng.next() % arena : 0);
  }
  PageStream stream_;
  uint64_t hot_ = 0;
  double hot_rate_ = 0, rate_ = 0;
};

// ---- kcompile: alternating compute and I/O phases ----------------------------------------------------

const std::vector<ParameterDef> kCompileParams{
    {"compute_s", Kind::kSeconds, "3", "mean length of a compute phase (compiler running)"},
    {"io_s", Kind::kSeconds, "1", "mean length of an I/O phase (writing objects, linking, reading sources)"},
    {"wss", Kind::kPages, "96MiB", "the compilers' working set (heaps, stacks), recycled process to process"},
    {"compute_rate", Kind::kRate, "1500", "writes per second into the working set during compute phases"},
    {"io_compute_share", Kind::kNumber, "0.1", "the compute_rate share still running during I/O phases"},
    {"cache", Kind::kPages, "40%", "page cache the file I/O streams through (wraps round when full)"},
    {"io_rate", Kind::kRate, "1500", "page-cache pages per second filled during I/O phases"},
    {"alloc_rate", Kind::kRate, "200", "page-cache pages per second filled during compute phases"},
    {"background", Kind::kRate, "20", "writes per second anywhere in memory (the rest of the system)"},
};

class CompileWorkload : public BuiltinWorkload {
 public:
  using BuiltinWorkload::BuiltinWorkload;

  void writes(double begin_s, double end_s, std::vector<WriteRegion>& out) override {
    uniform_writes(0, context().memory_pages, background_, end_s - begin_s, out);
    // Each phase overlapping [begin_s, end_s) contributes its own writes.
    double t = begin_s;
    while (t < end_s) {
      while (phase_end_ <= t) next_phase();
      const double piece = std::min(end_s, phase_end_) - t;
      if (in_compute_) {
        uniform_writes(0, wss_, compute_rate_, piece, out);
        cache_stream_.advance(alloc_rate_ * piece, out);
      } else {
        uniform_writes(0, wss_, compute_rate_ * io_compute_share_, piece, out);
        cache_stream_.advance(io_rate_ * piece, out);
      }
      t += piece;
    }
  }

 private:
  void prepare(uint64_t seed) override {
    const uint64_t memory = context().memory_pages;
    compute_s_ = number("compute_s");
    io_s_ = number("io_s");
    // Phases shorter than a millisecond would only make the schedule slow to walk.
    for (const double mean : {compute_s_, io_s_}) {
      if (mean != 0 && mean < 1e-3) throw std::invalid_argument("workload kcompile: phase lengths must be 0 or >= 1ms");
    }
    if (!(compute_s_ + io_s_ > 0)) throw std::invalid_argument("workload kcompile: compute_s + io_s must be > 0");
    wss_ = pages("wss");
    compute_rate_ = number("compute_rate");
    io_compute_share_ = number("io_compute_share");
    io_rate_ = number("io_rate");
    alloc_rate_ = number("alloc_rate");
    background_ = number("background");
    const uint64_t cache = pages("cache");
    phases_ = Rng(sim::derive_seed(seed, 1));
    Rng placement(sim::derive_seed(seed, 2));
    // The page cache sits at the top of memory, the compilers at the bottom (they overlap only in guests
    // too small for both, as they would compete for the same pages there).
    cache_stream_ = PageStream(memory - cache, cache, cache ? placement.next() % cache : 0);
    // The migration starts at a random point of a random phase, chosen in proportion to phase lengths.
    in_compute_ = placement.uniform(0, compute_s_ + io_s_) < compute_s_;
    phase_end_ = draw_length() * placement.uniform(0, 1);
  }

  // Phase lengths vary uniformly within ±75% of their mean: a build alternates long and short files.
  double draw_length() { return (in_compute_ ? compute_s_ : io_s_) * phases_.uniform(0.25, 1.75); }

  void next_phase() {
    in_compute_ = !in_compute_;
    if (in_compute_ ? compute_s_ <= 0 : io_s_ <= 0) in_compute_ = !in_compute_;  // a phase kind switched off
    phase_end_ += draw_length();
  }

  Rng phases_{0};
  PageStream cache_stream_;
  bool in_compute_ = true;
  double phase_end_ = 0;
  double compute_s_ = 0, io_s_ = 0, compute_rate_ = 0, io_compute_share_ = 0, io_rate_ = 0, alloc_rate_ = 0,
         background_ = 0;
  uint64_t wss_ = 0;
};

// ---- bursty: a writer that switches on and off on a fixed period ------------------------------------

const std::vector<ParameterDef> kBurstyParams{
    {"rate", Kind::kRate, "16MiB/s", "writes per second into the working set while a burst is on"},
    {"on", Kind::kSeconds, "2", "length of a burst"},
    {"off", Kind::kSeconds, "2", "pause between bursts"},
    {"wss", Kind::kPages, "40MiB", "working set the bursts write (the first pages of memory)"},
    {"background", Kind::kRate, "20", "writes per second anywhere in memory, on or off (the rest of the system)"},
};

// The e2e testbed's bursty guest (memcheck -b ON:OFF): uniform random writes at `rate` for `on` seconds,
// then none for `off`, strictly periodic. A round that falls inside a pause dirties only the background;
// one that overlaps a burst dirties in proportion to the overlap, so counts jump with the phase, not with
// the round's length: one dirty curve cannot describe it.
class BurstyWorkload : public BuiltinWorkload {
 public:
  using BuiltinWorkload::BuiltinWorkload;

  void writes(double begin_s, double end_s, std::vector<WriteRegion>& out) override {
    uniform_writes(0, context().memory_pages, background_, end_s - begin_s, out);
    uniform_writes(0, wss_, rate_, burst_seconds_until(end_s) - burst_seconds_until(begin_s), out);
  }

 private:
  void prepare(uint64_t seed) override {
    on_s_ = number("on");
    off_s_ = number("off");
    if (!(on_s_ >= 1e-3)) throw std::invalid_argument("workload bursty: on must be >= 1ms");
    if (off_s_ != 0 && !(off_s_ >= 1e-3)) throw std::invalid_argument("workload bursty: off must be 0 or >= 1ms");
    rate_ = number("rate");
    wss_ = pages("wss");
    background_ = number("background");
    // The migration starts at a random point of the period.
    offset_s_ = Rng(sim::derive_seed(seed, 1)).uniform(0, on_s_ + off_s_);
  }

  // Seconds of burst between the start of the period containing time 0 and time t (exact, no stepping).
  double burst_seconds_until(double t) const {
    const double period = on_s_ + off_s_;
    const double since = t + offset_s_;
    const double periods = std::floor(since / period);
    return periods * on_s_ + std::min(since - periods * period, on_s_);
  }

  double on_s_ = 0, off_s_ = 0, rate_ = 0, background_ = 0, offset_s_ = 0;
  uint64_t wss_ = 0;
};

// ---- step: a job that starts or ends during the migration --------------------------------------------

const std::vector<ParameterDef> kStepParams{
    {"rate", Kind::kRate, "8MiB/s", "writes per second into the working set before the step"},
    {"after", Kind::kSeconds, "20", "when the rate changes, in seconds from the start of the migration"},
    {"rate2", Kind::kRate, "1MiB/s", "writes per second into the working set after the step (0: the job ended)"},
    {"wss", Kind::kPages, "25%", "working set the writes fall on (the first pages of memory)"},
    {"background", Kind::kRate, "20", "writes per second anywhere in memory, before and after (the rest of the system)"},
};

// The e2e testbed's step guest (memcheck -p AFTER_S:RATE2): uniform random writes at `rate`, then from
// `after` seconds on at `rate2`. Every other workload writes the same way from the first round to the
// last (or repeats a cycle); a step is the change no earlier round announces: a guest that looked
// non-convergent converges once its job ends, or a converging one turns into a heavy writer.
class StepWorkload : public BuiltinWorkload {
 public:
  using BuiltinWorkload::BuiltinWorkload;

  void writes(double begin_s, double end_s, std::vector<WriteRegion>& out) override {
    uniform_writes(0, context().memory_pages, background_, end_s - begin_s, out);
    uniform_writes(0, wss_, rate_, std::min(end_s, after_s_) - begin_s, out);   // the part before the step
    uniform_writes(0, wss_, rate2_, end_s - std::max(begin_s, after_s_), out);  // and after it
  }

 private:
  void prepare(uint64_t) override {
    rate_ = number("rate");
    after_s_ = number("after");
    rate2_ = number("rate2");
    wss_ = pages("wss");
    background_ = number("background");
  }

  double rate_ = 0, after_s_ = 0, rate2_ = 0, background_ = 0;
  uint64_t wss_ = 0;
};

// ---- the catalog -------------------------------------------------------------------------------------

using Factory = std::function<std::unique_ptr<Workload>(const std::string&, const std::vector<ParameterDef>&,
                                                        std::map<std::string, std::string>)>;

template <typename T>
Factory factory() {
  return [](const std::string& name, const std::vector<ParameterDef>& defs, std::map<std::string, std::string> given) {
    return std::make_unique<T>(name, defs, std::move(given));
  };
}

struct Entry {
  const char* name;
  const char* summary;
  const std::vector<ParameterDef>* params;
  Factory make;
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> kEntries{
      {"constant",
       "the paper's assumption: uniform random writes at a constant rate (the distinct count still saturates "
       "as the working set fills)",
       &kConstantParams, factory<UniformWorkload>()},
      {"hotcold", "a hot set written often and the rest of memory written rarely", &kHotColdParams,
       factory<HotColdWorkload>()},
      {"zipf", "skewed writes: a few pages very often, a long tail rarely (Zipf popularity)", &kZipfParams,
       factory<ZipfWorkload>()},
      {"alloc", "a stream of never-before-touched pages (allocation, page-cache growth) plus a small working set",
       &kAllocParams, factory<AllocWorkload>()},
      {"kcompile",
       "phased, bursty writes of a kernel compile: compute phases writing the compilers' working set, I/O "
       "phases streaming through the page cache",
       &kCompileParams, factory<CompileWorkload>()},
      {"bursty",
       "a writer that switches on and off on a fixed period (the e2e testbed's bursty guest): a round inside "
       "a pause dirties almost nothing",
       &kBurstyParams, factory<BurstyWorkload>()},
      {"step",
       "a job that starts or ends during the migration: uniform writes at one rate, then from a given time "
       "on at another",
       &kStepParams, factory<StepWorkload>()},
      {"idle", "an idle guest: a few pages touched by timers and daemons", &kIdleParams, factory<HotColdWorkload>()},
      {"heavy", "writers faster than the link: uniform writes to a large set at a multiple of the link rate "
                "(never converges)",
       &kHeavyParams, factory<UniformWorkload>()},
  };
  return kEntries;
}

}  // namespace

const std::vector<WorkloadInfo>& workload_catalog() {
  static const std::vector<WorkloadInfo> kCatalog = [] {
    std::vector<WorkloadInfo> catalog;
    for (const Entry& entry : entries()) {
      WorkloadInfo info{entry.name, entry.summary, {}};
      for (const ParameterDef& def : *entry.params) info.parameters.push_back({def.key, def.default_value, def.help});
      catalog.push_back(std::move(info));
    }
    return catalog;
  }();
  return kCatalog;
}

namespace {

// Appends `text` to `out`, wrapped at 100 columns; lines after the first start with `indent`.
void append_wrapped(std::string& out, std::size_t column, const std::string& text, const std::string& indent) {
  constexpr std::size_t kWidth = 100;
  std::istringstream words(text);
  std::string word;
  bool first = true;
  while (words >> word) {
    if (!first && column + 1 + word.size() > kWidth) {
      out += "\n" + indent;
      column = indent.size();
    } else if (!first) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    first = false;
  }
  out += '\n';
}

}  // namespace

std::string workload_help() {
  std::string text = "Workloads (--workload NAME or NAME:key=value,...; defaults shown):\n";
  for (const WorkloadInfo& info : workload_catalog()) {
    const std::string head = "  " + info.name + ": ";
    text += head;
    append_wrapped(text, head.size(), info.summary, "    ");
    for (const WorkloadParameterInfo& param : info.parameters) {
      std::string assignment = "      " + param.key + "=" + param.default_value;
      assignment.resize(std::max<std::size_t>(assignment.size() + 1, 28), ' ');
      text += assignment;
      append_wrapped(text, assignment.size(), param.help, std::string(28, ' '));
    }
  }
  text +=
      "Values: sizes in pages (8192), with a unit (256MiB) or as a share of memory (5%); rates in pages/s\n"
      "(20000), as a byte or bit rate (80MB/s, 1Gbit) or a multiple of the link (1.5x); durations in seconds\n"
      "(4, 500ms). Writes fall on pages uniformly at random within each set; a page written twice in a round\n"
      "counts once.\n";
  return text;
}

std::unique_ptr<Workload> make_workload(std::string_view spec) {
  const std::string text(spec);
  const auto colon = text.find(':');
  const std::string name = text.substr(0, colon);
  const Entry* found = nullptr;
  for (const Entry& entry : entries()) {
    if (name == entry.name) found = &entry;
  }
  if (!found) {
    std::string names;
    for (const Entry& entry : entries()) names += (names.empty() ? "" : ", ") + std::string(entry.name);
    throw std::invalid_argument("unknown workload '" + name + "' (known: " + names + ")");
  }
  std::map<std::string, std::string> given;
  if (colon != std::string::npos) {
    std::string_view rest = std::string_view(text).substr(colon + 1);
    while (true) {
      const auto comma = rest.find(',');
      const std::string_view item = rest.substr(0, comma);
      const auto eq = item.find('=');
      if (eq == std::string_view::npos || eq == 0 || eq + 1 == item.size()) {
        throw std::invalid_argument("workload '" + text + "': expected key=value, found '" + std::string(item) + "'");
      }
      const std::string key(item.substr(0, eq));
      if (!given.emplace(key, std::string(item.substr(eq + 1))).second) {
        throw std::invalid_argument("workload '" + text + "': parameter '" + key + "' given twice");
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return found->make(found->name, *found->params, std::move(given));
}

}  // namespace precopy
