// HammingIndex search: exact recall at every radius, on every strategy, for uniform and
// clustered data, checked against brute force.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <tuple>
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
using testing::WindowFlips;
using Strategy = HammingIndexOptions::Strategy;

std::string StrategyName(Strategy s) {
  return s == Strategy::kAuto ? "Auto" : s == Strategy::kMultiIndex ? "MultiIndex" : "Scan";
}

class RadiusPropertyTest : public ::testing::TestWithParam<std::tuple<int, Strategy>> {};

// 20,000 random hashes plus, for each query, planted neighbours at every distance 0..r (errors
// spread out and packed into one window). Every search must equal brute force exactly.
TEST_P(RadiusPropertyTest, FindsExactlyTheBruteForceNeighbours) {
  const auto [radius, strategy] = GetParam();
  std::mt19937_64 rng(12345 + radius);
  std::vector<HammingEntry> entries = RandomEntries(20000, rng);
  std::vector<Hash256> queries;
  uint64_t next_id = uint64_t{1} << 40;  // above every random entry's id
  for (int q = 0; q < 24; ++q) {
    queries.push_back(RandomHash(rng));
    for (int d = 0; d <= radius + 1; ++d) {
      entries.push_back({next_id++, SpreadFlips(queries.back(), d, rng)});
      entries.push_back({next_id++, WindowFlips(queries.back(), d, rng)});
    }
  }
  const std::unique_ptr<HammingIndex> index = MustBuild(entries, strategy);
  for (const Hash256& query : queries) {
    Result<std::vector<Match>> found = index->Search(query, radius);
    ASSERT_TRUE(found.ok());
    const std::vector<Match> expected = BruteForce(entries, query, radius);
    ASSERT_GE(expected.size(), 2u * (radius + 1));
    EXPECT_EQ(*found, expected);
  }
}

INSTANTIATE_TEST_SUITE_P(
    RadiiAndStrategies, RadiusPropertyTest,
    ::testing::Combine(::testing::Values(0, 8, 31, 32, 47, 63),
                       ::testing::Values(Strategy::kAuto, Strategy::kMultiIndex, Strategy::kScan)),
    [](const auto& info) {
      return "Radius" + std::to_string(std::get<0>(info.param)) +
             StrategyName(std::get<1>(info.param));
    });

class ClusteredDataTest : public ::testing::TestWithParam<Strategy> {};

// Near-blank images hash to a few values; thousands of identical and near-identical hashes put
// the same rows in every probed bucket. Results must still be exact and free of duplicates.
TEST_P(ClusteredDataTest, IdenticalAndNearIdenticalHashesAreAllFoundOnce) {
  std::mt19937_64 rng(7);
  std::vector<HammingEntry> entries = RandomEntries(10000, rng, 1u << 20);
  const Hash256 blank = RandomHash(rng);
  uint64_t id = 1;
  for (int i = 0; i < 6000; ++i) entries.push_back({id++, blank});
  for (int i = 0; i < 6000; ++i) entries.push_back({id++, SpreadFlips(blank, 1 + i % 40, rng)});
  const std::unique_ptr<HammingIndex> index = MustBuild(entries, GetParam());
  for (const Hash256& query :
       {blank, SpreadFlips(blank, 3, rng), SpreadFlips(blank, 30, rng), RandomHash(rng)}) {
    for (int radius : {0, 10, 31, 52}) {
      Result<std::vector<Match>> found = index->Search(query, radius);
      ASSERT_TRUE(found.ok());
      EXPECT_EQ(*found, BruteForce(entries, query, radius)) << "radius " << radius;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Strategies, ClusteredDataTest,
                         ::testing::Values(Strategy::kAuto, Strategy::kMultiIndex, Strategy::kScan),
                         [](const auto& info) { return StrategyName(info.param); });

TEST(HammingSearchTest, RadiusIsInclusiveAtEveryBoundary) {
  std::mt19937_64 rng(3);
  const Hash256 query = RandomHash(rng);
  std::vector<HammingEntry> entries;
  for (int d = 0; d <= 64; ++d)
    entries.push_back({static_cast<uint64_t>(d), SpreadFlips(query, d, rng)});
  const std::unique_ptr<HammingIndex> index = MustBuild(entries);
  for (int radius = 0; radius <= 63; ++radius) {
    Result<std::vector<Match>> found = index->Search(query, radius);
    ASSERT_TRUE(found.ok());
    ASSERT_EQ(found->size(), static_cast<size_t>(radius + 1));
    EXPECT_EQ(found->back(), (Match{static_cast<uint64_t>(radius), radius}));
  }
}

TEST(HammingSearchTest, MaxRadiusReturnsEveryEntry) {
  std::mt19937_64 rng(4);
  const std::vector<HammingEntry> entries = RandomEntries(3000, rng);
  const std::unique_ptr<HammingIndex> index = MustBuild(entries);
  const Hash256 query = RandomHash(rng);
  Result<std::vector<Match>> found = index->Search(query, kMaxRadius);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), entries.size());
  EXPECT_EQ(*found, BruteForce(entries, query, kMaxRadius));
}

TEST(HammingSearchTest, RejectsRadiusOutsideZeroTo256) {
  const std::unique_ptr<HammingIndex> index = MustBuild({});
  EXPECT_EQ(index->Search({}, -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(index->Search({}, 257).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(index->SearchBatch({}, 300).status().code(), StatusCode::kInvalidArgument);
}

TEST(HammingSearchTest, EmptyIndexFindsNothing) {
  Result<std::unique_ptr<HammingIndex>> index = HammingIndex::Create();
  ASSERT_TRUE(index.ok());
  for (int radius : {0, 31, 256}) {
    Result<std::vector<Match>> found = (*index)->Search(Hash256{}, radius);
    ASSERT_TRUE(found.ok());
    EXPECT_TRUE(found->empty());
  }
  const HammingIndexStats stats = (*index)->GetStats();
  EXPECT_EQ(stats.live_entries, 0u);
  EXPECT_EQ(stats.bulk_entries, 0u);
}

TEST(HammingSearchTest, EqualDistancesAreOrderedById) {
  std::mt19937_64 rng(5);
  const Hash256 query = RandomHash(rng);
  std::vector<HammingEntry> entries;
  for (uint64_t id : {90, 10, 50, 30, 70}) entries.push_back({id, testing::FlipBit(query, 3)});
  entries.push_back({20, query});
  const std::unique_ptr<HammingIndex> index = MustBuild(entries);
  Result<std::vector<Match>> found = index->Search(query, 1);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, (std::vector<Match>{{20, 0}, {10, 1}, {30, 1}, {50, 1}, {70, 1}, {90, 1}}));
}

TEST(HammingSearchTest, BatchSearchEqualsOneByOneOnAnyThreadCount) {
  std::mt19937_64 rng(6);
  std::vector<HammingEntry> entries = RandomEntries(20000, rng);
  std::vector<Hash256> queries;
  for (int i = 0; i < 100; ++i) {
    queries.push_back(RandomHash(rng));
    entries.push_back({static_cast<uint64_t>(i), SpreadFlips(queries.back(), i % 32, rng)});
  }
  const std::unique_ptr<HammingIndex> index = MustBuild(entries);
  for (int threads : {1, 2, 5}) {
    Result<std::vector<std::vector<Match>>> batch = index->SearchBatch(queries, 31, threads);
    ASSERT_TRUE(batch.ok());
    ASSERT_EQ(batch->size(), queries.size());
    for (size_t i = 0; i < queries.size(); ++i) {
      EXPECT_EQ((*batch)[i], BruteForce(entries, queries[i], 31)) << "query " << i;
    }
  }
  EXPECT_EQ(index->SearchBatch(queries, 31, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(HammingSearchTest, SubstringCountsFromEightToFifteenAreAllExact) {
  std::mt19937_64 rng(8);
  std::vector<HammingEntry> entries = RandomEntries(5000, rng);
  const Hash256 query = RandomHash(rng);
  for (int d = 0; d <= 40; ++d)
    entries.push_back({static_cast<uint64_t>(d), WindowFlips(query, d, rng)});
  for (int m = 8; m <= 15; ++m) {
    HammingIndexOptions options;
    options.num_substrings = m;
    options.strategy = Strategy::kMultiIndex;
    Result<std::unique_ptr<HammingIndex>> index = HammingIndex::Build(entries, options);
    ASSERT_TRUE(index.ok());
    for (int radius : {0, 7, 31, 40}) {
      EXPECT_EQ(*(*index)->Search(query, radius), BruteForce(entries, query, radius))
          << m << " substrings, radius " << radius;
    }
  }
}

TEST(HammingSearchTest, RejectsInvalidOptions) {
  HammingIndexOptions options;
  options.num_substrings = 7;
  EXPECT_EQ(HammingIndex::Create(options).status().code(), StatusCode::kInvalidArgument);
  options.num_substrings = 16;
  EXPECT_EQ(HammingIndex::Create(options).status().code(), StatusCode::kInvalidArgument);
  options = {};
  options.build_threads = 0;
  EXPECT_EQ(HammingIndex::Build({}, options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::index
