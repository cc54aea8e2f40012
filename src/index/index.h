// Index: find bank entries whose hash matches a query hash.
//
// HammingIndex holds (id, 256-bit hash) entries, e.g. PDQ hashes, and answers radius queries:
// every entry within Hamming distance r of a query, with its distance, sorted by (distance, id).
// Recall is exact at every radius; speed comes from multi-index hashing (Norouzi, Punjani and
// Fleet, "Fast Search in Hamming Space with Multi-Index Hashing", CVPR 2012) over an immutable
// bulk-built segment, with an exact SIMD scan where the multi-index would cost more.
// Entries can be added and removed while queries run; removals and recent additions live beside
// the bulk segment until Compact() folds them in.
//
// ExactIndex (Md5Index, Sha256Index) maps cryptographic digests to entry ids.
//
// Thread safety: every method of HammingIndex and ExactIndex may be called from any thread at
// any time. A HammingIndex search never waits for a writer except for the copy of one pointer:
// each search sees the index exactly as it was at one instant during the call (a snapshot), so
// an entry added before a search starts is found and one removed before it starts is not.
//
// The module does no logging and keeps no global state. Its only I/O is Save() and Load(); it
// starts threads only when asked to (SearchBatch with num_threads > 1, build_threads > 1) and
// joins them before returning.
#ifndef VIGIL_INDEX_INDEX_H_
#define VIGIL_INDEX_INDEX_H_

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace vigil::index {

// A 256-bit perceptual hash as four 64-bit words; bit i of the hash is bit (i % 64) of
// words[i / 64]. Callers converting from hex choose the word order once and keep it.
struct Hash256 {
  std::array<uint64_t, 4> words{};
  friend bool operator==(const Hash256&, const Hash256&) = default;
};

inline int HammingDistance(const Hash256& a, const Hash256& b) {
  return std::popcount(a.words[0] ^ b.words[0]) + std::popcount(a.words[1] ^ b.words[1]) +
         std::popcount(a.words[2] ^ b.words[2]) + std::popcount(a.words[3] ^ b.words[3]);
}

// The radius recommended for PDQ matching (ThreatExchange's default threshold).
inline constexpr int kDefaultPdqRadius = 31;
// The largest radius a search accepts; at 256 every entry matches.
inline constexpr int kMaxRadius = 256;

struct HammingEntry {
  uint64_t id = 0;
  Hash256 hash;
};

struct Match {
  uint64_t id = 0;
  int distance = 0;
  friend bool operator==(const Match&, const Match&) = default;
};

struct HammingIndexOptions {
  // How a search over the bulk segment finds candidates. kAuto picks, per query, whichever of
  // the multi-index and the scan a cost model predicts is faster; the others exist for tests
  // and benchmarks. Every strategy returns the same exact result.
  enum class Strategy { kAuto, kMultiIndex, kScan };
  Strategy strategy = Strategy::kAuto;
  // Number of substrings (hash tables) the 256 bits are split into, 8..15. Eleven substrings
  // of 23-24 bits measured fastest for 10M PDQ hashes at radius 31 (docs/performance.md).
  int num_substrings = 11;
  // Threads used to build the bulk segment (Build, Load, Compact). Results do not depend on it.
  int build_threads = 1;
};

// Counts and sizes of one snapshot, for monitoring and for deciding when to Compact().
struct HammingIndexStats {
  uint64_t live_entries = 0;     // entries a search can return
  uint64_t bulk_entries = 0;     // rows of the bulk (multi-index) segment, removed ones included
  uint64_t recent_entries = 0;   // entries added since the last compaction (scanned per search)
  uint64_t removed_entries = 0;  // removed rows still occupying space until the next compaction
  uint64_t memory_bytes = 0;     // heap bytes of codes, ids and index structures
};

class HammingIndex {
 public:
  // The largest number of entries a bulk segment holds, and of entries added between compactions.
  static constexpr uint64_t kMaxEntries = uint64_t{1} << 28;

  // An empty index. Fails with kInvalidArgument when `options` are out of range.
  static Result<std::unique_ptr<HammingIndex>> Create(const HammingIndexOptions& options = {});

  // Bulk-builds an index of `entries` (any order). Ids must be distinct: a repeated id fails with
  // kAlreadyExists naming it. kResourceExhausted beyond kMaxEntries.
  static Result<std::unique_ptr<HammingIndex>> Build(std::span<const HammingEntry> entries,
                                                     const HammingIndexOptions& options = {});

  // Reads an index written by Save(). Fails with kNotFound when `path` does not exist,
  // kInvalidArgument when it is not an index file (bad magic), kUnimplemented for a format
  // version this build does not read, kDataLoss when it is truncated or corrupt (size, checksum
  // or order mismatch), kUnavailable on read errors. Every message names `path`.
  static Result<std::unique_ptr<HammingIndex>> Load(const std::string& path,
                                                    const HammingIndexOptions& options = {});

  ~HammingIndex();
  HammingIndex(const HammingIndex&) = delete;
  HammingIndex& operator=(const HammingIndex&) = delete;

  // Adds an entry; searches that start after Add returns find it. Ids are unique: adding an id
  // that is present fails with kAlreadyExists and changes nothing (to replace a hash, Remove
  // then Add). kResourceExhausted when kMaxEntries entries were added since the last Compact().
  Status Add(uint64_t id, const Hash256& hash);

  // Removes the entry with `id`; searches that start after Remove returns do not return it.
  // kNotFound when no entry has that id. The space is reclaimed by Compact().
  Status Remove(uint64_t id);

  bool Contains(uint64_t id) const;

  // Every entry within Hamming distance `radius` of `query`, sorted by (distance, id).
  // kInvalidArgument unless 0 <= radius <= kMaxRadius.
  Result<std::vector<Match>> Search(const Hash256& query, int radius = kDefaultPdqRadius) const;

  // Search() for each query, spread over `num_threads` threads (the caller's included); each
  // query sees a snapshot taken when it starts, as with Search(). result[i] answers queries[i].
  Result<std::vector<std::vector<Match>>> SearchBatch(std::span<const Hash256> queries,
                                                      int radius = kDefaultPdqRadius,
                                                      int num_threads = 1) const;

  // Rebuilds the bulk segment from the live entries, off to the side, then swaps it in. Searches
  // continue on the old segments meanwhile; Add and Remove wait only for the final swap. Needs
  // memory for both segments while it runs. Concurrent calls run one after the other. Every
  // search scans the recent entries linearly (~1 ns each), so call it from a background thread
  // once GetStats().recent_entries passes ~1% of bulk_entries (or ~100k).
  Status Compact();

  HammingIndexStats GetStats() const;

  // Writes the live entries of one snapshot to `path` through a temporary file that is renamed
  // over it, so `path` holds either the old file or the complete new one. Searches and writers
  // carry on meanwhile. kUnavailable (naming the path) when writing fails.
  Status Save(const std::string& path) const;

 private:
  class Impl;
  // Restricts the constructor to Create, Build and Load while letting them use make_unique.
  struct PassKey {
    explicit PassKey() = default;
  };

 public:
  HammingIndex(PassKey, std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// A multiset of (digest, id) pairs with lookup by digest, for exact matching of MD5 (16 bytes)
// or SHA-256 (32 bytes) file digests. Several ids may share a digest (the same file in two
// banks). Lookups take a shared lock; Add and Remove take it exclusively for O(1) expected time,
// except when Add grows the table (O(size); call Reserve() first to avoid it).
template <size_t kDigestBytes>
class ExactIndex {
 public:
  using Digest = std::array<uint8_t, kDigestBytes>;

  ExactIndex();
  ~ExactIndex();
  ExactIndex(const ExactIndex&) = delete;
  ExactIndex& operator=(const ExactIndex&) = delete;

  // kAlreadyExists when this exact (digest, id) pair is present.
  Status Add(const Digest& digest, uint64_t id);
  // kNotFound when the pair is absent.
  Status Remove(const Digest& digest, uint64_t id);
  // The ids stored under `digest`, ascending; empty when none.
  std::vector<uint64_t> Find(const Digest& digest) const;
  size_t size() const;
  // Makes room for `count` pairs so that Adds up to that size never rehash.
  void Reserve(size_t count);

 private:
  class Table;
  std::unique_ptr<Table> table_;
};

using Md5Index = ExactIndex<16>;
using Sha256Index = ExactIndex<32>;

}  // namespace vigil::index

#endif  // VIGIL_INDEX_INDEX_H_
