#include "index/mih_layout.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>

namespace vigil::index::internal {

MihLayout MihLayout::Make(int num_substrings, uint64_t num_rows) {
  assert(num_substrings >= kMinSubstrings && num_substrings <= kMaxSubstrings);
  assert(num_rows <= HammingIndex::kMaxEntries);
  MihLayout layout;
  layout.count_ = num_substrings;
  const int row_bits = std::max(1, static_cast<int>(std::bit_width(num_rows)));
  const int wanted_prefix = static_cast<int>(
      std::lround(std::log2(std::max(1.0, static_cast<double>(num_rows) / kTargetBucketLoad))));
  int offset = 0;
  for (int i = 0; i < num_substrings; ++i) {
    Substring& s = layout.substrings_[i];
    s.bit_offset = offset;
    s.bit_length = 256 / num_substrings + (i < 256 % num_substrings ? 1 : 0);
    // A posting is (row << residual_bits | residual) in 32 bits, which bounds the residual.
    const int min_prefix = std::max(0, s.bit_length - (32 - row_bits));
    s.prefix_bits = std::clamp(wanted_prefix, min_prefix, s.bit_length);
    s.residual_bits = s.bit_length - s.prefix_bits;
    offset += s.bit_length;
  }
  assert(offset == 256);
  return layout;
}

std::array<int, MihLayout::kMaxSubstrings> MihLayout::Budgets(int radius) const {
  std::array<int, kMaxSubstrings> budgets{};
  budgets.fill(-1);
  const int total = radius + 1;  // sum of (t_i + 1)
  for (int i = 0; i < count_; ++i) {
    budgets[i] = total / count_ + (i < total % count_ ? 1 : 0) - 1;
  }
  return budgets;
}

}  // namespace vigil::index::internal
