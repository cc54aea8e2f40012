// HammingIndex Add / Remove / Compact: the duplicate-id policy, removal marks, and compaction
// that preserves every result.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "index/hash_test_util.h"
#include "index/index.h"

namespace vigil::index {
namespace {

using testing::BruteForce;
using testing::MustBuild;
using testing::RandomEntries;
using testing::RandomHash;
using testing::SpreadFlips;

std::vector<uint64_t> IdsWithin(const HammingIndex& index, const Hash256& query, int radius) {
  const std::vector<Match> matches = *index.Search(query, radius);
  std::vector<uint64_t> ids;
  for (const Match& m : matches) ids.push_back(m.id);
  return ids;
}

TEST(HammingMutationTest, AddedEntryIsFoundAndRemovedEntryIsNot) {
  std::mt19937_64 rng(1);
  const std::unique_ptr<HammingIndex> index = MustBuild(RandomEntries(1000, rng));
  const Hash256 hash = RandomHash(rng);
  ASSERT_TRUE(index->Add(7, hash).ok());
  EXPECT_TRUE(index->Contains(7));
  EXPECT_EQ(*index->Search(hash, 0), (std::vector<Match>{{7, 0}}));
  ASSERT_TRUE(index->Remove(7).ok());
  EXPECT_FALSE(index->Contains(7));
  EXPECT_TRUE(index->Search(hash, 31)->empty());
}

TEST(HammingMutationTest, RemovesEntriesOfTheBulkSegment) {
  std::mt19937_64 rng(2);
  const std::vector<HammingEntry> entries = RandomEntries(1000, rng);
  const std::unique_ptr<HammingIndex> index = MustBuild(entries);
  ASSERT_TRUE(index->Remove(entries[10].id).ok());
  EXPECT_FALSE(index->Contains(entries[10].id));
  EXPECT_TRUE(index->Search(entries[10].hash, 0)->empty());
  EXPECT_EQ(IdsWithin(*index, entries[11].hash, 0), std::vector<uint64_t>{entries[11].id});
}

TEST(HammingMutationTest, AddingAPresentIdIsRejectedAndKeepsTheOldHash) {
  std::mt19937_64 rng(3);
  const std::vector<HammingEntry> entries = RandomEntries(100, rng);
  const std::unique_ptr<HammingIndex> index = MustBuild(entries);
  const Hash256 other = RandomHash(rng);
  const Status bulk = index->Add(entries[0].id, other);
  EXPECT_EQ(bulk.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(bulk.message().find(std::to_string(entries[0].id)), std::string::npos);
  ASSERT_TRUE(index->Add(5, other).ok());
  EXPECT_EQ(index->Add(5, entries[1].hash).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(IdsWithin(*index, entries[0].hash, 0), std::vector<uint64_t>{entries[0].id});
  EXPECT_EQ(IdsWithin(*index, other, 0), std::vector<uint64_t>{5});
}

TEST(HammingMutationTest, BuildRejectsDuplicateIds) {
  const Result<std::unique_ptr<HammingIndex>> index =
      HammingIndex::Build(std::vector<HammingEntry>{{4, {}}, {9, {}}, {4, {{1, 2, 3, 4}}}});
  EXPECT_EQ(index.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(index.status().message().find("id 4"), std::string::npos);
}

TEST(HammingMutationTest, RemovingAnAbsentIdIsNotFound) {
  std::mt19937_64 rng(4);
  const std::unique_ptr<HammingIndex> index = MustBuild(RandomEntries(10, rng));
  EXPECT_EQ(index->Remove(123456789).code(), StatusCode::kNotFound);
  ASSERT_TRUE(index->Add(1, {}).ok());
  ASSERT_TRUE(index->Remove(1).ok());
  EXPECT_EQ(index->Remove(1).code(), StatusCode::kNotFound);
}

TEST(HammingMutationTest, ReAddingARemovedIdUsesTheNewHash) {
  std::mt19937_64 rng(5);
  const std::vector<HammingEntry> entries = RandomEntries(500, rng);
  const std::unique_ptr<HammingIndex> index = MustBuild(entries);
  const HammingEntry& e = entries[3];
  const Hash256 replacement = RandomHash(rng);
  ASSERT_TRUE(index->Remove(e.id).ok());
  ASSERT_TRUE(index->Add(e.id, replacement).ok());
  EXPECT_TRUE(index->Search(e.hash, 0)->empty());
  EXPECT_EQ(IdsWithin(*index, replacement, 0), std::vector<uint64_t>{e.id});
  // And again, through the recent segment.
  ASSERT_TRUE(index->Remove(e.id).ok());
  ASSERT_TRUE(index->Add(e.id, e.hash).ok());
  EXPECT_EQ(IdsWithin(*index, e.hash, 0), std::vector<uint64_t>{e.id});
  EXPECT_TRUE(index->Search(replacement, 0)->empty());
}

TEST(HammingMutationTest, StatsCountRemovalMarksUntilCompaction) {
  std::mt19937_64 rng(6);
  const std::vector<HammingEntry> entries = RandomEntries(1000, rng);
  const std::unique_ptr<HammingIndex> index = MustBuild(entries);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(index->Remove(entries[i].id).ok());
  for (uint64_t id = 1; id <= 5; ++id) ASSERT_TRUE(index->Add(id, RandomHash(rng)).ok());
  ASSERT_TRUE(index->Remove(3).ok());
  HammingIndexStats stats = index->GetStats();
  EXPECT_EQ(stats.live_entries, 1000u - 10 + 5 - 1);
  EXPECT_EQ(stats.bulk_entries, 1000u);
  EXPECT_EQ(stats.recent_entries, 5u);
  EXPECT_EQ(stats.removed_entries, 11u);
  ASSERT_TRUE(index->Compact().ok());
  stats = index->GetStats();
  EXPECT_EQ(stats.live_entries, 994u);
  EXPECT_EQ(stats.bulk_entries, 994u);
  EXPECT_EQ(stats.recent_entries, 0u);
  EXPECT_EQ(stats.removed_entries, 0u);
  EXPECT_GT(stats.memory_bytes, 994u * 40);
}

// A random mix of adds, removes, re-adds and compactions, checked after every step against a
// plain map searched by brute force.
TEST(HammingMutationTest, RandomOperationsMatchAModelAcrossCompactions) {
  std::mt19937_64 rng(7);
  const std::vector<HammingEntry> initial = RandomEntries(3000, rng);
  std::map<uint64_t, Hash256> model;
  for (const HammingEntry& e : initial) model[e.id] = e.hash;
  const std::unique_ptr<HammingIndex> index = MustBuild(initial);
  const Hash256 hub = RandomHash(rng);  // many entries near one query, so results are non-trivial
  for (int step = 0; step < 3000; ++step) {
    const uint64_t op = rng() % 100;
    if (op < 45) {
      const uint64_t id = rng() % 20000;
      const Hash256 hash = SpreadFlips(hub, static_cast<int>(rng() % 40), rng);
      const Status status = index->Add(id, hash);
      EXPECT_EQ(status.ok(), !model.contains(id));
      if (status.ok()) model[id] = hash;
    } else if (op < 90 && !model.empty()) {
      auto it = model.begin();
      std::advance(it, rng() % model.size());
      ASSERT_TRUE(index->Remove(it->first).ok());
      model.erase(it);
    } else if (op < 92) {
      ASSERT_TRUE(index->Compact().ok());
    }
    if (step % 50 == 0) {
      ASSERT_EQ(*index->Search(hub, 31), BruteForce(model, hub, 31)) << "step " << step;
      ASSERT_EQ(index->GetStats().live_entries, model.size());
    }
  }
  ASSERT_TRUE(index->Compact().ok());
  for (int radius : {0, 20, 31, 63}) {
    EXPECT_EQ(*index->Search(hub, radius), BruteForce(model, hub, radius));
  }
}

TEST(HammingMutationTest, CompactionPreservesEveryResult) {
  std::mt19937_64 rng(8);
  std::vector<HammingEntry> entries = RandomEntries(5000, rng);
  const std::unique_ptr<HammingIndex> index = MustBuild(entries);
  std::vector<Hash256> queries;
  for (int i = 0; i < 40; ++i) {
    queries.push_back(RandomHash(rng));
    for (int d = 0; d < 40; d += 3) {
      ASSERT_TRUE(index->Add(100000 + i * 100 + d, SpreadFlips(queries.back(), d, rng)).ok());
    }
  }
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(index->Remove(entries[i].id).ok());
  std::vector<std::vector<Match>> before;
  for (const Hash256& q : queries) before.push_back(*index->Search(q, 40));
  ASSERT_TRUE(index->Compact().ok());
  ASSERT_TRUE(index->Compact().ok());  // nothing left to fold in: a no-op
  for (size_t i = 0; i < queries.size(); ++i) {
    EXPECT_EQ(*index->Search(queries[i], 40), before[i]);
  }
}

TEST(HammingMutationTest, AnIndexBuiltOnlyByAddsWorks) {
  Result<std::unique_ptr<HammingIndex>> index = HammingIndex::Create();
  ASSERT_TRUE(index.ok());
  std::mt19937_64 rng(9);
  std::vector<HammingEntry> entries = RandomEntries(2000, rng);
  for (const HammingEntry& e : entries) ASSERT_TRUE((*index)->Add(e.id, e.hash).ok());
  const Hash256 query = entries[0].hash;
  EXPECT_EQ(*(*index)->Search(query, 63), BruteForce(entries, query, 63));
  ASSERT_TRUE((*index)->Compact().ok());
  EXPECT_EQ(*(*index)->Search(query, 63), BruteForce(entries, query, 63));
}

}  // namespace
}  // namespace vigil::index
