// `vigil hash` on videos: the reference's vpdq output reproduced, sampling options, bad files.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_runner.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kVpdqDir = fs::path(VIGIL_SHARED_DIR) / "testdata" / "vpdq";

class VideoCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kVpdqDir / "expected")) GTEST_SKIP() << "no shared test data at " << kVpdqDir;
  }
  std::string Video(const std::string& name) { return (kVpdqDir / "videos" / name).string(); }
  std::string Expected(const std::string& name) { return ReadAll(kVpdqDir / "expected" / name); }
};

TEST_F(VideoCliTest, VpdqFormatReproducesTheReferenceForEveryContainer) {
  for (const char* clip :
       {"s01_slideshow_h264.mp4", "s03_slideshow_vp9.webm", "s04_anim.gif", "s05_ntsc_h264.mp4"}) {
    SCOPED_TRACE(clip);
    CliRun run = RunVigil("hash -q -f vpdq '" + Video(clip) + "'");
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const std::string stem = fs::path(clip).stem().string();
    EXPECT_EQ(run.out, Expected(stem + ".txt"));
  }
}

TEST_F(VideoCliTest, EveryFrameMatchesTheReferenceEveryFrameOutput) {
  CliRun run = RunVigil("hash -q -f vpdq --every-frame '" + Video("s01_slideshow_h264.mp4") + "'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, Expected("s01_slideshow_h264.every_frame.txt"));
  CliRun zero =
      RunVigil("hash -q -f vpdq --seconds-per-hash 0 '" + Video("s01_slideshow_h264.mp4") + "'");
  EXPECT_EQ(zero.out, run.out);
}

TEST_F(VideoCliTest, CsvRowsPerFrameUseMediaFragmentsAndJsonlNestsFrames) {
  CliRun csv = RunVigil("hash -q -f csv '" + Video("s01_slideshow_h264.mp4") + "'");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::stringstream ss(csv.out);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(ss, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 11u);  // header + 10 frames (clips.csv: hashes_r1 = 10)
  EXPECT_EQ(lines[2].rfind(Video("s01_slideshow_h264.mp4") + "#t=1.000,", 0), 0u) << lines[2];

  CliRun jsonl = RunVigil("hash -q -f jsonl '" + Video("s01_slideshow_h264.mp4") + "'");
  auto j = nlohmann::json::parse(jsonl.out);
  EXPECT_EQ(j["media"], "video");
  EXPECT_EQ(j["vpdq"].size(), 10u);
  EXPECT_EQ(j["width"], 480);
  EXPECT_EQ(j["vpdq"][1]["frame"], 25);  // 25 fps, one hash per second
}

TEST_F(VideoCliTest, BadVideosAreClearErrorsAndImagesAreNotVideos) {
  for (const char* bad : {"bad_empty.mp4", "bad_random.mp4", "bad_truncated_faststart.mp4",
                          "bad_truncated_nomoov.mp4"}) {
    SCOPED_TRACE(bad);
    CliRun run = RunVigil("hash -f vpdq '" + Video(bad) + "'");
    EXPECT_EQ(run.exit_code, 3);  // kInvalidArgument
    EXPECT_EQ(run.out, "");
    EXPECT_NE(run.err.find(bad), std::string::npos) << run.err;
  }
  const fs::path image = fs::path(VIGIL_SHARED_DIR) / "testdata" / "pdq" / "images" / "01_aqua.jpg";
  CliRun not_video = RunVigil("hash -f vpdq '" + image.string() + "'");
  EXPECT_EQ(not_video.exit_code, 3);
  EXPECT_NE(not_video.err.find("not a video"), std::string::npos) << not_video.err;
  CliRun negative =
      RunVigil("hash --seconds-per-hash -1 '" + Video("s01_slideshow_h264.mp4") + "'");
  EXPECT_EQ(negative.exit_code, 3);
}

}  // namespace
}  // namespace vigil::testing
