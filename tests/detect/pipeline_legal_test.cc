// The pipeline scans only what the legal basis allows (privacy/legal_basis.h): outside the act's
// period, or for an end-to-end encrypted communication under 2026/1881, an item is refused before
// it is hashed, and leaves no case, flag or count behind.
#include <gtest/gtest.h>

#include <filesystem>

#include "cases/in_memory_case_store.h"
#include "core/file.h"
#include "detect/pipeline.h"

namespace vigil::detect {
namespace {

namespace fs = std::filesystem;
const fs::path kAqua = fs::path(VIGIL_SHARED_DIR) / "testdata" / "pdq" / "images" / "01_aqua.jpg";
const char kAquaPdq[] = "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";

TimePoint Utc(int y, unsigned m, unsigned d) {
  return TimePoint(std::chrono::sys_days(std::chrono::year(y) / m / d));
}

class NullSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

class PipelineLegalBasisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kAqua)) GTEST_SKIP() << "no shared test data at " << kAqua;
    auto bank =
        *banks_.CreateBank({"hotline", "Hotline", "", "", bank::ActionPolicy::kReviewRequired});
    ASSERT_TRUE(bank::AddEntry(banks_, bank.id, {bank::SignalType::kPdq, kAquaPdq}).ok());
    matcher_ = std::move(*match::Matcher::Load(banks_, {}));
    review_ =
        std::move(*cases::ReviewService::Create(cases_, sink_, clock_, cases::ReviewConfig{}));
    aqua_ = *ReadFileBytes(kAqua.string(), 1 << 24);
  }

  Result<ItemOutcome> Run(const Pipeline& p, bool end_to_end_encrypted) {
    MediaHasher hasher;
    return p.Process({"item-1", "acct-1", "chat", stats::Region::kEu, aqua_, end_to_end_encrypted},
                     hasher);
  }

  void ExpectNothingKept() {
    EXPECT_TRUE(counters_.Snapshot().empty());
    auto queue = review_->Queue(10);
    ASSERT_TRUE(queue.ok());
    EXPECT_TRUE(queue->empty());
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>(Utc(2027, 3, 1));
  bank::InMemoryBankStore banks_{clock_};
  cases::InMemoryCaseStore cases_;
  NullSink sink_;
  std::unique_ptr<match::Matcher> matcher_;
  std::unique_ptr<cases::ReviewService> review_;
  stats::InMemoryVolumeCounters counters_;
  RuleSet rules_ = RuleSet::Defaults();
  std::vector<uint8_t> aqua_;
};

TEST_F(PipelineLegalBasisTest, WithinThePeriodABankedImageOpensACase) {
  Pipeline pipeline(matcher_.get(), &rules_, review_.get(), &counters_, clock_);
  auto out = Run(pipeline, false);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->opened.has_value());
}

TEST_F(PipelineLegalBasisTest, EndToEndEncryptedCommunicationsAreRefusedUnder2026_1881) {
  Pipeline pipeline(matcher_.get(), &rules_, review_.get(), &counters_, clock_);
  auto out = Run(pipeline, true);
  EXPECT_EQ(out.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(out.status().message().find("item item-1"), std::string::npos);
  EXPECT_NE(out.status().message().find("end-to-end encrypted"), std::string::npos);
  ExpectNothingKept();
}

TEST_F(PipelineLegalBasisTest, NothingIsScannedInTheGapBetweenTheActs) {
  clock_->Set(Utc(2026, 6, 1));
  Pipeline pipeline(matcher_.get(), &rules_, review_.get(), &counters_, clock_);
  auto out = Run(pipeline, false);
  EXPECT_EQ(out.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(out.status().message().find("Regulation (EU) 2026/1881"), std::string::npos);
  auto hashed = pipeline.ProcessHashed({"item-2", "acct-1", "chat", stats::Region::kEu, {}},
                                       *MediaHasher().HashBytes(aqua_));
  EXPECT_EQ(hashed.status().code(), StatusCode::kFailedPrecondition);
  ExpectNothingKept();
}

TEST_F(PipelineLegalBasisTest, ClassifierScoresOfExcludedItemsAreRefusedToo) {
  Pipeline pipeline(matcher_.get(), &rules_, review_.get(), &counters_, clock_);
  const ItemInput chat{"conv-1", "acct-1", "chat", stats::Region::kEu, {}, true};
  auto out = pipeline.ProcessScores(chat, "conversation", {{0.9, "grooming-example", "1", {}}});
  EXPECT_EQ(out.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(out.status().message().find("end-to-end encrypted"), std::string::npos);
  ExpectNothingKept();
}

TEST_F(PipelineLegalBasisTest, TheOldActAllowedEncryptedCommunicationsWhileItApplied) {
  clock_->Set(Utc(2025, 6, 1));
  Pipeline pipeline(matcher_.get(), &rules_, review_.get(), &counters_, clock_,
                    *privacy::LegalBasisById("2021/1232"));
  auto out = Run(pipeline, true);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->opened.has_value());
  clock_->Set(Utc(2027, 3, 1));  // after it lapsed
  EXPECT_EQ(Run(pipeline, false).status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace vigil::detect
