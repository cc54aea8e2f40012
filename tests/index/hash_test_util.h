// Helpers for index tests: seeded random hashes, near-duplicates at exact distances, and the
// brute-force search every optimised path is checked against.
#ifndef VIGIL_TESTS_INDEX_HASH_TEST_UTIL_H_
#define VIGIL_TESTS_INDEX_HASH_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "index/index.h"

namespace vigil::index::testing {

inline Hash256 RandomHash(std::mt19937_64& rng) { return {{rng(), rng(), rng(), rng()}}; }

inline Hash256 FlipBit(Hash256 h, int bit) {
  h.words[bit / 64] ^= uint64_t{1} << (bit % 64);
  return h;
}

// `base` with exactly `distance` distinct bits flipped, chosen uniformly.
inline Hash256 SpreadFlips(const Hash256& base, int distance, std::mt19937_64& rng) {
  std::vector<int> bits(256);
  std::iota(bits.begin(), bits.end(), 0);
  std::shuffle(bits.begin(), bits.end(), rng);
  Hash256 h = base;
  for (int i = 0; i < distance; ++i) h = FlipBit(h, bits[i]);
  return h;
}

// `base` with a contiguous (wrapping) window of `distance` bits flipped at a random offset: the
// hard case for multi-index hashing, since it packs the errors into one or two substrings and
// crosses substring boundaries.
inline Hash256 WindowFlips(const Hash256& base, int distance, std::mt19937_64& rng) {
  const int start = static_cast<int>(rng() % 256);
  Hash256 h = base;
  for (int i = 0; i < distance; ++i) h = FlipBit(h, (start + i) % 256);
  return h;
}

inline void SortMatches(std::vector<Match>& matches) {
  std::sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  });
}

inline std::vector<Match> BruteForce(const std::vector<HammingEntry>& entries, const Hash256& query,
                                     int radius) {
  std::vector<Match> matches;
  for (const HammingEntry& e : entries) {
    const int d = HammingDistance(e.hash, query);
    if (d <= radius) matches.push_back({e.id, d});
  }
  SortMatches(matches);
  return matches;
}

inline std::vector<Match> BruteForce(const std::map<uint64_t, Hash256>& entries,
                                     const Hash256& query, int radius) {
  std::vector<HammingEntry> list;
  for (const auto& [id, hash] : entries) list.push_back({id, hash});
  return BruteForce(list, query, radius);
}

// `count` random entries with ids drawn sparsely (not 0..n-1) so id order differs from
// insertion order.
inline std::vector<HammingEntry> RandomEntries(size_t count, std::mt19937_64& rng,
                                               uint64_t first_id = 1000) {
  std::vector<HammingEntry> entries(count);
  uint64_t id = first_id;
  for (HammingEntry& e : entries) {
    id += 1 + rng() % 7;
    e = {id, RandomHash(rng)};
  }
  std::shuffle(entries.begin(), entries.end(), rng);
  return entries;
}

// Builds an index of `entries` with `strategy`, failing the test (and returning null) on error.
inline std::unique_ptr<HammingIndex> MustBuild(
    const std::vector<HammingEntry>& entries,
    HammingIndexOptions::Strategy strategy = HammingIndexOptions::Strategy::kAuto) {
  HammingIndexOptions options;
  options.strategy = strategy;
  options.build_threads = 2;
  Result<std::unique_ptr<HammingIndex>> index = HammingIndex::Build(entries, options);
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  return index.ok() ? std::move(index).value() : nullptr;
}

}  // namespace vigil::index::testing

#endif  // VIGIL_TESTS_INDEX_HASH_TEST_UTIL_H_
