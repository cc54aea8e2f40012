#include "index/xxhash64.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace vigil::index::internal {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::vector<uint8_t> Sequence(size_t n, size_t repeat = 1) {
  std::vector<uint8_t> bytes;
  for (size_t r = 0; r < repeat; ++r) {
    for (size_t i = 0; i < n; ++i) bytes.push_back(static_cast<uint8_t>(i));
  }
  return bytes;
}

// Expected values from the reference implementation (libxxhash 0.8.1, XXH64).
TEST(Xxh64Test, MatchesReferenceVectors) {
  EXPECT_EQ(Xxh64::Hash({}), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(Xxh64::Hash(Bytes("a")), 0xD24EC4F1A98C6E5BULL);
  EXPECT_EQ(Xxh64::Hash(Bytes("abc")), 0x44BC2CF5AD770999ULL);
  EXPECT_EQ(Xxh64::Hash(Bytes("abc"), 1), 0xBEA9CA8199328908ULL);
  EXPECT_EQ(Xxh64::Hash(Sequence(37), 0x1234), 0x952355511F8047CAULL);
  EXPECT_EQ(Xxh64::Hash(Sequence(100)), 0x6AC1E58032166597ULL);
  EXPECT_EQ(Xxh64::Hash(Sequence(256, 3)), 0x8E03C838C596036FULL);
}

TEST(Xxh64Test, StreamingEqualsOneShotForEverySplit) {
  const std::vector<uint8_t> data = Sequence(256, 3);
  const uint64_t expected = Xxh64::Hash(data);
  for (size_t split = 0; split <= 100; ++split) {
    Xxh64 h;
    h.Update({data.data(), split});
    h.Update({data.data() + split, 7});
    h.Update({data.data() + split + 7, data.size() - split - 7});
    EXPECT_EQ(h.Digest(), expected) << "split at " << split;
  }
}

}  // namespace
}  // namespace vigil::index::internal
