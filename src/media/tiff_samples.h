// Private to `media`: turning decoded TIFF strip/tile rows into 8-bit pixels the way
// ImageMagick 6's ImportQuantumPixels (magick/quantum-import.c) and its PNM writer do. Kept
// apart from tiff_decoder.cc so the sample arithmetic is testable without libtiff.
//
// Thread safety: pure functions over caller-owned buffers.
#ifndef VIGIL_MEDIA_TIFF_SAMPLES_H_
#define VIGIL_MEDIA_TIFF_SAMPLES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vigil::media::internal {

// How the samples of one decoded row are laid out and what they mean.
struct TiffSampleLayout {
  enum class Color { kGrey, kPalette, kRgb, kCmyk, kYCbCr };
  Color color = Color::kGrey;
  int bits = 8;               // bits per sample: 1, 2, 4 or 8 (grey, palette), or 16
  int samples_per_pixel = 1;  // samples per pixel in a contiguous row
  bool planar = false;        // one plane per sample (PLANARCONFIG_SEPARATE)
  // MinIsWhite inversion as ImageMagick 6 applies it: only to 1-, 8- and 16-bit grey without
  // alpha. (Its 2- and 4-bit grey import ignores MinIsWhite; we copy that.)
  bool invert = false;
  int alpha_sample = -1;          // index of the alpha sample, or -1
  bool associated_alpha = false;  // premultiplied: ImageMagick divides colour by alpha
  std::vector<std::array<uint16_t, 3>> colormap;  // palette as 16-bit quanta

  int OutputChannels() const { return color == Color::kGrey ? 1 : 3; }
};

// Converts `count` pixels starting at each row pointer into `out` (count * OutputChannels()
// bytes). Contiguous layouts pass one pointer; planar layouts pass one per sample, and
// every pointer must cover `count` samples of `bits` bits. Rows start on a byte boundary.
void ImportTiffPixels(const TiffSampleLayout& layout, std::span<const uint8_t* const> rows,
                      size_t count, uint8_t* out);

// ImageMagick's colormap for a TIFF palette: 16-bit TIFF entries, except that a map whose
// entries are all below 256 is taken as an old-style 8-bit map and scaled up.
std::vector<std::array<uint16_t, 3>> TiffColormap(std::span<const uint16_t> red,
                                                  std::span<const uint16_t> green,
                                                  std::span<const uint16_t> blue);

}  // namespace vigil::media::internal

#endif  // VIGIL_MEDIA_TIFF_SAMPLES_H_
