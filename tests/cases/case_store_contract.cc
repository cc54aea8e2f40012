// The CaseStore contract: what every backend stores, returns and refuses, atomically.
#include "cases/case_store_contract.h"

#include <atomic>
#include <thread>

namespace vigil::cases::testing {
namespace {

using std::chrono::seconds;

NewCase MixedCase() {
  Flag known = KnownFlag(17);
  known.bank_auto_action = true;
  NewCase c = CaseWith({known, NewFlag(0.973)}, /*priority=*/3, "acct-x");
  c.items[0].flags.push_back(SolicitationFlag(0.5));
  c.items[0].flags.back().evidence =
      R"([{"indicator":"secrecy","weight":0.25,"messages":["m1"],"detail":"ä"}])";
  c.items[0].hashes = {{"pdq", std::string(64, 'a')}, {"md5", "0123456789abcdef"}};
  c.items[1].hashes = {{"sha256", std::string(64, 'f')}};
  c.eu = false;
  c.auto_actioned = true;
  return c;
}

TEST_P(CaseStoreContractTest, CreatedCaseKeepsEveryFieldAndWritesItsEvent) {
  const NewCase n = MixedCase();
  const Case created = Create(n);
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.version, 1);
  auto got = store().GetCase(created.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, created);
  EXPECT_EQ(got->account_id, "acct-x");
  EXPECT_FALSE(got->eu);
  EXPECT_EQ(got->priority, 3);
  std::vector<Item> items = n.items;  // every flag with its raw value, bank entry and policy
  for (Item& item : items) item.added_at = kStart;
  EXPECT_EQ(got->items, items);
  EXPECT_EQ(got->progress.state, CaseState::kNew);
  EXPECT_EQ(got->progress.actioned_at, kStart);
  EXPECT_EQ(got->progress.qa, QaState::kNotSampled);
  const auto events = Events(created.id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].case_id, created.id);
  EXPECT_EQ(events[0].action, "opened");
  EXPECT_EQ(events[0].at, kStart);
}

TEST_P(CaseStoreContractTest, UnknownCaseIsNotFoundNamingIt) {
  auto got = store().GetCase(999);
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(got.status().message(), "case 999 does not exist");
  Case ghost;
  ghost.id = 999;
  ghost.version = 1;
  auto set = store().CompareAndSet(ChangeOf(ghost, CaseState::kInReview, "claimed"));
  EXPECT_EQ(set.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(EventCount(), 0u);
}

TEST_P(CaseStoreContractTest, CompareAndSetAppliesProgressReviewsAndEvents) {
  const Case c = Create(CaseWith({NewFlag()}));
  clock_->Advance(seconds(30));
  CaseChange change = ChangeOf(c, CaseState::kDecided, "decided");
  change.progress.outcome = Decision::kConfirmedNew;
  change.progress.decided_at = clock_->Now();
  change.progress.updated_at = clock_->Now();
  change.progress.qa = QaState::kPending;
  change.progress.lease = Lease{.reviewer = "qa-1", .expires_at = clock_->Now() + seconds(60)};
  change.new_reviews.push_back({.reviewer = "alice",
                                .decision = Decision::kConfirmedNew,
                                .rationale = "multi\nline",
                                .decided_at = clock_->Now()});
  change.events.push_back({.case_id = c.id, .at = clock_->Now(), .actor = "x", .action = "two"});
  auto set = store().CompareAndSet(change);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_TRUE(*set);
  const Case got = *store().GetCase(c.id);
  EXPECT_EQ(got.version, 2);
  EXPECT_EQ(got.progress, change.progress);
  EXPECT_EQ(got.reviews, change.new_reviews);
  EXPECT_EQ(Actions(c.id), (std::vector<std::string>{"opened", "decided", "two"}));
}

TEST_P(CaseStoreContractTest, StaleVersionWritesNothing) {
  const Case c = Create(CaseWith({KnownFlag(5)}));
  ASSERT_TRUE(*store().CompareAndSet(ChangeOf(c, CaseState::kInReview, "claimed")));
  const size_t events = EventCount();
  CaseChange stale = ChangeOf(c, CaseState::kDecided, "decided");  // still expects version 1
  stale.new_reviews.push_back({.reviewer = "bob", .decision = Decision::kNotCsam});
  stale.false_positives.push_back({.case_id = c.id, .technology = kPdq, .recorded_at = kStart});
  stale.verification_requests.push_back({.case_id = c.id, .bank_entry_id = 5});
  stale.exposure = ExposureCharge{.reviewer = "bob", .day = 1, .items = 1, .cap = 10};
  auto set = store().CompareAndSet(stale);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_FALSE(*set);
  const Case got = *store().GetCase(c.id);
  EXPECT_EQ(got.version, 2);
  EXPECT_EQ(got.progress.state, CaseState::kInReview);
  EXPECT_TRUE(got.reviews.empty());
  EXPECT_EQ(EventCount(), events);
  EXPECT_TRUE(store().ListFalsePositives(kStart - seconds(1), kStart + seconds(1))->empty());
  EXPECT_TRUE(store().ListPendingVerifications(std::nullopt)->empty());
  EXPECT_EQ(*store().GetExposure("bob", 1), 0);
}

TEST_P(CaseStoreContractTest, ExposureCapRefusesTheWholeChange) {
  const Case c = Create(CaseOfItems(KnownFlag(5), 3));
  const int64_t day = DayOf(kStart);
  CaseChange first = ChangeOf(c, CaseState::kInReview, "claimed");
  first.exposure = ExposureCharge{.reviewer = "ann", .day = day, .items = 3, .cap = 5};
  ASSERT_TRUE(*store().CompareAndSet(first));
  const Case after = *store().GetCase(c.id);
  const size_t events = EventCount();
  CaseChange second = ChangeOf(after, CaseState::kNew, "released");
  second.exposure = ExposureCharge{.reviewer = "ann", .day = day, .items = 3, .cap = 5};
  auto set = store().CompareAndSet(second);
  EXPECT_EQ(set.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(set.status().message(),
            "reviewer ann has reached the daily exposure cap: 3 items seen on 2024-05-01 plus 3 "
            "in this case would pass the cap of 5");
  EXPECT_EQ(*store().GetCase(c.id), after);  // the case update was rolled back too
  EXPECT_EQ(EventCount(), events);
  EXPECT_EQ(*store().GetExposure("ann", day), 3);
  second.exposure->day = day + 1;  // a new day starts from zero
  EXPECT_TRUE(*store().CompareAndSet(second));
  EXPECT_EQ(*store().GetExposure("ann", day + 1), 3);
}

TEST_P(CaseStoreContractTest, FalsePositivesAndVerificationRequestsAreKept) {
  const Case a = Create(CaseWith({KnownFlag(7), KnownFlag(8, kMd5)}));
  const Case b = Create(CaseWith({KnownFlag(9)}));
  CaseChange change = ChangeOf(a, CaseState::kInReview, "x");
  change.false_positives = {{.case_id = a.id,
                             .item_id = "item-1",
                             .technology = kPdq,
                             .raw_value = 4,
                             .bank_entry_id = 7,
                             .reviewer = "bob",
                             .recorded_at = kStart + seconds(10)},
                            {.case_id = a.id,
                             .item_id = "item-2",
                             .technology = kMd5,
                             .raw_value = 0,
                             .bank_entry_id = 8,
                             .reviewer = "bob",
                             .recorded_at = kStart + seconds(5)}};
  change.verification_requests = {
      {.case_id = a.id, .bank_entry_id = 7, .bank_name = "n", .reason = "r7", .created_at = kStart},
      {.case_id = a.id,
       .bank_entry_id = 8,
       .bank_name = "n",
       .reason = "r8",
       .created_at = kStart}};
  ASSERT_TRUE(*store().CompareAndSet(change));
  CaseChange other = ChangeOf(b, CaseState::kInReview, "x");
  other.verification_requests = {{.case_id = b.id, .bank_entry_id = 9, .reason = "r9"}};
  ASSERT_TRUE(*store().CompareAndSet(other));

  auto fps = store().ListFalsePositives(kStart, kStart + seconds(10));  // [from, to)
  ASSERT_TRUE(fps.ok());
  ASSERT_EQ(fps->size(), 1u);
  EXPECT_EQ((*fps)[0], change.false_positives[1]);
  EXPECT_EQ(store().ListFalsePositives(kStart, kStart + seconds(11))->size(), 2u);

  auto pending = store().ListPendingVerifications(std::nullopt);
  ASSERT_EQ(pending->size(), 3u);
  EXPECT_LT((*pending)[0].id, (*pending)[1].id);
  EXPECT_EQ((*pending)[0].reason, "r7");
  EXPECT_EQ(store().ListPendingVerifications(b.id)->size(), 1u);
  ASSERT_TRUE(store().MarkVerificationDelivered((*pending)[0].id, kStart).ok());
  ASSERT_TRUE(store().MarkVerificationDelivered((*pending)[0].id, kStart + seconds(9)).ok());
  EXPECT_EQ(store().ListPendingVerifications(a.id)->size(), 1u);
  EXPECT_EQ(store().MarkVerificationDelivered(12345, kStart).code(), StatusCode::kNotFound);
}

TEST_P(CaseStoreContractTest, QueueIsOrderedByPriorityThenAgeThenId) {
  const Case low_old = Create(CaseWith({NewFlag()}, 0));
  clock_->Advance(seconds(10));
  const Case high_new = Create(CaseWith({NewFlag()}, 5));
  const Case low_new = Create(CaseWith({NewFlag()}, 0));
  const Case high_old_leased = [&] {
    Case c = Create(CaseWith({NewFlag()}, 9));
    CaseChange claim = ChangeOf(c, CaseState::kInReview, "claimed");
    claim.progress.lease = Lease{.reviewer = "r", .expires_at = kStart + seconds(100)};
    EXPECT_TRUE(*store().CompareAndSet(claim));
    return c;
  }();
  const Case decided = Create(CaseWith({NewFlag()}, 9));
  ASSERT_TRUE(*store().CompareAndSet(ChangeOf(decided, CaseState::kDecided, "decided")));

  const auto ids = [&](TimePoint now, size_t limit) {
    std::vector<CaseId> out;
    const auto queue = store().ListQueue({.now = now, .limit = limit});
    for (const Case& c : *queue) out.push_back(c.id);
    return out;
  };
  EXPECT_EQ(ids(kStart + seconds(99), 10),
            (std::vector<CaseId>{high_new.id, low_old.id, low_new.id}));
  // At the lease's expiry the case is claimable again, first by priority.
  EXPECT_EQ(ids(kStart + seconds(100), 10),
            (std::vector<CaseId>{high_old_leased.id, high_new.id, low_old.id, low_new.id}));
  EXPECT_EQ(ids(kStart + seconds(100), 2), (std::vector<CaseId>{high_old_leased.id, high_new.id}));
}

TEST_P(CaseStoreContractTest, QaQueueHoldsSampledCasesNotUnderLease) {
  const Case sampled = Create(CaseWith({NewFlag()}));
  const Case held = Create(CaseWith({NewFlag()}, 4));
  Create(CaseWith({NewFlag()}));  // not sampled
  CaseChange a = ChangeOf(sampled, CaseState::kDecided, "decided");
  a.progress.qa = QaState::kPending;
  ASSERT_TRUE(*store().CompareAndSet(a));
  CaseChange b = ChangeOf(held, CaseState::kDecided, "decided");
  b.progress.qa = QaState::kPending;
  b.progress.lease = Lease{.reviewer = "q", .expires_at = kStart + seconds(5)};
  ASSERT_TRUE(*store().CompareAndSet(b));
  auto queue = store().ListQueue({.kind = QueueKind::kQa, .now = kStart, .limit = 10});
  ASSERT_EQ(queue->size(), 1u);
  EXPECT_EQ((*queue)[0].id, sampled.id);
  queue = store().ListQueue({.kind = QueueKind::kQa, .now = kStart + seconds(5), .limit = 10});
  ASSERT_EQ(queue->size(), 2u);
  EXPECT_EQ((*queue)[0].id, held.id);
}

TEST_P(CaseStoreContractTest, ListCasesFiltersAndPagesById) {
  std::vector<CaseId> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Create(CaseWith({NewFlag()}, 5 - i)).id);
  ASSERT_TRUE(
      *store().CompareAndSet(ChangeOf(*store().GetCase(ids[1]), CaseState::kInReview, "c")));
  ASSERT_TRUE(
      *store().CompareAndSet(ChangeOf(*store().GetCase(ids[3]), CaseState::kInReview, "c")));
  auto page = store().ListCases({.limit = 2});
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[1].id, ids[1]);
  page = store().ListCases({.after_id = ids[1], .limit = 10});
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].id, ids[2]);
  page = store().ListCases({.state = CaseState::kInReview});
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, ids[1]);
  EXPECT_EQ((*page)[1].id, ids[3]);
  EXPECT_TRUE(store().ListCases({.qa = QaState::kDone})->empty());
}

TEST_P(CaseStoreContractTest, EventsAreListedInWriteOrderByCaseAndPage) {
  const Case a = Create(CaseWith({NewFlag()}));
  const Case b = Create(CaseWith({NewFlag()}));
  ASSERT_TRUE(*store().CompareAndSet(ChangeOf(a, CaseState::kInReview, "claimed")));
  ASSERT_TRUE(store()
                  .PutReviewerSettings({.reviewer = "r", .daily_exposure_cap = 5},
                                       {.at = kStart, .actor = "admin", .action = "settings"})
                  .ok());
  EXPECT_EQ(Actions(), (std::vector<std::string>{"opened", "opened", "claimed", "settings"}));
  EXPECT_EQ(Actions(a.id), (std::vector<std::string>{"opened", "claimed"}));
  EXPECT_EQ(Actions(b.id), (std::vector<std::string>{"opened"}));
  const auto all = Events();
  EXPECT_FALSE(all[3].case_id.has_value());
  auto page = store().ListEvents({.after_id = all[0].id, .limit = 2});
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0], all[1]);
  EXPECT_EQ((*page)[1], all[2]);
}

AlertCheck TechnologyCheck(TimePoint now, int64_t threshold, bool pause = false) {
  return {.subject = AlertSubject::kTechnology,
          .key = kPdq,
          .window_start = now - seconds(3600),
          .window_seconds = 3600,
          .threshold = threshold,
          .pause_auto_action = pause};
}

TEST_P(CaseStoreContractTest, AlertIsRaisedWhenFlagsInTheWindowExceedTheThreshold) {
  Create(CaseOfItems(KnownFlag(1), 2));  // before the window: not counted below
  clock_->Advance(seconds(3600));
  auto first = CreateWithAlerts(CaseOfItems(KnownFlag(2), 2), {TechnologyCheck(clock_->Now(), 2)});
  EXPECT_TRUE(first.alerts.empty());  // 2 flags is not more than 2
  clock_->Advance(seconds(60));
  auto second = CreateWithAlerts(CaseWith({KnownFlag(3), NewFlag()}),
                                 {TechnologyCheck(clock_->Now(), 2, /*pause=*/true)});
  ASSERT_EQ(second.alerts.size(), 1u);
  const ClusterAlert& alert = second.alerts[0];
  EXPECT_EQ(alert.subject, AlertSubject::kTechnology);
  EXPECT_EQ(alert.key, kPdq);
  EXPECT_EQ(alert.flag_count, 3);
  EXPECT_EQ(alert.threshold, 2);
  EXPECT_EQ(alert.case_id, second.opened.id);
  EXPECT_TRUE(alert.paused_auto_action);
  EXPECT_EQ(*store().ListAlerts(true), second.alerts);
  EXPECT_TRUE(*store().IsAutoActionPaused(AlertSubject::kTechnology, kPdq));
  EXPECT_FALSE(*store().IsAutoActionPaused(AlertSubject::kTechnology, kMd5));
  const auto events = Events(second.opened.id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].action, "cluster_alert");
  EXPECT_EQ(events[1].details, AlertRaisedEvent(alert).details);
}

TEST_P(CaseStoreContractTest, OneOpenAlertPerSubjectUntilAcknowledged) {
  auto first = CreateWithAlerts(CaseOfItems(KnownFlag(1), 3), {TechnologyCheck(kStart, 2, true)});
  ASSERT_EQ(first.alerts.size(), 1u);
  auto again = CreateWithAlerts(CaseOfItems(KnownFlag(1), 3), {TechnologyCheck(kStart, 2, true)});
  EXPECT_TRUE(again.alerts.empty());
  const CaseEvent ack{.at = kStart + seconds(5), .actor = "lead", .action = "alert_acknowledged"};
  auto acked = store().AcknowledgeAlert(first.alerts[0].id, "bad hash retired", ack);
  ASSERT_TRUE(acked.ok()) << acked.status().ToString();
  EXPECT_EQ(acked->acknowledged_at, kStart + seconds(5));
  EXPECT_EQ(acked->acknowledged_by, "lead");
  EXPECT_EQ(acked->note, "bad hash retired");
  const size_t events = EventCount();
  auto twice = store().AcknowledgeAlert(first.alerts[0].id, "", ack);
  EXPECT_EQ(twice.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store().AcknowledgeAlert(999, "", ack).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(EventCount(), events);
  EXPECT_TRUE(store().ListAlerts(true)->empty());
  auto later = CreateWithAlerts(CaseOfItems(KnownFlag(1), 1), {TechnologyCheck(kStart, 2, true)});
  ASSERT_EQ(later.alerts.size(), 1u);
  EXPECT_EQ(later.alerts[0].flag_count, 7);
  // The pause set by the first alert is still the one in force.
  auto pauses = store().ListPauses();
  ASSERT_EQ(pauses->size(), 1u);
  EXPECT_EQ((*pauses)[0].alert_id, first.alerts[0].id);
  EXPECT_EQ(store().ListAlerts(false)->size(), 2u);
}

TEST_P(CaseStoreContractTest, BankEntryAlertsCountFlagsOfThatEntryOnly) {
  const AlertCheck check{.subject = AlertSubject::kBankEntry,
                         .key = AlertKey(42),
                         .window_start = kStart - seconds(60),
                         .window_seconds = 60,
                         .threshold = 1};
  auto opened =
      CreateWithAlerts(CaseWith({KnownFlag(42), KnownFlag(43), KnownFlag(42, kMd5)}), {check});
  ASSERT_EQ(opened.alerts.size(), 1u);
  EXPECT_EQ(opened.alerts[0].key, "42");
  EXPECT_EQ(opened.alerts[0].flag_count, 2);
  EXPECT_FALSE(opened.alerts[0].paused_auto_action);
  EXPECT_FALSE(*store().IsAutoActionPaused(AlertSubject::kBankEntry, "42"));
}

TEST_P(CaseStoreContractTest, ResumingLiftsAPauseWithItsEvent) {
  CreateWithAlerts(CaseOfItems(KnownFlag(1), 3), {TechnologyCheck(kStart, 1, true)});
  const CaseEvent resume{.at = kStart, .actor = "lead", .action = "auto_action_resumed"};
  const size_t events = EventCount();
  EXPECT_EQ(store().ResumeAutoAction(AlertSubject::kTechnology, kMd5, resume).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(EventCount(), events);
  ASSERT_TRUE(store().ResumeAutoAction(AlertSubject::kTechnology, kPdq, resume).ok());
  EXPECT_FALSE(*store().IsAutoActionPaused(AlertSubject::kTechnology, kPdq));
  EXPECT_EQ(EventCount(), events + 1);
}

TEST_P(CaseStoreContractTest, ReviewerSettingsAreReplacedWithAnEvent) {
  EXPECT_EQ(store().GetReviewerSettings("ann").status().code(), StatusCode::kNotFound);
  const ReviewerSettings s{
      .reviewer = "ann", .blur_percent = 40, .greyscale = false, .daily_exposure_cap = 50};
  ASSERT_TRUE(store().PutReviewerSettings(s, {.at = kStart, .actor = "ann", .action = "a"}).ok());
  EXPECT_EQ(*store().GetReviewerSettings("ann"), s);
  ReviewerSettings t = s;
  t.daily_exposure_cap = 20;
  ASSERT_TRUE(store().PutReviewerSettings(t, {.at = kStart, .actor = "ann", .action = "b"}).ok());
  EXPECT_EQ(*store().GetReviewerSettings("ann"), t);
  EXPECT_EQ(Actions(), (std::vector<std::string>{"a", "b"}));
}

TEST_P(CaseStoreContractTest, ConcurrentCompareAndSetHasExactlyOneWinner) {
  const Case c = Create(CaseWith({NewFlag()}));
  constexpr int kThreads = 8;
  std::atomic<int> won{0}, lost{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      CaseChange change = ChangeOf(c, CaseState::kInReview, "claimed");
      change.progress.lease = Lease{.reviewer = "r" + std::to_string(t), .expires_at = kStart};
      auto set = store().CompareAndSet(change);
      if (set.ok() && *set) ++won;
      if (set.ok() && !*set) ++lost;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(lost.load(), kThreads - 1);
  EXPECT_EQ(Actions(c.id).size(), 2u);
  EXPECT_EQ(store().GetCase(c.id)->version, 2);
}

TEST_P(CaseStoreContractTest, EverythingPersistsAcrossReopen) {
  const Case c = Create(MixedCase());
  CaseChange change = ChangeOf(c, CaseState::kDecided, "decided");
  change.progress.outcome = Decision::kNotCsam;
  change.new_reviews.push_back({.reviewer = "bob", .decision = Decision::kNotCsam});
  ASSERT_TRUE(*store().CompareAndSet(change));
  const Case before = *store().GetCase(c.id);
  const auto events = Events();
  const Status reopened = backend_->Reopen();
  if (reopened.code() == StatusCode::kUnimplemented) GTEST_SKIP() << "keeps nothing";
  ASSERT_TRUE(reopened.ok()) << reopened.ToString();
  EXPECT_EQ(*store().GetCase(c.id), before);
  EXPECT_EQ(Events(), events);
}

}  // namespace
}  // namespace vigil::cases::testing
