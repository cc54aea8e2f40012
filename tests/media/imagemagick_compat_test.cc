// The ImageMagick 6 sample arithmetic that media reproduces (imagemagick_compat.h), checked
// against values worked out by hand from the formulas in ImageMagick's source.
#include "media/imagemagick_compat.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>

namespace vigil::media::internal {
namespace {

TEST(QuantumToCharTest, RoundsToNearestEighthBitValue) {
  // round(q / 257): 128 / 257 = 0.498 -> 0, 129 / 257 = 0.502 -> 1.
  EXPECT_EQ(QuantumToChar(0), 0);
  EXPECT_EQ(QuantumToChar(128), 0);
  EXPECT_EQ(QuantumToChar(129), 1);
  EXPECT_EQ(QuantumToChar(385), 1);  // 1.498
  EXPECT_EQ(QuantumToChar(386), 2);  // 1.502
  EXPECT_EQ(QuantumToChar(65535), 255);
  // 0x12FF = 4863 = 18.92 * 257: rounding gives 19 where truncation (q >> 8, what the PDQ
  // reference's CImg does with 16-bit PNM) gives 18.
  EXPECT_EQ(QuantumToChar(0x12FF), 19);
}

TEST(QuantumToCharTest, EqualsRoundedDivisionFor65536Inputs) {
  for (uint32_t q = 0; q <= 65535; ++q) {
    ASSERT_EQ(QuantumToChar(q), static_cast<uint8_t>(std::floor(q / 257.0 + 0.5))) << q;
  }
}

TEST(QuantumToCharTest, InvertsCharToQuantum) {
  for (int v = 0; v <= 255; ++v) {
    EXPECT_EQ(QuantumToChar(CharToQuantum(static_cast<uint8_t>(v))), v);
  }
}

TEST(ClampToQuantumTest, SaturatesAndRoundsHalfUp) {
  EXPECT_EQ(ClampToQuantum(-1.0), 0);
  EXPECT_EQ(ClampToQuantum(std::nan("")), 0);
  EXPECT_EQ(ClampToQuantum(0.49), 0);
  EXPECT_EQ(ClampToQuantum(0.5), 1);
  EXPECT_EQ(ClampToQuantum(65534.6), 65535);
  EXPECT_EQ(ClampToQuantum(1e9), 65535);
}

TEST(AnyToQuantumTest, ScalesLowBitDepthsToMultiplesOf257) {
  EXPECT_EQ(AnyToQuantum(1, 1), 65535);
  EXPECT_EQ(AnyToQuantum(1, 3), 21845);   // 85 * 257
  EXPECT_EQ(AnyToQuantum(2, 3), 43690);   // 170 * 257
  EXPECT_EQ(AnyToQuantum(7, 15), 30583);  // 119 * 257
  EXPECT_EQ(AnyToQuantum(9, 3), 65535);   // out of range saturates
}

// JPEG stores Adobe CMYK inverted; ImageMagick keeps ink = 65535 - 257 * sample, then
// red = 65535 - (ink / 65535 * (65535 - black) + black). For samples (200, black 230):
// ink = 14135, black = 6425, red = 65535 - (12749.27 + 6425) = 46360.73 -> 46361 -> 180.
TEST(CmykChannelToCharTest, MatchesHandComputedValues) {
  auto from_jpeg_samples = [](uint8_t ink_sample, uint8_t black_sample) {
    return CmykChannelToChar(static_cast<uint16_t>(65535 - CharToQuantum(ink_sample)),
                             static_cast<uint16_t>(65535 - CharToQuantum(black_sample)));
  };
  EXPECT_EQ(from_jpeg_samples(200, 230), 180);
  EXPECT_EQ(from_jpeg_samples(100, 230), 90);
  EXPECT_EQ(from_jpeg_samples(50, 230), 45);
  EXPECT_EQ(from_jpeg_samples(128, 128), 64);
  EXPECT_EQ(from_jpeg_samples(255, 255), 255);  // no ink: white
  EXPECT_EQ(from_jpeg_samples(255, 0), 0);      // full black
  EXPECT_EQ(from_jpeg_samples(0, 255), 0);      // full ink
}

// ImageMagick's YCbCr is full range centred on 0.5, so Cb = Cr = 128 (0.50196) is slightly
// off-neutral: (128, 128, 128) comes out as (129, 127, 129), not grey. We reproduce that.
TEST(YCbCrToRgbTest, MatchesHandComputedValues) {
  auto convert = [](uint8_t y, uint8_t cb, uint8_t cr) {
    std::array<uint8_t, 3> rgb;
    YCbCrToRgb(CharToQuantum(y), CharToQuantum(cb), CharToQuantum(cr), rgb.data());
    return rgb;
  };
  EXPECT_EQ(convert(128, 128, 128), (std::array<uint8_t, 3>{129, 127, 129}));
  EXPECT_EQ(convert(0, 128, 128), (std::array<uint8_t, 3>{1, 0, 1}));
  EXPECT_EQ(convert(255, 128, 128), (std::array<uint8_t, 3>{255, 254, 255}));
  EXPECT_EQ(convert(100, 50, 200), (std::array<uint8_t, 3>{202, 75, 0}));
  EXPECT_EQ(convert(76, 85, 255), (std::array<uint8_t, 3>{255, 0, 1}));
}

}  // namespace
}  // namespace vigil::media::internal
