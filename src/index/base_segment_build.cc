// BaseSegment construction: one counting sort of the rows per substring table.
#include <algorithm>
#include <cassert>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "index/base_segment.h"

namespace vigil::index::internal {

BaseSegment::BaseSegment(PassKey, LargeArray<uint64_t> ids, LargeArray<Hash256> codes,
                         int num_substrings)
    : layout_(MihLayout::Make(num_substrings, ids.size())),
      ids_(std::move(ids)),
      codes_(std::move(codes)) {
  uint64_t offsets = 0;
  for (int t = 0; t < layout_.size(); ++t) {
    bucket_base_[t] = static_cast<uint32_t>(offsets);
    offsets += (uint64_t{1} << layout_[t].prefix_bits) + 1;
  }
  bucket_starts_ = LargeArray<uint32_t>(offsets);
  postings_ = LargeArray<uint32_t>(uint64_t{size()} * layout_.size());
}

std::unique_ptr<const BaseSegment> BaseSegment::Build(LargeArray<uint64_t> ids,
                                                      LargeArray<Hash256> codes, int num_substrings,
                                                      int threads) {
  assert(ids.size() == codes.size() && ids.size() <= HammingIndex::kMaxEntries);
  assert(std::adjacent_find(ids.begin(), ids.end(), std::greater_equal<>()) == ids.end());
  auto segment =
      std::make_unique<BaseSegment>(PassKey(), std::move(ids), std::move(codes), num_substrings);
  const int tables = segment->layout_.size();
  const int workers = std::clamp(threads, 1, tables);
  {
    std::vector<std::jthread> pool;
    for (int w = 1; w < workers; ++w) {
      pool.emplace_back([&segment, w, workers, tables] {
        for (int t = w; t < tables; t += workers) segment->BuildTable(t);
      });
    }
    for (int t = 0; t < tables; t += workers) segment->BuildTable(t);
  }
  return segment;
}

// Counting sort of all rows by the key's prefix: count, prefix-sum, scatter. Rows are visited in
// ascending order, so each bucket lists its rows ascending, which keeps verification reads of a
// heavy bucket (many near-identical hashes) moving forward through memory.
void BaseSegment::BuildTable(int table) {
  const Substring& s = layout_[table];
  const uint32_t buckets = uint32_t{1} << s.prefix_bits;
  const uint32_t residual_mask = (uint32_t{1} << s.residual_bits) - 1;
  const uint32_t rows = size();
  uint32_t* starts = bucket_starts_.data() + bucket_base_[table];
  std::fill(starts, starts + buckets + 1, 0);
  for (uint32_t row = 0; row < rows; ++row) {
    ++starts[(layout_.Key(codes_[row], table) >> s.residual_bits) + 1];
  }
  starts[0] = table * rows;
  for (uint32_t b = 0; b < buckets; ++b) starts[b + 1] += starts[b];

  std::vector<uint32_t> cursor(starts, starts + buckets);
  for (uint32_t row = 0; row < rows; ++row) {
    const uint32_t key = layout_.Key(codes_[row], table);
    postings_[cursor[key >> s.residual_bits]++] = (row << s.residual_bits) | (key & residual_mask);
  }
}

std::optional<uint32_t> BaseSegment::FindRow(uint64_t id) const {
  const uint64_t* it = std::lower_bound(ids_.begin(), ids_.end(), id);
  if (it == ids_.end() || *it != id) return std::nullopt;
  return static_cast<uint32_t>(it - ids_.begin());
}

}  // namespace vigil::index::internal
