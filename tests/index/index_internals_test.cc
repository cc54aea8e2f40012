// The building blocks under HammingIndex: the SIMD scan against a plain loop, and the
// multi-index layout's pigeonhole arithmetic.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <random>
#include <vector>

#include "index/hash_test_util.h"
#include "index/mih_layout.h"
#include "index/scan.h"

namespace vigil::index::internal {
namespace {

using testing::RandomHash;
using testing::SpreadFlips;

TEST(ScanCodesTest, MatchesAPlainLoopForEveryLengthAndRadius) {
  std::mt19937_64 rng(1);
  const Hash256 query = RandomHash(rng);
  std::vector<Hash256> codes;
  for (int i = 0; i < 70; ++i)
    codes.push_back(SpreadFlips(query, static_cast<int>(rng() % 80), rng));
  for (uint32_t count = 0; count <= codes.size(); ++count) {
    for (int radius : {0, 5, 31, 63, 256}) {
      std::vector<RowMatch> expected;
      for (uint32_t i = 0; i < count; ++i) {
        const int d = HammingDistance(codes[i], query);
        if (d <= radius) expected.push_back({100 + i, static_cast<uint32_t>(d)});
      }
      std::vector<RowMatch> found;
      ScanCodes(codes.data(), count, 100, query, radius, found);
      ASSERT_EQ(found.size(), expected.size()) << count << " codes, radius " << radius;
      for (size_t k = 0; k < found.size(); ++k) {
        EXPECT_EQ(found[k].row, expected[k].row);
        EXPECT_EQ(found[k].distance, expected[k].distance);
      }
    }
  }
}

TEST(MihLayoutTest, SubstringsTileAll256BitsLongestFirst) {
  for (int m = MihLayout::kMinSubstrings; m <= MihLayout::kMaxSubstrings; ++m) {
    const MihLayout layout = MihLayout::Make(m, 10'000'000);
    int next = 0;
    for (int i = 0; i < layout.size(); ++i) {
      EXPECT_EQ(layout[i].bit_offset, next);
      EXPECT_LE(layout[i].bit_length, 32);
      EXPECT_EQ(layout[i].prefix_bits + layout[i].residual_bits, layout[i].bit_length);
      if (i > 0) {
        EXPECT_LE(layout[i].bit_length, layout[i - 1].bit_length);
      }
      next += layout[i].bit_length;
    }
    EXPECT_EQ(next, 256);
  }
}

TEST(MihLayoutTest, ElevenSubstringsAtRadius31GiveTenBudgetsOfTwoAndOneOfOne) {
  const MihLayout layout = MihLayout::Make(11, 10'000'000);
  const auto budgets = layout.Budgets(31);
  EXPECT_EQ(std::count(budgets.begin(), budgets.begin() + 11, 2), 10);
  EXPECT_EQ(budgets[10], 1);  // the shortest substring gets the smaller budget
}

TEST(MihLayoutTest, BudgetsSatisfyThePigeonholeBoundExactly) {
  for (int m = MihLayout::kMinSubstrings; m <= MihLayout::kMaxSubstrings; ++m) {
    const MihLayout layout = MihLayout::Make(m, 1000);
    for (int radius = 0; radius <= 256; ++radius) {
      const auto budgets = layout.Budgets(radius);
      int sum = 0;
      for (int i = 0; i < m; ++i) sum += budgets[i] + 1;
      EXPECT_EQ(sum, radius + 1) << m << " substrings, radius " << radius;
    }
  }
}

TEST(MihLayoutTest, PostingsFitRowAndResidualInThirtyTwoBits) {
  for (uint64_t rows : {uint64_t{0}, uint64_t{1}, uint64_t{1000}, uint64_t{10'000'000},
                        HammingIndex::kMaxEntries}) {
    const MihLayout layout = MihLayout::Make(8, rows);
    for (int i = 0; i < layout.size(); ++i) {
      EXPECT_LE(std::bit_width(rows) + layout[i].residual_bits, 32) << rows << " rows";
    }
  }
}

TEST(MihLayoutTest, ExtractBitsReadsAcrossWordBoundaries) {
  Hash256 h;
  h.words = {0x8000000000000000ULL, 0x3ULL, 0, 0xF000000000000000ULL};
  EXPECT_EQ(MihLayout::ExtractBits(h, 63, 3), 0b111u);
  EXPECT_EQ(MihLayout::ExtractBits(h, 62, 2), 0b10u);
  EXPECT_EQ(MihLayout::ExtractBits(h, 252, 4), 0xFu);
  EXPECT_EQ(MihLayout::ExtractBits(h, 0, 32), 0u);
}

}  // namespace
}  // namespace vigil::index::internal
