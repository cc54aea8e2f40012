// vPDQ in the hash module: the frame hasher, the reference's text form and the matching rule.
#include "hash/vpdq.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace vigil::hash {
namespace {

Hash256 HashWithBits(int first, int count) {
  Hash256 h;
  for (int k = first; k < first + count; ++k) h.set_bit(k);
  return h;
}

VpdqFrame Frame(Hash256 hash, int quality = 100) { return VpdqFrame{0, quality, hash, 0.0}; }

std::vector<uint8_t> Gradient(int width, int height) {
  std::vector<uint8_t> rgb(static_cast<size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      uint8_t* p = &rgb[(static_cast<size_t>(y) * width + x) * 3];
      p[0] = static_cast<uint8_t>((x * 7 + y * 3) & 255);
      p[1] = static_cast<uint8_t>((x * x + y) & 255);
      p[2] = static_cast<uint8_t>((y * 11) & 255);
    }
  }
  return rgb;
}

constexpr char kHex[] = "95b46a4b6a4b95b46a4b95b46a4b95b495b46a4b6a4b95b46a4b95b46a4b92ae";

TEST(VpdqFormatTest, LineIsFrameQualityHexAndTimestampWithThreeDecimals) {
  VpdqFrame frame{25, 100, *Hash256::FromHex(kHex), 1.0};
  EXPECT_EQ(FormatVpdqLine(frame), std::string("25,100,") + kHex + ",1.000");
  EXPECT_EQ(FormatVpdq(std::vector<VpdqFrame>{frame, frame}),
            FormatVpdqLine(frame) + "\n" + FormatVpdqLine(frame) + "\n");
}

TEST(VpdqFormatTest, TimestampIsTheReferenceSinglePrecisionQuotient) {
  const double ntsc = 30000.0 / 1001.0;
  VpdqFrame frame{29, 100, Hash256{}, VpdqTimestamp(29, ntsc)};
  EXPECT_EQ(FormatVpdqLine(frame).substr(FormatVpdqLine(frame).rfind(',') + 1), "0.968");
  EXPECT_EQ(VpdqTimestamp(58, ntsc), static_cast<double>(58.0f / static_cast<float>(ntsc)));
  EXPECT_EQ(VpdqTimestamp(250, 25.0), 10.0);
}

TEST(VpdqFormatTest, TimestampRoundsHalfToEvenOnTheBinaryValueLikePrintf) {
  VpdqFrame frame{0, 0, Hash256{}, 0.0625};  // exactly representable tie
  EXPECT_TRUE(FormatVpdqLine(frame).ends_with(",0.062"));
  frame.timestamp = 0.1875;
  EXPECT_TRUE(FormatVpdqLine(frame).ends_with(",0.188"));
}

TEST(VpdqParseTest, ParsesWhatFormatWrites) {
  const std::string text = std::string("0,100,") + kHex + ",0.000\n58,49," + kHex + ",1.935\r\n\n";
  auto frames = ParseVpdq(text);
  ASSERT_TRUE(frames.ok()) << frames.status().ToString();
  ASSERT_EQ(frames->size(), 2u);
  EXPECT_EQ((*frames)[1].frame_number, 58);
  EXPECT_EQ((*frames)[1].quality, 49);
  EXPECT_EQ((*frames)[1].hash.ToHex(), kHex);
  EXPECT_EQ((*frames)[1].timestamp, 1.935);
  EXPECT_EQ(FormatVpdq(*frames),
            std::string("0,100,") + kHex + ",0.000\n58,49," + kHex + ",1.935\n");
}

TEST(VpdqParseTest, RejectsMalformedLinesNamingTheField) {
  const std::string h = kHex;
  struct Case {
    std::string line;
    std::string message_part;
  } cases[] = {
      {"0,100," + h, "4 comma-separated fields"},
      {"0,100," + h + ",0.000,extra", "4 comma-separated fields"},
      {"-1,100," + h + ",0.000", "frame number '-1'"},
      {"x,100," + h + ",0.000", "frame number 'x'"},
      {"0,101," + h + ",0.000", "quality '101'"},
      {"0,100," + h.substr(1) + ",0.000", "pdq hash"},
      {"0,100," + h + ",", "timestamp ''"},
      {"0,100," + h + ",nan", "timestamp 'nan'"},
  };
  for (const Case& c : cases) {
    auto frame = ParseVpdqLine(c.line);
    ASSERT_FALSE(frame.ok()) << c.line;
    EXPECT_EQ(frame.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(frame.status().message().find(c.message_part), std::string::npos)
        << frame.status().message();
  }
  auto file = ParseVpdq("0,100," + h + ",0.000\n1,2,3\n");
  ASSERT_FALSE(file.ok());
  EXPECT_TRUE(file.status().message().starts_with("line 2: ")) << file.status().message();
}

TEST(VpdqHasherTest, HashesTheFullFrameWithoutThePhotoPreResize) {
  const int w = 700, h = 600;  // over 512: the photo pipeline would resize, vPDQ must not
  const std::vector<uint8_t> rgb = Gradient(w, h);
  const PixelView view{rgb.data(), w, h, 3, 0};
  VpdqHasher hasher;
  auto frame = hasher.HashFrame(view, 7, 0.25);
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  auto full = PdqHash(view, PdqOptions{.resampling = Resampling::kNone});
  auto photo = PdqHash(view, PdqOptions{.resampling = Resampling::kReference});
  ASSERT_TRUE(full.ok() && photo.ok());
  EXPECT_EQ(frame->hash, full->hash);
  EXPECT_EQ(frame->quality, full->quality);
  EXPECT_NE(frame->hash, photo->hash);
  EXPECT_EQ(frame->frame_number, 7);
  EXPECT_EQ(frame->timestamp, 0.25);
}

TEST(VpdqHasherTest, RefusesFramesUnderFivePixelsAndNonRgbViews) {
  const std::vector<uint8_t> rgb = Gradient(8, 4);
  VpdqHasher hasher;
  auto small = hasher.HashFrame(PixelView{rgb.data(), 8, 4, 3, 0}, 0, 0);
  EXPECT_EQ(small.status().code(), StatusCode::kInvalidArgument);
  auto grey = hasher.HashFrame(PixelView{rgb.data(), 8, 4, 1, 0}, 0, 0);
  EXPECT_EQ(grey.status().code(), StatusCode::kInvalidArgument);
}

TEST(VpdqMatchTest, FramesMatchWithinDistance31Inclusive) {
  const Hash256 a = HashWithBits(0, 0);
  const std::vector<VpdqFrame> query{Frame(a)};
  EXPECT_TRUE(MatchVpdq(query, std::vector{Frame(HashWithBits(0, 31))}).is_match);
  const VpdqMatchResult far = MatchVpdq(query, std::vector{Frame(HashWithBits(0, 32))});
  EXPECT_FALSE(far.is_match);
  EXPECT_EQ(far.query_match_percent, 0.0);
  EXPECT_EQ(far.query_frames, 1);
}

TEST(VpdqMatchTest, DropsFramesBelowQuality50) {
  const Hash256 a = HashWithBits(0, 0), b = HashWithBits(100, 100);
  const VpdqMatchResult m =
      MatchVpdq(std::vector{Frame(a, 50), Frame(b, 49)}, std::vector{Frame(a, 100)});
  EXPECT_EQ(m.query_frames, 1);
  EXPECT_EQ(m.query_match_percent, 100.0);
  EXPECT_TRUE(m.is_match);
}

TEST(VpdqMatchTest, CountsEachDistinctHashOnceAndDeduplicatesBeforeFiltering) {
  const Hash256 a = HashWithBits(0, 0), b = HashWithBits(100, 100), c = HashWithBits(50, 100);
  // a twice, b once: two unique query frames, one of which matches.
  VpdqMatchResult m = MatchVpdq(std::vector{Frame(a), Frame(a), Frame(b)}, std::vector{Frame(a)});
  EXPECT_EQ(m.query_frames, 2);
  EXPECT_EQ(m.query_frames_matched, 1);
  EXPECT_EQ(m.query_match_percent, 50.0);
  EXPECT_EQ(m.target_match_percent, 100.0);
  // The first occurrence of c has low quality: c is dropped even though it recurs at 100.
  const auto prepared = PrepareVpdqForMatching(std::vector{Frame(c, 10), Frame(c, 100)}, 50);
  EXPECT_TRUE(prepared.empty());
}

TEST(VpdqMatchTest, EmptyListsGiveZeroAndNoMatch) {
  const VpdqMatchResult m =
      MatchVpdq(std::vector<VpdqFrame>{}, std::vector{Frame(HashWithBits(0, 0))});
  EXPECT_EQ(m.query_match_percent, 0.0);
  EXPECT_EQ(m.target_match_percent, 0.0);
  EXPECT_FALSE(m.is_match);
}

TEST(VpdqMatchTest, ThresholdsAreInclusiveAndConfigurable) {
  std::vector<VpdqFrame> query, target;
  for (int i = 0; i < 5; ++i) query.push_back(Frame(HashWithBits(i * 50, 40)));
  target = {query.begin(), query.begin() + 4};  // 4 of 5 query frames: 80%
  const VpdqMatchResult m = MatchVpdq(query, target);
  EXPECT_EQ(m.query_match_percent, 80.0);
  EXPECT_EQ(m.target_match_percent, 100.0);
  EXPECT_TRUE(m.is_match);
  VpdqMatchOptions strict;
  strict.query_match_threshold_percent = 80.01;
  EXPECT_FALSE(MatchVpdq(query, target, strict).is_match);
}

}  // namespace
}  // namespace vigil::hash
