// DCT, quality metric, median thresholding and dihedral transforms of PDQ.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

#include "hash/pdq_internal.h"

namespace vigil::hash::internal {
namespace {

struct DctTables {
  std::array<float, 16 * 64> d;   // D: 16 x 64, row-major
  std::array<float, 64 * 16> dt;  // D transposed: 64 x 16
};

const DctTables& Tables() {
  // Computed as the reference does: a float scale times a double cosine, rounded to float.
  static const DctTables tables = [] {
    DctTables t;
    constexpr double kPi = 3.14159265358979323846;
    const float scale = static_cast<float>(std::sqrt(2.0 / 64.0));
    for (int i = 0; i < 16; ++i) {
      for (int j = 0; j < 64; ++j) {
        const double angle =
            (kPi / 2.0 / 64.0) * static_cast<double>(i + 1) * static_cast<double>(2 * j + 1);
        const float v = static_cast<float>(static_cast<double>(scale) * std::cos(angle));
        t.d[i * 64 + j] = v;
        t.dt[j * 16 + i] = v;
      }
    }
    return t;
  }();
  return tables;
}

}  // namespace

const float* DctMatrix() { return Tables().d.data(); }

void Dct64To16(const float* a, float* b) {
  const DctTables& t = Tables();
  // T = D A (16 x 64). Each T[i][j] sums k = 0..63 in order, as the reference; the loop
  // runs over j innermost so lanes are independent.
  alignas(64) float tmp[16 * 64];
  for (int i = 0; i < 16; ++i) {
    float* row = tmp + i * 64;
    std::fill(row, row + 64, 0.0f);
    for (int k = 0; k < 64; ++k) {
      const float dk = t.d[i * 64 + k];
      const float* ak = a + k * 64;
      for (int j = 0; j < 64; ++j) row[j] += dk * ak[j];
    }
  }
  // B = T D^T (16 x 16): B[i][j] = sum_k T[i][k] * D[j][k], k in order.
  for (int i = 0; i < 16; ++i) {
    float acc[16] = {};
    for (int k = 0; k < 64; ++k) {
      const float tk = tmp[i * 64 + k];
      const float* dk = t.dt.data() + k * 16;
      for (int j = 0; j < 16; ++j) acc[j] += tk * dk[j];
    }
    std::copy(acc, acc + 16, b + i * 16);
  }
}

int QualityMetric(const float* a) {
  // Gradients quantised to whole percent of full scale, as the reference: significant
  // edges count, faint noise does not.
  int gradient_sum = 0;
  for (int i = 0; i < 63; ++i) {
    for (int j = 0; j < 64; ++j) {
      const float d = ((a[i * 64 + j] - a[(i + 1) * 64 + j]) * 100.0f) / 255.0f;
      gradient_sum += std::abs(static_cast<int>(d));
    }
  }
  for (int i = 0; i < 64; ++i) {
    for (int j = 0; j < 63; ++j) {
      const float d = ((a[i * 64 + j] - a[i * 64 + j + 1]) * 100.0f) / 255.0f;
      gradient_sum += std::abs(static_cast<int>(d));
    }
  }
  return std::min(gradient_sum / 90, 100);
}

Hash256 BitsFromDct(const float* dct) {
  // The reference takes Torben's median of the 256 values. For an even count that algorithm
  // always returns the lower median (the 128th smallest value), which nth_element finds.
  std::array<float, 256> sorted;
  std::copy(dct, dct + 256, sorted.begin());
  std::nth_element(sorted.begin(), sorted.begin() + 127, sorted.end());
  const float median = sorted[127];
  Hash256 h;
  for (int k = 0; k < 256; ++k) {
    if (dct[k] > median) h.set_bit(k);
  }
  return h;
}

void DihedralDct(Dihedral d, const float* a, float* b) {
  // Rotations and flips of the image only negate odd-frequency coefficients and/or swap the
  // two axes of the DCT (see the table in the reference's pdqhashing.cpp).
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 16; ++j) {
      const float v = a[i * 16 + j];
      switch (d) {
        case Dihedral::kOriginal:
          b[i * 16 + j] = v;
          break;
        case Dihedral::kRotate90:
          b[j * 16 + i] = (j & 1) ? v : -v;
          break;
        case Dihedral::kRotate180:
          b[i * 16 + j] = ((i + j) & 1) ? -v : v;
          break;
        case Dihedral::kRotate270:
          b[j * 16 + i] = (i & 1) ? v : -v;
          break;
        case Dihedral::kFlipX:
          b[i * 16 + j] = (i & 1) ? v : -v;
          break;
        case Dihedral::kFlipY:
          b[i * 16 + j] = (j & 1) ? v : -v;
          break;
        case Dihedral::kFlipPlus1:
          b[j * 16 + i] = v;
          break;
        case Dihedral::kFlipMinus1:
          b[j * 16 + i] = ((i + j) & 1) ? -v : v;
          break;
      }
    }
  }
}

}  // namespace vigil::hash::internal
