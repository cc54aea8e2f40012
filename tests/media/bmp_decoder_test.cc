// BMP decoding: every supported bit depth, row order, RLE, and ImageMagick's bit-field rules.
#include <gtest/gtest.h>

#include "media/media.h"
#include "media/test_encoders.h"

namespace vigil::media {
namespace {

using testing::BmpSpec;
using testing::BuildBmp;
using testing::Rgb;

Image DecodeOk(const std::vector<uint8_t>& bytes) {
  Result<Image> result = DecodeImage(bytes, DecodeLimits{});
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : Image{};
}

BmpSpec Spec(int32_t w, int32_t h, uint16_t bpp, std::vector<uint8_t> data) {
  BmpSpec spec;
  spec.width = w;
  spec.height = h;
  spec.bits_per_pixel = bpp;
  spec.pixel_data = std::move(data);
  return spec;
}

TEST(BmpDecoderTest, TwentyFourBitBottomUpRowsAreFlipped) {
  // Rows are stored bottom row first, BGR, each padded to 4 bytes (2 px * 3 = 6 -> 8).
  const Image image = DecodeOk(BuildBmp(Spec(2, 2, 24,
                                             {3, 2, 1, 6, 5, 4, 0, 0,  //
                                              9, 8, 7, 12, 11, 10, 0, 0})));
  EXPECT_EQ(image.channels, 3);
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6}));
}

TEST(BmpDecoderTest, NegativeHeightMeansTopDown) {
  const Image image = DecodeOk(BuildBmp(Spec(1, -2, 24, {3, 2, 1, 0, 6, 5, 4, 0})));
  EXPECT_EQ(image.height, 2);
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));
}

TEST(BmpDecoderTest, ThirtyTwoBitIgnoresTheFourthByte) {
  const Image image = DecodeOk(BuildBmp(Spec(2, 1, 32, {30, 20, 10, 0, 60, 50, 40, 255})));
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{10, 20, 30, 40, 50, 60}));
}

// 16-bit values widened as ImageMagick does: a 5-bit field is placed at the top of 16 bits,
// its top 3 bits copied below it, the high byte copied into the low byte, then rounded to
// 8 bits. r = 16 gives 0x8484 -> 132 (plain v * 255 / 31 would give 131).
TEST(BmpDecoderTest, SixteenBitRgb555UsesImageMagicksBitReplication) {
  const Image image =
      DecodeOk(BuildBmp(Spec(4, 1, 16, {0x00, 0x7C, 0x10, 0x42, 0x01, 0x00, 0x08, 0x21})));
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{255, 0, 0, 132, 132, 132, 0, 0, 8, 66, 66, 66}));
}

TEST(BmpDecoderTest, BitFieldsRgb565AndTenBitChannels) {
  BmpSpec rgb565 = Spec(3, 1, 16, {0x20, 0x00, 0x10, 0x84, 0x41, 0x08, 0, 0});
  rgb565.compression = 3;
  rgb565.masks = {0xF800, 0x07E0, 0x001F};
  EXPECT_EQ(DecodeOk(BuildBmp(rgb565)).pixels,
            (std::vector<uint8_t>{0, 4, 0, 132, 130, 132, 8, 8, 8}));

  // 10-bit fields are not widened: their top 16 bits are rounded. 1023 -> 255, 512 -> 128,
  // 300 -> 75.
  const uint32_t pixel = (1023u << 20) | (512u << 10) | 300u;
  BmpSpec ten_bit = Spec(1, 1, 32,
                         {static_cast<uint8_t>(pixel), static_cast<uint8_t>(pixel >> 8),
                          static_cast<uint8_t>(pixel >> 16), static_cast<uint8_t>(pixel >> 24)});
  ten_bit.compression = 3;
  ten_bit.dib_size = 108;
  ten_bit.masks = {0x3FF00000, 0x000FFC00, 0x000003FF};
  EXPECT_EQ(DecodeOk(BuildBmp(ten_bit)).pixels, (std::vector<uint8_t>{255, 128, 75}));
}

TEST(BmpDecoderTest, PalettedDepthsExpandAndOutOfRangeIndicesTakeEntryZero) {
  const std::vector<Rgb> palette = {{10, 11, 12}, {20, 21, 22}, {30, 31, 32}};
  BmpSpec one_bit = Spec(3, 1, 1, {0b01000000, 0, 0, 0});
  one_bit.palette = {palette[0], palette[1]};
  EXPECT_EQ(DecodeOk(BuildBmp(one_bit)).pixels,
            (std::vector<uint8_t>{10, 11, 12, 20, 21, 22, 10, 11, 12}));

  BmpSpec four_bit = Spec(3, 1, 4, {0x29, 0x10, 0, 0});  // indices 2, 9 (past 3 colours), 1
  four_bit.palette = palette;
  four_bit.colors_used = 3;
  EXPECT_EQ(DecodeOk(BuildBmp(four_bit)).pixels,
            (std::vector<uint8_t>{30, 31, 32, 10, 11, 12, 20, 21, 22}));

  BmpSpec eight_bit = Spec(2, 1, 8, {2, 200, 0, 0});
  eight_bit.palette = palette;
  eight_bit.colors_used = 3;
  EXPECT_EQ(DecodeOk(BuildBmp(eight_bit)).pixels, (std::vector<uint8_t>{30, 31, 32, 10, 11, 12}));
}

TEST(BmpDecoderTest, Os2HeaderWithThreeBytePalette) {
  BmpSpec spec = Spec(2, 1, 8, {1, 0, 0, 0});
  spec.dib_size = 12;
  spec.palette = {{1, 2, 3}, {4, 5, 6}};
  spec.palette.resize(256, {0, 0, 0});  // OS/2 1.x has no colour count: 2^bpp entries
  EXPECT_EQ(DecodeOk(BuildBmp(spec)).pixels, (std::vector<uint8_t>{4, 5, 6, 1, 2, 3}));
}

TEST(BmpDecoderTest, Rle8WithLiteralsRunsDeltaAndEarlyEnd) {
  // 4x3, rows in file order (bottom first). Bottom row: literal [1, 2, 3] (odd, so one pad
  // byte), run of 1 x index 1, end of line. Delta (+1, +1) skips the middle row to x = 1 of
  // the top row; run of 2 x index 3; end of bitmap. Untouched pixels keep index 0.
  BmpSpec spec = Spec(4, 3, 8, {0, 3, 1, 2, 3, 0, 1, 1, 0, 0, 0, 2, 1, 1, 2, 3, 0, 1});
  spec.compression = 1;
  spec.palette = {{0, 0, 0}, {100, 0, 0}, {0, 100, 0}, {0, 0, 100}};
  spec.colors_used = 4;
  const Image image = DecodeOk(BuildBmp(spec));
  const std::vector<uint8_t> k = {0, 0, 0}, r = {100, 0, 0}, g = {0, 100, 0}, b = {0, 0, 100};
  std::vector<uint8_t> expected;
  for (const auto* c : {&k, &b, &b, &k,     // top row
                        &k, &k, &k, &k,     // middle row, skipped by the delta
                        &r, &g, &b, &r}) {  // bottom row
    expected.insert(expected.end(), c->begin(), c->end());
  }
  EXPECT_EQ(image.pixels, expected);
}

TEST(BmpDecoderTest, Rle4PacksTwoIndicesPerByte) {
  // 6x1: run of 3 alternating nibbles 1, 2; literal of 3 nibbles [3, 1, 2]; end of bitmap.
  BmpSpec spec = Spec(6, 1, 4, {3, 0x12, 0, 3, 0x31, 0x20, 0, 1});
  spec.compression = 2;
  spec.palette = {{0, 0, 0}, {100, 0, 0}, {0, 100, 0}, {0, 0, 100}};
  spec.colors_used = 4;
  EXPECT_EQ(
      DecodeOk(BuildBmp(spec)).pixels,
      (std::vector<uint8_t>{100, 0, 0, 0, 100, 0, 100, 0, 0, 0, 0, 100, 100, 0, 0, 0, 100, 0}));
}

TEST(BmpDecoderTest, RleThatStopsBeforeTheLastRowIsAnError) {
  BmpSpec spec = Spec(2, 3, 8, {2, 1, 0, 0});  // one row, then the data just ends
  spec.compression = 1;
  spec.palette = {{0, 0, 0}, {1, 1, 1}};
  spec.colors_used = 2;
  EXPECT_EQ(DecodeImage(BuildBmp(spec), DecodeLimits{}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(BmpDecoderTest, EmbeddedJpegOrPngIsUnimplemented) {
  for (uint32_t compression : {4u, 5u}) {
    BmpSpec spec = Spec(1, 1, 24, {1, 2, 3, 0});
    spec.compression = compression;
    EXPECT_EQ(DecodeImage(BuildBmp(spec), DecodeLimits{}).status().code(),
              StatusCode::kUnimplemented);
  }
}

TEST(BmpDecoderTest, InvalidHeadersAreRejected) {
  BmpSpec bad_bpp = Spec(1, 1, 7, {0, 0, 0, 0});
  EXPECT_EQ(DecodeImage(BuildBmp(bad_bpp), DecodeLimits{}).status().code(),
            StatusCode::kInvalidArgument);
  BmpSpec zero_width = Spec(0, 1, 24, {0, 0, 0, 0});
  EXPECT_EQ(DecodeImage(BuildBmp(zero_width), DecodeLimits{}).status().code(),
            StatusCode::kInvalidArgument);
  BmpSpec rle_mismatch = Spec(1, 1, 24, {0, 0, 0, 0});
  rle_mismatch.compression = 1;  // RLE8 needs 8 bits per pixel
  EXPECT_EQ(DecodeImage(BuildBmp(rle_mismatch), DecodeLimits{}).status().code(),
            StatusCode::kInvalidArgument);
  BmpSpec too_many_colours = Spec(1, 1, 1, {0, 0, 0, 0});
  too_many_colours.colors_used = 3;
  too_many_colours.palette = {{0, 0, 0}, {1, 1, 1}, {2, 2, 2}};
  EXPECT_EQ(DecodeImage(BuildBmp(too_many_colours), DecodeLimits{}).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::media
