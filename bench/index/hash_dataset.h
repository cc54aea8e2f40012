// Synthetic 256-bit hash datasets for index benchmarks, deterministic for a given spec, so that
// other implementations (e.g. a faiss IndexBinaryMultiHash comparison) can be run on the same
// data by including this header.
//
// A dataset is a database of (id, hash) entries plus queries:
//  - uniform: independent uniformly random hashes (ids 0..size-1);
//  - planted: for each query, `planted_per_query` database entries at distances spread evenly
//    over 0..planted_max_distance, so every query has true matches at every distance;
//  - clustered (clustered_fraction > 0): that fraction of the database sits in a few tight
//    clusters (a centre plus up to cluster_spread flipped bits), like the hashes of near-blank or
//    near-identical images, and half of the queries land near a cluster centre.
#ifndef VIGIL_BENCH_INDEX_HASH_DATASET_H_
#define VIGIL_BENCH_INDEX_HASH_DATASET_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "index/index.h"

namespace vigil::bench {

struct DatasetSpec {
  uint64_t size = 1'000'000;  // database entries, planted and clustered ones included
  int num_queries = 1000;
  int planted_per_query = 8;
  int planted_max_distance = 40;
  double clustered_fraction = 0.0;
  int num_clusters = 32;
  int cluster_spread = 8;
  uint64_t seed = 1;
};

struct HashDataset {
  std::vector<index::HammingEntry> entries;  // ids 0..size-1, in id order
  std::vector<index::Hash256> queries;
};

// A hash as 32 bytes, byte i holding bits 8i..8i+7 (faiss IndexBinary's code layout).
inline std::array<uint8_t, 32> ToBytes(const index::Hash256& hash) {
  std::array<uint8_t, 32> bytes;
  std::memcpy(bytes.data(), hash.words.data(), bytes.size());  // little-endian words
  return bytes;
}

namespace dataset_internal {

inline index::Hash256 RandomHash(std::mt19937_64& rng) { return {{rng(), rng(), rng(), rng()}}; }

// `base` with exactly `distance` distinct random bits flipped.
inline index::Hash256 Flip(const index::Hash256& base, int distance, std::mt19937_64& rng) {
  std::array<uint8_t, 256> bits;
  std::iota(bits.begin(), bits.end(), 0);
  index::Hash256 h = base;
  for (int i = 0; i < distance; ++i) {
    std::swap(bits[i], bits[i + rng() % (256 - i)]);  // partial Fisher-Yates
    h.words[bits[i] / 64] ^= uint64_t{1} << (bits[i] % 64);
  }
  return h;
}

}  // namespace dataset_internal

inline HashDataset MakeDataset(const DatasetSpec& spec) {
  using dataset_internal::Flip;
  using dataset_internal::RandomHash;
  std::mt19937_64 rng(spec.seed);
  HashDataset data;
  data.entries.resize(spec.size);
  for (uint64_t i = 0; i < spec.size; ++i) data.entries[i] = {i, RandomHash(rng)};

  std::vector<index::Hash256> centres(spec.clustered_fraction > 0 ? spec.num_clusters : 0);
  for (auto& c : centres) c = RandomHash(rng);
  const auto clustered = static_cast<uint64_t>(spec.clustered_fraction * spec.size);
  // Clustered entries and planted neighbours overwrite random rows, so `size` stays exact.
  std::vector<uint64_t> rows(spec.size);
  std::iota(rows.begin(), rows.end(), 0);
  std::shuffle(rows.begin(), rows.end(), rng);
  uint64_t next_row = 0;
  for (uint64_t i = 0; i < clustered && next_row < rows.size(); ++i) {
    const auto spread = static_cast<int>(rng() % (spec.cluster_spread + 1));
    data.entries[rows[next_row++]].hash = Flip(centres[i % centres.size()], spread, rng);
  }
  for (int q = 0; q < spec.num_queries; ++q) {
    const bool near_cluster = !centres.empty() && q % 2 == 1;
    data.queries.push_back(near_cluster ? Flip(centres[rng() % centres.size()], 4, rng)
                                        : RandomHash(rng));
    for (int p = 0; p < spec.planted_per_query && next_row < rows.size(); ++p) {
      const int distance = spec.planted_per_query == 1
                               ? 0
                               : p * spec.planted_max_distance / (spec.planted_per_query - 1);
      data.entries[rows[next_row++]].hash = Flip(data.queries.back(), distance, rng);
    }
  }
  return data;
}

}  // namespace vigil::bench

#endif  // VIGIL_BENCH_INDEX_HASH_DATASET_H_
