// The CaseStore contract for grouping: appending items to an open case (AddItems) and finding
// an account's open case (LatestOpenCase), on every backend.
#include <fmt/format.h>

#include "cases/case_store_contract.h"

namespace vigil::cases::testing {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

Item HashedItem(const std::string& id, const Flag& flag) {
  return Item{.item_id = id,
              .content_type = "image",
              .received_at = kStart + seconds(50),
              .hashes = {{"pdq", std::string(64, '7')}, {"md5", std::string(32, 'c')}},
              .flags = {flag}};
}

ItemAddition AdditionTo(const Case& c, std::vector<Item> items, TimePoint at) {
  return ItemAddition{
      .id = c.id,
      .expected_version = c.version,
      .items = std::move(items),
      .priority = 7,
      .at = at,
      .event = {.at = at, .actor = "system", .action = "items_added", .details = "two"}};
}

TEST_P(CaseStoreContractTest, AddItemsAppendsItemsWithHashesAndFlagsAndWritesItsEvent) {
  const Case c = Create(CaseWith({KnownFlag(5)}, /*priority=*/2));
  clock_->Advance(seconds(60));
  const TimePoint at = clock_->Now();
  const std::vector<Item> added = {HashedItem("late-1", NewFlag(0.95)),
                                   HashedItem("late-2", KnownFlag(6, kMd5, 0))};
  auto result = store().AddItems(AdditionTo(c, added, at));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->applied);
  EXPECT_TRUE(result->alerts.empty());
  const Case got = *store().GetCase(c.id);
  EXPECT_EQ(got.version, 2);
  EXPECT_EQ(got.priority, 7);
  EXPECT_EQ(got.created_at, kStart);
  EXPECT_EQ(got.progress.updated_at, at);
  EXPECT_EQ(got.progress.state, CaseState::kNew);
  ASSERT_EQ(got.items.size(), 3u);
  EXPECT_EQ(got.items[0].item_id, "item-1");
  EXPECT_EQ(got.items[0].added_at, kStart);
  for (size_t i = 0; i < added.size(); ++i) {
    Item expected = added[i];
    expected.added_at = at;
    EXPECT_EQ(got.items[i + 1], expected);  // id, type, hashes, times, every flag's raw value
  }
  EXPECT_EQ(got.Technologies(), (std::vector<std::string>{kClassifier, kMd5, kPdq}));
  EXPECT_EQ(got.BankEntries(), (std::vector<BankEntryId>{5, 6}));
  const auto events = Events(c.id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].action, "items_added");
  EXPECT_EQ(events[1].case_id, c.id);
  EXPECT_EQ(events[1].at, at);
}

TEST_P(CaseStoreContractTest, AddItemsWithAStaleVersionWritesNothing) {
  const Case c = Create(CaseWith({NewFlag()}));
  ASSERT_TRUE(*store().CompareAndSet(ChangeOf(c, CaseState::kInReview, "claimed")));
  const Case before = *store().GetCase(c.id);
  const size_t events = EventCount();
  AlertCheck check{.subject = AlertSubject::kTechnology,
                   .key = kClassifier,
                   .window_start = kStart - hours(1),
                   .window_seconds = 3600,
                   .threshold = 0};
  ItemAddition stale = AdditionTo(c, {HashedItem("late", NewFlag())}, kStart);  // version 1
  stale.alert_checks.push_back(check);
  auto result = store().AddItems(stale);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_FALSE(result->applied);
  EXPECT_EQ(*store().GetCase(c.id), before);
  EXPECT_EQ(EventCount(), events);
  EXPECT_TRUE(store().ListAlerts(false)->empty());
}

TEST_P(CaseStoreContractTest, AddItemsToAnUnknownCaseIsNotFound) {
  Case ghost;
  ghost.id = 41;
  ghost.version = 1;
  auto result = store().AddItems(AdditionTo(ghost, {HashedItem("x", NewFlag())}, kStart));
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(result.status().message(), "case 41 does not exist");
  EXPECT_EQ(EventCount(), 0u);
}

TEST_P(CaseStoreContractTest, ItemsAddedLaterCountInAlertWindowsFromWhenTheyWereAdded) {
  const Case c = Create(CaseWith({NewFlag()}));  // one flag at kStart
  clock_->Advance(hours(2));
  const TimePoint at = clock_->Now();
  ItemAddition addition =
      AdditionTo(c, {HashedItem("a", NewFlag()), HashedItem("b", NewFlag())}, at);
  addition.alert_checks.push_back({.subject = AlertSubject::kTechnology,
                                   .key = kClassifier,
                                   .window_start = at - hours(1),
                                   .window_seconds = 3600,
                                   .threshold = 1,
                                   .pause_auto_action = true});
  auto result = store().AddItems(addition);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->alerts.size(), 1u);
  const ClusterAlert& alert = result->alerts[0];
  EXPECT_EQ(alert.flag_count, 2);  // the opening's flag is two hours old, outside the window
  EXPECT_EQ(alert.case_id, c.id);
  EXPECT_EQ(alert.raised_at, at);
  EXPECT_EQ(*store().ListAlerts(true), result->alerts);
  EXPECT_TRUE(*store().IsAutoActionPaused(AlertSubject::kTechnology, kClassifier));
  EXPECT_EQ(Actions(c.id), (std::vector<std::string>{"opened", "items_added", "cluster_alert"}));
}

TEST_P(CaseStoreContractTest, LatestOpenCaseIsTheNewestUndecidedCaseOfTheAccountOnTheSurface) {
  const Case older = Create(CaseWith({NewFlag()}, 0, "acct-1"));
  const Case newer = Create(CaseWith({NewFlag()}, 0, "acct-1"));
  Create(CaseWith({NewFlag()}, 0, "acct-2"));
  NewCase chat = CaseWith({NewFlag()}, 0, "acct-1");
  chat.surface = "chat";
  const Case other_surface = Create(chat);
  auto latest = store().LatestOpenCase("acct-1", "photos/upload");
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ(**latest, newer);  // the whole case, items included
  EXPECT_EQ((*store().LatestOpenCase("acct-1", "chat"))->id, other_surface.id);
  EXPECT_FALSE(store().LatestOpenCase("acct-9", "photos/upload")->has_value());

  ASSERT_TRUE(*store().CompareAndSet(ChangeOf(newer, CaseState::kInReview, "claimed")));
  EXPECT_EQ((*store().LatestOpenCase("acct-1", "photos/upload"))->id, newer.id);
  const Case in_review = *store().GetCase(newer.id);
  ASSERT_TRUE(*store().CompareAndSet(ChangeOf(in_review, CaseState::kDecided, "decided")));
  EXPECT_EQ((*store().LatestOpenCase("acct-1", "photos/upload"))->id, older.id);
  ASSERT_TRUE(*store().CompareAndSet(ChangeOf(older, CaseState::kInReview, "claimed")));
  const Case older_in_review = *store().GetCase(older.id);
  ASSERT_TRUE(*store().CompareAndSet(ChangeOf(older_in_review, CaseState::kDecided, "decided")));
  EXPECT_FALSE(store().LatestOpenCase("acct-1", "photos/upload")->has_value());
}

TEST_P(CaseStoreContractTest, GroupedItemsPersistAcrossReopen) {
  const Case c = Create(CaseWith({KnownFlag(3)}));
  ASSERT_TRUE(
      store()
          .AddItems(AdditionTo(c, {HashedItem("late", SolicitationFlag())}, kStart + seconds(9)))
          ->applied);
  CaseChange claim = ChangeOf(*store().GetCase(c.id), CaseState::kInReview, "claimed");
  claim.progress.lease =
      Lease{.reviewer = "ann", .expires_at = kStart + hours(1), .items_shown = 2};
  ASSERT_TRUE(*store().CompareAndSet(claim));
  const Case before = *store().GetCase(c.id);
  EXPECT_EQ(before.progress.lease->items_shown, 2);
  const Status reopened = backend_->Reopen();
  if (reopened.code() == StatusCode::kUnimplemented) GTEST_SKIP() << "keeps nothing";
  ASSERT_TRUE(reopened.ok()) << reopened.ToString();
  EXPECT_EQ(*store().GetCase(c.id), before);
}

}  // namespace
}  // namespace vigil::cases::testing
