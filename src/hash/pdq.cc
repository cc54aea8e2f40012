#include "hash/pdq.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "hash/pdq_internal.h"

namespace vigil::hash {
namespace {

using internal::kMinHashableSide;
using internal::kReferenceMaxSide;

Status ValidateView(const PixelView& image) {
  if (image.data == nullptr) return InvalidArgumentError("image has no pixel data");
  if (image.width <= 0 || image.height <= 0) {
    return InvalidArgumentError(
        fmt::format("image dimensions {}x{} are not positive", image.width, image.height));
  }
  if (image.channels != 1 && image.channels != 3) {
    return InvalidArgumentError(
        fmt::format("image has {} channels; PDQ takes 1 (grey) or 3 (RGB)", image.channels));
  }
  const size_t min_stride = static_cast<size_t>(image.width) * image.channels;
  if (image.row_stride != 0 && image.row_stride < min_stride) {
    return InvalidArgumentError(
        fmt::format("row stride {} is below width * channels = {}", image.row_stride, min_stride));
  }
  return Status::Ok();
}

// Averages each source area of a luma image into a 512x512 grid (Resampling::kArea).
void AreaResample(const PixelView& image, bool grey, std::vector<float>* out) {
  const int w = image.width, h = image.height;
  const int n = kReferenceMaxSide;
  std::vector<int> col_bin(w), row_bin(h);
  std::vector<int> col_count(n, 0), row_count(n, 0);
  for (int x = 0; x < w; ++x) col_count[col_bin[x] = static_cast<int>(int64_t{x} * n / w)]++;
  for (int y = 0; y < h; ++y) row_count[row_bin[y] = static_cast<int>(int64_t{y} * n / h)]++;
  std::vector<double> acc(static_cast<size_t>(n) * n, 0.0);
  std::vector<float> line(w);
  std::vector<int> identity(w);
  for (int x = 0; x < w; ++x) identity[x] = x;
  for (int y = 0; y < h; ++y) {
    internal::FillLuma(image, grey, &y, 1, identity.data(), w, line.data());
    double* dst = acc.data() + static_cast<size_t>(row_bin[y]) * n;
    for (int x = 0; x < w; ++x) dst[col_bin[x]] += line[x];
  }
  out->resize(static_cast<size_t>(n) * n);
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c < n; ++c) {
      // With an upscaled side a bin may be empty; take the nearest filled one.
      int rr = r, cc = c;
      while (row_count[rr] == 0) --rr;
      while (col_count[cc] == 0) --cc;
      (*out)[static_cast<size_t>(r) * n + c] = static_cast<float>(
          acc[static_cast<size_t>(rr) * n + cc] / (double{1} * row_count[rr] * col_count[cc]));
    }
  }
}

}  // namespace

std::string_view DihedralName(Dihedral d) {
  switch (d) {
    case Dihedral::kOriginal:
      return "orig";
    case Dihedral::kRotate90:
      return "rot90";
    case Dihedral::kRotate180:
      return "rot180";
    case Dihedral::kRotate270:
      return "rot270";
    case Dihedral::kFlipX:
      return "flipx";
    case Dihedral::kFlipY:
      return "flipy";
    case Dihedral::kFlipPlus1:
      return "flipplus1";
    case Dihedral::kFlipMinus1:
      return "flipminus1";
  }
  return "unknown";
}

PdqHasher::PdqHasher(PdqOptions options) : options_(options), block64_(64 * 64), dct16_(16 * 16) {}

Status PdqHasher::PrepareLuma(const PixelView& image, int* rows, int* cols) {
  RETURN_IF_ERROR(ValidateView(image));
  const bool photo = options_.resampling != Resampling::kNone;
  // ImageMagick writes an RGB image whose pixels are all grey as greyscale PNM, and the
  // reference then uses the grey values directly instead of the luma formula.
  const bool grey = image.channels == 1 || (photo && internal::IsAllGrey(image));
  const bool shrink =
      photo && (image.width > kReferenceMaxSide || image.height > kReferenceMaxSide);

  if (shrink && options_.resampling == Resampling::kArea) {
    *rows = *cols = kReferenceMaxSide;
    AreaResample(image, grey, &luma_);
    scratch_.resize(luma_.size());
    return Status::Ok();
  }
  *rows = shrink ? kReferenceMaxSide : image.height;
  *cols = shrink ? kReferenceMaxSide : image.width;
  std::vector<int> src_rows(*rows), src_cols(*cols);
  for (int r = 0; r < *rows; ++r) src_rows[r] = internal::NearestSource(r, image.height, *rows);
  for (int c = 0; c < *cols; ++c) src_cols[c] = internal::NearestSource(c, image.width, *cols);
  const size_t size = static_cast<size_t>(*rows) * *cols;
  luma_.resize(size);
  scratch_.resize(size);
  internal::FillLuma(image, grey, src_rows.data(), *rows, src_cols.data(), *cols, luma_.data());
  return Status::Ok();
}

int PdqHasher::Downsample(int rows, int cols) {
  const int window_along_rows = internal::JaroszWindowSize(cols, 64);
  const int window_along_cols = internal::JaroszWindowSize(rows, 64);
  float* a = luma_.data();
  float* b = scratch_.data();
  // Two rounds of (row pass, column pass). A row pass is a column pass on the transpose;
  // four transposes bring the result back to row-major in `a`.
  for (int round = 0; round < 2; ++round) {
    internal::Transpose(a, b, rows, cols);
    internal::BoxAlongColumns(b, a, cols, rows, window_along_rows);
    internal::Transpose(a, b, cols, rows);
    internal::BoxAlongColumns(b, a, rows, cols, window_along_cols);
  }
  // Decimate at the centres of the 64x64 cells.
  for (int i = 0; i < 64; ++i) {
    const int src_i = static_cast<int>(((i + 0.5) * rows) / 64);
    for (int j = 0; j < 64; ++j) {
      const int src_j = static_cast<int>(((j + 0.5) * cols) / 64);
      block64_[i * 64 + j] = a[static_cast<size_t>(src_i) * cols + src_j];
    }
  }
  return internal::QualityMetric(block64_.data());
}

Result<PdqResult> PdqHasher::Hash(const PixelView& image) {
  int rows = 0, cols = 0;
  RETURN_IF_ERROR(PrepareLuma(image, &rows, &cols));
  PdqResult result;
  if (rows < kMinHashableSide || cols < kMinHashableSide) return result;
  if (rows == 64 && cols == 64) {
    // The reference skips the filter for an input that is already 64x64 (meant for frames
    // that ffmpeg has downscaled). Only the single-hash path does this, not the dihedral one.
    std::copy(luma_.begin(), luma_.end(), block64_.begin());
    result.quality = internal::QualityMetric(block64_.data());
  } else {
    result.quality = Downsample(rows, cols);
  }
  internal::Dct64To16(block64_.data(), dct16_.data());
  result.hash = internal::BitsFromDct(dct16_.data());
  return result;
}

Result<PdqDihedralResult> PdqHasher::HashDihedral(const PixelView& image) {
  int rows = 0, cols = 0;
  RETURN_IF_ERROR(PrepareLuma(image, &rows, &cols));
  PdqDihedralResult result;
  if (rows < kMinHashableSide || cols < kMinHashableSide) return result;
  result.quality = Downsample(rows, cols);
  internal::Dct64To16(block64_.data(), dct16_.data());
  float oriented[256];
  for (int d = 0; d < kDihedralCount; ++d) {
    internal::DihedralDct(static_cast<Dihedral>(d), dct16_.data(), oriented);
    result.hashes[d] = internal::BitsFromDct(oriented);
  }
  return result;
}

Result<PdqResult> PdqHash(const PixelView& image, PdqOptions options) {
  PdqHasher hasher(options);
  return hasher.Hash(image);
}

Result<PdqDihedralResult> PdqHashDihedral(const PixelView& image, PdqOptions options) {
  PdqHasher hasher(options);
  return hasher.HashDihedral(image);
}

}  // namespace vigil::hash
