// The pure rules: the state diagram, outcome resolution, report eligibility, QA sampling, names.
#include "cases/review_rules.h"

#include <gtest/gtest.h>

#include <set>

#include "cases/case_store_contract.h"

namespace vigil::cases::testing {
namespace {

using S = CaseState;

constexpr CaseState kStates[] = {S::kNew,      S::kInReview, S::kDecided,   S::kActioned,
                                 S::kReported, S::kAppealed, S::kReinstated};

TEST(TransitionsTest, AllowedEdgesAreExactlyTheDiagram) {
  const std::set<std::pair<CaseState, CaseState>> diagram = {
      {S::kNew, S::kInReview},      {S::kInReview, S::kNew},        {S::kInReview, S::kDecided},
      {S::kDecided, S::kActioned},  {S::kDecided, S::kReported},    {S::kDecided, S::kReinstated},
      {S::kActioned, S::kReported}, {S::kReported, S::kActioned},   {S::kActioned, S::kAppealed},
      {S::kReported, S::kAppealed}, {S::kAppealed, S::kReinstated}, {S::kAppealed, S::kActioned},
      {S::kDecided, S::kNew}};
  for (CaseState from : kStates) {
    for (CaseState to : kStates) {
      EXPECT_EQ(TransitionAllowed(from, to), diagram.contains({from, to}))
          << CaseStateName(from) << " -> " << CaseStateName(to);
    }
  }
  EXPECT_EQ(CheckTransition(7, S::kReinstated, S::kNew).message(),
            "case 7 cannot go from reinstated to new");
}

Case CaseOf(std::vector<Flag> flags, std::vector<std::pair<std::string, Decision>> reviews) {
  Case c;
  c.id = 3;
  for (Flag& f : flags) c.items.push_back({.item_id = "i", .flags = {std::move(f)}});
  for (auto& [reviewer, decision] : reviews) {
    c.reviews.push_back({.reviewer = reviewer, .decision = decision});
  }
  return c;
}

TEST(ResolveOutcomeTest, FollowsConfirmationsAndDisagreement) {
  ReviewConfig one, two;
  two.confirmations_required = 2;
  const auto known = CaseOf({KnownFlag(1)}, {{"a", Decision::kConfirmedKnown}});
  EXPECT_EQ(ResolveOutcome(known, two), Decision::kConfirmedKnown);
  const auto fresh = CaseOf({NewFlag()}, {{"a", Decision::kConfirmedNew}});
  EXPECT_EQ(ResolveOutcome(fresh, one), Decision::kConfirmedNew);
  EXPECT_EQ(ResolveOutcome(fresh, two), std::nullopt);
  // The same reviewer twice is still one confirmation.
  EXPECT_EQ(ResolveOutcome(CaseOf({NewFlag()},
                                  {{"a", Decision::kConfirmedNew}, {"a", Decision::kConfirmedNew}}),
                           two),
            std::nullopt);
  EXPECT_EQ(ResolveOutcome(CaseOf({NewFlag()},
                                  {{"a", Decision::kConfirmedNew}, {"b", Decision::kConfirmedNew}}),
                           two),
            Decision::kConfirmedNew);
  // Not CSAM needs one review, two once somebody disagreed.
  EXPECT_EQ(ResolveOutcome(CaseOf({NewFlag()}, {{"a", Decision::kNotCsam}}), two),
            Decision::kNotCsam);
  EXPECT_EQ(ResolveOutcome(CaseOf({KnownFlag(1)},
                                  {{"a", Decision::kConfirmedKnown}, {"b", Decision::kNotCsam}}),
                           one),
            std::nullopt);
  // A second-opinion request is not a disagreement.
  EXPECT_EQ(ResolveOutcome(CaseOf({KnownFlag(1)}, {{"a", Decision::kNeedsSecondOpinion},
                                                   {"b", Decision::kNotCsam}}),
                           one),
            Decision::kNotCsam);
  EXPECT_EQ(ResolveOutcome(CaseOf({KnownFlag(1)}, {{"a", Decision::kNeedsSecondOpinion}}), one),
            std::nullopt);
}

TEST(ReportEligibilityTest, IsRecountedFromReviewsNotTrustedFromState) {
  ReviewConfig one;
  // A case whose state claims a decision that no human review supports.
  Case forged = CaseOf({SolicitationFlag()}, {});
  forged.progress.state = S::kDecided;
  forged.progress.outcome = Decision::kConfirmedSolicitation;
  EXPECT_EQ(ReportEligibility(forged, one).message(),
            "case 3 has 0 of the 1 independent human confirmations required before it may be "
            "reported (Art 3(1)(g)(iii): new material or solicitation, or reviewers disagreed)");
  forged.reviews.push_back({.reviewer = "a", .decision = Decision::kConfirmedSolicitation});
  EXPECT_TRUE(ReportEligibility(forged, one).ok());
  forged.progress.reported_at = kStart;
  EXPECT_EQ(ReportEligibility(forged, one).message(),
            "case 3 was already reported at 2024-05-01T00:00:00Z");
  forged.progress.reported_at.reset();
  forged.progress.state = S::kAppealed;
  EXPECT_EQ(ReportEligibility(forged, one).message(),
            "case 3 is appealed; only decided or actioned cases can be reported");
  // QA reviews are not confirmations.
  Case qa_only = CaseOf({NewFlag()}, {});
  qa_only.progress.state = S::kDecided;
  qa_only.progress.outcome = Decision::kConfirmedNew;
  qa_only.reviews.push_back(
      {.kind = ReviewKind::kQa, .reviewer = "q", .decision = Decision::kConfirmedNew});
  EXPECT_EQ(ReportEligibility(qa_only, one).code(), StatusCode::kFailedPrecondition);
}

TEST(SampledForQaTest, IsSplitMix64OfSeedXorIdAgainstTheFraction) {
  // SplitMix64(0) = 0xe220a8397b1dcdaf, whose top 53 bits are 0.88331080821364...
  EXPECT_FALSE(SampledForQa({.fraction = 0.8833, .seed = 5}, 5));
  EXPECT_TRUE(SampledForQa({.fraction = 0.8834, .seed = 5}, 5));
  int sampled = 0;
  for (CaseId id = 1; id <= 100000; ++id) {
    EXPECT_FALSE(SampledForQa({.fraction = 0, .seed = 1}, id));
    EXPECT_TRUE(SampledForQa({.fraction = 1, .seed = 1}, id));
    sampled += SampledForQa({.fraction = 0.05, .seed = 1}, id) ? 1 : 0;
  }
  EXPECT_NEAR(sampled, 5000, 300);
}

TEST(NamesTest, EveryNameParsesBack) {
  for (CaseState s : kStates) EXPECT_EQ(*ParseCaseState(CaseStateName(s)), s);
  for (Decision d :
       {Decision::kConfirmedKnown, Decision::kConfirmedNew, Decision::kConfirmedSolicitation,
        Decision::kNotCsam, Decision::kNeedsSecondOpinion}) {
    EXPECT_EQ(*ParseDecision(DecisionName(d)), d);
  }
  EXPECT_EQ(ParseDecision("maybe").status().message(),
            "unknown decision 'maybe' (one of confirmed_known, confirmed_new, "
            "confirmed_solicitation, not_csam, needs_second_opinion)");
  EXPECT_EQ(*ParseFlagCategory("solicitation"), FlagCategory::kSolicitation);
  EXPECT_EQ(*ParseAlertSubject("bank_entry"), AlertSubject::kBankEntry);
  EXPECT_EQ(*ParseQaState("pending"), QaState::kPending);
  EXPECT_EQ(*ParseReviewKind("qa"), ReviewKind::kQa);
}

TEST(DayOfTest, CountsUtcDays) {
  EXPECT_EQ(DayOf(kStart), 19844);
  EXPECT_EQ(DayOf(kStart + std::chrono::seconds(86399)), 19844);
  EXPECT_EQ(DayOf(kStart + std::chrono::seconds(86400)), 19845);
}

}  // namespace
}  // namespace vigil::cases::testing
