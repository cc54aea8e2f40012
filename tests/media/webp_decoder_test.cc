// WebP decoding: lossless exactness, alpha dropped, lossy, first frame of an animation.
#include <gtest/gtest.h>

#include "media/media.h"
#include "media/test_encoders.h"

namespace vigil::media {
namespace {

using testing::EncodeWebpAnimation;
using testing::EncodeWebpLossless;
using testing::EncodeWebpLossy;

Image DecodeOk(const std::vector<uint8_t>& bytes) {
  Result<Image> result = DecodeImage(bytes, DecodeLimits{});
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : Image{};
}

TEST(WebpDecoderTest, LosslessDropsAlphaAndKeepsColourUnderIt) {
  const std::vector<uint8_t> rgba = {10, 20, 30, 255, 40, 50, 60, 0, 70, 80, 90, 128,
                                     1,  2,  3,  255, 4,  5,  6,  0, 7,  8,  9,  1};
  const Image image = DecodeOk(EncodeWebpLossless(3, 2, rgba));
  EXPECT_EQ(image.width, 3);
  EXPECT_EQ(image.height, 2);
  EXPECT_EQ(image.channels, 3);
  EXPECT_EQ(image.pixels,
            (std::vector<uint8_t>{10, 20, 30, 40, 50, 60, 70, 80, 90, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(WebpDecoderTest, LossyDecodesCloseToTheSource) {
  std::vector<uint8_t> rgb;
  for (int i = 0; i < 32 * 16; ++i) rgb.insert(rgb.end(), {30, 140, 220});
  const Image image = DecodeOk(EncodeWebpLossy(32, 16, rgb, 95));
  EXPECT_EQ(image.width, 32);
  EXPECT_EQ(image.height, 16);
  EXPECT_EQ(image.channels, 3);
  for (size_t i = 0; i < image.pixels.size(); ++i) EXPECT_NEAR(image.pixels[i], rgb[i], 4) << i;
}

TEST(WebpDecoderTest, AnimationGivesFirstFrameOnBlackCanvas) {
  // 2x2 first frame at (4, 2) on an 8x6 canvas; the second (white) frame is never decoded.
  const std::vector<uint8_t> frame = {200, 0, 0, 255, 0, 200, 0, 255, 0, 0, 200, 255, 9, 9, 9, 0};
  const Image image = DecodeOk(EncodeWebpAnimation(8, 6, 4, 2, 2, 2, frame));
  ASSERT_EQ(image.width, 8);
  ASSERT_EQ(image.height, 6);
  std::vector<uint8_t> expected(8 * 6 * 3, 0);
  const uint8_t colours[4][3] = {{200, 0, 0}, {0, 200, 0}, {0, 0, 200}, {9, 9, 9}};
  for (int i = 0; i < 4; ++i) {
    const int x = 4 + i % 2, y = 2 + i / 2;
    std::copy_n(colours[i], 3, expected.begin() + (y * 8 + x) * 3);
  }
  EXPECT_EQ(image.pixels, expected);
}

TEST(WebpDecoderTest, RiffSizeLargerThanInputIsTruncation) {
  std::vector<uint8_t> bytes = EncodeWebpLossless(2, 2, std::vector<uint8_t>(16, 100));
  bytes.pop_back();
  const Result<Image> result = DecodeImage(bytes, DecodeLimits{});
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("truncated"), std::string::npos);
}

TEST(WebpDecoderTest, BytesAfterTheRiffChunkAreIgnored) {
  std::vector<uint8_t> bytes = EncodeWebpLossless(2, 1, std::vector<uint8_t>(8, 50));
  bytes.insert(bytes.end(), {'j', 'u', 'n', 'k'});
  EXPECT_EQ(DecodeOk(bytes).pixels, std::vector<uint8_t>(6, 50));
}

}  // namespace
}  // namespace vigil::media
