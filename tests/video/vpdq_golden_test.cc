// Golden test: vigil hashes every clip of ../shared/testdata/vpdq to exactly the lines Meta's
// `vpdq-hash-video` wrote (expected/<stem>.txt with -r 1, expected/<stem>.every_frame.txt with
// -r 0; see SOURCES.md there).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "detect/video_hasher.h"
#include "hash/vpdq.h"
#include "video_test_util.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using video_test::kVpdqDir;
using video_test::Lines;
using video_test::ReadBytes;
using video_test::ReadText;

constexpr char kEveryFrameSuffix[] = ".every_frame";
constexpr char kAudioFirst[] = "s01_slideshow_h264__audiofirst";

fs::path VideoFor(const std::string& stem) {
  for (const char* ext : {".mp4", ".webm", ".gif"}) {
    fs::path p = kVpdqDir / "videos" / (stem + ext);
    if (fs::exists(p)) return p;
  }
  return {};
}

Result<std::vector<std::string>> HashLines(const fs::path& video,
                                           const media::VideoDecodeOptions& decode) {
  detect::VideoHasher hasher(detect::VideoHasherOptions{decode});
  ASSIGN_OR_RETURN(detect::VideoHashes hashes, hasher.HashBytes(ReadBytes(video)));
  return Lines(hash::FormatVpdq(hashes.frames));
}

struct ExpectedFile {
  fs::path path;
  std::string video_stem;
  bool every_frame = false;
};

std::vector<ExpectedFile> ExpectedFiles() {
  std::vector<ExpectedFile> files;
  for (const auto& entry : fs::directory_iterator(kVpdqDir / "expected")) {
    if (entry.path().extension() != ".txt") continue;
    ExpectedFile f{entry.path(), entry.path().stem().string()};
    if (f.video_stem.ends_with(kEveryFrameSuffix)) {
      f.video_stem.resize(f.video_stem.size() - std::string(kEveryFrameSuffix).size());
      f.every_frame = true;
    }
    files.push_back(f);
  }
  std::sort(files.begin(), files.end(),
            [](const ExpectedFile& a, const ExpectedFile& b) { return a.path < b.path; });
  return files;
}

TEST(VpdqGoldenTest, EveryExpectedFileIsReproducedLineForLine) {
  VIGIL_SKIP_WITHOUT_VPDQ_CORPUS();
  const std::vector<ExpectedFile> files = ExpectedFiles();
  int reproduced = 0;
  for (const ExpectedFile& f : files) {
    SCOPED_TRACE(f.path.filename().string());
    const fs::path video = VideoFor(f.video_stem);
    ASSERT_FALSE(video.empty()) << "no video for " << f.video_stem;
    media::VideoDecodeOptions decode;
    decode.every_frame = f.every_frame;  // else seconds_per_hash = 1, the reference's -r 1
    // The reference never drains the decoder when audio is stream 0; vigil does by default
    // (tested below), so this one file is compared with the reference's flush policy.
    if (f.video_stem == kAudioFirst) decode.flush_policy = media::FlushPolicy::kReference;
    auto lines = HashLines(video, decode);
    ASSERT_TRUE(lines.ok()) << lines.status().ToString();
    const std::vector<std::string> expected = Lines(ReadText(f.path));
    EXPECT_EQ(*lines, expected);
    if (*lines == expected) ++reproduced;
  }
  EXPECT_EQ(reproduced, static_cast<int>(files.size()));
  EXPECT_EQ(files.size(), 36u) << "the corpus has 33 one-per-second and 3 every-frame files";
}

TEST(VpdqGoldenTest, AudioFirstFileKeepsItsLastFramesWhenFlushingAlways) {
  VIGIL_SKIP_WITHOUT_VPDQ_CORPUS();
  media::VideoDecodeOptions decode;
  decode.every_frame = true;
  auto lines = HashLines(VideoFor(kAudioFirst), decode);
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  // The video stream is s01's, stream-copied: vigil sees all 250 frames, the reference 248.
  const auto reference =
      Lines(ReadText(kVpdqDir / "expected" / (std::string(kAudioFirst) + ".every_frame.txt")));
  const auto video_first =
      Lines(ReadText(kVpdqDir / "expected" / "s01_slideshow_h264.every_frame.txt"));
  ASSERT_EQ(reference.size(), 248u);
  ASSERT_EQ(video_first.size(), 250u);
  EXPECT_EQ(*lines, video_first);
  EXPECT_TRUE(std::equal(reference.begin(), reference.end(), lines->begin()));
}

TEST(VpdqGoldenTest, OneHashPerSecondIsTheSameWithEitherFlushPolicy) {
  VIGIL_SKIP_WITHOUT_VPDQ_CORPUS();
  media::VideoDecodeOptions decode;
  auto always = HashLines(VideoFor(kAudioFirst), decode);
  decode.flush_policy = media::FlushPolicy::kReference;
  auto reference = HashLines(VideoFor(kAudioFirst), decode);
  ASSERT_TRUE(always.ok() && reference.ok());
  EXPECT_EQ(*always, *reference);
  EXPECT_EQ(*always, Lines(ReadText(kVpdqDir / "expected" / (std::string(kAudioFirst) + ".txt"))));
}

}  // namespace
}  // namespace vigil
