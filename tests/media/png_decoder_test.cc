// PNG decoding: channel counts, alpha, palettes, low and high bit depths.
#include <gtest/gtest.h>
#include <png.h>

#include <cmath>

#include "media/media.h"
#include "media/test_encoders.h"

namespace vigil::media {
namespace {

using testing::EncodePng;
using testing::PngSpec;

Image DecodeOk(const std::vector<uint8_t>& bytes) {
  Result<Image> result = DecodeImage(bytes, DecodeLimits{});
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : Image{};
}

PngSpec Spec(int w, int h, int color_type, int depth, std::vector<uint16_t> samples) {
  PngSpec spec;
  spec.width = w;
  spec.height = h;
  spec.color_type = color_type;
  spec.bit_depth = depth;
  spec.samples = std::move(samples);
  return spec;
}

TEST(PngDecoderTest, RgbDecodesExactlyToThreeChannels) {
  const Image image = DecodeOk(
      EncodePng(Spec(2, 2, PNG_COLOR_TYPE_RGB, 8, {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30})));
  EXPECT_EQ(image.width, 2);
  EXPECT_EQ(image.height, 2);
  EXPECT_EQ(image.channels, 3);
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30}));
}

TEST(PngDecoderTest, GreyStaysOneChannel) {
  const Image image = DecodeOk(EncodePng(Spec(3, 1, PNG_COLOR_TYPE_GRAY, 8, {0, 128, 255})));
  EXPECT_EQ(image.channels, 1);
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{0, 128, 255}));
}

TEST(PngDecoderTest, LowBitDepthGreyIsScaledToFullRange) {
  EXPECT_EQ(DecodeOk(EncodePng(Spec(2, 1, PNG_COLOR_TYPE_GRAY, 1, {0, 1}))).pixels,
            (std::vector<uint8_t>{0, 255}));
  EXPECT_EQ(DecodeOk(EncodePng(Spec(4, 1, PNG_COLOR_TYPE_GRAY, 2, {0, 1, 2, 3}))).pixels,
            (std::vector<uint8_t>{0, 85, 170, 255}));
  EXPECT_EQ(DecodeOk(EncodePng(Spec(3, 1, PNG_COLOR_TYPE_GRAY, 4, {0, 7, 15}))).pixels,
            (std::vector<uint8_t>{0, 119, 255}));
}

TEST(PngDecoderTest, GreyAlphaDropsAlphaAndKeepsGrey) {
  const Image image =
      DecodeOk(EncodePng(Spec(2, 1, PNG_COLOR_TYPE_GRAY_ALPHA, 8, {40, 0, 200, 255})));
  EXPECT_EQ(image.channels, 1);
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{40, 200}));
}

TEST(PngDecoderTest, RgbaDropsAlphaAndKeepsColourUnderTransparency) {
  const Image image =
      DecodeOk(EncodePng(Spec(2, 1, PNG_COLOR_TYPE_RGB_ALPHA, 8, {10, 20, 30, 0, 40, 50, 60, 77})));
  EXPECT_EQ(image.channels, 3);
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{10, 20, 30, 40, 50, 60}));
}

TEST(PngDecoderTest, TrnsChunkDoesNotChangeColours) {
  PngSpec spec = Spec(2, 1, PNG_COLOR_TYPE_RGB, 8, {1, 2, 3, 4, 5, 6});
  spec.trns = {0, 1, 0, 2, 0, 3};  // makes the first pixel transparent
  EXPECT_EQ(DecodeOk(EncodePng(spec)).pixels, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));
}

TEST(PngDecoderTest, PaletteIsExpandedAndIndicesPastItTakeEntryZero) {
  for (int depth : {1, 2, 4, 8}) {
    SCOPED_TRACE(depth);
    PngSpec spec = Spec(4, 1, PNG_COLOR_TYPE_PALETTE, depth, {0, 1, 1, 0});
    spec.palette = {{9, 8, 7}, {200, 100, 50}};
    if (depth >= 2) spec.samples = {0, 1, 3, 2};  // 2 and 3 are past the 2-entry palette
    spec.trns = {0};                              // transparency is ignored
    const Image image = DecodeOk(EncodePng(spec));
    EXPECT_EQ(image.channels, 3);
    const std::vector<uint8_t> expected =
        depth == 1 ? std::vector<uint8_t>{9, 8, 7, 200, 100, 50, 200, 100, 50, 9, 8, 7}
                   : std::vector<uint8_t>{9, 8, 7, 200, 100, 50, 9, 8, 7, 9, 8, 7};
    EXPECT_EQ(image.pixels, expected);
  }
}

TEST(PngDecoderTest, SixteenBitSamplesAreRoundedNotTruncated) {
  // 0x12FF / 257 = 18.92 -> 19 (truncation would give 18); 0x0080 = 128 -> 0; 0x0081 -> 1.
  const Image image = DecodeOk(
      EncodePng(Spec(2, 1, PNG_COLOR_TYPE_RGB, 16, {0x12FF, 0x0080, 0x0081, 0xFFFF, 0, 0x8000})));
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{19, 0, 1, 255, 0, 128}));
}

TEST(PngDecoderTest, SixteenBitGreyMatchesImageMagickRoundingForEveryValue) {
  std::vector<uint16_t> all(65536);
  for (uint32_t v = 0; v < all.size(); ++v) all[v] = static_cast<uint16_t>(v);
  const Image image = DecodeOk(EncodePng(Spec(256, 256, PNG_COLOR_TYPE_GRAY, 16, all)));
  ASSERT_EQ(image.pixels.size(), 65536u);
  for (uint32_t q = 0; q < 65536; ++q) {
    // ImageMagick's ScaleQuantumToChar: ((q + 128) - ((q + 128) >> 8)) >> 8.
    ASSERT_EQ(image.pixels[q], ((q + 128) - ((q + 128) >> 8)) >> 8) << q;
  }
}

TEST(PngDecoderTest, SixteenBitGreyAlphaGivesOneChannel) {
  const Image image =
      DecodeOk(EncodePng(Spec(1, 1, PNG_COLOR_TYPE_GRAY_ALPHA, 16, {0x12FF, 0x0000})));
  EXPECT_EQ(image.channels, 1);
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{19}));
}

TEST(PngDecoderTest, InterlacedDecodesLikeSequential) {
  std::vector<uint16_t> samples;
  for (int i = 0; i < 13 * 11 * 3; ++i) samples.push_back(static_cast<uint16_t>((i * 37) % 256));
  PngSpec spec = Spec(13, 11, PNG_COLOR_TYPE_RGB, 8, samples);
  const Image sequential = DecodeOk(EncodePng(spec));
  spec.interlaced = true;
  const Image interlaced = DecodeOk(EncodePng(spec));
  EXPECT_EQ(interlaced.pixels, sequential.pixels);
  EXPECT_EQ(sequential.pixels, std::vector<uint8_t>(samples.begin(), samples.end()));
}

TEST(PngDecoderTest, MissingPaletteIsAnError) {
  PngSpec spec = Spec(1, 1, PNG_COLOR_TYPE_PALETTE, 8, {0});
  spec.palette = {{1, 2, 3}};
  std::vector<uint8_t> bytes = EncodePng(spec);
  // Rename PLTE to an unknown ancillary chunk ("pLTE" is ancillary: lower-case first letter).
  for (size_t i = 0; i + 4 < bytes.size(); ++i) {
    if (std::equal(bytes.begin() + i, bytes.begin() + i + 4, "PLTE")) bytes[i] = 'p';
  }
  const Result<Image> result = DecodeImage(bytes, DecodeLimits{});
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::media
