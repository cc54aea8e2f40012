// Luma extraction and the Jarosz box filter of PDQ.
//
// The reference filters one row (or column) at a time with a running sum, which is serial.
// Here each pass runs down the columns of a matrix, so the running sums of all columns advance
// together and the compiler vectorises across them; a row pass is a column pass on the
// transposed matrix. Each lane performs the reference's exact sequence of float operations.
#include <algorithm>
#include <cstring>
#include <vector>

#include "hash/pdq_internal.h"

namespace vigil::hash::internal {
namespace {

// The reference's luma coefficients, as float constants (pdqhashing.cpp).
constexpr float kLumaR = 0.299f;
constexpr float kLumaG = 0.587f;
constexpr float kLumaB = 0.114f;

size_t RowStride(const PixelView& image) {
  return image.row_stride ? image.row_stride : static_cast<size_t>(image.width) * image.channels;
}

}  // namespace

bool IsAllGrey(const PixelView& image) {
  if (image.channels == 1) return true;
  const size_t stride = RowStride(image);
  for (int y = 0; y < image.height; ++y) {
    const uint8_t* p = image.data + y * stride;
    uint8_t differs = 0;
    for (int x = 0; x < image.width; ++x, p += 3) {
      differs |= static_cast<uint8_t>((p[0] ^ p[1]) | (p[0] ^ p[2]));
    }
    if (differs) return false;
  }
  return true;
}

void FillLuma(const PixelView& image, bool grey, const int* src_rows, int rows, const int* src_cols,
              int cols, float* luma) {
  const size_t stride = RowStride(image);
  const int ch = image.channels;
  for (int r = 0; r < rows; ++r) {
    const uint8_t* row = image.data + static_cast<size_t>(src_rows[r]) * stride;
    float* out = luma + static_cast<size_t>(r) * cols;
    if (grey) {
      for (int c = 0; c < cols; ++c) out[c] = static_cast<float>(row[src_cols[c] * ch]);
    } else {
      for (int c = 0; c < cols; ++c) {
        const uint8_t* p = row + src_cols[c] * 3;
        // Same association as the reference: (R term + G term) + B term.
        out[c] = kLumaR * static_cast<float>(p[0]) + kLumaG * static_cast<float>(p[1]) +
                 kLumaB * static_cast<float>(p[2]);
      }
    }
  }
}

void BoxAlongColumns(const float* in, float* out, int rows, int cols, int window) {
  // Phases as in the reference's box1DFloat: warm up without writing, write while the
  // window grows, slide the full window, then write while it shrinks.
  const int half = (window + 2) / 2;
  const int phase1 = half - 1;
  const int phase2 = window - half + 1;
  const int phase3 = rows - window;
  const int phase4 = half - 1;

  std::vector<float> sum(cols, 0.0f);
  float* s = sum.data();
  const size_t n = static_cast<size_t>(cols);
  int ri = 0, li = 0, oi = 0, count = 0;

  for (int i = 0; i < phase1; ++i, ++ri, ++count) {
    const float* a = in + ri * n;
    for (size_t j = 0; j < n; ++j) s[j] += a[j];
  }
  for (int i = 0; i < phase2; ++i, ++ri, ++oi) {
    const float* a = in + ri * n;
    float* o = out + oi * n;
    ++count;
    const float div = static_cast<float>(count);
    for (size_t j = 0; j < n; ++j) {
      s[j] += a[j];
      o[j] = s[j] / div;
    }
  }
  for (int i = 0; i < phase3; ++i, ++ri, ++li, ++oi) {
    const float* a = in + ri * n;
    const float* b = in + li * n;
    float* o = out + oi * n;
    const float div = static_cast<float>(count);
    for (size_t j = 0; j < n; ++j) {
      s[j] += a[j];
      s[j] -= b[j];
      o[j] = s[j] / div;
    }
  }
  for (int i = 0; i < phase4; ++i, ++li, ++oi) {
    const float* b = in + li * n;
    float* o = out + oi * n;
    --count;
    const float div = static_cast<float>(count);
    for (size_t j = 0; j < n; ++j) {
      s[j] -= b[j];
      o[j] = s[j] / div;
    }
  }
}

void Transpose(const float* in, float* out, int rows, int cols) {
  // Blocked so that both the reads and the writes stay within a few cache lines.
  constexpr int kBlock = 16;
  for (int r0 = 0; r0 < rows; r0 += kBlock) {
    const int r1 = std::min(r0 + kBlock, rows);
    for (int c0 = 0; c0 < cols; c0 += kBlock) {
      const int c1 = std::min(c0 + kBlock, cols);
      for (int r = r0; r < r1; ++r) {
        for (int c = c0; c < c1; ++c) {
          out[static_cast<size_t>(c) * rows + r] = in[static_cast<size_t>(r) * cols + c];
        }
      }
    }
  }
}

}  // namespace vigil::hash::internal
