// Building blocks of PDQ, exposed for tests that check them against naive transcriptions of
// the reference. Not part of the public API.
#ifndef VIGIL_HASH_PDQ_INTERNAL_H_
#define VIGIL_HASH_PDQ_INTERNAL_H_

#include <cstddef>
#include <cstdint>

#include "hash/hash256.h"
#include "hash/pdq.h"

namespace vigil::hash::internal {

inline constexpr int kReferenceMaxSide = 512;
inline constexpr int kMinHashableSide = 5;

// Box window for filtering `old_dim` samples down to `new_dim` in two passes (reference:
// computeJaroszFilterWindowSize).
inline int JaroszWindowSize(int old_dim, int new_dim) {
  return (old_dim + 2 * new_dim - 1) / (2 * new_dim);
}

// Source index of output sample `i` when CImg's nearest-neighbour resize maps `old_dim`
// samples to `new_dim`: floor(i * old / new), computed in double as CImg does.
inline int NearestSource(int i, int old_dim, int new_dim) {
  return static_cast<int>(static_cast<unsigned long>(static_cast<double>(i) * old_dim / new_dim));
}

// Fills `luma` (rows x cols, row-major) from `image`, sampling source pixel
// (src_rows[r], src_cols[c]) for output (r, c). `grey` selects the reference's grey path
// (value used directly) over Y = 0.299R + 0.587G + 0.114B.
void FillLuma(const PixelView& image, bool grey, const int* src_rows, int rows, const int* src_cols,
              int cols, float* luma);

// True when every pixel of a 3-channel image has R == G == B. ImageMagick then writes the
// image as greyscale PNM, and the reference takes the grey path.
bool IsAllGrey(const PixelView& image);

// One box-filter pass down the columns of a rows x cols matrix (every column independently),
// exactly as the reference's box1DFloat with stride = cols.
void BoxAlongColumns(const float* in, float* out, int rows, int cols, int window);

// out (cols x rows) = transpose of in (rows x cols).
void Transpose(const float* in, float* out, int rows, int cols);

// The 16x64 DCT matrix of the reference, in float.
const float* DctMatrix();

// B = D A D^T for a 64x64 block A (row-major), keeping 16x16.
void Dct64To16(const float* a64x64, float* b16x16);

// The reference's gradient-based quality score of a 64x64 block, 0..100.
int QualityMetric(const float* a64x64);

// Bit i*16+j set when dct[i][j] is above the median of all 256 coefficients.
Hash256 BitsFromDct(const float* dct16x16);

// The DCT of the image in orientation `d`, derived from the original's DCT (sign flips and a
// transpose), as the reference's dct16OriginalTo* functions.
void DihedralDct(Dihedral d, const float* in16x16, float* out16x16);

}  // namespace vigil::hash::internal

#endif  // VIGIL_HASH_PDQ_INTERNAL_H_
