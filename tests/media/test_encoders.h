// Test-only encoders: build small images with known pixels in memory, using the same codec
// libraries media decodes with (or, for BMP, raw bytes). Each returns the encoded file; a
// failure inside a codec is a broken test, reported with ADD_FAILURE and an empty result.
#ifndef VIGIL_TESTS_MEDIA_TEST_ENCODERS_H_
#define VIGIL_TESTS_MEDIA_TEST_ENCODERS_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vigil::media::testing {

using Bytes = std::vector<uint8_t>;
using Rgb = std::array<uint8_t, 3>;

// PNG. `samples` holds rows of samples in PNG order (16-bit values for bit_depth 16, one
// value per sample for depths below 8; this helper packs them).
struct PngSpec {
  int width = 0;
  int height = 0;
  int color_type = 0;  // PNG_COLOR_TYPE_*
  int bit_depth = 8;
  bool interlaced = false;
  std::vector<uint16_t> samples;
  std::vector<Rgb> palette;
  std::vector<uint8_t> trns;  // raw tRNS chunk payload, if non-empty
};
Bytes EncodePng(const PngSpec& spec);

// JPEG. `components` 1 (grey), 3 (RGB) or 4 (CMYK as stored, i.e. Adobe-inverted).
// `jpeg_color_space` picks the stored space: JCS_YCbCr, JCS_RGB, JCS_CMYK or JCS_YCCK.
struct JpegSpec {
  int width = 0;
  int height = 0;
  int components = 3;
  int jpeg_color_space = 0;  // J_COLOR_SPACE; 0 = libjpeg's default for `components`
  int quality = 90;
  bool progressive = false;
  std::vector<uint8_t> samples;
};
Bytes EncodeJpeg(const JpegSpec& spec);

// GIF: one or more frames sharing an optional global colour table.
struct GifFrame {
  int left = 0, top = 0, width = 0, height = 0;
  bool interlaced = false;
  std::vector<uint8_t> indices;    // row-major, width * height
  std::vector<Rgb> local_palette;  // power-of-two size, or empty for the global table
  int transparent_index = -1;
};
Bytes EncodeGif(int screen_width, int screen_height, const std::vector<Rgb>& global_palette,
                const std::vector<GifFrame>& frames);

// WebP, still: lossless keeps RGB under transparent alpha exactly (libwebp's "exact" mode).
Bytes EncodeWebpLossless(int width, int height, std::span<const uint8_t> rgba);
Bytes EncodeWebpLossy(int width, int height, std::span<const uint8_t> rgb, int quality);
// An animation whose first frame is `frame` (rgba, lossless) at an even offset on the canvas,
// followed by a second full-canvas frame.
Bytes EncodeWebpAnimation(int canvas_width, int canvas_height, int x_offset, int y_offset,
                          int frame_width, int frame_height, std::span<const uint8_t> frame);

// TIFF written through libtiff. `strips` or `tile_size` choose the layout; samples are given
// already packed as libtiff expects them for one strip/tile row (native-endian 16-bit).
struct TiffSpec {
  int width = 0;
  int height = 0;
  int photometric = 2;  // PHOTOMETRIC_*
  int bits = 8;
  int samples_per_pixel = 3;
  bool planar = false;
  int compression = 1;                  // COMPRESSION_*
  int sample_format = 1;                // SAMPLEFORMAT_*
  int rows_per_strip = 0;               // 0: whole image in one strip
  int tile_size = 0;                    // > 0: square tiles of this size (multiple of 16)
  std::vector<uint16_t> extra_samples;  // EXTRASAMPLE_* for each extra sample
  std::vector<uint16_t> colormap;       // 3 * 2^bits entries (red, then green, then blue)
  std::vector<uint8_t> data;            // whole image, packed rows, contiguous or plane by plane
};
Bytes EncodeTiff(const TiffSpec& spec);

// BMP assembled by hand: 14-byte file header, a DIB header of `dib_size` bytes (12 or >= 40),
// optional masks and palette, then `pixel_data` exactly as given.
struct BmpSpec {
  int32_t width = 0;
  int32_t height = 0;  // negative: top-down
  uint16_t bits_per_pixel = 24;
  uint32_t compression = 0;
  uint32_t dib_size = 40;
  uint32_t colors_used = 0;
  std::vector<Rgb> palette;
  std::array<uint32_t, 3> masks = {0, 0, 0};  // written when compression is BI_BITFIELDS
  std::vector<uint8_t> pixel_data;
};
Bytes BuildBmp(const BmpSpec& spec);

// HEIF (HEVC) or AVIF (AV1) via libheif's encoders; empty when this libheif has no encoder
// for the format (callers skip then).
Bytes EncodeHeif(int width, int height, std::span<const uint8_t> rgb, bool avif);

// 64-bit FNV-1a, for compact pixel checksums in tests.
uint64_t Fnv1a64(std::span<const uint8_t> bytes);

// Reads a whole file; empty if it cannot be read.
Bytes ReadFile(const std::string& path);

}  // namespace vigil::media::testing

#endif  // VIGIL_TESTS_MEDIA_TEST_ENCODERS_H_
