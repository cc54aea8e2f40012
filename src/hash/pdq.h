// PDQ: Meta's 256-bit perceptual image hash, bit-exact with the reference C++ implementation
// (facebook/ThreatExchange pdq/cpp, `pdq-photo-hasher`).
//
// The algorithm (Meta, "The TMK+PDQF and PDQ hashing algorithms", 2019): luminance, a two-pass
// Jarosz box ("tent") filter, decimation to 64x64, a 2-D DCT keeping the 16x16 lowest
// non-constant frequencies, and one bit per coefficient above their median. A quality score
// (0-100) measures how much gradient the 64x64 image has; hashes of quality below ~50 are
// unreliable for matching.
//
// Bit-exactness: every floating-point operation is done in the reference's order, one IEEE
// rounding at a time (the build disables fused multiply-add); SIMD only runs independent lanes.
//
// Thread safety: PdqHasher holds scratch buffers and is not thread-safe; use one per thread.
// The free functions create a hasher per call.
#ifndef VIGIL_HASH_PDQ_H_
#define VIGIL_HASH_PDQ_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "hash/hash256.h"

namespace vigil::hash {

// The eight orientations, in the order of the reference's `--pdqdih-across` output.
enum class Dihedral {
  kOriginal,
  kRotate90,
  kRotate180,
  kRotate270,
  kFlipX,
  kFlipY,
  kFlipPlus1,
  kFlipMinus1,
};
inline constexpr int kDihedralCount = 8;
// "orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipplus1", "flipminus1".
std::string_view DihedralName(Dihedral d);

// 8-bit pixels: `channels` is 1 (grey) or 3 (RGB, interleaved). Not owned.
struct PixelView {
  const uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
  int channels = 0;
  size_t row_stride = 0;  // bytes between rows; 0 means width * channels
};

// How an image is brought to the size PDQ filters.
enum class Resampling {
  // The reference's photo pipeline (default): when a side exceeds 512, nearest-neighbour
  // resize to exactly 512x512 (aspect not kept). Needed for hashes equal to the reference's.
  kReference,
  // Like kReference, but the 512x512 image is made by averaging each source area instead of
  // picking one pixel: more robust to re-encoding and resizing, different hashes.
  kArea,
  // No pre-resize: the full image is filtered, as the reference's vPDQ does for video frames.
  kNone,
};

struct PdqOptions {
  Resampling resampling = Resampling::kReference;
};

struct PdqResult {
  Hash256 hash;
  int quality = 0;
};

struct PdqDihedralResult {
  std::array<Hash256, kDihedralCount> hashes;  // indexed by Dihedral
  int quality = 0;
};

class PdqHasher {
 public:
  explicit PdqHasher(PdqOptions options = {});

  // Hashes an image. Images with a side under 5 pixels (after resampling) get the all-zero
  // hash and quality 0, as in the reference. kInvalidArgument for a malformed view.
  Result<PdqResult> Hash(const PixelView& image);

  // All eight orientation hashes from one DCT (the reference's dihedral mode).
  Result<PdqDihedralResult> HashDihedral(const PixelView& image);

 private:
  // Fills luma_ (rows x cols) from the image per options_; returns false for a bad view.
  Status PrepareLuma(const PixelView& image, int* rows, int* cols);
  // Filters luma_ and decimates into block64_; returns quality.
  int Downsample(int rows, int cols);

  PdqOptions options_;
  std::vector<float> luma_;
  std::vector<float> scratch_;
  std::vector<float> block64_;  // 64x64
  std::vector<float> dct16_;    // 16x16
};

// Convenience wrappers that use a fresh hasher.
Result<PdqResult> PdqHash(const PixelView& image, PdqOptions options = {});
Result<PdqDihedralResult> PdqHashDihedral(const PixelView& image, PdqOptions options = {});

}  // namespace vigil::hash

#endif  // VIGIL_HASH_PDQ_H_
