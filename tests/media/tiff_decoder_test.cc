// TIFF decoding: photometrics, bit depths, layouts, alpha, and ImageMagick's quirks.
#include <gtest/gtest.h>
#include <tiffio.h>

#include <cstring>

#include "media/media.h"
#include "media/test_encoders.h"

namespace vigil::media {
namespace {

using testing::EncodeTiff;
using testing::TiffSpec;

Image DecodeOk(const std::vector<uint8_t>& bytes) {
  Result<Image> result = DecodeImage(bytes, DecodeLimits{});
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : Image{};
}

TiffSpec Spec(int w, int h, int photometric, int bits, int spp, std::vector<uint8_t> data) {
  TiffSpec spec;
  spec.width = w;
  spec.height = h;
  spec.photometric = photometric;
  spec.bits = bits;
  spec.samples_per_pixel = spp;
  spec.data = std::move(data);
  return spec;
}

std::vector<uint8_t> Native16(std::initializer_list<uint16_t> values) {
  std::vector<uint8_t> out(values.size() * 2);
  std::memcpy(out.data(), std::data(values), out.size());
  return out;
}

std::vector<uint8_t> Ramp(size_t n) {
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(i * 7 + 3);
  return out;
}

TEST(TiffDecoderTest, RgbStripsDecodeExactly) {
  for (int compression :
       {COMPRESSION_NONE, COMPRESSION_LZW, COMPRESSION_ADOBE_DEFLATE, COMPRESSION_PACKBITS}) {
    SCOPED_TRACE(compression);
    TiffSpec spec = Spec(5, 7, PHOTOMETRIC_RGB, 8, 3, Ramp(5 * 7 * 3));
    spec.compression = compression;
    spec.rows_per_strip = 2;
    const Image image = DecodeOk(EncodeTiff(spec));
    EXPECT_EQ(image.width, 5);
    EXPECT_EQ(image.height, 7);
    EXPECT_EQ(image.channels, 3);
    EXPECT_EQ(image.pixels, spec.data);
  }
}

TEST(TiffDecoderTest, GreyGivesOneChannelAndMinIsWhiteIsInverted) {
  const Image black_is_zero =
      DecodeOk(EncodeTiff(Spec(3, 1, PHOTOMETRIC_MINISBLACK, 8, 1, {0, 100, 255})));
  EXPECT_EQ(black_is_zero.channels, 1);
  EXPECT_EQ(black_is_zero.pixels, (std::vector<uint8_t>{0, 100, 255}));
  EXPECT_EQ(DecodeOk(EncodeTiff(Spec(3, 1, PHOTOMETRIC_MINISWHITE, 8, 1, {0, 100, 255}))).pixels,
            (std::vector<uint8_t>{255, 155, 0}));
  // 1-bit: 0 is white when MinIsWhite.
  EXPECT_EQ(DecodeOk(EncodeTiff(Spec(3, 1, PHOTOMETRIC_MINISWHITE, 1, 1, {0b01000000}))).pixels,
            (std::vector<uint8_t>{255, 0, 255}));
}

// ImageMagick 6 ignores MinIsWhite for 2- and 4-bit grey (its import only inverts 1, 8 and
// 16 bits); we reproduce that so such files hash like the reference.
TEST(TiffDecoderTest, FourBitMinIsWhiteIsNotInvertedLikeImageMagick) {
  EXPECT_EQ(DecodeOk(EncodeTiff(Spec(3, 1, PHOTOMETRIC_MINISWHITE, 4, 1, {0x07, 0xF0}))).pixels,
            (std::vector<uint8_t>{0, 119, 255}));
  EXPECT_EQ(DecodeOk(EncodeTiff(Spec(4, 1, PHOTOMETRIC_MINISBLACK, 2, 1, {0b00011011}))).pixels,
            (std::vector<uint8_t>{0, 85, 170, 255}));
}

TEST(TiffDecoderTest, SixteenBitSamplesAreRounded) {
  const Image image = DecodeOk(EncodeTiff(
      Spec(2, 1, PHOTOMETRIC_RGB, 16, 3, Native16({0x12FF, 0x0080, 0x0081, 65535, 0, 0x8000}))));
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{19, 0, 1, 255, 0, 128}));
}

TEST(TiffDecoderTest, PaletteUsesImageMagicksColormapScaling) {
  // A colormap whose entries are all below 256 is taken as 8-bit (ImageMagick's "old style").
  TiffSpec old_style = Spec(2, 1, PHOTOMETRIC_PALETTE, 8, 1, {1, 0});
  old_style.colormap.assign(3 * 256, 0);
  old_style.colormap[1] = 200;        // red[1]
  old_style.colormap[256 + 1] = 100;  // green[1]
  old_style.colormap[512 + 0] = 255;  // blue[0]
  EXPECT_EQ(DecodeOk(EncodeTiff(old_style)).pixels, (std::vector<uint8_t>{200, 100, 0, 0, 0, 255}));
  // Otherwise entries are 16-bit and rounded: 0x12FF -> 19.
  TiffSpec wide = old_style;
  wide.colormap[1] = 0x12FF;
  EXPECT_EQ(DecodeOk(EncodeTiff(wide)).pixels, (std::vector<uint8_t>{19, 0, 0, 0, 0, 1}));
}

TEST(TiffDecoderTest, PlanarAndTiledLayoutsDecodeLikeContiguousStrips) {
  const std::vector<uint8_t> pixels = Ramp(20 * 18 * 3);
  std::vector<uint8_t> planes(pixels.size());
  for (size_t i = 0; i < pixels.size(); ++i) planes[(i % 3) * 20 * 18 + i / 3] = pixels[i];

  TiffSpec planar = Spec(20, 18, PHOTOMETRIC_RGB, 8, 3, planes);
  planar.planar = true;
  planar.rows_per_strip = 5;
  EXPECT_EQ(DecodeOk(EncodeTiff(planar)).pixels, pixels);

  TiffSpec tiled = Spec(20, 18, PHOTOMETRIC_RGB, 8, 3, pixels);  // 16x16 tiles, ragged edges
  tiled.tile_size = 16;
  EXPECT_EQ(DecodeOk(EncodeTiff(tiled)).pixels, pixels);

  TiffSpec tiled_planar = planar;
  tiled_planar.tile_size = 16;
  EXPECT_EQ(DecodeOk(EncodeTiff(tiled_planar)).pixels, pixels);
}

// CMYK samples are ink amounts (not inverted as in JPEG); ImageMagick's conversion of
// (55, 155, 205, black 25) gives (180, 90, 45), as worked in imagemagick_compat_test.cc.
TEST(TiffDecoderTest, CmykIsConvertedLikeImageMagick) {
  const Image image = DecodeOk(
      EncodeTiff(Spec(2, 1, PHOTOMETRIC_SEPARATED, 8, 4, {55, 155, 205, 25, 255, 0, 0, 0})));
  EXPECT_EQ(image.channels, 3);
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{180, 90, 45, 0, 255, 255}));
}

TEST(TiffDecoderTest, AlphaIsDroppedAndAssociatedAlphaIsDividedOut) {
  TiffSpec unassociated = Spec(2, 1, PHOTOMETRIC_RGB, 8, 4, {100, 50, 0, 128, 7, 8, 9, 0});
  unassociated.extra_samples = {EXTRASAMPLE_UNASSALPHA};
  EXPECT_EQ(DecodeOk(EncodeTiff(unassociated)).pixels, (std::vector<uint8_t>{100, 50, 0, 7, 8, 9}));
  // Premultiplied: ImageMagick divides by alpha (128 / 255), saturating; alpha 0 leaves 0
  // at 0 and pushes anything else to 255.
  TiffSpec associated = unassociated;
  associated.extra_samples = {EXTRASAMPLE_ASSOCALPHA};
  associated.data = {100, 50, 0, 128, 0, 1, 0, 0};
  EXPECT_EQ(DecodeOk(EncodeTiff(associated)).pixels,
            (std::vector<uint8_t>{199, 100, 0, 0, 255, 0}));
}

TEST(TiffDecoderTest, GreyWithAlphaGivesOneChannel) {
  TiffSpec spec = Spec(2, 1, PHOTOMETRIC_MINISBLACK, 8, 2, {40, 255, 90, 0});
  spec.extra_samples = {EXTRASAMPLE_UNASSALPHA};
  const Image image = DecodeOk(EncodeTiff(spec));
  EXPECT_EQ(image.channels, 1);
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{40, 90}));
}

TEST(TiffDecoderTest, JpegCompressedTiffDecodesThroughTheRgbaInterface) {
  std::vector<uint8_t> flat;
  for (int i = 0; i < 16 * 16; ++i) flat.insert(flat.end(), {30, 160, 90});
  TiffSpec spec = Spec(16, 16, PHOTOMETRIC_RGB, 8, 3, flat);
  spec.compression = COMPRESSION_JPEG;
  const Image image = DecodeOk(EncodeTiff(spec));
  EXPECT_EQ(image.channels, 3);
  for (size_t i = 0; i < image.pixels.size(); ++i) EXPECT_NEAR(image.pixels[i], flat[i], 2);
}

TEST(TiffDecoderTest, FloatAndThirtyTwoBitSamplesAreUnimplemented) {
  std::vector<uint8_t> data(4 * 3);
  const float one = 1.0f;
  for (size_t i = 0; i < data.size(); i += 4) std::memcpy(&data[i], &one, 4);
  TiffSpec spec = Spec(1, 1, PHOTOMETRIC_RGB, 32, 3, data);
  spec.sample_format = SAMPLEFORMAT_IEEEFP;
  EXPECT_EQ(DecodeImage(EncodeTiff(spec), DecodeLimits{}).status().code(),
            StatusCode::kUnimplemented);
  spec.sample_format = SAMPLEFORMAT_UINT;
  EXPECT_EQ(DecodeImage(EncodeTiff(spec), DecodeLimits{}).status().code(),
            StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace vigil::media
