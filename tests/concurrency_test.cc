// Separate handles used concurrently from several threads give exactly the answers they give alone.
//
// precopy.h's rule: one handle per migration, never used by two threads at once; distinct handles are
// independent. A host migrating several guests runs one libxl-save-helper per guest, but a custom
// toolstack may well run migrations as threads of one process, so any hidden shared state (a static
// scratch buffer, a cache, the logger) would turn into wrong decisions or data races there. Run under
// the tsan preset, this test also proves the absence of data races between handles.
#include <gtest/gtest.h>
#include <xenctrl.h>
#include <xenguest.h>

#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "precopy/policy.h"
#include "precopy/precopy.h"

namespace {

constexpr int kThreads = 8;
constexpr int kMigrationsPerThread = 1000;

// One migration's inputs: a policy spec and the rounds a guest would report, from a seed.
struct Migration {
  std::string spec;
  uint64_t memory_pages = 0;
  std::vector<uint64_t> dirty;     // per round
  std::vector<double> seconds;     // per round
};

Migration make_migration(uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto& names = precopy::policy_names();
  Migration m;
  m.spec = names[seed % names.size()];
  if (rng() % 2) m.spec += ",downtime_budget_ms=" + std::to_string(1 + rng() % 500);
  if (rng() % 3 == 0) m.spec += ",max_rounds=" + std::to_string(1 + rng() % 12);
  m.memory_pages = 1000 + rng() % 1'000'000;
  const uint32_t rounds = 1 + rng() % 40;
  double dirty = static_cast<double>(m.memory_pages) * std::uniform_real_distribution<double>(0, 1)(rng);
  for (uint32_t k = 0; k < rounds; ++k) {
    dirty *= std::uniform_real_distribution<double>(0.2, 1.1)(rng);
    if (dirty > static_cast<double>(m.memory_pages)) dirty = static_cast<double>(m.memory_pages);
    m.dirty.push_back(static_cast<uint64_t>(dirty));
    m.seconds.push_back(std::uniform_real_distribution<double>(0.001, 5)(rng));
  }
  return m;
}

precopy_t* create(const std::string& spec) {
  precopy_config_t* config = precopy_config_create();
  char* err = nullptr;
  precopy_config_parse(config, spec.c_str(), &err);
  precopy_t* handle = err ? nullptr : precopy_create(config, &err);
  precopy_free(err);
  precopy_config_destroy(config);
  return handle;
}

uint64_t read_clock(void* data) { return *static_cast<uint64_t*>(data); }

// Everything a handle answered during one migration, in both save loops, as one sequence of numbers
// (decisions, and estimates bit for bit), so two runs can be compared exactly.
std::vector<double> run_migration(const Migration& m) {
  std::vector<double> answers;
  // The patched loop: observe, decide, estimates.
  if (precopy_t* h = create(m.spec)) {
    for (uint32_t k = 1; k <= m.dirty.size(); ++k) {
      char* err = nullptr;
      const uint64_t sent = k == 1 ? m.memory_pages : m.dirty[k - 2];
      precopy_observe(h, k, m.dirty[k - 1], m.seconds[k - 1], sent, &err);
      answers.push_back(err ? -2 : precopy_decide(h));
      precopy_free(err);
      for (int which = PRECOPY_ESTIMATE_ROUNDS; which <= PRECOPY_ESTIMATE_NEXT_DIRTY; ++which) {
        answers.push_back(precopy_estimate(h, which));
      }
      if (answers[answers.size() - 6] != PRECOPY_CONTINUE) break;
    }
    precopy_destroy(h);
  }
  // The stock loop: precopy_xen_policy with a clock driven by the rounds' seconds.
  if (precopy_t* h = create(m.spec)) {
    uint64_t now_ns = 0;
    precopy_set_clock(h, read_clock, &now_ns);
    struct precopy_stats stats = {};
    stats.dirty_count = static_cast<long>(m.memory_pages);
    for (unsigned x = 0; x < m.dirty.size();) {
      answers.push_back(precopy_xen_policy(stats, h));
      now_ns += static_cast<uint64_t>(m.seconds[x] * 1e9);
      ++x;
      if (answers.back() != XGS_POLICY_CONTINUE_PRECOPY) break;
      stats.iteration = x;
      stats.dirty_count = -1;
      answers.push_back(precopy_xen_policy(stats, h));
      if (answers.back() != XGS_POLICY_CONTINUE_PRECOPY) break;
      stats.dirty_count = static_cast<long>(m.dirty[x - 1]);
    }
    precopy_destroy(h);
  }
  return answers;
}

// Doubles compared bit for bit: NaN == NaN here, as "the same answer" should mean.
bool same_answers(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!(a[i] == b[i] || (a[i] != a[i] && b[i] != b[i]))) return false;
  }
  return true;
}

TEST(Concurrency, SeparateHandlesOnManyThreadsAnswerAsTheyDoAlone) {
  std::vector<Migration> migrations;
  for (uint64_t i = 0; i < kThreads * kMigrationsPerThread; ++i) migrations.push_back(make_migration(i + 1));

  std::vector<std::vector<double>> alone(migrations.size());
  for (std::size_t i = 0; i < migrations.size(); ++i) alone[i] = run_migration(migrations[i]);

  std::vector<std::vector<double>> together(migrations.size());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    // Interleaved slices, so threads run different policies at the same moment.
    threads.emplace_back([&, t] {
      for (std::size_t i = t; i < migrations.size(); i += kThreads) together[i] = run_migration(migrations[i]);
    });
  }
  for (auto& thread : threads) thread.join();

  int differing = 0;
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (!same_answers(alone[i], together[i])) {
      if (++differing <= 5) ADD_FAILURE() << "migration " << i << " (" << migrations[i].spec << ") answered differently";
    }
  }
  EXPECT_EQ(differing, 0);
}

// Handles created on one thread and handed to another (a toolstack's worker pool) are fine too, as long
// as only one thread uses a handle at a time.
TEST(Concurrency, AHandleMayMoveBetweenThreads) {
  const Migration m = make_migration(4242);
  const std::vector<double> expected = run_migration(m);
  precopy_t* h = create("paper");
  ASSERT_NE(h, nullptr);
  std::thread([h] {
    char* err = nullptr;
    precopy_observe(h, 1, 500, 1.0, 1000, &err);
    EXPECT_EQ(err, nullptr);
    precopy_free(err);
  }).join();
  std::thread([h] { EXPECT_NE(precopy_decide(h), PRECOPY_ERROR); }).join();
  precopy_destroy(h);
  EXPECT_TRUE(same_answers(expected, run_migration(m)));
}

}  // namespace
