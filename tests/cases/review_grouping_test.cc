// ReviewService::FileItems: flagged items of one account join its open case while the grouping
// rule allows, and a decision on the case covers every item. Runs on every CaseStore backend.
#include <fmt/format.h>

#include <atomic>
#include <set>
#include <thread>

#include "cases/case_store_contract.h"

namespace vigil::cases::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// One flagged item of `account` with id `item_id`.
NewCase Flagged(const std::string& item_id, const Flag& flag, int priority = 0,
                const std::string& account = "acct-1") {
  NewCase n = CaseWith({flag}, priority, account);
  n.items[0].item_id = item_id;
  n.items[0].hashes = {{"md5", std::string(32, 'd')}};
  return n;
}

TEST_P(GroupingTest, AnAccountsFlaggedItemsJoinItsOpenCaseWithTheirOwnFlagsAndTimes) {
  const OpenedCase first = File(Flagged("up-1", KnownFlag(5), /*priority=*/1));
  EXPECT_FALSE(first.grouped);
  clock_->Advance(seconds(40));
  const OpenedCase second = File(Flagged("up-2", NewFlag(0.96), /*priority=*/3));
  EXPECT_TRUE(second.grouped);
  EXPECT_EQ(second.opened.id, first.opened.id);
  const Case c = Get(first.opened.id);
  EXPECT_EQ(second.opened, c);
  EXPECT_EQ(c.version, 2);
  EXPECT_EQ(c.priority, 3);  // the higher of the two
  EXPECT_EQ(c.created_at, kStart);
  ASSERT_EQ(c.items.size(), 2u);
  EXPECT_EQ(c.items[0].item_id, "up-1");
  EXPECT_EQ(c.items[0].added_at, kStart);
  EXPECT_EQ(c.items[1].item_id, "up-2");
  EXPECT_EQ(c.items[1].added_at, kStart + seconds(40));
  EXPECT_EQ(c.items[1].hashes, (std::vector<ItemHash>{{"md5", std::string(32, 'd')}}));
  EXPECT_EQ(c.items[1].flags, (std::vector<Flag>{NewFlag(0.96)}));
  const auto events = Events(c.id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].action, "items_added");
  EXPECT_EQ(events[1].actor, "system");
  EXPECT_EQ(events[1].details,
            "1 item(s) (up-2), 1 flag(s), priority 3; the case now has 2 item(s)");
  EXPECT_EQ(store().ListCases({})->size(), 1u);
}

TEST_P(GroupingTest, OtherAccountsSurfacesAndRegionsOpenTheirOwnCases) {
  const CaseId c = File(Flagged("a", NewFlag())).opened.id;
  const OpenedCase other_account = File(Flagged("b", NewFlag(), 0, "acct-2"));
  NewCase chat = Flagged("c", NewFlag());
  chat.surface = "chat";
  const OpenedCase other_surface = File(chat);
  NewCase non_eu = Flagged("d", NewFlag());
  non_eu.eu = false;
  const OpenedCase other_region = File(non_eu);
  for (const OpenedCase& o : {other_account, other_surface, other_region}) {
    EXPECT_FALSE(o.grouped);
    EXPECT_NE(o.opened.id, c);
  }
  EXPECT_EQ(Get(c).items.size(), 1u);
  EXPECT_EQ(store().ListCases({})->size(), 4u);
}

TEST_P(GroupingTest, ACaseTakesItemsUpToTheMaximumCountAndAge) {
  ConfigureGrouping({.enabled = true, .max_age = hours(1), .max_items = 2});
  const CaseId first = File(Flagged("1", NewFlag())).opened.id;
  EXPECT_EQ(File(Flagged("2", NewFlag())).opened.id, first);
  const OpenedCase third = File(Flagged("3", NewFlag()));  // would make 3 items
  EXPECT_FALSE(third.grouped);
  EXPECT_NE(third.opened.id, first);
  clock_->Advance(minutes(59));
  EXPECT_EQ(File(Flagged("4", NewFlag())).opened.id, third.opened.id);
  clock_->Advance(minutes(1));  // the third case is now an hour old
  const OpenedCase fifth = File(Flagged("5", NewFlag()));
  EXPECT_FALSE(fifth.grouped);
  EXPECT_EQ(store().ListCases({})->size(), 3u);
  // A filing larger than the limit opens its own case rather than being split.
  NewCase many = CaseOfItems(NewFlag(), 3);
  const OpenedCase big = File(many);
  EXPECT_FALSE(big.grouped);
  EXPECT_EQ(big.opened.items.size(), 3u);
}

TEST_P(GroupingTest, GroupingCanBeTurnedOff) {
  ConfigureGrouping({.enabled = false});
  const CaseId a = File(Flagged("1", NewFlag())).opened.id;
  const OpenedCase b = File(Flagged("2", NewFlag()));
  EXPECT_FALSE(b.grouped);
  EXPECT_NE(b.opened.id, a);
}

TEST_P(GroupingTest, ADecidedCaseIsNeverReopenedByANewItem) {
  const CaseId c = File(Flagged("1", KnownFlag(5))).opened.id;
  Review(c, "alice", Decision::kConfirmedKnown);
  const Case decided = Get(c);
  const OpenedCase next = File(Flagged("2", KnownFlag(5)));
  EXPECT_FALSE(next.grouped);
  EXPECT_NE(next.opened.id, c);
  EXPECT_EQ(Get(c), decided);
}

TEST_P(GroupingTest, ACaseWithAReviewOrAnAutomaticActionTakesNoItems) {
  // A review covers only what its reviewer saw; a second-opinion request is a review.
  const CaseId reviewed = File(Flagged("1", NewFlag())).opened.id;
  Review(reviewed, "alice", Decision::kNeedsSecondOpinion);
  ASSERT_EQ(Get(reviewed).progress.state, CaseState::kNew);
  EXPECT_NE(File(Flagged("2", NewFlag())).opened.id, reviewed);

  // Items the pipeline acted on open their own case, and such a case takes no others.
  NewCase acted = Flagged("3", KnownFlag(8), 0, "acct-2");
  acted.auto_actioned = true;
  const CaseId actioned = File(acted).opened.id;
  EXPECT_NE(File(acted).opened.id, actioned);
  const OpenedCase plain = File(Flagged("4", KnownFlag(8), 0, "acct-2"));
  EXPECT_FALSE(plain.grouped);
  EXPECT_EQ(Get(actioned).items.size(), 1u);
}

TEST_P(GroupingTest, ItemsJoiningAHeldCaseMustBeSeenBeforeTheDecision) {
  const CaseId c = File(Flagged("1", KnownFlag(5, kPdq, 3))).opened.id;
  ClaimOk(c, "alice");
  EXPECT_EQ(*service().ExposureToday("alice"), 1);
  clock_->Advance(seconds(10));
  const OpenedCase joined = File(Flagged("2", KnownFlag(6, kMd5, 0)));
  ASSERT_TRUE(joined.grouped);
  EXPECT_EQ(joined.opened.progress.state, CaseState::kInReview);  // the lease is kept

  const size_t events = EventCount();
  auto early = Decide(c, "alice", Decision::kNotCsam);
  EXPECT_EQ(early.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(early.status().message(),
            "case 1 received 1 item(s) after reviewer alice claimed it; claim it again to see "
            "them before deciding");
  EXPECT_EQ(EventCount(), events);

  const Case renewed = ClaimOk(c, "alice");
  EXPECT_EQ(renewed.progress.lease->items_shown, 2);
  EXPECT_EQ(*service().ExposureToday("alice"), 2);  // only the new item is charged
  EXPECT_EQ(Events(c).back().details, "lease until 2024-05-01T00:15:10Z; 1 new item(s) shown");
  DecideOk(c, "alice", Decision::kNotCsam);
  // The decision covers every item and every technology that flagged any of them.
  const TimePoint now = kStart + seconds(10);
  const std::vector<FalsePositive> want = {{c, "1", kPdq, 3, 5, "alice", now},
                                           {c, "2", kMd5, 0, 6, "alice", now}};
  EXPECT_EQ(*store().ListFalsePositives(kStart, now + seconds(1)), want);
  EXPECT_EQ(sink_.calls().size(), 2u);
}

TEST_P(GroupingTest, AJoiningSolicitationItemRaisesTheConfirmationsTheCaseNeeds) {
  ConfigureGrouping(GroupingRule{}, /*confirmations=*/2);
  const CaseId c = File(Flagged("1", KnownFlag(5))).opened.id;
  File(Flagged("2", SolicitationFlag()));
  Review(c, "alice", Decision::kConfirmedSolicitation);
  EXPECT_EQ(Get(c).progress.state, CaseState::kNew);  // Art 3(1)(g)(iii): a second is needed
  Review(c, "bob", Decision::kConfirmedSolicitation);
  const Case decided = Get(c);
  EXPECT_EQ(decided.progress.outcome, Decision::kConfirmedSolicitation);
  EXPECT_TRUE(service().ReportEligibility(c).ok());
}

TEST_P(GroupingTest, GroupedFlagsCountTowardsClusterAlerts) {
  ReviewConfig config = BaseConfig();
  config.technology_alerts = ClusterAlertRule{.max_flags = 2, .window = hours(1)};
  Configure(config);
  const CaseId c = File(Flagged("1", NewFlag())).opened.id;
  EXPECT_TRUE(File(Flagged("2", NewFlag())).alerts.empty());
  const OpenedCase third = File(Flagged("3", NewFlag()));
  ASSERT_TRUE(third.grouped);
  ASSERT_EQ(third.alerts.size(), 1u);
  EXPECT_EQ(third.alerts[0].flag_count, 3);
  EXPECT_EQ(third.alerts[0].case_id, c);
}

TEST_P(GroupingTest, BadItemsAreRefusedBeforeAnythingIsWritten) {
  File(Flagged("1", NewFlag()));
  const size_t events = EventCount();
  NewCase bad_hash = Flagged("2", NewFlag());
  bad_hash.items[0].hashes = {{"md5", "XYZ"}};
  auto filed = service().FileItems(bad_hash);
  EXPECT_EQ(filed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(filed.status().message(), "item 1 md5 hash is not lowercase hex of 1 to 256 bytes");
  NewCase twice = Flagged("2", NewFlag());
  twice.items[0].hashes = {{"md5", "aa"}, {"md5", "bb"}};
  EXPECT_EQ(service().FileItems(twice).status().message(), "item 1 has two md5 hashes");
  EXPECT_EQ(EventCount(), events);
  EXPECT_EQ(Get(1).items.size(), 1u);
}

TEST_P(GroupingTest, ConcurrentFilingsLoseNoItemAndCountNoneTwice) {
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      if (!service().FileItems(Flagged(fmt::format("t{}", i), NewFlag())).ok()) ++failed;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  std::multiset<std::string> ids;
  auto all = store().ListCases({});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  for (const Case& c : *all) {
    for (const Item& item : c.items) ids.insert(item.item_id);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), static_cast<size_t>(kThreads));
}

}  // namespace
}  // namespace vigil::cases::testing
