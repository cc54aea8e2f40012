// media::VideoDecoder: frame selection against clips.csv, the bad files, corrupt and truncated
// data, limits, the fast mode and silence on stderr.
extern "C" {
#include <libavformat/avformat.h>
}

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "detect/video_hasher.h"
#include "hash/vpdq.h"
#include "media/video.h"
#include "video_test_util.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using media::VideoDecodeOptions;
using video_test::kVpdqDir;
using video_test::Lines;
using video_test::ReadBytes;
using video_test::ReadText;

const fs::path kVideos = kVpdqDir / "videos";
const fs::path kExpected = kVpdqDir / "expected";

Result<detect::VideoHashes> Hash(const std::vector<uint8_t>& bytes,
                                 const VideoDecodeOptions& decode = {}) {
  detect::VideoHasher hasher(detect::VideoHasherOptions{decode});
  return hasher.HashBytes(bytes);
}

// Byte offset and size of the `index`-th packet of the first video stream.
std::pair<int64_t, int> VideoPacketRange(const fs::path& path, int index) {
  AVFormatContext* format = nullptr;
  if (avformat_open_input(&format, path.c_str(), nullptr, nullptr) < 0) return {-1, 0};
  std::pair<int64_t, int> range{-1, 0};
  AVPacket* packet = av_packet_alloc();
  int seen = 0;
  while (range.first < 0 && av_read_frame(format, packet) >= 0) {
    if (format->streams[packet->stream_index]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
        seen++ == index) {
      range = {packet->pos, packet->size};
    }
    av_packet_unref(packet);
  }
  av_packet_free(&packet);
  avformat_close_input(&format);
  return range;
}

// The first stream of `type` in `path` alone, remuxed into Matroska in memory. `live` writes it
// as to a pipe: no duration in the header, no index.
std::vector<uint8_t> RemuxToMatroska(const fs::path& path, AVMediaType type, bool live) {
  std::vector<uint8_t> out;
  AVFormatContext* in = nullptr;
  if (avformat_open_input(&in, path.c_str(), nullptr, nullptr) < 0) return out;
  avformat_find_stream_info(in, nullptr);
  const int index = av_find_best_stream(in, type, -1, -1, nullptr, 0);
  AVFormatContext* mkv = nullptr;
  avformat_alloc_output_context2(&mkv, nullptr, "matroska", nullptr);
  AVStream* stream = avformat_new_stream(mkv, nullptr);
  if (index >= 0) avcodec_parameters_copy(stream->codecpar, in->streams[index]->codecpar);
  stream->codecpar->codec_tag = 0;
  avio_open_dyn_buf(&mkv->pb);
  if (live) mkv->pb->seekable = 0;
  if (index >= 0 && avformat_write_header(mkv, nullptr) >= 0) {
    AVPacket* packet = av_packet_alloc();
    while (av_read_frame(in, packet) >= 0) {
      if (packet->stream_index == index) {
        av_packet_rescale_ts(packet, in->streams[index]->time_base, stream->time_base);
        packet->stream_index = 0;
        av_interleaved_write_frame(mkv, packet);
      }
      av_packet_unref(packet);
    }
    av_packet_free(&packet);
    av_write_trailer(mkv);
  }
  uint8_t* buffer = nullptr;
  const int size = avio_close_dyn_buf(mkv->pb, &buffer);
  out.assign(buffer, buffer + size);
  av_free(buffer);
  avformat_free_context(mkv);
  avformat_close_input(&in);
  return out;
}

class VideoDecoderTest : public ::testing::Test {
 protected:
  void SetUp() override { VIGIL_SKIP_WITHOUT_VPDQ_CORPUS(); }
};

TEST_F(VideoDecoderTest, SelectsTheFramesClipsCsvSays) {
  for (const auto& row : video_test::ReadCsv(kVpdqDir / "clips.csv")) {
    // file,codec,width,height,pix_fmt,color_range,video_stream_index,avg_frame_rate,
    // decoded_frames,frame_mod_r1,hashes_r1
    SCOPED_TRACE(row.at(0));
    auto hashes = Hash(ReadBytes(kVideos / row.at(0)));
    ASSERT_TRUE(hashes.ok()) << hashes.status().ToString();
    const media::VideoInfo& info = hashes->info;
    EXPECT_EQ(info.codec, row.at(1));
    EXPECT_EQ(std::to_string(info.width), row.at(2));
    EXPECT_EQ(std::to_string(info.height), row.at(3));
    EXPECT_EQ(info.pixel_format, row.at(4));
    EXPECT_EQ(std::to_string(info.stream_index), row.at(6));
    EXPECT_EQ(std::to_string(info.frame_rate_num) + "/" + std::to_string(info.frame_rate_den),
              row.at(7));
    EXPECT_EQ(std::to_string(hashes->stats.frames_decoded), row.at(8));
    EXPECT_EQ(std::to_string(info.frame_step), row.at(9));
    EXPECT_EQ(std::to_string(hashes->frames.size()), row.at(10));
    EXPECT_EQ(hashes->stats.decode_errors, 0);
    EXPECT_TRUE(hashes->stats.drained);
  }
}

TEST_F(VideoDecoderTest, SecondsPerHashIsReadInSinglePrecisionAndTruncated) {
  const auto bytes = ReadBytes(kVideos / "s01_slideshow_h264.mp4");  // 25 fps, 250 frames
  VideoDecodeOptions decode;
  decode.seconds_per_hash = 0.5;  // 12.5 frames -> every 12th
  auto half = Hash(bytes, decode);
  ASSERT_TRUE(half.ok());
  EXPECT_EQ(half->info.frame_step, 12);
  EXPECT_EQ(half->frames.size(), 21u);  // 0, 12, ..., 240
  decode.seconds_per_hash = 0;          // every frame, like every_frame
  auto every = Hash(bytes, decode);
  ASSERT_TRUE(every.ok());
  EXPECT_EQ(every->frames.size(), 250u);
  decode.seconds_per_hash = -1;
  EXPECT_EQ(Hash(bytes, decode).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(VideoDecoderTest, BadFilesFailWithInvalidArgumentAndSayWhy) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"bad_empty.mp4", "video is empty (0 bytes)"},
      {"bad_random.mp4", "not a video: no container format recognised"},
      {"bad_truncated_faststart.mp4", "video is truncated"},
      {"bad_truncated_nomoov.mp4", "cannot read the QuickTime / MOV container"},
  };
  ASSERT_EQ(video_test::ReadCsv(kExpected / "bad_files.csv").size(), expected.size());
  for (const auto& [file, message] : expected) {
    SCOPED_TRACE(file);
    auto hashes = Hash(ReadBytes(kVideos / file));
    ASSERT_FALSE(hashes.ok());
    EXPECT_EQ(hashes.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(hashes.status().message().find(message), std::string::npos)
        << hashes.status().message();
    // The reference fails on all four too (exit 1, no output).
    VideoDecodeOptions reference;
    reference.error_policy = media::DecodeErrorPolicy::kReference;
    EXPECT_EQ(Hash(ReadBytes(kVideos / file), reference).status().code(),
              StatusCode::kInvalidArgument);
  }
}

TEST_F(VideoDecoderTest, TruncatedFileGivesTheFramesBeforeTheCutWhenAllowed) {
  VideoDecodeOptions decode;
  decode.allow_truncated = true;
  auto hashes = Hash(ReadBytes(kVideos / "bad_truncated_faststart.mp4"), decode);
  ASSERT_TRUE(hashes.ok()) << hashes.status().ToString();
  EXPECT_TRUE(hashes->stats.truncated);
  EXPECT_EQ(hashes->stats.frames_decoded, 200);
  const auto full = Lines(ReadText(kExpected / "s01_slideshow_h264.txt"));
  const auto lines = Lines(hash::FormatVpdq(hashes->frames));
  ASSERT_EQ(lines.size(), 8u);
  EXPECT_TRUE(std::equal(lines.begin(), lines.end(), full.begin()));
}

TEST_F(VideoDecoderTest, CorruptPacketMidVideoIsSkippedAndCounted) {
  const fs::path original = kVideos / "s01_slideshow_h264.mp4";
  const auto [pos, size] = VideoPacketRange(original, 120);
  ASSERT_GT(pos, 0);
  std::vector<uint8_t> bytes = ReadBytes(original);
  for (int i = 0; i < size; ++i) bytes[pos + i] ^= 0xff;  // the NAL length becomes absurd
  const fs::path copy = fs::path(::testing::TempDir()) / "s01_corrupt_packet_120.mp4";
  std::ofstream(copy, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  bytes = ReadBytes(copy);

  auto hashes = Hash(bytes);
  ASSERT_TRUE(hashes.ok()) << hashes.status().ToString();
  EXPECT_EQ(hashes->stats.decode_errors, 1);
  EXPECT_EQ(hashes->stats.frames_decoded, 249);  // the bad packet gave no frame
  ASSERT_EQ(hashes->frames.size(), 10u);
  // Frames before the damage are untouched.
  const auto full = Lines(ReadText(kExpected / "s01_slideshow_h264.txt"));
  const auto lines = Lines(hash::FormatVpdq(hashes->frames));
  EXPECT_TRUE(std::equal(lines.begin(), lines.begin() + 5, full.begin()));

  VideoDecodeOptions reference;
  reference.error_policy = media::DecodeErrorPolicy::kReference;
  auto strict = Hash(bytes, reference);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(strict.status().message().find("sending a packet to the decoder"), std::string::npos)
      << strict.status().message();
  fs::remove(copy);
}

TEST_F(VideoDecoderTest, LimitsAreCheckedBeforeDecoding) {
  const auto bytes = ReadBytes(kVideos / "s01_slideshow_h264.mp4");  // 480x270, 10 s
  auto exhausted = [&](auto set_limit) {
    VideoDecodeOptions decode;
    set_limit(decode.limits);
    auto hashes = Hash(bytes, decode);
    return hashes.ok() ? std::string("OK") : hashes.status().ToString();
  };
  EXPECT_TRUE(exhausted([](media::VideoLimits& l) {
                l.max_input_bytes = 1000;
              }).starts_with("RESOURCE_EXHAUSTED: video is 101487 bytes"));
  EXPECT_TRUE(exhausted([](media::VideoLimits& l) {
                l.max_dimension = 479;
              }).starts_with("RESOURCE_EXHAUSTED: the video is 480x270"));
  EXPECT_TRUE(exhausted([](media::VideoLimits& l) {
                l.max_pixels = 480 * 270 - 1;
              }).starts_with("RESOURCE_EXHAUSTED: the video is 480x270"));
  EXPECT_TRUE(exhausted([](media::VideoLimits& l) {
                l.max_duration_seconds = 9;
              }).starts_with("RESOURCE_EXHAUSTED: video lasts 10.0 s"));
  EXPECT_TRUE(exhausted([](media::VideoLimits& l) {
                l.max_frames = 100;
              }).starts_with("RESOURCE_EXHAUSTED: video has over 100 frames"));
}

TEST_F(VideoDecoderTest, AudioOnlyFileIsNotAVideo) {
  const std::vector<uint8_t> audio =
      RemuxToMatroska(kVideos / "s01_slideshow_h264__audiofirst.mp4", AVMEDIA_TYPE_AUDIO, false);
  ASSERT_GT(audio.size(), 1000u);
  auto hashes = Hash(audio);
  EXPECT_EQ(hashes.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(hashes.status().message(),
            "not a video: the Matroska / WebM file has no video stream (streams: audio)");
}

TEST_F(VideoDecoderTest, DurationIsCheckedByFrameCountWhenTheHeaderDoesNotSayIt) {
  const std::vector<uint8_t> live =
      RemuxToMatroska(kVideos / "s01_slideshow_h264.mp4", AVMEDIA_TYPE_VIDEO, true);
  auto full = Hash(live);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->info.duration_seconds, 0);  // unknown: nothing to check at open
  EXPECT_EQ(Lines(hash::FormatVpdq(full->frames)),
            Lines(ReadText(kExpected / "s01_slideshow_h264.txt")));
  VideoDecodeOptions decode;
  decode.limits.max_duration_seconds = 5;
  auto limited = Hash(live, decode);
  EXPECT_EQ(limited.status().ToString(),
            "RESOURCE_EXHAUSTED: video runs past the limit of 5 s (frame 126 at 25.000 fps)");
}

TEST_F(VideoDecoderTest, StillImageIsNotAVideoContainer) {
  const fs::path jpeg = fs::path(VIGIL_SHARED_DIR) / "testdata" / "pdq" / "images" / "01_aqua.jpg";
  if (!fs::exists(jpeg)) GTEST_SKIP() << jpeg << " not found";
  auto hashes = Hash(ReadBytes(jpeg));
  EXPECT_EQ(hashes.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(hashes.status().message().find("is not a supported video format"), std::string::npos)
      << hashes.status().message();
}

TEST(VideoContainerTest, PlaylistsThatWouldOpenOtherFilesAreRefused) {
  // An HLS playlist makes FFmpeg open the files and URLs it lists; vigil never opens them.
  const std::string playlist =
      "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n";
  auto hashes = Hash(std::vector<uint8_t>(playlist.begin(), playlist.end()));
  EXPECT_EQ(hashes.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(hashes.status().message().find("container 'hls' is not a supported video format"),
            std::string::npos)
      << hashes.status().message();
}

TEST_F(VideoDecoderTest, KeyframesOnlyDecodesFewerFramesWithTheExactHashesOfThoseFrames) {
  for (const std::string stem : {"s01_slideshow_h264", "s05_ntsc_h264"}) {
    SCOPED_TRACE(stem);
    VideoDecodeOptions decode;
    decode.speed = media::DecodeSpeed::kKeyframesOnly;
    auto fast = Hash(ReadBytes(kVideos / (stem + ".mp4")), decode);
    ASSERT_TRUE(fast.ok()) << fast.status().ToString();
    EXPECT_EQ(fast->info.speed, media::DecodeSpeed::kKeyframesOnly);
    EXPECT_LT(fast->stats.frames_decoded, 10);
    ASSERT_FALSE(fast->frames.empty());
    // Each selected keyframe, numbered from its timestamp, is line `frame_number` of the
    // every-frame reference output.
    const auto every = Lines(ReadText(kExpected / (stem + ".every_frame.txt")));
    for (const hash::VpdqFrame& frame : fast->frames) {
      ASSERT_LT(frame.frame_number, static_cast<int64_t>(every.size()));
      EXPECT_EQ(hash::FormatVpdqLine(frame), every[frame.frame_number]);
    }
  }
}

TEST_F(VideoDecoderTest, KeyframesOnlyDecodesGifAsExact) {
  VideoDecodeOptions decode;
  decode.speed = media::DecodeSpeed::kKeyframesOnly;
  auto gif = Hash(ReadBytes(kVideos / "s04_anim.gif"), decode);
  ASSERT_TRUE(gif.ok()) << gif.status().ToString();
  EXPECT_EQ(gif->info.speed, media::DecodeSpeed::kExact);
  EXPECT_EQ(Lines(hash::FormatVpdq(gif->frames)), Lines(ReadText(kExpected / "s04_anim.txt")));
}

TEST_F(VideoDecoderTest, SliceThreadsDoNotChangeTheHashes) {
  const auto bytes = ReadBytes(kVideos / "s05_ntsc_h264.mp4");
  VideoDecodeOptions decode;
  decode.threads = 2;
  auto threaded = Hash(bytes, decode);
  ASSERT_TRUE(threaded.ok());
  EXPECT_EQ(Lines(hash::FormatVpdq(threaded->frames)),
            Lines(ReadText(kExpected / "s05_ntsc_h264.txt")));
}

TEST_F(VideoDecoderTest, CallbackErrorStopsDecodingAndIsReturned) {
  const auto bytes = ReadBytes(kVideos / "s01_slideshow_h264.mp4");
  int calls = 0;
  auto summary = media::ForEachSampledFrame(bytes, {}, [&](const media::VideoFrame& frame) {
    ++calls;
    return frame.frame_number == 50 ? NotFoundError("stop here") : Status::Ok();
  });
  EXPECT_EQ(summary.status(), NotFoundError("stop here"));
  EXPECT_EQ(calls, 3);
}

TEST_F(VideoDecoderTest, FfmpegWritesNothingToStderr) {
  ::testing::internal::CaptureStderr();
  for (const char* file : {"bad_random.mp4", "bad_truncated_faststart.mp4",
                           "bad_truncated_nomoov.mp4", "s01_slideshow_h264__audiofirst.mp4"}) {
    Hash(ReadBytes(kVideos / file)).status().IgnoreError();
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace vigil
