// ReviewService: opening cases, the queue, claims under expiring leases, releases, and reviewer
// wellness (exposure caps and settings). Runs on every CaseStore backend.
#include <atomic>
#include <cmath>
#include <thread>

#include "cases/case_store_contract.h"

namespace vigil::cases::testing {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

std::vector<CaseId> Ids(const std::vector<Case>& cases) {
  std::vector<CaseId> out;
  for (const Case& c : cases) out.push_back(c.id);
  return out;
}

TEST_P(ReviewTest, OpenCaseStoresANewCaseWithAnOpenedEvent) {
  NewCase n = CaseWith({KnownFlag(3), NewFlag()}, 2);
  n.auto_actioned = true;
  auto opened = service().OpenCase(n);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(opened->alerts.empty());
  EXPECT_EQ(Get(opened->opened.id), opened->opened);
  const auto events = Events(opened->opened.id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor, "system");
  EXPECT_EQ(events[0].details,
            "2 item(s), 2 flag(s), priority 2, surface photos/upload, EU; the pipeline acted "
            "automatically");
}

TEST_P(ReviewTest, MalformedCasesAreInvalidArgumentAndWriteNothing) {
  std::vector<std::pair<std::string, NewCase>> bad;
  bad.emplace_back("a case needs at least one item", CaseWith({}));
  NewCase no_flags = CaseWith({NewFlag()});
  no_flags.items[0].flags.clear();
  bad.emplace_back("item 1 has no flags", no_flags);
  Flag known_without_entry = KnownFlag(1);
  known_without_entry.bank_entry_id.reset();
  bad.emplace_back("item 1 flag 1: a bank entry id is required for a 'known' flag and only for it",
                   CaseWith({known_without_entry}));
  Flag nameless = NewFlag();
  nameless.technology = "";
  bad.emplace_back("item 1 flag 1 technology is empty", CaseWith({nameless}));
  bad.emplace_back("item 1 flag 1 raw value is not a finite number",
                   CaseWith({NewFlag(std::nan(""))}));
  bad.emplace_back("account id contains a control character", CaseWith({NewFlag()}, 0, "acct\x01"));
  bad.emplace_back("account id is not valid UTF-8", CaseWith({NewFlag()}, 0, "acct\xff"));
  for (const auto& [message, c] : bad) {
    auto opened = service().OpenCase(c);
    EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument) << message;
    EXPECT_EQ(opened.status().message(), message);
  }
  EXPECT_TRUE(store().ListCases({})->empty());
  EXPECT_EQ(EventCount(), 0u);
}

TEST_P(ReviewTest, QueueIsOrderedByPriorityThenAge) {
  const Case old_low = Open(CaseWith({NewFlag()}, 1));
  clock_->Advance(seconds(10));
  const Case high = Open(CaseWith({NewFlag()}, 5));
  const Case new_low = Open(CaseWith({NewFlag()}, 1));
  EXPECT_EQ(Ids(*service().Queue(10)), (std::vector<CaseId>{high.id, old_low.id, new_low.id}));
  ClaimOk(high.id, "alice");
  EXPECT_EQ(Ids(*service().Queue(10)), (std::vector<CaseId>{old_low.id, new_low.id}));
}

TEST_P(ReviewTest, ClaimHoldsTheCaseUntilItsLeaseExpires) {
  const Case c = Open(CaseWith({NewFlag()}));
  clock_->Advance(seconds(5));
  const Case claimed = ClaimOk(c.id, "alice");
  EXPECT_EQ(claimed.progress.state, CaseState::kInReview);
  EXPECT_EQ(claimed.progress.lease, (Lease{"alice", kStart + seconds(5) + minutes(15), 1}));
  EXPECT_EQ(Get(c.id), claimed);

  auto taken = service().Claim(c.id, "bob");
  EXPECT_EQ(taken.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(taken.status().message(),
            "case 1 is held by reviewer alice until 2024-05-01T00:15:05Z");

  clock_->Advance(minutes(15));  // the lease ends: the case is in the queue again
  EXPECT_EQ(Ids(*service().Queue(10)), (std::vector<CaseId>{c.id}));
  const Case retaken = ClaimOk(c.id, "bob");
  EXPECT_EQ(retaken.progress.lease->reviewer, "bob");
  const auto events = Events(c.id);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].actor, "bob");
  EXPECT_EQ(events[2].details,
            "lease until 2024-05-01T00:30:05Z; the lease of reviewer alice had expired at "
            "2024-05-01T00:15:05Z");
}

TEST_P(ReviewTest, ClaimingACaseOneHoldsRenewsTheLeaseWithoutMoreExposure) {
  const Case c = Open(CaseOfItems(NewFlag(), 2));
  ClaimOk(c.id, "alice");
  clock_->Advance(minutes(10));
  const Case renewed = ClaimOk(c.id, "alice");
  EXPECT_EQ(renewed.progress.lease->expires_at, kStart + minutes(25));
  EXPECT_EQ(*service().ExposureToday("alice"), 2);
  EXPECT_EQ(Actions(c.id), (std::vector<std::string>{"opened", "claimed", "lease_renewed"}));
}

TEST_P(ReviewTest, ALeadAssignsACaseToAReviewerWhoThenHoldsItAsIfClaimed) {
  const Case c = Open(CaseOfItems(NewFlag(), 2));
  auto assigned = service().Assign(c.id, "alice", "lead-1");
  ASSERT_TRUE(assigned.ok()) << assigned.status().ToString();
  EXPECT_EQ(assigned->progress.state, CaseState::kInReview);
  EXPECT_EQ(assigned->progress.lease, (Lease{"alice", kStart + minutes(15), 2}));
  EXPECT_EQ(*service().ExposureToday("alice"), 2);  // the reviewer sees the items, not the lead
  EXPECT_EQ(*service().ExposureToday("lead-1"), 0);
  const CaseEvent event = Events(c.id).back();
  EXPECT_EQ(event.actor, "lead-1");
  EXPECT_EQ(event.action, "assigned");
  EXPECT_EQ(event.details, "to reviewer alice; lease until 2024-05-01T00:15:00Z");

  auto over = service().Assign(c.id, "bob", "lead-1");  // alice's lease is not overridden
  EXPECT_EQ(over.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(over.status().message(), "case 1 is held by reviewer alice until 2024-05-01T00:15:00Z");
  EXPECT_EQ(DecideOk(c.id, "alice", Decision::kNotCsam).after.progress.state, CaseState::kDecided);

  const Case mine = Open(CaseWith({NewFlag()}));
  ASSERT_TRUE(service().Assign(mine.id, "bob", "bob").ok());
  EXPECT_EQ(Actions(mine.id), (std::vector<std::string>{"opened", "claimed"}));
  EXPECT_EQ(service().Assign(mine.id, "carol", "").status().code(), StatusCode::kInvalidArgument);
}

TEST_P(ReviewTest, ReleaseReturnsTheCaseToTheQueueAndOnlyTheHolderMayRelease) {
  const Case c = Open(CaseWith({NewFlag()}));
  ClaimOk(c.id, "alice");
  const size_t events = EventCount();
  auto other = service().Release(c.id, "bob");
  EXPECT_EQ(other.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(other.status().message(), "reviewer bob does not hold case 1 and cannot release it");
  EXPECT_EQ(EventCount(), events);
  auto released = service().Release(c.id, "alice");
  ASSERT_TRUE(released.ok()) << released.status().ToString();
  EXPECT_EQ(released->progress.state, CaseState::kNew);
  EXPECT_FALSE(released->progress.lease.has_value());
  EXPECT_EQ(Ids(*service().Queue(10)), (std::vector<CaseId>{c.id}));
  EXPECT_EQ(Actions(c.id), (std::vector<std::string>{"opened", "claimed", "released"}));
  // Releasing does not count as a review: the same reviewer may claim again.
  ClaimOk(c.id, "alice");
}

TEST_P(ReviewTest, UnknownCaseIdsAreNotFoundNamingTheId) {
  const DecisionInput input{.reviewer = "a", .decision = Decision::kNotCsam, .rationale = "r"};
  const std::vector<Status> results = {
      service().Claim(999, "a").status(),
      service().Release(999, "a").status(),
      service().Decide(999, input).status(),
      service().MarkActioned(999, "a", "").status(),
      service().MarkReported(999, "a", "").status(),
      service().MarkAppealed(999, "a", "").status(),
      service().MarkReinstated(999, "a", "").status(),
      service().ReportEligibility(999),
      service().ClaimForQa(999, "a").status(),
      service().SubmitQaReview(999, input).status(),
  };
  for (const Status& s : results) {
    EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
    EXPECT_EQ(s.message(), "case 999 does not exist");
  }
  EXPECT_EQ(EventCount(), 0u);
}

TEST_P(ReviewTest, ClaimNextSkipsCasesTheReviewerAlreadyReviewed) {
  ReviewConfig config = BaseConfig();
  config.confirmations_required = 2;
  Configure(config);
  const Case first = Open(CaseWith({NewFlag()}, 5));
  const Case second = Open(CaseWith({NewFlag()}, 1));
  Review(first.id, "alice", Decision::kConfirmedNew);  // back in the queue for a second reviewer
  auto mine = service().ClaimNext("alice");
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  EXPECT_EQ(mine->id, second.id);
  auto bobs = service().ClaimNext("bob");
  ASSERT_TRUE(bobs.ok());
  EXPECT_EQ(bobs->id, first.id);
  auto none = service().ClaimNext("carol");
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(none.status().message(),
            "no case in the review queue can be claimed by reviewer carol");
}

TEST_P(ReviewTest, ExposureCapRefusesClaimsBeyondItUntilTheNextDay) {
  ASSERT_TRUE(
      service()
          .SetWellness({.reviewer = "ann", .blur_percent = 80, .daily_exposure_cap = 5}, "lead")
          .ok());
  std::vector<Case> cases;
  for (int i = 0; i < 3; ++i) cases.push_back(Open(CaseOfItems(KnownFlag(i + 1), 2)));
  const Case single = Open(CaseOfItems(KnownFlag(9), 1));
  Review(cases[0].id, "ann", Decision::kConfirmedKnown);
  Review(cases[1].id, "ann", Decision::kConfirmedKnown);
  EXPECT_EQ(*service().ExposureToday("ann"), 4);
  const size_t events = EventCount();
  auto refused = service().Claim(cases[2].id, "ann");
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.status().message(),
            "reviewer ann has reached the daily exposure cap: 4 items seen on 2024-05-01 plus 2 "
            "in this case would pass the cap of 5");
  EXPECT_EQ(Get(cases[2].id).progress.state, CaseState::kNew);
  EXPECT_EQ(EventCount(), events);
  EXPECT_EQ(*service().ExposureToday("ann"), 4);
  // ClaimNext passes over the two-item case to one that still fits, then reports the cap.
  auto next = service().ClaimNext("ann");
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->id, single.id);
  auto capped = service().ClaimNext("ann");
  EXPECT_EQ(capped.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(capped.status().message().find("daily exposure cap"), std::string::npos);
  ClaimOk(cases[2].id, "ben");  // other reviewers are unaffected
  ASSERT_TRUE(service().Release(cases[2].id, "ben").ok());
  clock_->Advance(std::chrono::hours(24));
  ClaimOk(cases[2].id, "ann");
  EXPECT_EQ(*service().ExposureToday("ann"), 2);
}

TEST_P(ReviewTest, WellnessSettingsAreStoredWithAnEventAndDefaultsApplyOtherwise) {
  auto defaults = service().Wellness("zoe");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(*defaults, (ReviewerSettings{"zoe", 100, true, 300}));
  auto bad = service().SetWellness(
      {.reviewer = "zoe", .blur_percent = 101, .daily_exposure_cap = 10}, "lead");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(), "blur percent 101 is outside 0-100");
  EXPECT_EQ(service().SetWellness({.reviewer = "zoe", .daily_exposure_cap = 0}, "lead").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(EventCount(), 0u);
  const ReviewerSettings mine{"zoe", 30, false, 40};
  ASSERT_TRUE(service().SetWellness(mine, "zoe").ok());
  EXPECT_EQ(*service().Wellness("zoe"), mine);
  const auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].action, "reviewer_settings");
  EXPECT_EQ(events[0].actor, "zoe");
  EXPECT_EQ(events[0].details, "reviewer zoe: blur 30%, greyscale off, daily cap 40 items");
  EXPECT_FALSE(events[0].case_id.has_value());
}

TEST_P(ReviewTest, RacingReviewersCannotBothClaimACase) {
  const Case c = Open(CaseOfItems(NewFlag(), 2));
  constexpr int kThreads = 6;
  std::atomic<int> won{0}, held{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto claimed = service().Claim(c.id, "r" + std::to_string(t));
      if (claimed.ok()) ++won;
      if (claimed.status().message().find("is held by reviewer") != std::string::npos) ++held;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(held.load(), kThreads - 1);
  EXPECT_EQ(Actions(c.id), (std::vector<std::string>{"opened", "claimed"}));
  int64_t exposure = 0;
  for (int t = 0; t < kThreads; ++t) exposure += *service().ExposureToday("r" + std::to_string(t));
  EXPECT_EQ(exposure, 2);  // only the winner was charged
}

TEST_P(ReviewTest, ConfigurationIsValidated) {
  const auto create = [&](const ReviewConfig& config) {
    return ReviewService::Create(store(), sink_, clock_, config).status();
  };
  ReviewConfig c = BaseConfig();
  c.confirmations_required = 3;
  EXPECT_EQ(create(c).message(), "confirmations required must be 1 or 2, not 3");
  c = BaseConfig();
  c.lease = seconds(0);
  EXPECT_EQ(create(c).code(), StatusCode::kInvalidArgument);
  c = BaseConfig();
  c.qa.fraction = 1.5;
  EXPECT_EQ(create(c).code(), StatusCode::kInvalidArgument);
  c = BaseConfig();
  c.technology_alerts = ClusterAlertRule{.max_flags = 0};
  EXPECT_EQ(create(c).message(), "technology alert max flags must be at least 1");
  c = BaseConfig();
  c.default_wellness.daily_exposure_cap = 0;
  EXPECT_EQ(create(c).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(create(ReviewConfig{}).ok());  // the shipped defaults are valid
}

}  // namespace
}  // namespace vigil::cases::testing
