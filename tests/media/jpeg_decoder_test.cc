// JPEG decoding: colour spaces, CMYK conversion, truncation.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

// clang-format off
#include <jpeglib.h>
// clang-format on

#include "media/media.h"
#include "media/test_encoders.h"

namespace vigil::media {
namespace {

using testing::EncodeJpeg;
using testing::JpegSpec;

Result<Image> Decode(const std::vector<uint8_t>& bytes) {
  return DecodeImage(bytes, DecodeLimits{});
}

JpegSpec Flat(int w, int h, std::vector<uint8_t> pixel, int components) {
  JpegSpec spec;
  spec.width = w;
  spec.height = h;
  spec.components = components;
  spec.quality = 100;
  for (int i = 0; i < w * h; ++i)
    spec.samples.insert(spec.samples.end(), pixel.begin(), pixel.end());
  return spec;
}

// A smooth, non-flat test picture, so lossy coding and upsampling have something to do.
JpegSpec Gradient(int w, int h) {
  JpegSpec spec;
  spec.width = w;
  spec.height = h;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      spec.samples.push_back(static_cast<uint8_t>(x * 255 / w));
      spec.samples.push_back(static_cast<uint8_t>(y * 255 / h));
      spec.samples.push_back(static_cast<uint8_t>((x + y) * 127 / (w + h)));
    }
  }
  return spec;
}

TEST(JpegDecoderTest, ColourJpegGivesThreeChannelsOfTheEncodedColour) {
  const Result<Image> image = Decode(EncodeJpeg(Flat(16, 8, {200, 40, 90}, 3)));
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->width, 16);
  EXPECT_EQ(image->height, 8);
  EXPECT_EQ(image->channels, 3);
  // YCbCr round trip of a flat colour at quality 100 is within one step.
  for (size_t i = 0; i < image->pixels.size(); i += 3) {
    EXPECT_NEAR(image->pixels[i], 200, 1);
    EXPECT_NEAR(image->pixels[i + 1], 40, 1);
    EXPECT_NEAR(image->pixels[i + 2], 90, 1);
  }
}

TEST(JpegDecoderTest, GreyJpegGivesOneChannelExactly) {
  const Result<Image> image = Decode(EncodeJpeg(Flat(9, 7, {77}, 1)));
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->channels, 1);
  EXPECT_EQ(image->pixels, std::vector<uint8_t>(9 * 7, 77));
}

// CMYK samples as stored in Adobe files (inverted); the expected RGB is ImageMagick's
// conversion worked by hand (see imagemagick_compat_test.cc): (200, 100, 50, black 230)
// gives (180, 90, 45); (128, 128, 128, 128) gives 64.
TEST(JpegDecoderTest, CmykIsConvertedLikeImageMagick) {
  for (int space : {JCS_CMYK, JCS_YCCK}) {
    SCOPED_TRACE(space);
    JpegSpec spec = Flat(8, 8, {200, 100, 50, 230}, 4);
    spec.jpeg_color_space = space;
    const Result<Image> image = Decode(EncodeJpeg(spec));
    ASSERT_TRUE(image.ok()) << image.status().ToString();
    EXPECT_EQ(image->channels, 3);
    if (space == JCS_CMYK) {  // no colour transform: samples survive quality 100 exactly
      for (size_t i = 0; i < image->pixels.size(); i += 3) {
        EXPECT_EQ(image->pixels[i], 180);
        EXPECT_EQ(image->pixels[i + 1], 90);
        EXPECT_EQ(image->pixels[i + 2], 45);
      }
    } else {
      EXPECT_NEAR(image->pixels[0], 180, 2);
      EXPECT_NEAR(image->pixels[1], 90, 2);
      EXPECT_NEAR(image->pixels[2], 45, 2);
    }
  }
  JpegSpec grey_ink = Flat(8, 8, {128, 128, 128, 128}, 4);
  grey_ink.jpeg_color_space = JCS_CMYK;
  const Result<Image> image = Decode(EncodeJpeg(grey_ink));
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->pixels, std::vector<uint8_t>(8 * 8 * 3, 64));
}

TEST(JpegDecoderTest, RgbStoredJpegDecodes) {
  JpegSpec spec = Flat(8, 8, {10, 220, 30}, 3);
  spec.jpeg_color_space = JCS_RGB;  // Adobe transform 0: no YCbCr step at all
  const Result<Image> image = Decode(EncodeJpeg(spec));
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->pixels, spec.samples);
}

TEST(JpegDecoderTest, ProgressiveDecodesToTheSameSizeAndCloseToBaseline) {
  JpegSpec spec = Gradient(40, 24);
  const Result<Image> baseline = Decode(EncodeJpeg(spec));
  spec.progressive = true;
  const Result<Image> progressive = Decode(EncodeJpeg(spec));
  ASSERT_TRUE(baseline.ok() && progressive.ok());
  EXPECT_EQ(progressive->width, 40);
  EXPECT_EQ(progressive->height, 24);
  // Same quantised coefficients, different entropy coding: pixels are identical.
  EXPECT_EQ(progressive->pixels, baseline->pixels);
}

TEST(JpegDecoderTest, MissingFinalEoiMarkerStillDecodesTheWholeImage) {
  for (bool progressive : {false, true}) {
    JpegSpec spec = Gradient(32, 32);
    spec.progressive = progressive;
    std::vector<uint8_t> bytes = EncodeJpeg(spec);
    const Result<Image> whole = Decode(bytes);
    ASSERT_EQ(bytes[bytes.size() - 2], 0xFF);
    ASSERT_EQ(bytes[bytes.size() - 1], 0xD9);
    bytes.resize(bytes.size() - 2);
    const Result<Image> without_eoi = Decode(bytes);
    ASSERT_TRUE(without_eoi.ok()) << without_eoi.status().ToString();
    EXPECT_EQ(without_eoi->pixels, whole->pixels);
  }
}

TEST(JpegDecoderTest, TruncatedScanDataIsAnError) {
  for (bool progressive : {false, true}) {
    JpegSpec spec = Gradient(64, 64);
    spec.progressive = progressive;
    const std::vector<uint8_t> bytes = EncodeJpeg(spec);
    for (size_t keep : {bytes.size() / 3, bytes.size() / 2, bytes.size() - 40}) {
      SCOPED_TRACE(keep);
      const Result<Image> result = Decode({bytes.begin(), bytes.begin() + keep});
      EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(result.status().message().find("truncated"), std::string::npos)
          << result.status().message();
    }
  }
}

// A few kilobytes can hold thousands of progressive scans, each costing a pass over the whole
// coefficient buffer; the decoder caps them. Here the last scan is repeated 1200 times
// (libjpeg only warns about the bogus progression, so without the cap it would decode).
TEST(JpegDecoderTest, TooManyProgressiveScansAreRejected) {
  JpegSpec spec = Gradient(16, 16);
  spec.progressive = true;
  const std::vector<uint8_t> bytes = EncodeJpeg(spec);
  size_t last_sos = 0;
  for (size_t i = 0; i + 1 < bytes.size(); ++i) {
    if (bytes[i] == 0xFF && bytes[i + 1] == 0xDA) last_sos = i;
  }
  ASSERT_GT(last_sos, 0u);
  const std::vector<uint8_t> scan(bytes.begin() + last_sos, bytes.end() - 2);  // without EOI
  std::vector<uint8_t> bomb(bytes.begin(), bytes.end() - 2);
  for (int i = 0; i < 1200; ++i) bomb.insert(bomb.end(), scan.begin(), scan.end());
  bomb.insert(bomb.end(), {0xFF, 0xD9});
  const Result<Image> result = Decode(bomb);
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("progressive scans"), std::string::npos)
      << result.status().message();
}

}  // namespace
}  // namespace vigil::media
