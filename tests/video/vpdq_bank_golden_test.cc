// Golden tests of video banks against ../shared/testdata/vpdq:
// - every reference vPDQ file imports into a bank and exports back byte for byte (after
//   the documented removal of frames repeating an earlier frame's hash), through SQLite;
// - matching every clip against a bank of the base clips through match::Matcher (the shared
//   PDQ index) gives expected_matches.csv's percentages, and exactly hash::MatchVpdq's.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bank/bank.h"
#include "hash/vpdq.h"
#include "match/matcher.h"
#include "store/store.h"
#include "video_test_util.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using video_test::kVpdqDir;

// The expected file with every line whose hash (third field) appeared on an earlier line
// removed: what a bank keeps (bank/vpdq_value.h).
std::string WithoutRepeatedHashes(const std::string& text) {
  std::set<std::string> seen;
  std::string out;
  for (const std::string& line : video_test::Lines(text)) {
    const size_t a = line.find(','), b = line.find(',', a + 1), c = line.find(',', b + 1);
    if (seen.insert(line.substr(b + 1, c - b - 1)).second) out += line + "\n";
  }
  return out;
}

std::vector<fs::path> ExpectedFiles() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kVpdqDir / "expected")) {
    if (e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(VpdqBankGoldenTest, EveryReferenceFileRoundTripsThroughABankByteForByte) {
  VIGIL_SKIP_WITHOUT_VPDQ_CORPUS();
  const fs::path dir = fs::temp_directory_path() / fmt::format("vigil_vpdq_bank_{}", getpid());
  fs::create_directories(dir);
  auto db = store::OpenDatabase((dir / "banks.db").string());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  bank::BankStore& banks = (*db)->banks();
  auto b = banks.CreateBank({.name = "videos"});
  ASSERT_TRUE(b.ok());

  const std::vector<fs::path> files = ExpectedFiles();
  ASSERT_EQ(files.size(), 36u);
  bank::EntryBatch batch;
  std::map<std::string, std::string> value_of, want;  // by file name
  int unchanged = 0;
  for (const fs::path& file : files) {
    const std::string name = file.filename().string();
    const std::string text = video_test::ReadText(file);
    auto value = bank::ReferenceFileToVpdqValue(text);
    ASSERT_TRUE(value.ok()) << file << ": " << value.status().ToString();
    ASSERT_TRUE(
        batch.Add({.signal_type = bank::SignalType::kVpdq, .value = *value, .source_ref = name})
            .ok());
    value_of[name] = *value;
    want[name] = WithoutRepeatedHashes(text);
    if (want[name] == text) ++unchanged;
  }
  // s02, s04 and s06 clips have no repeated frame; the others repeat slides.
  EXPECT_EQ(unchanged, 12);
  auto added = banks.AddEntries(b->id, batch);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  // The audio-first copies of s01 have the same video stream, hence the same values.
  EXPECT_EQ(added->added, 34u);
  EXPECT_EQ(added->already_present, 2u);
  EXPECT_EQ(batch.FindDuplicates().size(), 2u);

  db->reset();  // read back from the file, not from a cache
  db = store::OpenDatabase((dir / "banks.db").string());
  ASSERT_TRUE(db.ok());
  for (const auto& [name, value] : value_of) {
    auto e = (*db)->banks().FindEntry(b->id, bank::SignalType::kVpdq, value);
    ASSERT_TRUE(e.ok()) << name << ": " << e.status().ToString();
    EXPECT_EQ(bank::VpdqValueToReferenceFile(e->value), want.at(name)) << name;
  }
  db->reset();
  fs::remove_all(dir);
}

class VpdqMatcherGoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!video_test::HaveCorpus()) return;
    for (const auto& row : video_test::ReadCsv(kVpdqDir / "clips.csv")) {
      const std::string stem = fs::path(row.at(0)).stem().string();
      const std::string text = video_test::ReadText(kVpdqDir / "expected" / (stem + ".txt"));
      auto frames = hash::ParseVpdq(text);
      ASSERT_TRUE(frames.ok()) << stem;
      frames_[stem] = *frames;
      if (stem.find("__") == std::string::npos) base_text_[stem] = text;
    }
  }

  std::map<std::string, std::vector<hash::VpdqFrame>> frames_;  // every clip
  std::map<std::string, std::string> base_text_;                // base clips' files
};

TEST_F(VpdqMatcherGoldenTest, EveryClipAgainstABankOfBaseClipsGivesTheExpectedPercentages) {
  VIGIL_SKIP_WITHOUT_VPDQ_CORPUS();
  ASSERT_EQ(frames_.size(), 33u);
  ASSERT_EQ(base_text_.size(), 8u);
  bank::InMemoryBankStore store;
  auto videos = store.CreateBank({.name = "videos"});
  auto photos = store.CreateBank({.name = "photos"});
  ASSERT_TRUE(videos.ok() && photos.ok());
  std::map<bank::EntryId, std::string> clip_of;
  for (const auto& [stem, text] : base_text_) {
    auto value = bank::ReferenceFileToVpdqValue(text);
    ASSERT_TRUE(value.ok());
    ASSERT_TRUE(bank::AddEntry(
                    store, videos->id,
                    {.signal_type = bank::SignalType::kVpdq, .value = *value, .source_ref = stem})
                    .ok());
    clip_of[store.FindEntry(videos->id, bank::SignalType::kVpdq, *value)->id] = stem;
    // A photo entry equal to the clip's first frame shares the index and must not count.
    ASSERT_TRUE(bank::AddEntry(store, photos->id,
                               {.signal_type = bank::SignalType::kPdq,
                                .value = frames_.at(stem)[0].hash.ToHex()})
                    .ok());
  }
  auto matcher = match::Matcher::Load(store, {});
  ASSERT_TRUE(matcher.ok()) << matcher.status().ToString();
  EXPECT_EQ((*matcher)->GetStats().vpdq_entries, 8u);
  EXPECT_EQ((*matcher)->GetStats().pdq_entries, 8u);

  const auto rows = video_test::ReadCsv(kVpdqDir / "expected_matches.csv");
  ASSERT_EQ(rows.size(), 264u);
  std::map<std::string, std::vector<match::VideoMatch>> by_query;
  for (const auto& [stem, frames] : frames_) {
    auto found = (*matcher)->MatchVpdq(frames, /*include_below_threshold=*/true);
    ASSERT_TRUE(found.ok()) << stem << ": " << found.status().ToString();
    by_query[stem] = *found;
  }
  int reproduced = 0, matches = 0;
  for (const auto& row : rows) {
    const std::string& query = row.at(0);
    const std::string& target = row.at(1);
    SCOPED_TRACE(query + " vs " + target);
    hash::VpdqMatchResult got;  // zero when the index found no shared frame
    for (const match::VideoMatch& m : by_query.at(query)) {
      if (clip_of.at(m.entry.id) == target) got = m.result;
    }
    const hash::VpdqMatchResult brute = hash::MatchVpdq(frames_.at(query), frames_.at(target));
    if (got.query_frames_matched > 0) {
      EXPECT_EQ(got.query_frames, brute.query_frames);
      EXPECT_EQ(got.target_frames, brute.target_frames);
      EXPECT_EQ(got.query_match_percent, brute.query_match_percent);
      EXPECT_EQ(got.target_match_percent, brute.target_match_percent);
      EXPECT_EQ(got.is_match, brute.is_match);
    } else {
      EXPECT_EQ(brute.query_frames_matched, 0);
    }
    const std::string query_pct = fmt::format("{:.2f}", got.query_match_percent);
    const std::string target_pct = fmt::format("{:.2f}", got.target_match_percent);
    EXPECT_EQ(query_pct, row.at(2));
    EXPECT_EQ(target_pct, row.at(3));
    if (query_pct == row.at(2) && target_pct == row.at(3)) ++reproduced;
    if (got.is_match) ++matches;
  }
  EXPECT_EQ(reproduced, 264);
  EXPECT_EQ(matches, 22);  // as vpdq_match_golden_test.cc counts with the brute-force matcher

  // The photo entries still match photos, and never a video's frame.
  auto photo = (*matcher)->MatchPdq(frames_.at("s02_zoom_h264")[0].hash, 100);
  ASSERT_TRUE(photo.ok());
  ASSERT_EQ(photo->size(), 1u);
  EXPECT_EQ(photo->at(0).bank.name, "photos");
}

TEST_F(VpdqMatcherGoldenTest, RetiringAndAddingVideosUpdatesTheIndexLive) {
  VIGIL_SKIP_WITHOUT_VPDQ_CORPUS();
  bank::InMemoryBankStore store;
  auto videos = store.CreateBank({.name = "videos"});
  ASSERT_TRUE(videos.ok());
  auto add = [&](const std::string& stem) {
    auto value = bank::ReferenceFileToVpdqValue(base_text_.at(stem));
    EXPECT_TRUE(bank::AddEntry(
                    store, videos->id,
                    {.signal_type = bank::SignalType::kVpdq, .value = *value, .source_ref = stem})
                    .ok());
    return *store.FindEntry(videos->id, bank::SignalType::kVpdq, *value);
  };
  const bank::BankEntry zoom = add("s02_zoom_h264");
  auto matcher = match::Matcher::Load(store, {});
  ASSERT_TRUE(matcher.ok());
  const auto& query = frames_.at("s02_zoom_h264__lowbr");
  auto found = (*matcher)->MatchVpdq(query);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->at(0).entry.id, zoom.id);

  auto retired = store.RetireEntry(zoom.id, "wrong list");
  ASSERT_TRUE(retired.ok());
  ASSERT_TRUE((*matcher)->OnEntryRetired(*retired).ok());
  EXPECT_TRUE((*matcher)->MatchVpdq(query)->empty());
  EXPECT_EQ((*matcher)->GetStats().vpdq_frames, 0u);

  const bank::BankEntry slides = add("s01_slideshow_h264");
  ASSERT_TRUE((*matcher)->OnEntryAdded(slides).ok());
  ASSERT_TRUE((*matcher)->OnEntryAdded(slides).ok());  // idempotent
  found = (*matcher)->MatchVpdq(frames_.at("s01_slideshow_h264__scale50"));
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->at(0).entry.id, slides.id);
  EXPECT_EQ(found->at(0).result.query_match_percent, 80.0);  // expected_matches.csv
}

}  // namespace
}  // namespace vigil
