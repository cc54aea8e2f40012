// LiveMatcher with the in-memory bank store and event stream: a bank created after the start
// joins the matcher from its creation's event (or, when that event was lost, from the first event
// for one of its entries), and no entry committed while it loads is lost. The test delivers the
// events itself, so it chooses the moment each one arrives. The same across processes over NATS:
// live_matcher_test.cc.
#include <gtest/gtest.h>

#include <random>

#include "bank/hooked_bank_store.h"
#include "queue/in_memory_events.h"
#include "worker/bank_publisher.h"
#include "worker/live_matcher.h"

namespace vigil::worker {
namespace {

std::string Pdq(uint32_t seed) {
  std::mt19937_64 rng(seed);
  hash::Hash256 h;
  for (auto& w : h.words) w = rng();
  return h.ToHex();
}

class LiveMatcherNewBankTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hotline_ = *store_.CreateBank({.name = "hotline", .owner = "H"});
    ASSERT_TRUE(bank::AddEntry(store_, hotline_.id, {bank::SignalType::kPdq, Pdq(1)}).ok());
  }

  std::unique_ptr<LiveMatcher> Start(match::MatcherOptions options = {}) {
    auto live = LiveMatcher::Start(hooked_, options, events_);
    EXPECT_TRUE(live.ok()) << live.status().ToString();
    return live.ok() ? std::move(*live) : nullptr;
  }

  // Adds through the publishing store, as `vigil bank add --events` does.
  void Add(const bank::Bank& b, const std::string& pdq) {
    auto r = bank::AddEntry(publisher_, b.id, {bank::SignalType::kPdq, pdq});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  static bool Matches(const LiveMatcher& live, const std::string& pdq) {
    auto r = live.matcher().LookupPdq(*hash::Hash256::FromHex(pdq), std::nullopt);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && !r->empty();
  }

  bank::InMemoryBankStore store_;
  bank::testing::HookedBankStore hooked_{store_};
  queue::InMemoryBankEvents events_;
  PublishingBankStore publisher_{store_, events_};
  bank::Bank hotline_;
};

TEST_F(LiveMatcherNewBankTest, ABankCreatedAfterTheStartIsMatchedFromItsCreateEvent) {
  auto live = Start();
  ASSERT_TRUE(Matches(*live, Pdq(1)));
  auto late = publisher_.CreateBank({.name = "late", .owner = "P"});
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  Add(*late, Pdq(2));
  Add(*late, Pdq(3));
  auto retired = publisher_.RetireEntry(
      store_.FindEntry(late->id, bank::SignalType::kPdq, Pdq(3))->id, "withdrawn by source");
  ASSERT_TRUE(retired.ok());
  EXPECT_FALSE(live->matcher().HasBank(late->id));
  EXPECT_FALSE(Matches(*live, Pdq(2)));

  EXPECT_EQ(events_.Deliver(), 4u);  // created, two added, one retired
  EXPECT_TRUE(live->matcher().HasBank(late->id));
  EXPECT_TRUE(Matches(*live, Pdq(2)));
  EXPECT_FALSE(Matches(*live, Pdq(3)));
  EXPECT_TRUE(Matches(*live, Pdq(1)));
  EXPECT_EQ(live->failed_events(), 0u);
  EXPECT_EQ(live->applied_sequence(), 4u);
  // The creation loaded the bank as it was by then; the three entry events repeated it.
  EXPECT_EQ(live->changes(), 1u);

  // Later changes to the new bank apply one by one.
  Add(*late, Pdq(4));
  EXPECT_EQ(events_.Deliver(), 1u);
  EXPECT_TRUE(Matches(*live, Pdq(4)));
  EXPECT_EQ(live->changes(), 2u);
}

TEST_F(LiveMatcherNewBankTest, ALostCreateEventIsRepairedByTheFirstAddToTheBank) {
  auto live = Start();
  events_.SetUnavailable(true);
  auto late = publisher_.CreateBank({.name = "late", .owner = "P"});
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(late.status().message().find("bank late created"), std::string::npos)
      << late.status().message();
  EXPECT_NE(late.status().message().find("not published"), std::string::npos);
  events_.SetUnavailable(false);
  auto stored = store_.GetBank("late");  // the database is the record
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(events_.Deliver(), 0u);

  Add(*stored, Pdq(2));
  EXPECT_EQ(events_.Deliver(), 1u);
  EXPECT_TRUE(live->matcher().HasBank(stored->id));
  EXPECT_TRUE(Matches(*live, Pdq(2)));
  EXPECT_EQ(live->failed_events(), 0u);
}

// The race the order of loading and following guards against, for a new bank: an entry committed
// after the bank's entries were read, while the bank joins, still arrives (as a later event).
TEST_F(LiveMatcherNewBankTest, AnEntryCommittedWhileTheNewBankLoadsIsNotLost) {
  auto live = Start();
  auto late = publisher_.CreateBank({.name = "late", .owner = "P"});
  ASSERT_TRUE(late.ok());
  Add(*late, Pdq(2));
  int hooked = 0;
  hooked_.after_read = [&](bank::BankId bank) {
    if (bank != late->id || hooked++ > 0) return Status::Ok();
    // Another node adds an entry just after this node's read: not in what it loads.
    return bank::AddEntry(publisher_, late->id, {bank::SignalType::kPdq, Pdq(3)}).status();
  };
  events_.Deliver();
  EXPECT_EQ(hooked, 1);
  EXPECT_TRUE(Matches(*live, Pdq(2)));
  EXPECT_TRUE(Matches(*live, Pdq(3)));
  EXPECT_EQ(live->failed_events(), 0u);
  EXPECT_EQ(live->applied_sequence(), 3u);
  EXPECT_EQ(live->changes(), 2u);  // the bank with Pdq(2), then Pdq(3) from its own event
}

// The same at the start: an entry committed after the snapshot read arrives as an event.
TEST_F(LiveMatcherNewBankTest, AnEntryCommittedWhileTheStartLoadsIsNotLost) {
  int hooked = 0;
  hooked_.after_read = [&](bank::BankId) {
    if (hooked++ > 0) return Status::Ok();
    return bank::AddEntry(publisher_, hotline_.id, {bank::SignalType::kPdq, Pdq(5)}).status();
  };
  auto live = Start();
  ASSERT_EQ(hooked, 1);
  EXPECT_FALSE(Matches(*live, Pdq(5)));
  EXPECT_EQ(live->applied_sequence(), 0u);
  EXPECT_EQ(events_.Deliver(), 1u);
  EXPECT_TRUE(Matches(*live, Pdq(5)));
  EXPECT_EQ(live->applied_sequence(), 1u);
}

TEST_F(LiveMatcherNewBankTest, AWorkerOfNamedBanksLeavesANewBankAlone) {
  match::MatcherOptions options;
  options.banks = {"hotline"};
  auto live = Start(options);
  auto late = publisher_.CreateBank({.name = "late", .owner = "P"});
  ASSERT_TRUE(late.ok());
  Add(*late, Pdq(2));
  Add(hotline_, Pdq(3));
  EXPECT_EQ(events_.Deliver(), 3u);
  EXPECT_FALSE(live->matcher().HasBank(late->id));
  EXPECT_FALSE(Matches(*live, Pdq(2)));
  EXPECT_TRUE(Matches(*live, Pdq(3)));
  EXPECT_EQ(live->failed_events(), 0u);
}

TEST_F(LiveMatcherNewBankTest, AnEventForABankThatDoesNotExistIsCountedAsFailed) {
  auto live = Start();
  ASSERT_TRUE(events_.Publish({.kind = queue::BankEvent::Kind::kBankCreated, .bank_id = 77}).ok());
  ASSERT_TRUE(events_.Publish({.kind = queue::BankEvent::Kind::kAdded, .entry_id = 999}).ok());
  EXPECT_EQ(events_.Deliver(), 2u);
  EXPECT_EQ(live->failed_events(), 2u);
  EXPECT_EQ(live->applied_sequence(), 2u);
  Status s = live->Apply(3, {.kind = queue::BankEvent::Kind::kBankCreated, .bank_id = 77});
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("bank 77"), std::string::npos) << s.message();
  // The matcher still serves what it had.
  EXPECT_TRUE(Matches(*live, Pdq(1)));
}

}  // namespace
}  // namespace vigil::worker
