#include "index/scan.h"

#include <cstddef>

#if defined(__AVX512F__) && defined(__AVX512VPOPCNTDQ__)
#include <immintrin.h>
#define VIGIL_INDEX_HAVE_AVX512_POPCNT 1
#endif

namespace vigil::index::internal {
namespace {

void ScanScalar(const Hash256* codes, uint32_t begin, uint32_t end, uint32_t first_row,
                const Hash256& query, int radius, std::vector<RowMatch>& out) {
  for (uint32_t i = begin; i < end; ++i) {
    const int d = HammingDistance(codes[i], query);
    if (d <= radius) out.push_back({first_row + i, static_cast<uint32_t>(d)});
  }
}

#if VIGIL_INDEX_HAVE_AVX512_POPCNT
// Eight codes (four 512-bit registers) per step. After VPOPCNTQ each register holds the four
// per-word counts of two codes; two rounds of pairwise adds (unpack within 128-bit lanes, then
// a lane shuffle) leave one total per 64-bit lane, codes 0..7 in lanes kCodeToLane.
uint32_t ScanAvx512(const Hash256* codes, uint32_t count, uint32_t first_row, const Hash256& query,
                    int radius, std::vector<RowMatch>& out) {
  // kCodeToLane[k]: the lane holding code k's distance (the permutation is its own inverse).
  static constexpr int kCodeToLane[8] = {0, 2, 1, 3, 4, 6, 5, 7};
  const auto& q = query.words;
  const __m512i qq = _mm512_set_epi64(static_cast<int64_t>(q[3]), static_cast<int64_t>(q[2]),
                                      static_cast<int64_t>(q[1]), static_cast<int64_t>(q[0]),
                                      static_cast<int64_t>(q[3]), static_cast<int64_t>(q[2]),
                                      static_cast<int64_t>(q[1]), static_cast<int64_t>(q[0]));
  const __m512i limit = _mm512_set1_epi64(radius);
  uint32_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const auto* p = reinterpret_cast<const __m512i*>(codes + i);
    const __m512i p0 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(p + 0), qq));
    const __m512i p1 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(p + 1), qq));
    const __m512i p2 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(p + 2), qq));
    const __m512i p3 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(p + 3), qq));
    // The maskz forms with a full mask compile to the plain instructions; GCC 12's unmasked
    // intrinsics trip -Wmaybe-uninitialized inside its own headers.
    constexpr __mmask8 kAll = 0xFF;
    const __m512i u = _mm512_add_epi64(_mm512_maskz_unpacklo_epi64(kAll, p0, p1),
                                       _mm512_maskz_unpackhi_epi64(kAll, p0, p1));
    const __m512i v = _mm512_add_epi64(_mm512_maskz_unpacklo_epi64(kAll, p2, p3),
                                       _mm512_maskz_unpackhi_epi64(kAll, p2, p3));
    const __m512i total =
        _mm512_add_epi64(_mm512_maskz_shuffle_i64x2(kAll, u, v, _MM_SHUFFLE(2, 0, 2, 0)),
                         _mm512_maskz_shuffle_i64x2(kAll, u, v, _MM_SHUFFLE(3, 1, 3, 1)));
    const __mmask8 hits = _mm512_cmple_epu64_mask(total, limit);
    if (hits == 0) [[likely]]
      continue;
    alignas(64) uint64_t lanes[8];
    _mm512_store_si512(lanes, total);
    for (uint32_t k = 0; k < 8; ++k) {  // in code order, so the output stays ascending
      if ((hits >> kCodeToLane[k]) & 1) {
        out.push_back({first_row + i + k, static_cast<uint32_t>(lanes[kCodeToLane[k]])});
      }
    }
  }
  return i;
}
#endif

}  // namespace

void ScanCodes(const Hash256* codes, uint32_t count, uint32_t first_row, const Hash256& query,
               int radius, std::vector<RowMatch>& out) {
  uint32_t done = 0;
#if VIGIL_INDEX_HAVE_AVX512_POPCNT
  done = ScanAvx512(codes, count, first_row, query, radius, out);
#endif
  ScanScalar(codes, done, count, first_row, query, radius, out);
}

}  // namespace vigil::index::internal
