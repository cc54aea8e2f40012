// media::ExtractVideoThumbnails and its parts: the even spacing of a stream of unknown length
// (EvenKeeper), area downscaling, PNG encoding, frames chosen from the golden clips, bounds and
// bad input.
#include "media/thumbnail.h"

#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

#include "media/even_keeper.h"
#include "media/media.h"
#include "media/video.h"
#include "video_test_util.h"

namespace vigil {
namespace {

using video_test::kVpdqDir;
using video_test::ReadBytes;

const std::filesystem::path kVideos = kVpdqDir / "videos";

media::ThumbnailOptions Options(int frames, int side) {
  media::ThumbnailOptions o;
  o.max_frames = frames;
  o.max_side = side;
  return o;
}

std::vector<int> KeepOf(int items, size_t n) {
  media::EvenKeeper<int> keeper(n);
  for (int i = 0; i < items; ++i) {
    if (keeper.Wants()) keeper.Keep(i);
    EXPECT_LE(keeper.held(), 2 * n) << "after item " << i;
  }
  return std::move(keeper).Take();
}

TEST(EvenKeeperTest, KeepsEvenlySpacedItemsOfAStreamOfAnyLength) {
  // Four of 0..99: the stride doubles to 16 (0, 16, ..., 96 held), of which four evenly spaced.
  EXPECT_EQ(KeepOf(100, 4), (std::vector<int>{0, 32, 64, 96}));
  // Fewer items than asked for: all of them.
  EXPECT_EQ(KeepOf(3, 4), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(KeepOf(0, 4), (std::vector<int>{}));
  // Nine of which eight: the middle one goes (round(k * 8 / 7)).
  EXPECT_EQ(KeepOf(9, 8), (std::vector<int>{0, 1, 2, 3, 5, 6, 7, 8}));
  EXPECT_EQ(KeepOf(10, 1), (std::vector<int>{0}));
  // A long stream stays bounded: at most 2n held (checked per item above).
  EXPECT_EQ(KeepOf(100000, 2).size(), 2u);
}

TEST(DownscaleTest, AveragesEachAreaWithRounding) {
  // 4x2, rows 16 bytes apart (4 bytes of padding): red ramps, green 1 and 2, blue 0 and 255.
  std::vector<uint8_t> rgb(32, 0xEE);
  const uint8_t px[2][4][3] = {{{10, 1, 0}, {20, 2, 255}, {30, 1, 0}, {40, 2, 255}},
                               {{50, 1, 0}, {60, 2, 255}, {70, 1, 0}, {80, 2, 255}}};
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 4; ++x) {
      for (int c = 0; c < 3; ++c) rgb[y * 16 + x * 3 + c] = px[y][x][c];
    }
  }
  // To 2x1: each output pixel averages a 2x2 block: red (10+20+50+60)/4 = 35 and 55; green
  // 6/4 = 1.5 rounds to 2; blue 510/4 = 127.5 rounds to 128.
  EXPECT_EQ(media::DownscaleRgb(rgb.data(), 4, 2, 16, 2, 1),
            (std::vector<uint8_t>{35, 2, 128, 55, 2, 128}));
  // The same size copies the pixels and drops the padding.
  std::vector<uint8_t> same = media::DownscaleRgb(rgb.data(), 4, 2, 16, 4, 2);
  ASSERT_EQ(same.size(), 24u);
  EXPECT_EQ(same[0], 10);
  EXPECT_EQ(same[12], 50);
  EXPECT_EQ(same[23], 255);
}

TEST(DownscaleTest, PngRoundTripsThroughTheDecoder) {
  std::vector<uint8_t> rgb(5 * 3 * 3);
  std::iota(rgb.begin(), rgb.end(), uint8_t{7});
  auto png = media::EncodePngRgb(rgb, 5, 3);
  ASSERT_TRUE(png.ok()) << png.status().ToString();
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(png->data()), png->size());
  auto image = media::DecodeImage(bytes, {});
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->width, 5);
  EXPECT_EQ(image->height, 3);
  EXPECT_EQ(image->pixels, rgb);
  EXPECT_EQ(media::EncodePngRgb(rgb, 4, 3).status().code(), StatusCode::kInvalidArgument);
}

TEST(ThumbnailTest, FramesAreSpacedOverTheClipAndKeepItsColours) {
  VIGIL_SKIP_WITHOUT_VPDQ_CORPUS();
  const std::vector<uint8_t> bytes = ReadBytes(kVideos / "s01_slideshow_h264.mp4");
  auto thumbs = media::ExtractVideoThumbnails(bytes, {});
  ASSERT_TRUE(thumbs.ok()) << thumbs.status().ToString();
  // 10 s at 25 fps, 8 frames: every (int)(1.25 * 25) = 31 frames, nine selected, eight kept.
  EXPECT_EQ(thumbs->info.frame_step, 31);
  std::vector<int64_t> numbers;
  for (const auto& t : thumbs->frames) numbers.push_back(t.frame_number);
  EXPECT_EQ(numbers, (std::vector<int64_t>{0, 31, 62, 93, 155, 186, 217, 248}));
  // Area averaging by exactly 3 keeps each channel's mean to within rounding: compare the first
  // frame decoded at full size with its thumbnail.
  media::VideoDecodeOptions full;
  auto decoder = media::VideoDecoder::Open(bytes, full);
  ASSERT_TRUE(decoder.ok()) << decoder.status().ToString();
  auto first = (*decoder)->Next();
  ASSERT_TRUE(first.ok() && first->has_value());
  const media::VideoFrame& f = **first;
  ASSERT_EQ(f.frame_number, 0);
  double full_mean[3] = {0, 0, 0};
  for (int y = 0; y < f.height; ++y) {
    for (int x = 0; x < f.width; ++x) {
      for (int c = 0; c < 3; ++c) full_mean[c] += f.rgb[y * f.row_stride + x * 3 + c];
    }
  }
  const auto& t0 = thumbs->frames[0];
  ASSERT_EQ(t0.width, 160);
  ASSERT_EQ(t0.height, 90);
  auto image = media::DecodeImage(
      std::span(reinterpret_cast<const uint8_t*>(t0.png.data()), t0.png.size()), {});
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  double thumb_mean[3] = {0, 0, 0};
  for (size_t i = 0; i < image->pixels.size(); ++i) thumb_mean[i % 3] += image->pixels[i];
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(full_mean[c] / (480 * 270), thumb_mean[c] / (160 * 90), 0.5) << "channel " << c;
  }
}

TEST(ThumbnailTest, BoundsAndBadInputAreRefused) {
  VIGIL_SKIP_WITHOUT_VPDQ_CORPUS();
  const std::vector<uint8_t> clip = ReadBytes(kVideos / "s03_slideshow_vp9__scale50.webm");
  for (auto [frames, side] : {std::pair{0, 160}, {33, 160}, {8, 15}, {8, 481}}) {
    auto r = media::ExtractVideoThumbnails(clip, Options(frames, side));
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << frames << " " << side;
  }
  // Never upscaled; the longer side limited otherwise (216x120 at 100: 100x56).
  auto native = media::ExtractVideoThumbnails(clip, Options(2, 480));
  ASSERT_TRUE(native.ok()) << native.status().ToString();
  EXPECT_EQ(native->frames.size(), 2u);
  EXPECT_EQ(native->frames[0].width, 216);
  EXPECT_EQ(native->frames[0].height, 120);
  auto small = media::ExtractVideoThumbnails(clip, Options(1, 100));
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->frames[0].width, 100);
  EXPECT_EQ(small->frames[0].height, 56);
  // Not videos, or not decodable: an error, never a crash or an empty strip.
  for (const char* name : {"bad_empty.mp4", "bad_random.mp4", "bad_truncated_nomoov.mp4"}) {
    auto r = media::ExtractVideoThumbnails(ReadBytes(kVideos / name), {});
    EXPECT_FALSE(r.ok()) << name;
  }
  const std::string png(reinterpret_cast<const char*>(native->frames[0].png.data()),
                        native->frames[0].png.size());
  EXPECT_FALSE(media::ExtractVideoThumbnails(
                   std::span(reinterpret_cast<const uint8_t*>(png.data()), png.size()), {})
                   .ok());
  // Over the limits: kResourceExhausted before decoding.
  media::ThumbnailOptions tight;
  tight.limits.max_dimension = 100;
  EXPECT_EQ(media::ExtractVideoThumbnails(clip, tight).status().code(),
            StatusCode::kResourceExhausted);
  // A cut-off file shows the frames before the cut, or fails with a clear error.
  auto cut = media::ExtractVideoThumbnails(ReadBytes(kVideos / "bad_truncated_faststart.mp4"), {});
  if (cut.ok()) {
    EXPECT_FALSE(cut->frames.empty());
  }
}

}  // namespace
}  // namespace vigil
