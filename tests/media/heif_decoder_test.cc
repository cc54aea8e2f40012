// HEIC/AVIF decoding. The exact arithmetic (ImageMagick's YCbCr conversion) is covered in
// imagemagick_compat_test.cc; here we check the plumbing on images libheif encodes for us.
#include <gtest/gtest.h>

#include "media/media.h"
#include "media/test_encoders.h"

namespace vigil::media {
namespace {

using testing::EncodeHeif;

std::vector<uint8_t> Flat(int w, int h, std::array<uint8_t, 3> rgb) {
  std::vector<uint8_t> out;
  for (int i = 0; i < w * h; ++i) out.insert(out.end(), rgb.begin(), rgb.end());
  return out;
}

class HeifDecoderTest : public ::testing::TestWithParam<bool> {};

TEST_P(HeifDecoderTest, DecodesPrimaryImageToThreeChannels) {
  const bool avif = GetParam();
  const std::vector<uint8_t> bytes = EncodeHeif(33, 17, Flat(33, 17, {40, 120, 200}), avif);
  if (bytes.empty())
    GTEST_SKIP() << "this libheif has no " << (avif ? "AV1" : "HEVC") << " encoder";
  ASSERT_EQ(SniffMediaType(bytes), MediaType::kHeif);
  const Result<Image> image = DecodeImage(bytes, DecodeLimits{});
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->width, 33);
  EXPECT_EQ(image->height, 17);
  EXPECT_EQ(image->channels, 3);
  // Lossy coding plus ImageMagick's full-range conversion of (usually limited-range) data:
  // close to the source colour, not equal.
  const std::array<int, 3> source = {40, 120, 200};
  for (size_t i = 0; i < image->pixels.size(); ++i) {
    EXPECT_NEAR(image->pixels[i], source[i % 3], 24) << i;
  }
}

TEST_P(HeifDecoderTest, TruncatedFileIsInvalid) {
  std::vector<uint8_t> bytes = EncodeHeif(16, 16, Flat(16, 16, {1, 2, 3}), GetParam());
  if (bytes.empty()) GTEST_SKIP() << "no encoder";
  bytes.resize(bytes.size() / 2);
  const Result<Image> result = DecodeImage(bytes, DecodeLimits{});
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << result.status().ToString();
}

TEST_P(HeifDecoderTest, OversizedImageIsRejectedBeforeDecoding) {
  const std::vector<uint8_t> bytes = EncodeHeif(64, 32, Flat(64, 32, {9, 9, 9}), GetParam());
  if (bytes.empty()) GTEST_SKIP() << "no encoder";
  DecodeLimits limits;
  limits.max_pixels = 64 * 32 - 1;
  EXPECT_EQ(DecodeImage(bytes, limits).status().code(), StatusCode::kResourceExhausted);
  limits = DecodeLimits{};
  limits.max_dimension = 63;
  EXPECT_EQ(DecodeImage(bytes, limits).status().code(), StatusCode::kResourceExhausted);
}

INSTANTIATE_TEST_SUITE_P(HevcAndAv1, HeifDecoderTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Avif" : "Heic"; });

}  // namespace
}  // namespace vigil::media
