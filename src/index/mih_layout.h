// MihLayout: how the 256 bits of a code are split into substrings for multi-index hashing, and
// how each substring's hash table is addressed.
//
// Multi-index hashing (Norouzi, Punjani, Fleet, CVPR 2012) rests on a pigeonhole argument: split
// the bits into m disjoint substrings and give substring i an error budget t_i. If every
// substring differed from the query in more than t_i bits, the whole code would differ in at
// least sum(t_i + 1) bits. So with sum(t_i + 1) = r + 1, every code within distance r agrees
// with the query to within t_i bits on some substring i, and probing each table i at every key
// within t_i flips of the query's key finds all of them.
//
// Each substring key is split once more: its high `prefix_bits` address a dense bucket table,
// and its low `residual_bits` are stored in the posting next to the row number. A probe then
// enumerates flips of the prefix only and filters the bucket by the residual's distance. For
// 10M rows that means 2^21 offsets per table instead of 2^23-2^24 (92 MB in all instead of
// 450 MB, which is what keeps 10M hashes under 1 GB) and 232 probes per table instead of 277-301,
// at the price of reading ~5 postings per bucket.
//
// Thread safety: an immutable value.
#ifndef VIGIL_INDEX_MIH_LAYOUT_H_
#define VIGIL_INDEX_MIH_LAYOUT_H_

#include <array>
#include <cstdint>

#include "index/index.h"

namespace vigil::index::internal {

struct Substring {
  int bit_offset = 0;
  int bit_length = 0;     // at most 32
  int prefix_bits = 0;    // high key bits: index into the bucket table
  int residual_bits = 0;  // low key bits: kept in the posting beside the row
};

class MihLayout {
 public:
  static constexpr int kMinSubstrings = 8;   // keeps every substring within 32 bits
  static constexpr int kMaxSubstrings = 15;  // keeps num_substrings * rows below 2^32
  // Aimed-for postings per bucket. At 10M rows and radius 31, load 4 (2^21 buckets) ran 14.0k
  // queries/s, load 8 (2^20) 13.1k and load 16 (2^19) 7.4k; load 2 would break the 1 GB budget.
  static constexpr double kTargetBucketLoad = 4.0;

  MihLayout() = default;
  // Splits the 256 bits into `num_substrings` contiguous substrings whose lengths differ by at
  // most one (longer ones first) and sizes their bucket tables for `num_rows` rows.
  // Requires kMinSubstrings <= num_substrings <= kMaxSubstrings and num_rows <= 2^28.
  static MihLayout Make(int num_substrings, uint64_t num_rows);

  int size() const { return count_; }
  const Substring& operator[](int i) const { return substrings_[i]; }

  // The error budget t_i of each substring for `radius`, with sum(t_i + 1) = radius + 1; the
  // longer substrings (fewer false candidates per flip) get the larger budgets. A budget of -1
  // means the table need not be probed at all.
  std::array<int, kMaxSubstrings> Budgets(int radius) const;

  uint32_t Key(const Hash256& code, int i) const {
    return ExtractBits(code, substrings_[i].bit_offset, substrings_[i].bit_length);
  }

  static uint32_t ExtractBits(const Hash256& code, int offset, int length) {
    const int word = offset >> 6;
    const int shift = offset & 63;
    uint64_t bits = code.words[word] >> shift;
    if (shift + length > 64) bits |= code.words[word + 1] << (64 - shift);
    return static_cast<uint32_t>(bits & ((uint64_t{1} << length) - 1));
  }

 private:
  std::array<Substring, kMaxSubstrings> substrings_{};
  int count_ = 0;
};

}  // namespace vigil::index::internal

#endif  // VIGIL_INDEX_MIH_LAYOUT_H_
