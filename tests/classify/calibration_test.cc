// Threshold calibration: precision, relative recall and volume per threshold from review
// outcomes, against hand-computed values; and the outcomes read back from a case store.
#include "classify/calibration.h"

#include <gtest/gtest.h>

#include "cases/in_memory_case_store.h"
#include "cases/review_service.h"

namespace vigil::classify {
namespace {

// Flagged at s>=0.5: confirmed 0.95, 0.9, 0.7; not CSAM 0.8, 0.6; pending 0.55.
std::vector<ReviewedFlag> SixFlags() {
  return {{0.95, true, 0.5}, {0.9, true, 0.5},  {0.8, false, 0.5},
          {0.7, true, 0.5},  {0.6, false, 0.5}, {0.55, std::nullopt, 0.5}};
}

const ThresholdRow& RowAt(const Calibration& c, double t) {
  for (const ThresholdRow& r : c.rows) {
    if (std::abs(r.threshold - t) < 1e-9) return r;
  }
  ADD_FAILURE() << "no row at " << t;
  return c.rows.front();
}

TEST(CalibrationTest, CountsPrecisionRecallAndVolumePerThreshold) {
  auto flags = SixFlags();
  auto c = Calibrate("classifier:m@1", flags, {.target_precision = 0.99, .grid_step = 0.1});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->flags, 6);
  EXPECT_EQ(c->reviewed, 5);
  EXPECT_EQ(c->confirmed, 3);
  EXPECT_EQ(c->pending, 1);
  EXPECT_DOUBLE_EQ(c->operating_threshold, 0.5);
  ASSERT_EQ(c->rows.size(), 11u);  // 0, 0.1, ..., 1

  const ThresholdRow& below = RowAt(*c, 0.4);
  EXPECT_FALSE(below.known);  // items under 0.5 were never flagged, so never kept
  EXPECT_FALSE(below.precision.has_value());
  EXPECT_FALSE(below.recall.has_value());

  struct Want {
    double t;
    int64_t flagged, reviewed, confirmed;
    double precision, recall;
  };
  for (const Want& w : {Want{0.5, 6, 5, 3, 3.0 / 5, 1.0}, Want{0.6, 5, 5, 3, 3.0 / 5, 1.0},
                        Want{0.7, 4, 4, 3, 3.0 / 4, 1.0}, Want{0.8, 3, 3, 2, 2.0 / 3, 2.0 / 3},
                        Want{0.9, 2, 2, 2, 1.0, 2.0 / 3}}) {
    const ThresholdRow& r = RowAt(*c, w.t);
    SCOPED_TRACE(w.t);
    EXPECT_TRUE(r.known);
    EXPECT_EQ(r.flagged, w.flagged);
    EXPECT_EQ(r.reviewed, w.reviewed);
    EXPECT_EQ(r.confirmed, w.confirmed);
    ASSERT_TRUE(r.precision && r.recall);
    EXPECT_DOUBLE_EQ(*r.precision, w.precision);
    EXPECT_DOUBLE_EQ(*r.recall, w.recall);
  }
  const ThresholdRow& top = RowAt(*c, 1.0);
  EXPECT_EQ(top.flagged, 0);
  EXPECT_FALSE(top.precision.has_value());  // nothing reviewed at 1: precision unknown
  EXPECT_DOUBLE_EQ(*top.recall, 0.0);
}

TEST(CalibrationTest, TooFewReviewsForTheTargetGivesNoThresholdAndSaysHowManyAreNeeded) {
  auto flags = SixFlags();
  auto c = Calibrate("classifier:m@1", flags, {.target_precision = 0.99, .grid_step = 0.1});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->min_reviewed, 100);  // one false positive in fewer than 100 breaks 0.99
  EXPECT_FALSE(c->threshold.has_value());
  EXPECT_EQ(c->note,
            "too little data: 5 reviewed flags, 100 needed before a precision of 0.99 can be "
            "shown");
}

TEST(CalibrationTest, RecommendsTheLowestThresholdMeetingTheTarget) {
  auto flags = SixFlags();
  auto strict =
      Calibrate("m", flags, {.target_precision = 0.99, .grid_step = 0.1, .min_reviewed = 2});
  ASSERT_TRUE(strict.ok());
  ASSERT_TRUE(strict->threshold.has_value());
  EXPECT_DOUBLE_EQ(*strict->threshold, 0.9);  // 2 of 2 confirmed
  auto loose =
      Calibrate("m", flags, {.target_precision = 0.7, .grid_step = 0.1, .min_reviewed = 1});
  ASSERT_TRUE(loose.ok());
  EXPECT_DOUBLE_EQ(*loose->threshold, 0.7);  // 0.75; at 0.6 only 0.6
  auto none =
      Calibrate("m", flags, {.target_precision = 0.99, .grid_step = 0.1, .min_reviewed = 3});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->threshold.has_value());
  EXPECT_EQ(none->note, "no threshold with at least 3 reviewed flags reaches precision 0.99");
}

TEST(CalibrationTest, WithoutALabelledThresholdTheLowestScoreIsTheOperatingThreshold) {
  std::vector<ReviewedFlag> flags = {{0.62, true, std::nullopt}, {0.81, false, std::nullopt}};
  auto c = Calibrate("m", flags, {.target_precision = 0.5, .grid_step = 0.25, .min_reviewed = 1});
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->operating_threshold, 0.62);
  ASSERT_EQ(c->rows.size(), 5u);  // 0, 0.25, 0.5, 0.75, 1
  EXPECT_FALSE(c->rows[2].known);
  EXPECT_TRUE(c->rows[3].known);
  EXPECT_DOUBLE_EQ(*c->rows[3].precision, 0.0);  // only the false positive at 0.81
  EXPECT_FALSE(c->threshold.has_value());
}

TEST(CalibrationTest, NoDataAndNothingReviewedAreClearErrors) {
  auto empty = Calibrate("classifier:m@1", {}, {});
  EXPECT_EQ(empty.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(empty.status().message(), "no flags of technology 'classifier:m@1' in the case store");
  std::vector<ReviewedFlag> pending = {{0.7, std::nullopt, 0.5}};
  auto unreviewed = Calibrate("classifier:m@1", pending, {});
  EXPECT_EQ(unreviewed.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(unreviewed.status().message(),
            "technology 'classifier:m@1' has 1 flags but none has been reviewed yet");
}

TEST(CalibrationTest, RefusesBadOptions) {
  auto flags = SixFlags();
  for (CalibrationOptions o :
       {CalibrationOptions{.target_precision = 1.0}, CalibrationOptions{.target_precision = 0},
        CalibrationOptions{.grid_step = 0}, CalibrationOptions{.grid_step = 1.5},
        CalibrationOptions{.min_reviewed = -1}}) {
    EXPECT_EQ(Calibrate("m", flags, o).status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(CalibrationTest, ReadsTheOperatingThresholdFromTheLabel) {
  EXPECT_EQ(OperatingThresholdOf("classifier:grooming-example@1 s>=0.9"), 0.9);
  EXPECT_EQ(OperatingThresholdOf("classifier:m@2 s>=0.25 x"), 0.25);
  EXPECT_FALSE(OperatingThresholdOf("pdq@1 r<=31").has_value());
  EXPECT_FALSE(OperatingThresholdOf("classifier:m@1 s>=abc").has_value());
}

class NoSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

class CollectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    review_ = std::move(*cases::ReviewService::Create(store_, sink_, clock_, {}));
  }
  // Opens a case of one account (so each is its own case) with `flags` on one item and, unless
  // `decision` is empty, decides it through review.
  void Open(std::vector<cases::Flag> flags, std::optional<cases::Decision> decision) {
    cases::NewCase c;
    c.account_id = "acct-" + std::to_string(++n_);
    c.surface = "chat";
    c.items.push_back(
        {"item-" + std::to_string(n_), "conversation", clock_->Now(), {}, {}, std::move(flags)});
    auto opened = review_->OpenCase(c);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    if (!decision) return;
    ASSERT_TRUE(review_->Claim(opened->opened.id, "rev").ok());
    auto decided = review_->Decide(opened->opened.id, {"rev", *decision, "looked at it"});
    ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  }

  std::shared_ptr<FakeClock> clock_ =
      std::make_shared<FakeClock>(TimePoint(std::chrono::seconds(1'790'000'000)));
  cases::InMemoryCaseStore store_;
  NoSink sink_;
  std::unique_ptr<cases::ReviewService> review_;
  int n_ = 0;
};

constexpr auto kSolicitation = cases::FlagCategory::kSolicitation;

TEST_F(CollectTest, CollectsEachItemsScoreAndItsCasesOutcome) {
  Open({{"classifier:g@1 s>=0.5", kSolicitation, 0.9}}, cases::Decision::kConfirmedSolicitation);
  Open({{"classifier:g@1 s>=0.5", kSolicitation, 0.6}}, cases::Decision::kNotCsam);
  Open({{"classifier:g@1 s>=0.5", kSolicitation, 0.7}}, std::nullopt);
  // Other technologies and other versions are not this technology.
  Open({{"classifier:g@2 s>=0.5", kSolicitation, 0.8}}, cases::Decision::kNotCsam);
  Open({{"classifier:gx@1 s>=0.5", kSolicitation, 0.8}}, cases::Decision::kNotCsam);
  // Two rules of the same technology on one item count once, at the higher score.
  Open({{"classifier:g@1 s>=0.5", kSolicitation, 0.75},
        {"classifier:g@1 s>=0.7", kSolicitation, 0.75}},
       cases::Decision::kConfirmedSolicitation);

  for (const char* name : {"classifier:g@1", "g@1"}) {
    auto flags = CollectReviewedFlags(store_, name);
    ASSERT_TRUE(flags.ok()) << flags.status().ToString();
    ASSERT_EQ(flags->size(), 4u) << name;
    EXPECT_DOUBLE_EQ((*flags)[0].score, 0.9);
    EXPECT_EQ((*flags)[0].confirmed, true);
    EXPECT_DOUBLE_EQ((*flags)[1].score, 0.6);
    EXPECT_EQ((*flags)[1].confirmed, false);
    EXPECT_DOUBLE_EQ((*flags)[2].score, 0.7);
    EXPECT_FALSE((*flags)[2].confirmed.has_value());
    EXPECT_DOUBLE_EQ((*flags)[3].score, 0.75);
    EXPECT_EQ((*flags)[3].confirmed, true);
    EXPECT_DOUBLE_EQ(*(*flags)[0].operating_threshold, 0.5);
  }
  auto none = CollectReviewedFlags(store_, "classifier:unknown@1");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace vigil::classify
