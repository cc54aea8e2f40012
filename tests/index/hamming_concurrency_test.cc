// HammingIndex under concurrent searches, writes and compactions. Each search must see the
// index as it was at one instant (checked through invariants that hold at every instant but
// would break in a torn view), writes must be visible as soon as they return, and nothing may
// race (these tests also run under ThreadSanitizer).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "index/hash_test_util.h"
#include "index/index.h"

namespace vigil::index {
namespace {

using testing::RandomEntries;
using testing::RandomHash;

size_t CountIdsInRange(const std::vector<Match>& matches, uint64_t begin, uint64_t end) {
  size_t n = 0;
  for (const Match& m : matches) n += m.id >= begin && m.id < end;
  return n;
}

// Two families of entries share one hash each. The writer swaps family A's member by Remove
// then Add (so at every instant at most one A is live) and family B's by Add then Remove (so
// at every instant at least one B is live). A torn view could show two As or zero Bs.
TEST(HammingConcurrencyTest, SearchesSeeOneInstantWhileWritersAndCompactionRun) {
  std::mt19937_64 rng(42);
  const std::vector<HammingEntry> stable = RandomEntries(20000, rng);
  const Hash256 family_a = RandomHash(rng);
  const Hash256 family_b = RandomHash(rng);
  constexpr uint64_t kA = 1'000'000'000;
  constexpr uint64_t kB = 2'000'000'000;
  std::vector<HammingEntry> initial = stable;
  initial.push_back({kA, family_a});
  initial.push_back({kB, family_b});
  Result<std::unique_ptr<HammingIndex>> built = HammingIndex::Build(initial);
  ASSERT_TRUE(built.ok());
  HammingIndex& index = **built;

  constexpr int kSwaps = 1500;
  std::atomic<bool> done{false};
  std::atomic<int> searches{0};
  std::vector<std::jthread> threads;
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      std::mt19937_64 local(r);
      while (!done.load()) {
        const std::vector<Match> a = *index.Search(family_a, 0);
        const std::vector<Match> b = *index.Search(family_b, 0);
        EXPECT_LE(a.size(), 1u);
        EXPECT_GE(b.size(), 1u);
        EXPECT_LE(b.size(), 2u);
        // Entries never touched by the writer are always found.
        const HammingEntry& e = stable[local() % stable.size()];
        const std::vector<Match> found = *index.Search(e.hash, 31);
        EXPECT_EQ(CountIdsInRange(found, e.id, e.id + 1), 1u);
        searches.fetch_add(1);
      }
    });
  }
  threads.emplace_back([&] {
    while (!done.load()) EXPECT_TRUE(index.Compact().ok());
  });

  std::mt19937_64 writer_rng(7);
  for (int i = 1; i <= kSwaps; ++i) {
    ASSERT_TRUE(index.Remove(kA + i - 1).ok());
    ASSERT_TRUE(index.Add(kA + i, family_a).ok());
    ASSERT_TRUE(index.Add(kB + i, family_b).ok());
    ASSERT_TRUE(index.Remove(kB + i - 1).ok());
    // Visible as soon as the call returns, to this thread and any other.
    const std::vector<Match> a = *index.Search(family_a, 0);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].id, kA + i);
    const Hash256 fresh = RandomHash(writer_rng);
    ASSERT_TRUE(index.Add(3'000'000'000 + i, fresh).ok());
    EXPECT_EQ(index.Search(fresh, 0)->size(), 1u);
    ASSERT_TRUE(index.Remove(3'000'000'000 + i).ok());
    EXPECT_TRUE(index.Search(fresh, 0)->empty());
  }
  done.store(true);
  threads.clear();
  EXPECT_GT(searches.load(), 0);
  EXPECT_EQ(index.GetStats().live_entries, stable.size() + 2);
}

TEST(HammingConcurrencyTest, BatchSearchesRunBesideWriters) {
  std::mt19937_64 rng(43);
  const std::vector<HammingEntry> entries = RandomEntries(20000, rng);
  Result<std::unique_ptr<HammingIndex>> built = HammingIndex::Build(entries);
  ASSERT_TRUE(built.ok());
  HammingIndex& index = **built;
  std::vector<Hash256> queries;
  for (int i = 0; i < 200; ++i) queries.push_back(entries[i].hash);

  std::jthread writer([&] {
    std::mt19937_64 local(44);
    for (int i = 0; i < 2000; ++i) {
      ASSERT_TRUE(index.Add(5'000'000'000 + i, RandomHash(local)).ok());
      if (i % 3 == 0) {
        ASSERT_TRUE(index.Remove(5'000'000'000 + i).ok());
      }
      if (i % 500 == 0) {
        ASSERT_TRUE(index.Compact().ok());
      }
    }
  });
  for (int round = 0; round < 20; ++round) {
    const std::vector<std::vector<Match>> results = *index.SearchBatch(queries, 31, 2);
    for (size_t i = 0; i < queries.size(); ++i) {
      EXPECT_EQ(CountIdsInRange(results[i], entries[i].id, entries[i].id + 1), 1u);
    }
  }
}

}  // namespace
}  // namespace vigil::index
