// Golden test: the vPDQ match percentages of every clip (query) against every base clip
// (target) equal expected_matches.csv (python-threatexchange match_VPDQ_hash_brute with
// distance 31 and quality 50, printed "%.2f"), computed from vigil's own hashes of the videos.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "detect/video_hasher.h"
#include "hash/vpdq.h"
#include "video_test_util.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using video_test::kVpdqDir;

// clips.csv names every valid clip with its extension; vigil hashes each once, at -r 1.
std::map<std::string, std::vector<hash::VpdqFrame>> HashAllClips() {
  std::map<std::string, std::vector<hash::VpdqFrame>> by_stem;
  detect::VideoHasher hasher;
  for (const auto& row : video_test::ReadCsv(kVpdqDir / "clips.csv")) {
    const fs::path file = kVpdqDir / "videos" / row.at(0);
    auto hashes = hasher.HashBytes(video_test::ReadBytes(file));
    EXPECT_TRUE(hashes.ok()) << file << ": " << hashes.status().ToString();
    if (hashes.ok()) by_stem[file.stem().string()] = hashes->frames;
  }
  return by_stem;
}

TEST(VpdqMatchGoldenTest, EveryClipAgainstEveryBaseClipGivesTheExpectedPercentages) {
  VIGIL_SKIP_WITHOUT_VPDQ_CORPUS();
  const auto hashes = HashAllClips();
  ASSERT_EQ(hashes.size(), 33u);
  const auto rows = video_test::ReadCsv(kVpdqDir / "expected_matches.csv");
  ASSERT_EQ(rows.size(), 264u);  // 33 queries x 8 base clips
  int reproduced = 0;
  for (const auto& row : rows) {
    const std::string& query = row.at(0);
    const std::string& target = row.at(1);
    SCOPED_TRACE(query + " vs " + target);
    ASSERT_TRUE(hashes.count(query) && hashes.count(target));
    const hash::VpdqMatchResult m = hash::MatchVpdq(hashes.at(query), hashes.at(target));
    const std::string query_pct = fmt::format("{:.2f}", m.query_match_percent);
    const std::string target_pct = fmt::format("{:.2f}", m.target_match_percent);
    EXPECT_EQ(query_pct, row.at(2));
    EXPECT_EQ(target_pct, row.at(3));
    if (query_pct == row.at(2) && target_pct == row.at(3)) ++reproduced;
    // Default thresholds are 80%/80%.
    EXPECT_EQ(m.is_match, m.query_match_percent >= 80 && m.target_match_percent >= 80);
  }
  EXPECT_EQ(reproduced, 264);
}

TEST(VpdqMatchGoldenTest, NoClipMatchesAnotherBaseClipAtDefaultThresholds) {
  VIGIL_SKIP_WITHOUT_VPDQ_CORPUS();
  const auto hashes = HashAllClips();
  int same_base_matches = 0;
  for (const auto& [query, frames] : hashes) {
    const std::string base = query.substr(0, query.find("__"));
    for (const auto& [target, target_frames] : hashes) {
      if (target.find("__") != std::string::npos) continue;  // base clips only
      const bool is_match = hash::MatchVpdq(frames, target_frames).is_match;
      if (target != base) {
        EXPECT_FALSE(is_match) << query << " vs " << target;
      } else if (is_match) {
        ++same_base_matches;
      }
    }
  }
  // 8 base clips with themselves, audiofirst, to_h264, lowbr x3 (not VP9's), scale50 x5,
  // trim2 x4 (not the GIF's); hflip and letterbox never match (PDQ is not invariant to them).
  EXPECT_EQ(same_base_matches, 22);
}

}  // namespace
}  // namespace vigil
