// Exact linear scan of a contiguous array of 256-bit codes: the fallback for radii and buckets
// where the multi-index would touch more memory than reading everything once, and the search of
// the small segment of recent additions.
//
// Thread safety: pure functions.
#ifndef VIGIL_INDEX_SCAN_H_
#define VIGIL_INDEX_SCAN_H_

#include <cstdint>
#include <vector>

#include "index/index.h"

namespace vigil::index::internal {

// A matching row of a segment and its distance to the query.
struct RowMatch {
  uint32_t row;
  uint32_t distance;
};

// Appends {first_row + i, d} to `out` for every i < count with d = distance(codes[i], query)
// <= radius, in ascending i. Uses AVX-512 VPOPCNTDQ when the build targets it.
void ScanCodes(const Hash256* codes, uint32_t count, uint32_t first_row, const Hash256& query,
               int radius, std::vector<RowMatch>& out);

}  // namespace vigil::index::internal

#endif  // VIGIL_INDEX_SCAN_H_
