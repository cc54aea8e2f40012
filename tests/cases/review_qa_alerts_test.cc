// ReviewService: QA sampling and second reviews, the QA report's disagreement rates, cluster
// alerts and automatic-action pauses. Runs on every CaseStore backend.
#include "cases/case_store_contract.h"

namespace vigil::cases::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST_P(ReviewTest, DecisionsAreSampledExactlyByTheSeededHash) {
  ConfigureQa(0.3, 7);
  int sampled = 0;
  for (int i = 0; i < 40; ++i) {
    const Case c = Open(CaseWith({KnownFlag(i + 1)}));
    const Case decided = Review(c.id, "alice", Decision::kConfirmedKnown).after;
    const bool want = SampledForQa({.fraction = 0.3, .seed = 7}, c.id);
    EXPECT_EQ(decided.progress.qa, want ? QaState::kPending : QaState::kNotSampled) << c.id;
    sampled += want ? 1 : 0;
  }
  EXPECT_EQ(static_cast<int>(service().QaQueue(100)->size()), sampled);
  EXPECT_GT(sampled, 0);
  EXPECT_LT(sampled, 40);
  // Case 1 under seed 7 hashes SplitMix64(6) -> 0.7398...: out at 0.3, in at 0.74.
  EXPECT_FALSE(SampledForQa({.fraction = 0.3, .seed = 7}, 1));
  EXPECT_TRUE(SampledForQa({.fraction = 0.74, .seed = 7}, 1));
}

TEST_P(ReviewTest, QaIsASecondReviewBySomeoneElseThatRecordsAgreement) {
  ConfigureQa(1.0, 0);
  const Case c = Open(CaseOfItems(KnownFlag(1), 2));
  Review(c.id, "alice", Decision::kConfirmedKnown);
  ASSERT_EQ(service().QaQueue(10)->size(), 1u);
  EXPECT_EQ(service().ClaimForQa(c.id, "alice").status().message(),
            "reviewer alice reviewed case 1 and cannot also give its QA review");
  auto claimed = service().ClaimForQa(c.id, "bob");
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_EQ(claimed->progress.state, CaseState::kDecided);  // QA does not reopen the case
  EXPECT_EQ(*service().ExposureToday("bob"), 2);
  EXPECT_TRUE(service().QaQueue(10)->empty());
  const DecisionInput carol{.reviewer = "carol", .decision = Decision::kNotCsam, .rationale = "r"};
  EXPECT_EQ(service().SubmitQaReview(c.id, carol).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(service()
                .SubmitQaReview(c.id, {.reviewer = "bob",
                                       .decision = Decision::kNeedsSecondOpinion,
                                       .rationale = "r"})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  auto done = service().SubmitQaReview(
      c.id, {.reviewer = "bob", .decision = Decision::kNotCsam, .rationale = "benign"});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->progress.qa, QaState::kDone);
  EXPECT_EQ(done->progress.outcome, Decision::kConfirmedKnown);  // QA reports, it does not decide
  EXPECT_EQ(Events(c.id).back().details,
            "disagrees with outcome confirmed_known: not_csam; rationale: benign");
  EXPECT_EQ(service().SubmitQaReview(c.id, carol).status().message(),
            "case 1 is not awaiting QA review (QA done)");
  EXPECT_EQ(Actions(c.id), (std::vector<std::string>{"opened", "claimed", "decided", "qa_claimed",
                                                     "qa_reviewed"}));
}

TEST_P(ReviewTest, AnExpiredQaLeaseLetsAnotherReviewerTakeIt) {
  ConfigureQa(1.0, 0);
  const Case c = Open(CaseWith({KnownFlag(1)}));
  Review(c.id, "alice", Decision::kConfirmedKnown);
  ASSERT_TRUE(service().ClaimForQa(c.id, "bob").ok());
  EXPECT_EQ(service().ClaimForQa(c.id, "carol").status().code(), StatusCode::kFailedPrecondition);
  clock_->Advance(minutes(15));
  EXPECT_EQ(
      service()
          .SubmitQaReview(
              c.id, {.reviewer = "bob", .decision = Decision::kConfirmedKnown, .rationale = "r"})
          .status()
          .code(),
      StatusCode::kFailedPrecondition);
  ASSERT_TRUE(service().ClaimForQa(c.id, "carol").ok());
  auto released = service().Release(c.id, "carol");
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(Actions(c.id).back(), "qa_released");
  EXPECT_EQ(service().QaQueue(10)->size(), 1u);
}

TEST_P(ReviewTest, ReportCountsDisagreementsPerDecidingReviewerAndPerTechnology) {
  ConfigureQa(1.0, 0, /*confirmations=*/2);
  const Case one = Open(CaseWith({KnownFlag(1)}));
  Review(one.id, "alice", Decision::kConfirmedKnown);
  QaReview(one.id, "bob", Decision::kConfirmedKnown);  // agrees

  const Case two = Open(CaseWith({KnownFlag(2, kMd5)}));
  Review(two.id, "alice", Decision::kConfirmedKnown);
  QaReview(two.id, "bob", Decision::kNotCsam);  // disagrees

  const Case three = Open(CaseWith({NewFlag()}));
  Review(three.id, "alice", Decision::kConfirmedNew);
  Review(three.id, "carol", Decision::kConfirmedNew);  // the second confirmation decides
  QaReview(three.id, "dave", Decision::kNotCsam);      // disagrees with both deciders

  const Case four = Open(CaseWith({KnownFlag(4), NewFlag()}));
  Review(four.id, "carol", Decision::kNotCsam);
  QaReview(four.id, "bob", Decision::kNotCsam);  // agrees

  const Case five = Open(CaseWith({KnownFlag(5)}));
  Review(five.id, "alice", Decision::kConfirmedKnown);  // sampled, QA not done: not counted

  auto report = BuildQaReport(store(), kStart, kStart + hours(1));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  QaReport want;
  want.overall = {.reviewed = 4, .disagreed = 2};
  want.by_reviewer["alice"] = {.reviewed = 3, .disagreed = 2};        // cases one, two, three
  want.by_reviewer["carol"] = {.reviewed = 2, .disagreed = 1};        // cases three, four
  want.by_technology[kPdq] = {.reviewed = 2, .disagreed = 0};         // cases one, four
  want.by_technology[kMd5] = {.reviewed = 1, .disagreed = 1};         // case two
  want.by_technology[kClassifier] = {.reviewed = 2, .disagreed = 1};  // cases three, four
  EXPECT_EQ(*report, want);
  EXPECT_DOUBLE_EQ(report->by_reviewer["alice"].rate(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(report->overall.rate(), 0.5);
  EXPECT_EQ(*BuildQaReport(store(), kStart + seconds(1), kStart + hours(1)), QaReport{});
}

TEST_P(ReviewTest, AFloodFromOneTechnologyRaisesAnAlertAndPausesAutomaticAction) {
  ConfigureAlerts(ClusterAlertRule{.max_flags = 3, .window = hours(1), .pause_auto_action = true},
                  std::nullopt);
  EXPECT_TRUE(OpenAlerts(CaseWith({KnownFlag(1), KnownFlag(2)})).empty());
  clock_->Advance(minutes(10));
  EXPECT_TRUE(OpenAlerts(CaseWith({KnownFlag(3), KnownFlag(4, kMd5)})).empty());  // 3 pdq
  EXPECT_FALSE(*service().IsAutoActionPaused(kPdq, 3));
  clock_->Advance(minutes(10));
  const auto alerts = OpenAlerts(CaseWith({KnownFlag(5)}));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].key, kPdq);
  EXPECT_EQ(alerts[0].flag_count, 4);
  EXPECT_EQ(alerts[0].threshold, 3);
  EXPECT_EQ(alerts[0].window_seconds, 3600);
  EXPECT_EQ(alerts[0].raised_at, kStart + minutes(20));
  EXPECT_TRUE(*service().IsAutoActionPaused(kPdq, std::nullopt));
  EXPECT_TRUE(*service().IsAutoActionPaused(kPdq, 99));
  EXPECT_FALSE(*service().IsAutoActionPaused(kMd5, 4));
  EXPECT_EQ(Events(alerts[0].case_id).back().details,
            "alert 1: technology pdq@1 r<=31 has 4 flags in 3600 s (threshold 3); automatic "
            "action paused");
}

TEST_P(ReviewTest, FlagsOlderThanTheWindowDoNotCount) {
  ConfigureAlerts(ClusterAlertRule{.max_flags = 2, .window = minutes(30)}, std::nullopt);
  EXPECT_TRUE(OpenAlerts(CaseOfItems(KnownFlag(1), 2)).empty());
  clock_->Advance(minutes(30));  // the earlier flags are now exactly one window old
  EXPECT_TRUE(OpenAlerts(CaseOfItems(KnownFlag(1), 2)).empty());
  EXPECT_EQ(OpenAlerts(CaseOfItems(KnownFlag(1), 1)).size(), 1u);
}

TEST_P(ReviewTest, AFloodOnOneBankEntryPausesThatEntryOnly) {
  ConfigureAlerts(std::nullopt, ClusterAlertRule{.max_flags = 2, .window = minutes(10)});
  EXPECT_TRUE(OpenAlerts(CaseWith({KnownFlag(42), KnownFlag(43)})).empty());
  EXPECT_TRUE(OpenAlerts(CaseWith({KnownFlag(42, kMd5)})).empty());
  const auto alerts = OpenAlerts(CaseWith({KnownFlag(42)}));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].subject, AlertSubject::kBankEntry);
  EXPECT_EQ(alerts[0].key, "42");
  EXPECT_TRUE(*service().IsAutoActionPaused(kPdq, 42));
  EXPECT_FALSE(*service().IsAutoActionPaused(kPdq, 43));
  EXPECT_FALSE(*service().IsAutoActionPaused(kPdq, std::nullopt));
}

TEST_P(ReviewTest, WithoutPausingTheAlertLeavesAutomaticActionOn) {
  ConfigureAlerts(ClusterAlertRule{.max_flags = 1, .window = hours(1), .pause_auto_action = false},
                  std::nullopt);
  ASSERT_EQ(OpenAlerts(CaseOfItems(KnownFlag(1), 2)).size(), 1u);
  EXPECT_FALSE(*service().IsAutoActionPaused(kPdq, 1));
  EXPECT_TRUE(store().ListPauses()->empty());
}

TEST_P(ReviewTest, AcknowledgingAndResumingAreAudited) {
  ConfigureAlerts(ClusterAlertRule{.max_flags = 1, .window = hours(1), .pause_auto_action = true},
                  std::nullopt);
  const auto alerts = OpenAlerts(CaseOfItems(KnownFlag(1), 2));
  ASSERT_EQ(alerts.size(), 1u);
  auto acked = service().AcknowledgeAlert(alerts[0].id, "lead", "entry 1 retired");
  ASSERT_TRUE(acked.ok()) << acked.status().ToString();
  EXPECT_TRUE(*service().IsAutoActionPaused(kPdq, std::nullopt));  // acknowledging is not resuming
  EXPECT_EQ(service().ResumeAutoAction(AlertSubject::kTechnology, kPdq, "lead", "").message(),
            "reason is empty");
  ASSERT_TRUE(
      service().ResumeAutoAction(AlertSubject::kTechnology, kPdq, "lead", "bad hash retired").ok());
  EXPECT_FALSE(*service().IsAutoActionPaused(kPdq, std::nullopt));
  EXPECT_EQ(service().ResumeAutoAction(AlertSubject::kTechnology, kPdq, "lead", "again").code(),
            StatusCode::kNotFound);
  const auto events = Events();
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[events.size() - 2].action, "alert_acknowledged");
  EXPECT_EQ(events[events.size() - 2].details, "alert 1: entry 1 retired");
  EXPECT_EQ(events.back().action, "auto_action_resumed");
  EXPECT_EQ(events.back().details, "technology pdq@1 r<=31: bad hash retired");
}

}  // namespace
}  // namespace vigil::cases::testing
