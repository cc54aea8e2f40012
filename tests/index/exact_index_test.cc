// ExactIndex: a multiset of (digest, id) pairs looked up by digest.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "index/index.h"

namespace vigil::index {
namespace {

template <typename Digest>
Digest RandomDigest(std::mt19937_64& rng) {
  Digest d;
  for (auto& byte : d) byte = static_cast<uint8_t>(rng());
  return d;
}

TEST(ExactIndexTest, FindsAddedIdsAscendingAndNothingElse) {
  Sha256Index index;
  std::mt19937_64 rng(1);
  const auto digest = RandomDigest<Sha256Index::Digest>(rng);
  ASSERT_TRUE(index.Add(digest, 30).ok());
  ASSERT_TRUE(index.Add(digest, 10).ok());
  ASSERT_TRUE(index.Add(digest, 20).ok());
  EXPECT_EQ(index.Find(digest), (std::vector<uint64_t>{10, 20, 30}));
  EXPECT_TRUE(index.Find(RandomDigest<Sha256Index::Digest>(rng)).empty());
  EXPECT_EQ(index.size(), 3u);
}

TEST(ExactIndexTest, RepeatedPairIsAlreadyExistsAndAbsentPairIsNotFound) {
  Md5Index index;
  const Md5Index::Digest digest{1, 2, 3};
  ASSERT_TRUE(index.Add(digest, 1).ok());
  EXPECT_EQ(index.Add(digest, 1).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(index.Remove(digest, 2).code(), StatusCode::kNotFound);
  EXPECT_EQ(index.Remove(Md5Index::Digest{9}, 1).code(), StatusCode::kNotFound);
  ASSERT_TRUE(index.Remove(digest, 1).ok());
  EXPECT_TRUE(index.Find(digest).empty());
  EXPECT_EQ(index.size(), 0u);
}

// Random adds and removes, many sharing digests so probe runs get long, against std::map.
TEST(ExactIndexTest, RandomOperationsMatchAModelThroughGrowthAndDeletion) {
  Md5Index index;
  std::map<Md5Index::Digest, std::set<uint64_t>> model;
  std::mt19937_64 rng(2);
  std::vector<Md5Index::Digest> digests;
  for (int i = 0; i < 3000; ++i) digests.push_back(RandomDigest<Md5Index::Digest>(rng));
  for (int step = 0; step < 60000; ++step) {
    const auto& digest = digests[rng() % digests.size()];
    const uint64_t id = rng() % 8;
    if (rng() % 3 != 0) {
      EXPECT_EQ(index.Add(digest, id).ok(), model[digest].insert(id).second);
    } else {
      EXPECT_EQ(index.Remove(digest, id).ok(), model[digest].erase(id) == 1);
    }
  }
  size_t total = 0;
  for (const auto& [digest, ids] : model) {
    EXPECT_EQ(index.Find(digest), std::vector<uint64_t>(ids.begin(), ids.end()));
    total += ids.size();
  }
  EXPECT_EQ(index.size(), total);
}

TEST(ExactIndexTest, ReserveKeepsContents) {
  Sha256Index index;
  const Sha256Index::Digest digest{7};
  ASSERT_TRUE(index.Add(digest, 1).ok());
  index.Reserve(100000);
  EXPECT_EQ(index.Find(digest), std::vector<uint64_t>{1});
}

TEST(ExactIndexTest, LookupsRunBesideWriters) {
  Md5Index index;
  std::mt19937_64 rng(3);
  std::vector<Md5Index::Digest> stable;
  for (uint64_t i = 0; i < 1000; ++i) {
    stable.push_back(RandomDigest<Md5Index::Digest>(rng));
    ASSERT_TRUE(index.Add(stable.back(), i).ok());
  }
  std::jthread writer([&index] {
    std::mt19937_64 local(4);
    for (uint64_t i = 0; i < 20000; ++i) {
      const auto digest = RandomDigest<Md5Index::Digest>(local);
      ASSERT_TRUE(index.Add(digest, i).ok());
      if (i % 2 == 0) {
        ASSERT_TRUE(index.Remove(digest, i).ok());
      }
    }
  });
  for (int round = 0; round < 20; ++round) {
    for (uint64_t i = 0; i < stable.size(); ++i) {
      ASSERT_EQ(index.Find(stable[i]), std::vector<uint64_t>{i});
    }
  }
}

}  // namespace
}  // namespace vigil::index
