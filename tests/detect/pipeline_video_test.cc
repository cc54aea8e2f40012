// The detection pipeline on videos: a re-encoded copy of a banked video is flagged through the
// shared index with the vPDQ technology and both shares' minimum as its raw value; a mirrored
// copy leaves only counters.
#include <gtest/gtest.h>

#include <filesystem>

#include "cases/in_memory_case_store.h"
#include "core/file.h"
#include "detect/pipeline.h"

namespace vigil::detect {
namespace {

namespace fs = std::filesystem;
const fs::path kVpdqDir = fs::path(VIGIL_SHARED_DIR) / "testdata" / "vpdq";

class NoSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

class PipelineVideoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kVpdqDir / "videos")) GTEST_SKIP() << "no shared test data at " << kVpdqDir;
    videos_ =
        *banks_.CreateBank({"videos", "Hotline", "", "", bank::ActionPolicy::kReviewRequired});
    auto file = ReadFileBytes((kVpdqDir / "expected" / "s02_zoom_h264.txt").string(), 1 << 20);
    ASSERT_TRUE(file.ok());
    auto value = bank::ReferenceFileToVpdqValue(
        std::string_view(reinterpret_cast<const char*>(file->data()), file->size()));
    ASSERT_TRUE(value.ok());
    ASSERT_TRUE(bank::AddEntry(banks_, videos_.id, {bank::SignalType::kVpdq, *value}).ok());
    entry_id_ = banks_.FindEntry(videos_.id, bank::SignalType::kVpdq, *value)->id;
    matcher_ = std::move(*match::Matcher::Load(banks_, {}));
    review_ =
        std::move(*cases::ReviewService::Create(cases_, sink_, clock_, cases::ReviewConfig{}));
  }

  Result<ItemOutcome> Run(const Pipeline& p, const std::string& clip) {
    auto bytes = ReadFileBytes((kVpdqDir / "videos" / clip).string(), 1 << 26);
    if (!bytes.ok()) return bytes.status();
    MediaHasher hasher;
    return p.Process({"item-" + clip, "acct-v", "videos", stats::Region::kEu, *bytes}, hasher);
  }

  std::shared_ptr<FakeClock> clock_ =
      std::make_shared<FakeClock>(TimePoint(std::chrono::seconds(1'790'000'000)));
  bank::InMemoryBankStore banks_{clock_};
  bank::Bank videos_;
  bank::EntryId entry_id_ = 0;
  cases::InMemoryCaseStore cases_;
  NoSink sink_;
  std::unique_ptr<match::Matcher> matcher_;
  std::unique_ptr<cases::ReviewService> review_;
  stats::InMemoryVolumeCounters counters_;
};

TEST_F(PipelineVideoTest, AReencodedCopyOfABankedVideoOpensACaseWithTheVpdqTechnology) {
  RuleSet rules = RuleSet::Defaults();
  Pipeline pipeline(matcher_.get(), &rules, review_.get(), &counters_, clock_);
  auto out = Run(pipeline, "s02_zoom_h264__scale50.mp4");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->video_matches.size(), 1u);
  // expected_matches.csv: s02_zoom_h264__scale50 vs s02_zoom_h264 is 100.00 / 100.00.
  EXPECT_EQ(out->video_matches[0].result.query_match_percent, 100.0);
  EXPECT_EQ(out->video_matches[0].result.target_match_percent, 100.0);
  EXPECT_EQ(out->decision.action, Action::kReview);
  ASSERT_TRUE(out->opened.has_value());
  const cases::Case& c = out->opened->opened;
  ASSERT_EQ(c.items.size(), 1u);
  EXPECT_EQ(c.items[0].content_type, "video");
  ASSERT_EQ(c.items[0].flags.size(), 1u);
  const cases::Flag& f = c.items[0].flags[0];
  EXPECT_EQ(f.technology, "vpdq@1 d<=31 80/80");
  EXPECT_EQ(f.raw_value, 100.0);
  EXPECT_EQ(f.bank_entry_id, entry_id_);
  EXPECT_EQ(f.bank_name, "videos");
  const int64_t day = clock_->Now().time_since_epoch().count() / 86400;
  auto counts = counters_.Snapshot();
  EXPECT_EQ((counts[{day, "vpdq@1", "video", stats::Region::kEu}]), (stats::VolumeCount{1, 1}));
  EXPECT_EQ((counts[{day, "md5@1", "video", stats::Region::kEu}]), (stats::VolumeCount{1, 0}));
}

TEST_F(PipelineVideoTest, AMirroredCopyIsNotFlaggedAndLeavesOnlyCounters) {
  RuleSet rules = RuleSet::Defaults();
  Pipeline pipeline(matcher_.get(), &rules, review_.get(), &counters_, clock_);
  auto out = Run(pipeline, "s02_zoom_h264__hflip.mp4");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->video_matches.empty());  // 0% / 0% in expected_matches.csv
  EXPECT_TRUE(out->decision.flags.empty());
  EXPECT_TRUE(cases_.ListCases({})->empty());
  const int64_t day = clock_->Now().time_since_epoch().count() / 86400;
  EXPECT_EQ((counters_.Snapshot()[{day, "vpdq@1", "video", stats::Region::kEu}]),
            (stats::VolumeCount{1, 0}));
}

}  // namespace
}  // namespace vigil::detect
