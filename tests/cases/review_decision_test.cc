// ReviewService: who may decide, what decisions do (Art 3(1)(g)(iii) confirmations, false
// positives, bank verification), the lifecycle after the decision, and the audit trail — written
// with every change and never by a change that fails. Runs on every CaseStore backend.
#include <atomic>
#include <thread>

#include "cases/case_store_contract.h"

namespace vigil::cases::testing {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// The case and every event, to prove that a refused call wrote nothing.
struct Snapshot {
  Case c;
  std::vector<CaseEvent> events;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

TEST_P(ReviewTest, DecisionByAReviewerWhoNeverClaimedIsPermissionDenied) {
  const Case c = Open(CaseWith({KnownFlag(1)}));
  const Snapshot before{Get(c.id), Events()};
  auto decided = Decide(c.id, "bob", Decision::kConfirmedKnown);
  EXPECT_EQ(decided.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(decided.status().message(),
            "reviewer bob does not hold case 1 (nobody has claimed it); claim it first");
  EXPECT_EQ((Snapshot{Get(c.id), Events()}), before);
}

TEST_P(ReviewTest, DecisionByAReviewerOtherThanTheHolderIsPermissionDenied) {
  const Case c = Open(CaseWith({KnownFlag(1)}));
  ClaimOk(c.id, "alice");
  const Snapshot before{Get(c.id), Events()};
  auto decided = Decide(c.id, "bob", Decision::kNotCsam);
  EXPECT_EQ(decided.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(decided.status().message(), "reviewer bob does not hold case 1 (reviewer alice does)");
  EXPECT_EQ((Snapshot{Get(c.id), Events()}), before);
  EXPECT_TRUE(store().ListFalsePositives(kStart, kStart + minutes(1))->empty());
  EXPECT_TRUE(sink_.calls().empty());
}

TEST_P(ReviewTest, DecisionAfterTheLeaseExpiredIsFailedPrecondition) {
  const Case c = Open(CaseWith({KnownFlag(1)}));
  ClaimOk(c.id, "alice");
  clock_->Advance(minutes(15));
  const Snapshot before{Get(c.id), Events()};
  auto late = Decide(c.id, "alice", Decision::kConfirmedKnown);
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(late.status().message(),
            "the lease of reviewer alice on case 1 expired at 2024-05-01T00:15:00Z; claim it "
            "again");
  EXPECT_EQ((Snapshot{Get(c.id), Events()}), before);
  ClaimOk(c.id, "alice");
  EXPECT_EQ(DecideOk(c.id, "alice", Decision::kConfirmedKnown).after.progress.state,
            CaseState::kDecided);
}

TEST_P(ReviewTest, DoubleDecisionIsFailedPreconditionAndWritesNothing) {
  const Case c = Open(CaseWith({KnownFlag(1)}));
  const Case decided = Review(c.id, "alice", Decision::kConfirmedKnown).after;
  EXPECT_EQ(decided.progress.outcome, Decision::kConfirmedKnown);
  EXPECT_EQ(decided.progress.decided_at, kStart);
  EXPECT_FALSE(decided.progress.lease.has_value());
  const Snapshot before{Get(c.id), Events()};
  for (const char* reviewer : {"alice", "bob"}) {
    auto again = Decide(c.id, reviewer, Decision::kNotCsam);
    EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(again.status().message(), "case 1 is already decided (confirmed_known, now decided)");
  }
  EXPECT_EQ(service().Claim(c.id, "bob").status().message(),
            "case 1 is decided; only new or in_review cases can be claimed for review");
  EXPECT_EQ((Snapshot{Get(c.id), Events()}), before);
}

TEST_P(ReviewTest, BadDecisionInputIsInvalidArgument) {
  const Case c = Open(CaseWith({NewFlag()}));
  ClaimOk(c.id, "alice");
  auto known = Decide(c.id, "alice", Decision::kConfirmedKnown);
  EXPECT_EQ(known.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(known.status().message(),
            "case 1 has no bank match, so it cannot be confirmed_known (use confirmed_new)");
  auto no_rationale = service().Decide(
      c.id, {.reviewer = "alice", .decision = Decision::kConfirmedNew, .rationale = " \n"});
  EXPECT_EQ(no_rationale.status().message(), "rationale is empty");
  EXPECT_EQ(service()
                .Decide(c.id, {.reviewer = "", .decision = Decision::kNotCsam, .rationale = "r"})
                .status()
                .message(),
            "reviewer id is empty");
  EXPECT_EQ(Get(c.id).progress.state, CaseState::kInReview);
  EXPECT_TRUE(Get(c.id).reviews.empty());
}

TEST_P(ReviewTest, KnownMaterialIsReportableAfterOneConfirmationEvenWithDoubleReview) {
  ReviewConfig config = BaseConfig();
  config.confirmations_required = 2;
  Configure(config);
  const Case c = Open(CaseWith({KnownFlag(1)}));
  EXPECT_EQ(Review(c.id, "alice", Decision::kConfirmedKnown).after.progress.state,
            CaseState::kDecided);
  EXPECT_TRUE(service().ReportEligibility(c.id).ok());
  auto reported = service().MarkReported(c.id, "reporter", "CyberTipline 123");
  ASSERT_TRUE(reported.ok()) << reported.status().ToString();
  EXPECT_EQ(reported->progress.state, CaseState::kReported);
  EXPECT_EQ(reported->progress.reported_at, kStart);
}

TEST_P(ReviewTest, NewMaterialIsReportableAfterOneHumanConfirmationByDefault) {
  const Case c = Open(CaseWith({NewFlag()}));
  // Art 3(1)(g)(iii): before any human confirmation the case cannot be reported.
  EXPECT_EQ(service().MarkReported(c.id, "reporter", "").status().message(),
            "case 1 cannot go from new to reported");
  Review(c.id, "alice", Decision::kConfirmedNew);
  EXPECT_TRUE(service().MarkReported(c.id, "reporter", "").ok());
}

TEST_P(ReviewTest, OnlyAConfirmationOfNewMaterialAsksForItsHashesToBeShared) {
  const Case known = Open(CaseWith({KnownFlag(7)}));
  Review(known.id, "alice", Decision::kConfirmedKnown);
  const Case rejected = Open(CaseWith({NewFlag()}, 0, "acct-2"));
  Review(rejected.id, "alice", Decision::kNotCsam);
  EXPECT_TRUE(store().ListShareRequests(0, 10)->empty());
  // Art 7: new material the provider confirmed may be offered to the organisations that agreed;
  // the request is written in the decision's transaction.
  const Case fresh = Open(CaseWith({NewFlag()}, 0, "acct-3"));
  const Case decided = Review(fresh.id, "alice", Decision::kConfirmedNew).after;
  auto requests = store().ListShareRequests(0, 10);
  ASSERT_TRUE(requests.ok()) << requests.status().ToString();
  ASSERT_EQ(requests->size(), 1u);
  EXPECT_EQ((*requests)[0].case_id, fresh.id);
  EXPECT_EQ((*requests)[0].created_at, decided.progress.decided_at);
  EXPECT_TRUE(store().ListShareRequests((*requests)[0].id, 10)->empty());
}

TEST_P(ReviewTest, ReinstatingNewMaterialsContentAsksForItsSharedHashesToBeWithdrawn) {
  // Art 7: hashes offered as confirmed new material are taken back once the content is
  // reinstated; the withdrawal is written in the reversal's transaction.
  const Case fresh = Open(CaseWith({NewFlag()}));
  Review(fresh.id, "alice", Decision::kConfirmedNew);
  const Case account_only = Open(CaseWith({NewFlag()}, 0, "acct-2"));
  Review(account_only.id, "alice", Decision::kConfirmedNew);
  const Case known = Open(CaseWith({KnownFlag(7)}, 0, "acct-3"));
  Review(known.id, "alice", Decision::kConfirmedKnown);
  for (CaseId id : {fresh.id, account_only.id, known.id}) {
    ASSERT_TRUE(service().MarkActioned(id, "ops", "removed").ok());
    ASSERT_TRUE(service().MarkAppealed(id, "user-desk", "complaint").ok());
  }
  const auto requests = *store().ListShareRequests(0, 10);
  ASSERT_EQ(requests.size(), 2u);
  clock_->Advance(seconds(5));
  // Only the account was reinstated: the material is still held to be abuse.
  ASSERT_TRUE(service().MarkReinstated(account_only.id, "redress", "account", false).ok());
  // Known material was never shared: nothing to withdraw.
  ASSERT_TRUE(service().MarkReinstated(known.id, "redress", "content").ok());
  EXPECT_TRUE(store().ListShareWithdrawals(0, 10)->empty());
  auto reinstated = service().MarkReinstated(fresh.id, "redress", "content");
  ASSERT_TRUE(reinstated.ok()) << reinstated.status().ToString();
  auto withdrawals = store().ListShareWithdrawals(0, 10);
  ASSERT_TRUE(withdrawals.ok()) << withdrawals.status().ToString();
  ASSERT_EQ(withdrawals->size(), 1u);
  EXPECT_EQ((*withdrawals)[0].case_id, fresh.id);
  EXPECT_EQ((*withdrawals)[0].share_request_id, requests[0].id);
  EXPECT_EQ((*withdrawals)[0].created_at, kStart + seconds(5));
  EXPECT_TRUE(store().ListShareWithdrawals((*withdrawals)[0].id, 10)->empty());
}

TEST_P(ReviewTest, AStoreWritesNoWithdrawalForACaseWithoutAShareRequestNorASecondOne) {
  const Case c = Open(CaseWith({NewFlag()}));
  Review(c.id, "alice", Decision::kConfirmedNew);
  const Case other = Open(CaseWith({KnownFlag(1)}, 0, "acct-2"));
  Review(other.id, "alice", Decision::kConfirmedKnown);
  for (const auto& [id, times] : {std::pair{c.id, 2}, {other.id, 1}}) {
    for (int i = 0; i < times; ++i) {
      Case now = Get(id);
      CaseChange change{.id = id, .expected_version = now.version, .progress = now.progress};
      change.share_withdrawals.push_back({.case_id = id, .created_at = kStart});
      change.events.push_back({.case_id = id, .at = kStart, .actor = "test", .action = "noted"});
      auto applied = store().CompareAndSet(change);
      ASSERT_TRUE(applied.ok() && *applied) << applied.status().ToString();
    }
  }
  auto withdrawals = store().ListShareWithdrawals(0, 10);
  ASSERT_TRUE(withdrawals.ok());
  ASSERT_EQ(withdrawals->size(), 1u);  // one per case, and none without a share request
  EXPECT_EQ((*withdrawals)[0].case_id, c.id);
}

TEST_P(ReviewTest, NewMaterialNeedsTwoIndependentConfirmationsWhenConfigured) {
  ReviewConfig config = BaseConfig();
  config.confirmations_required = 2;
  Configure(config);
  const Case c = Open(CaseWith({NewFlag()}));
  const Case first = Review(c.id, "alice", Decision::kConfirmedNew).after;
  EXPECT_EQ(first.progress.state, CaseState::kNew);  // back in the queue for a second reviewer
  EXPECT_TRUE(store().ListShareRequests(0, 10)->empty());  // not confirmed yet
  EXPECT_FALSE(first.progress.outcome.has_value());
  const auto events = Events(c.id);
  EXPECT_EQ(events.back().action, "awaiting_confirmation");
  EXPECT_EQ(events.back().details,
            "confirmed_new by alice: 1 of 2 independent reviews agree; rationale: alice looked");
  EXPECT_EQ(service().MarkReported(c.id, "reporter", "").status().code(),
            StatusCode::kFailedPrecondition);
  auto again = service().Claim(c.id, "alice");
  EXPECT_EQ(again.status().message(),
            "reviewer alice already reviewed case 1; its next review must be by another reviewer");
  const Case second = Review(c.id, "bob", Decision::kConfirmedNew).after;
  EXPECT_EQ(second.progress.state, CaseState::kDecided);
  EXPECT_EQ(second.progress.outcome, Decision::kConfirmedNew);
  EXPECT_TRUE(service().ReportEligibility(c.id).ok());
  EXPECT_TRUE(service().MarkReported(c.id, "reporter", "").ok());
}

TEST_P(ReviewTest, SolicitationFlagsNeedTwoConfirmationsWhateverCategoryTheReviewerPicks) {
  ReviewConfig config = BaseConfig();
  config.confirmations_required = 2;
  Configure(config);
  // A bank match plus grooming indicators: choosing "known" does not skip double review.
  NewCase n = CaseWith({KnownFlag(1)});
  n.items[0].flags.push_back(SolicitationFlag());
  const Case c = Open(n);
  EXPECT_EQ(Review(c.id, "alice", Decision::kConfirmedKnown).after.progress.state, CaseState::kNew);
  EXPECT_EQ(Review(c.id, "bob", Decision::kConfirmedKnown).after.progress.state,
            CaseState::kDecided);
  EXPECT_TRUE(service().ReportEligibility(c.id).ok());
}

TEST_P(ReviewTest, ReportIsRefusedWhenTheStoredReviewsLackConfirmations) {
  const Case c = Open(CaseWith({SolicitationFlag()}));
  Review(c.id, "alice", Decision::kConfirmedSolicitation);  // decided under a one-reviewer policy
  ReviewConfig config = BaseConfig();
  config.confirmations_required = 2;  // the operator raises the bar before it is reported
  Configure(config);
  const Status eligible = service().ReportEligibility(c.id);
  EXPECT_EQ(eligible.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(eligible.message(),
            "case 1 has 1 of the 2 independent human confirmations required before it may be "
            "reported (Art 3(1)(g)(iii): new material or solicitation, or reviewers disagreed)");
  const Snapshot before{Get(c.id), Events()};
  EXPECT_EQ(service().MarkReported(c.id, "reporter", "").status(), eligible);
  EXPECT_EQ((Snapshot{Get(c.id), Events()}), before);
}

TEST_P(ReviewTest, RaisingConfirmationsSendsDecidedUnreportedCasesBackForTheMissingOne) {
  const Case c = Open(CaseWith({SolicitationFlag()}));
  Review(c.id, "alice", Decision::kConfirmedSolicitation);  // decided under a one-reviewer policy
  const Case known = Open(CaseWith({KnownFlag(4)}));
  Review(known.id, "alice", Decision::kConfirmedKnown);
  const Case benign = Open(CaseWith({NewFlag()}));
  Review(benign.id, "alice", Decision::kNotCsam);
  ReviewConfig config = BaseConfig();
  config.confirmations_required = 2;
  Configure(config);

  clock_->Advance(seconds(5));
  auto returned = service().ReturnForConfirmation(c.id, "lead-1");
  ASSERT_TRUE(returned.ok()) << returned.status().ToString();
  EXPECT_EQ(returned->progress.state, CaseState::kNew);
  EXPECT_FALSE(returned->progress.outcome.has_value());
  EXPECT_FALSE(returned->progress.decided_at.has_value());
  EXPECT_EQ(returned->reviews.size(), 1u);  // alice's review is kept and still counts
  EXPECT_EQ(Get(c.id), *returned);
  const CaseEvent event = Events(c.id).back();
  EXPECT_EQ(event.action, "returned_for_confirmation");
  EXPECT_EQ(event.actor, "lead-1");
  EXPECT_EQ(event.details,
            "confirmed_solicitation has 1 of 2 independent confirmations; back in the queue for "
            "another reviewer");
  EXPECT_EQ(service().Claim(c.id, "alice").status().code(), StatusCode::kFailedPrecondition);
  Review(c.id, "bob", Decision::kConfirmedSolicitation);
  EXPECT_EQ(Get(c.id).progress.outcome, Decision::kConfirmedSolicitation);
  EXPECT_TRUE(service().ReportEligibility(c.id).ok());

  // Known material needs one confirmation whatever the setting; not_csam has nothing to confirm.
  auto enough = service().ReturnForConfirmation(known.id, "lead-1");
  EXPECT_EQ(enough.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(enough.status().message(),
            "case 2 has the 1 confirmation(s) it needs; it stays decided");
  EXPECT_EQ(service().ReturnForConfirmation(benign.id, "lead-1").status().code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(service().MarkReported(known.id, "reporter", "").ok());
  EXPECT_EQ(service().ReturnForConfirmation(known.id, "lead-1").status().message(),
            "case 2 cannot go from reported to new");
}

TEST_P(ReviewTest, SecondOpinionReturnsTheCaseForAnotherReviewer) {
  const Case c = Open(CaseWith({NewFlag()}));
  const Case asked = Review(c.id, "alice", Decision::kNeedsSecondOpinion).after;
  EXPECT_EQ(asked.progress.state, CaseState::kNew);
  EXPECT_EQ(Actions(c.id).back(), "second_opinion_requested");
  EXPECT_EQ(service().Claim(c.id, "alice").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Review(c.id, "bob", Decision::kConfirmedNew).after.progress.outcome,
            Decision::kConfirmedNew);
}

TEST_P(ReviewTest, DisagreeingReviewersNeedTwoAgreeingReviewsToDecide) {
  ReviewConfig config = BaseConfig();
  config.confirmations_required = 2;
  Configure(config);
  const Case c = Open(CaseWith({NewFlag()}));
  Review(c.id, "alice", Decision::kConfirmedNew);
  const Case disputed = Review(c.id, "bob", Decision::kNotCsam).after;
  EXPECT_EQ(disputed.progress.state, CaseState::kNew);
  EXPECT_EQ(Actions(c.id).back(), "disputed");
  const Case decided = Review(c.id, "carol", Decision::kNotCsam).after;
  EXPECT_EQ(decided.progress.outcome, Decision::kNotCsam);
  EXPECT_EQ(decided.reviews.size(), 3u);
  EXPECT_EQ(store().ListFalsePositives(kStart, kStart + minutes(1))->size(), 1u);
}

TEST_P(ReviewTest, NotCsamRecordsAFalsePositivePerFlagAndAsksForVerificationPerEntry) {
  NewCase n = CaseWith({KnownFlag(17), KnownFlag(17, kPdq, 9), NewFlag(0.93)});
  n.items[0].flags.push_back(KnownFlag(18, kMd5, 0));
  const Case c = Open(n);
  clock_->Advance(seconds(30));
  const DecisionResult result = Review(c.id, "bob", Decision::kNotCsam);
  EXPECT_TRUE(result.verification.ok()) << result.verification.ToString();
  EXPECT_EQ(result.after.progress.outcome, Decision::kNotCsam);
  const TimePoint now = kStart + seconds(30);
  const std::vector<FalsePositive> want = {
      {c.id, "item-1", kPdq, 4, 17, "bob", now},
      {c.id, "item-1", kMd5, 0, 18, "bob", now},
      {c.id, "item-2", kPdq, 9, 17, "bob", now},
      {c.id, "item-3", kClassifier, 0.93, std::nullopt, "bob", now}};
  EXPECT_EQ(*store().ListFalsePositives(kStart, now + seconds(1)), want);
  const std::vector<std::pair<BankEntryId, std::string>> calls = {
      {17, "case 1: reviewer bob decided the match is not CSAM (pdq@1 r<=31)"},
      {18, "case 1: reviewer bob decided the match is not CSAM (md5)"}};
  EXPECT_EQ(sink_.calls(), calls);
  EXPECT_TRUE(store().ListPendingVerifications(std::nullopt)->empty());
  EXPECT_EQ(Events(c.id).back().details,
            "outcome not_csam by bob (1 agreeing review(s)); 4 false positive(s); 2 bank "
            "entr(y/ies) sent for verification; rationale: bob looked");
}

TEST_P(ReviewTest, ConfirmationsRecordNoFalsePositives) {
  const Case c = Open(CaseWith({KnownFlag(17)}));
  Review(c.id, "bob", Decision::kConfirmedKnown);
  EXPECT_TRUE(store().ListFalsePositives(kStart, kStart + minutes(1))->empty());
  EXPECT_TRUE(sink_.calls().empty());
}

TEST_P(ReviewTest, AFailingSinkLeavesTheDecisionAndKeepsTheRequestForLater) {
  const Case c = Open(CaseWith({KnownFlag(17)}));
  sink_.set_fail(true);
  const DecisionResult result = Review(c.id, "bob", Decision::kNotCsam);
  EXPECT_EQ(result.after.progress.state, CaseState::kDecided);
  EXPECT_EQ(result.verification.code(), StatusCode::kUnavailable);
  EXPECT_EQ(result.verification.message(), "verification of bank entry 17: bank store is down");
  EXPECT_EQ(Get(c.id).progress.outcome, Decision::kNotCsam);
  EXPECT_EQ(store().ListPendingVerifications(c.id)->size(), 1u);
  EXPECT_EQ(service().DeliverPendingVerifications().code(), StatusCode::kUnavailable);
  sink_.set_fail(false);
  ASSERT_TRUE(service().DeliverPendingVerifications().ok());
  EXPECT_EQ(sink_.calls().size(), 1u);
  EXPECT_TRUE(store().ListPendingVerifications(std::nullopt)->empty());
  ASSERT_TRUE(service().DeliverPendingVerifications().ok());  // nothing is delivered twice
  EXPECT_EQ(sink_.calls().size(), 1u);
}

TEST_P(ReviewTest, LifecycleFollowsTheStateDiagram) {
  const Case c = Open(CaseWith({KnownFlag(1)}));
  EXPECT_EQ(service().MarkAppealed(c.id, "user-desk", "").status().message(),
            "case 1 cannot go from new to appealed");
  Review(c.id, "alice", Decision::kConfirmedKnown);
  clock_->Advance(seconds(1));
  auto actioned = service().MarkActioned(c.id, "ops", "content removed");
  ASSERT_TRUE(actioned.ok()) << actioned.status().ToString();
  EXPECT_EQ(actioned->progress.actioned_at, kStart + seconds(1));
  ASSERT_TRUE(service().MarkReported(c.id, "reporter", "").ok());
  EXPECT_EQ(service().MarkReported(c.id, "reporter", "").status().message(),
            "case 1 cannot go from reported to reported");
  EXPECT_EQ(service().MarkActioned(c.id, "ops", "").status().message(),
            "case 1 was already actioned at 2024-05-01T00:00:01Z");
  ASSERT_TRUE(service().MarkAppealed(c.id, "user-desk", "complaint 9").ok());
  auto upheld = service().MarkActioned(c.id, "redress", "complaint rejected");
  ASSERT_TRUE(upheld.ok()) << upheld.status().ToString();
  EXPECT_EQ(upheld->progress.actioned_at, kStart + seconds(1));  // the original action stands
  ASSERT_TRUE(service().MarkAppealed(c.id, "user-desk", "second complaint").ok());
  auto reinstated = service().MarkReinstated(c.id, "redress", "complaint upheld");
  ASSERT_TRUE(reinstated.ok());
  EXPECT_EQ(reinstated->progress.state, CaseState::kReinstated);
  EXPECT_EQ(service().MarkActioned(c.id, "ops", "").status().message(),
            "case 1 cannot go from reinstated to actioned");
  EXPECT_EQ(Actions(c.id),
            (std::vector<std::string>{"opened", "claimed", "decided", "actioned", "reported",
                                      "appealed", "actioned", "appealed", "reinstated"}));
}

TEST_P(ReviewTest, NotCsamCasesAreNeitherActionedNorReportedNorAppealed) {
  const Case c = Open(CaseWith({KnownFlag(1)}));
  Review(c.id, "alice", Decision::kNotCsam);
  const Snapshot before{Get(c.id), Events()};
  EXPECT_EQ(service().MarkActioned(c.id, "ops", "").status().message(),
            "case 1 was decided not_csam; only a confirmed case can be actioned");
  EXPECT_EQ(service().MarkReported(c.id, "ops", "").status().message(),
            "case 1 was decided not_csam; only confirmed CSAM or solicitation is reported");
  EXPECT_EQ(service().MarkReinstated(c.id, "ops", "").status().code(),
            StatusCode::kFailedPrecondition);  // nothing was acted on
  EXPECT_EQ((Snapshot{Get(c.id), Events()}), before);
}

TEST_P(ReviewTest, AReportedCaseWithoutActionCannotBeAppealed) {
  const Case c = Open(CaseWith({KnownFlag(1)}));
  Review(c.id, "alice", Decision::kConfirmedKnown);
  ASSERT_TRUE(service().MarkReported(c.id, "reporter", "").ok());
  EXPECT_EQ(service().MarkAppealed(c.id, "user-desk", "").status().message(),
            "case 1 was not acted on, so there is nothing to appeal");
}

TEST_P(ReviewTest, AnAutomaticActionFoundWrongIsReinstatedFromDecided) {
  NewCase n = CaseWith({KnownFlag(1)});
  n.auto_actioned = true;
  const Case c = Open(n);
  Review(c.id, "alice", Decision::kNotCsam);
  auto reinstated = service().MarkReinstated(c.id, "ops", "restored");
  ASSERT_TRUE(reinstated.ok()) << reinstated.status().ToString();
  EXPECT_EQ(reinstated->progress.state, CaseState::kReinstated);
}

TEST_P(ReviewTest, EveryChangeWritesOneAuditRowSayingWhoWhatAndWhen) {
  const Case c = Open(CaseWith({KnownFlag(1)}));
  clock_->Advance(seconds(1));
  ClaimOk(c.id, "alice");
  clock_->Advance(seconds(1));
  DecideOk(c.id, "alice", Decision::kConfirmedKnown);
  clock_->Advance(seconds(1));
  ASSERT_TRUE(service().MarkActioned(c.id, "ops", "removed").ok());
  const auto events = Events(c.id);
  ASSERT_EQ(events.size(), 4u);
  const std::vector<std::tuple<std::string, std::string, TimePoint>> want = {
      {"system", "opened", kStart},
      {"alice", "claimed", kStart + seconds(1)},
      {"alice", "decided", kStart + seconds(2)},
      {"ops", "actioned", kStart + seconds(3)}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(events[i].case_id, c.id);
    EXPECT_EQ(std::tie(events[i].actor, events[i].action, events[i].at),
              std::tie(std::get<0>(want[i]), std::get<1>(want[i]), std::get<2>(want[i])));
  }
  EXPECT_EQ(events[3].details, "removed");
  EXPECT_EQ(Get(c.id).version, 4);
}

TEST_P(ReviewTest, RacingDecisionsOnOneCaseCannotBothWin) {
  const Case c = Open(CaseWith({KnownFlag(1)}));
  ClaimOk(c.id, "alice");
  std::atomic<int> won{0}, refused{0};
  std::vector<std::thread> threads;
  for (Decision d : {Decision::kConfirmedKnown, Decision::kNotCsam, Decision::kConfirmedKnown}) {
    threads.emplace_back([&, d] {
      auto decided = Decide(c.id, "alice", d);
      if (decided.ok()) ++won;
      if (decided.status().code() == StatusCode::kFailedPrecondition) ++refused;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(refused.load(), 2);
  EXPECT_EQ(Get(c.id).reviews.size(), 1u);
  EXPECT_EQ(Actions(c.id), (std::vector<std::string>{"opened", "claimed", "decided"}));
}

}  // namespace
}  // namespace vigil::cases::testing
