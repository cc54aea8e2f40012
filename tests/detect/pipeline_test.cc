// The detection pipeline end to end on real (benign) images: hashes -> bank matches -> rules ->
// volume counters -> a review case, and nothing kept for items that nothing flagged.
#include "detect/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "cases/in_memory_case_store.h"
#include "core/file.h"

namespace vigil::detect {
namespace {

namespace fs = std::filesystem;
const fs::path kPdqDir = fs::path(VIGIL_SHARED_DIR) / "testdata" / "pdq";
// 01_aqua.jpg's PDQ hash, from the reference hasher's expected.csv.
const char kAquaPdq[] = "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";

class RecordingSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId id, std::string_view) override {
    flagged.push_back(id);
    return Status::Ok();
  }
  std::vector<cases::BankEntryId> flagged;
};

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kPdqDir / "images")) GTEST_SKIP() << "no shared test data at " << kPdqDir;
    hotline_ =
        *banks_.CreateBank({"hotline", "Hotline", "", "", bank::ActionPolicy::kReviewRequired});
    own_ = *banks_.CreateBank({"own", "Provider", "", "", bank::ActionPolicy::kAutoAction});
    ASSERT_TRUE(bank::AddEntry(banks_, hotline_.id, {bank::SignalType::kPdq, kAquaPdq}).ok());
    blinds_ = *ReadFileBytes((kPdqDir / "images" / "02_blinds.jpg").string(), 1 << 24);
    const std::string blinds_md5 = hash::DigestToHex(hash::Md5(blinds_));
    ASSERT_TRUE(bank::AddEntry(banks_, own_.id, {bank::SignalType::kMd5, blinds_md5}).ok());
    matcher_ = std::move(*match::Matcher::Load(banks_, {}));
    review_ =
        std::move(*cases::ReviewService::Create(cases_, sink_, clock_, cases::ReviewConfig{}));
  }

  Result<ItemOutcome> Run(const Pipeline& p, const std::string& file, const std::string& account) {
    auto bytes = ReadFileBytes(file, 1 << 24);
    if (!bytes.ok()) return bytes.status();
    MediaHasher hasher;
    return p.Process(
        {"item-" + fs::path(file).stem().string(), account, "photos", stats::Region::kEu, *bytes},
        hasher);
  }

  std::shared_ptr<FakeClock> clock_ =
      std::make_shared<FakeClock>(TimePoint(std::chrono::seconds(1'790'000'000)));
  bank::InMemoryBankStore banks_{clock_};
  bank::Bank hotline_, own_;
  std::vector<uint8_t> blinds_;
  cases::InMemoryCaseStore cases_;
  RecordingSink sink_;
  std::unique_ptr<match::Matcher> matcher_;
  std::unique_ptr<cases::ReviewService> review_;
  stats::InMemoryVolumeCounters counters_;
};

TEST_F(PipelineTest, AVariantOfABankedImageOpensAReviewCaseWithItsTechnology) {
  RuleSet rules = RuleSet::Defaults();
  Pipeline pipeline(matcher_.get(), &rules, review_.get(), &counters_, clock_);
  auto out = Run(pipeline, (kPdqDir / "variants" / "01_aqua__jpeg_q50.jpg").string(), "acct-1");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->matches.size(), 1u);
  EXPECT_EQ(out->decision.action, Action::kReview);
  ASSERT_TRUE(out->opened.has_value());
  const cases::Case& c = out->opened->opened;
  EXPECT_EQ(c.account_id, "acct-1");
  EXPECT_EQ(c.priority, 50);
  ASSERT_EQ(c.items.size(), 1u);
  ASSERT_EQ(c.items[0].flags.size(), 1u);
  const cases::Flag& f = c.items[0].flags[0];
  EXPECT_EQ(f.technology, "pdq@1 r<=31");
  EXPECT_EQ(f.raw_value, 2);  // expected.csv: the q50 variant is 2 bits from the original
  EXPECT_EQ(f.bank_name, "hotline");
  EXPECT_EQ(f.category, cases::FlagCategory::kKnown);
  EXPECT_EQ(c.progress.state, cases::CaseState::kNew);

  const int64_t day = clock_->Now().time_since_epoch().count() / 86400;
  auto counts = counters_.Snapshot();
  EXPECT_EQ((counts[{day, "pdq@1", "image", stats::Region::kEu}]), (stats::VolumeCount{1, 1}));
  EXPECT_EQ((counts[{day, "md5@1", "image", stats::Region::kEu}]), (stats::VolumeCount{1, 0}));
}

TEST_F(PipelineTest, FlaggedItemsOfOneAccountJoinItsOpenCaseEachWithItsHashesAndFlags) {
  RuleSet rules = RuleSet::Defaults();
  Pipeline pipeline(matcher_.get(), &rules, review_.get(), &counters_, clock_);
  const fs::path original = kPdqDir / "images" / "01_aqua.jpg";
  auto first = Run(pipeline, original.string(), "acct-1");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(first->opened.has_value());
  EXPECT_FALSE(first->opened->grouped);
  clock_->Advance(std::chrono::seconds(30));
  auto second = Run(pipeline, (kPdqDir / "variants" / "01_aqua__jpeg_q50.jpg").string(), "acct-1");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_TRUE(second->opened.has_value());
  EXPECT_TRUE(second->opened->grouped);
  const cases::Case c = *cases_.GetCase(first->opened->opened.id);
  EXPECT_EQ(second->opened->opened, c);
  ASSERT_EQ(c.items.size(), 2u);
  EXPECT_EQ(c.items[0].item_id, "item-01_aqua");
  EXPECT_EQ(c.items[1].item_id, "item-01_aqua__jpeg_q50");
  EXPECT_EQ(c.items[1].added_at, c.created_at + std::chrono::seconds(30));
  // Each item keeps its own hashes: the original's PDQ is the reference's, its digests are of
  // its bytes.
  const std::vector<uint8_t> bytes = *ReadFileBytes(original.string(), 1 << 24);
  const std::vector<cases::ItemHash> want = {{"pdq", kAquaPdq},
                                             {"md5", hash::DigestToHex(hash::Md5(bytes))},
                                             {"sha256", hash::DigestToHex(hash::Sha256(bytes))}};
  EXPECT_EQ(c.items[0].hashes, want);
  ASSERT_EQ(c.items[1].hashes.size(), 3u);
  EXPECT_NE(c.items[1].hashes[1], want[1]);
  // ... and its own flag with its raw distance (expected.csv: 0 for the original, 2 for q50).
  ASSERT_EQ(c.items[0].flags.size(), 1u);
  EXPECT_EQ(c.items[0].flags[0].raw_value, 0);
  ASSERT_EQ(c.items[1].flags.size(), 1u);
  EXPECT_EQ(c.items[1].flags[0].raw_value, 2);

  auto other = Run(pipeline, original.string(), "acct-2");  // another account: its own case
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_FALSE(other->opened->grouped);
  EXPECT_NE(other->opened->opened.id, c.id);
}

TEST_F(PipelineTest, AnUnflaggedItemLeavesOnlyCounters) {
  RuleSet rules = RuleSet::Defaults();
  Pipeline pipeline(matcher_.get(), &rules, review_.get(), &counters_, clock_);
  auto out = Run(pipeline, (kPdqDir / "images" / "09_storm.jpg").string(), "acct-2");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->decision.flags.empty());
  EXPECT_FALSE(out->opened.has_value());
  EXPECT_TRUE(cases_.ListCases({})->empty());  // Art 3(1)(h): no case, no account, no hash
  const int64_t day = clock_->Now().time_since_epoch().count() / 86400;
  EXPECT_EQ((counters_.Snapshot()[{day, "pdq@1", "image", stats::Region::kEu}]),
            (stats::VolumeCount{1, 0}));
}

TEST_F(PipelineTest, KnownMaterialFromATrustedBankIsAutoActionedOnlyWhenEnabled) {
  auto rules = RuleSet::Parse(R"({"auto_action_enabled": true,
      "rules": [{"detector": "md5", "action": "auto_action", "priority": 80}]})");
  ASSERT_TRUE(rules.ok());
  Pipeline pipeline(matcher_.get(), &*rules, review_.get(), &counters_, clock_);
  auto out = Run(pipeline, (kPdqDir / "images" / "02_blinds.jpg").string(), "acct-3");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->decision.action, Action::kAutoAction);
  ASSERT_TRUE(out->opened.has_value());
  EXPECT_TRUE(out->opened->opened.progress.actioned_at.has_value());
  EXPECT_EQ(out->opened->opened.items[0].flags[0].technology, "md5@1");
}

TEST_F(PipelineTest, DryRunDecidesWithoutOpeningCases) {
  RuleSet rules = RuleSet::Defaults();
  Pipeline pipeline(matcher_.get(), &rules, nullptr, nullptr, clock_);
  auto out = Run(pipeline, (kPdqDir / "images" / "01_aqua.jpg").string(), "");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->decision.flags.size(), 1u);
  EXPECT_FALSE(out->opened.has_value());
}

TEST_F(PipelineTest, BadInputIsAnErrorAndCountsNothing) {
  RuleSet rules = RuleSet::Defaults();
  Pipeline pipeline(matcher_.get(), &rules, review_.get(), &counters_, clock_);
  MediaHasher hasher;
  const std::vector<uint8_t> garbage = {'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'm', 'a', 'g', 'e'};
  auto out = pipeline.Process({"x", "acct", "photos", stats::Region::kEu, garbage}, hasher);
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(counters_.Snapshot().empty());

  auto no_account = Run(pipeline, (kPdqDir / "images" / "01_aqua.jpg").string(), "");
  EXPECT_EQ(no_account.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(cases_.ListCases({})->empty());
}

}  // namespace
}  // namespace vigil::detect
