// BaseSegment: the immutable, bulk-built part of a HammingIndex.
//
// Rows are sorted by id (so an id is found by binary search, with no id map), and for each of the
// MihLayout's substrings there is a CSR-style hash table: a dense array of bucket offsets,
// indexed by the key's prefix, into a postings array of 32-bit (row, residual) pairs grouped by
// bucket. The codes themselves sit in one contiguous array, in row order, for verification and
// for the scan fallback. For 10M rows and 11 substrings that is 320 MB of codes, 80 MB of ids,
// 440 MB of postings and 92 MB of bucket offsets: 932 MB, 93 bytes per hash.
//
// Removal marks live outside (in Generation); a BaseSegment never changes after Build.
//
// Thread safety: immutable after Build; any number of threads may search it, each with its own
// SearchScratch.
#ifndef VIGIL_INDEX_BASE_SEGMENT_H_
#define VIGIL_INDEX_BASE_SEGMENT_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "index/index.h"
#include "index/large_array.h"
#include "index/mih_layout.h"
#include "index/scan.h"

namespace vigil::index::internal {

// Per-thread working memory of a search, reused across queries to avoid reallocation.
struct SearchScratch {
  struct Probe {
    uint32_t bucket;  // index into BaseSegment::bucket_starts_
    uint16_t table;
    uint16_t budget;  // residual bits that may still differ
  };
  struct Range {
    uint32_t begin;  // postings [begin, end) of one bucket
    uint32_t end;
    uint16_t table;
    uint16_t budget;
  };
  std::vector<Probe> probes;
  std::vector<Range> ranges;
  std::vector<uint32_t> candidates;
  std::vector<uint64_t> seen;  // one bit per row, all zero between searches; sized on demand
  std::vector<RowMatch> matches;
  std::vector<uint32_t> sorted_rows;
  std::vector<uint32_t> distance_end;
};

class BaseSegment {
 public:
  using Strategy = HammingIndexOptions::Strategy;

  // Builds the tables over `codes`, whose row i belongs to `ids[i]`. Requires ids strictly
  // ascending, equal sizes, at most 2^28 rows, and a valid substring count. `threads` >= 1
  // build tables in parallel.
  static std::unique_ptr<const BaseSegment> Build(LargeArray<uint64_t> ids,
                                                  LargeArray<Hash256> codes, int num_substrings,
                                                  int threads);

  uint32_t size() const { return static_cast<uint32_t>(ids_.size()); }
  uint64_t id(uint32_t row) const { return ids_[row]; }
  const uint64_t* id_data() const { return ids_.data(); }
  const Hash256& code(uint32_t row) const { return codes_[row]; }
  // The row holding `id`, if any.
  std::optional<uint32_t> FindRow(uint64_t id) const;

  // Appends every row within `radius` of `query` to `out`, in no particular order. A row may be
  // appended more than once (it can match on several substrings); callers de-duplicate.
  void Search(const Hash256& query, int radius, Strategy strategy, SearchScratch& scratch,
              std::vector<RowMatch>& out) const;

  uint64_t MemoryBytes() const {
    return ids_.bytes() + codes_.bytes() + bucket_starts_.bytes() + postings_.bytes();
  }

 private:
  // Lets Build use std::make_unique while nobody else can construct an unbuilt segment.
  struct PassKey {
    explicit PassKey() = default;
  };

 public:
  BaseSegment(PassKey, LargeArray<uint64_t> ids, LargeArray<Hash256> codes, int num_substrings);

 private:
  void BuildTable(int table);

  // Search stages; see base_segment_search.cc.
  bool MultiIndexLooksCheaper(const std::array<int, MihLayout::kMaxSubstrings>& budgets) const;
  void EnumerateProbes(const Hash256& query,
                       const std::array<int, MihLayout::kMaxSubstrings>& budgets,
                       std::vector<SearchScratch::Probe>& probes) const;
  uint64_t ResolveBuckets(SearchScratch& scratch) const;
  void CollectCandidates(const Hash256& query, uint64_t total, SearchScratch& scratch) const;
  void Verify(const Hash256& query, int radius, const std::vector<uint32_t>& candidates,
              std::vector<RowMatch>& out) const;
  double ScanCostNs() const;

  MihLayout layout_;
  LargeArray<uint64_t> ids_;   // ascending
  LargeArray<Hash256> codes_;  // codes_[row] is the hash of ids_[row]
  std::array<uint32_t, MihLayout::kMaxSubstrings> bucket_base_{};  // table i's first offset
  // Per table, 2^prefix_bits + 1 ascending offsets into postings_.
  LargeArray<uint32_t> bucket_starts_;
  // Table i owns [i * size(), (i + 1) * size()): (row << residual_bits | residual), ascending row
  // within each bucket.
  LargeArray<uint32_t> postings_;
};

}  // namespace vigil::index::internal

#endif  // VIGIL_INDEX_BASE_SEGMENT_H_
