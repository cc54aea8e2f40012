// Bank changes across nodes. Each node is what one process has: its own database handle, its own
// NATS connection, a LiveMatcher and a PublishingBankStore (the store `vigil bank --events` and
// `vigil serve` with "nats" write through). A change made on one node must reach every node's
// matcher within one second (docs/scaling.md). The database is PostgreSQL when
// VIGIL_TEST_POSTGRES_URL is set (as in production), else a SQLite file shared by the nodes.
// Needs nats-server; skips with a message without it.
#include "worker/live_matcher.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "queue/nats.h"
#include "queue/nats_server.h"
#include "store/pg_test_database.h"
#include "store/store.h"
#include "worker/bank_publisher.h"

namespace vigil::worker {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Two PDQ hashes far apart (Hamming distance well above the default radius of 31).
const char kPdqA[] = "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";
const char kPdqB[] = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

constexpr auto kBound = 1000ms;  // the promise: every worker applies a change within 1 s

struct Node {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<queue::NatsQueue> nats;
  std::unique_ptr<LiveMatcher> live;
  std::unique_ptr<PublishingBankStore> banks;
};

class LiveMatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::NatsServer::Start(&error);
    if (server_ == nullptr) GTEST_SKIP() << error;
    if (!store::testing::TestServerUrl().empty()) {
      scratch_ = store::testing::MustCreateScratch();
      ASSERT_NE(scratch_, nullptr);
      url_ = scratch_->url();
    } else {
      dir_ = std::filesystem::temp_directory_path() /
             ("vigil-live-matcher-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:" + (dir_ / "vigil.db").string();
    }
    auto db = store::OpenDatabase(url_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto bank = (*db)->banks().CreateBank({.name = "hotline", .owner = "H"});
    ASSERT_TRUE(bank.ok()) << bank.status().ToString();
    bank_ = *bank;
  }

  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // A node; with `live` false it only publishes (like `vigil bank add --events`).
  Node MakeNode(bool live = true) {
    Node n;
    auto db = store::OpenDatabase(url_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    queue::NatsOptions o;
    o.url = server_->url();
    auto q = queue::NatsQueue::Connect(o);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    if (!db.ok() || !q.ok()) return n;
    n.db = std::move(*db);
    n.nats = std::move(*q);
    if (live) {
      auto m = LiveMatcher::Start(n.db->banks(), {}, *n.nats);
      EXPECT_TRUE(m.ok()) << m.status().ToString();
      if (m.ok()) n.live = std::move(*m);
    }
    n.banks = std::make_unique<PublishingBankStore>(n.db->banks(), *n.nats);
    return n;
  }

  static bool Matches(const Node& n, const char* pdq) {
    auto r = n.live->matcher().MatchPdq(*hash::Hash256::FromHex(pdq), std::nullopt);
    return r.ok() && !r->empty();
  }

  // Polls until `n` matches `pdq` (want) or no longer does (!want), for at most `limit`; true
  // when it got there. The bound is asserted by the caller against the time of the change.
  static bool Await(const Node& n, const char* pdq, bool want, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Matches(n, pdq) != want) {
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(2ms);
    }
    return true;
  }

  // The matcher changes just before the applied sequence does: poll for it too.
  static bool AwaitSequence(const Node& n, uint64_t want) {
    const auto deadline = Clock::now() + 5s;
    while (n.live->applied_sequence() != want) {
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(2ms);
    }
    return true;
  }

  Status Add(Node& n, const char* pdq) {
    return bank::AddEntry(*n.banks, bank_.id, {bank::SignalType::kPdq, pdq}).status();
  }

  bank::EntryId IdOf(Node& n, const char* pdq) {
    auto e = n.db->banks().FindEntry(bank_.id, bank::SignalType::kPdq, pdq);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? e->id : 0;
  }

  std::unique_ptr<testing::NatsServer> server_;
  std::unique_ptr<store::testing::ScratchDatabase> scratch_;
  std::filesystem::path dir_;
  std::string url_;
  bank::Bank bank_;
};

TEST_F(LiveMatcherTest, AHashAddedOnOneNodeMatchesOnTheOtherWithinOneSecond) {
  Node a = MakeNode(), b = MakeNode();
  ASSERT_TRUE(a.live && b.live);
  ASSERT_FALSE(Matches(a, kPdqA));
  ASSERT_FALSE(Matches(b, kPdqA));

  auto start = Clock::now();
  ASSERT_TRUE(Add(a, kPdqA).ok());
  ASSERT_TRUE(Await(b, kPdqA, true, 5000ms)) << "node B never matched A's hash";
  EXPECT_LT(Clock::now() - start, kBound);
  ASSERT_TRUE(Await(a, kPdqA, true, 5000ms)) << "node A never matched its own hash";
  EXPECT_LT(Clock::now() - start, kBound);
  EXPECT_FALSE(Matches(b, kPdqB));

  // And the other way round.
  start = Clock::now();
  ASSERT_TRUE(Add(b, kPdqB).ok());
  ASSERT_TRUE(Await(a, kPdqB, true, 5000ms)) << "node A never matched B's hash";
  EXPECT_LT(Clock::now() - start, kBound);

  // Retired on B: neither node matches it any more, also within the bound.
  start = Clock::now();
  ASSERT_TRUE(b.banks->RetireEntry(IdOf(b, kPdqA), "false positive confirmed").ok());
  ASSERT_TRUE(Await(a, kPdqA, false, 5000ms)) << "node A kept matching a retired hash";
  ASSERT_TRUE(Await(b, kPdqA, false, 5000ms)) << "node B kept matching a retired hash";
  EXPECT_LT(Clock::now() - start, kBound);
  EXPECT_TRUE(Matches(a, kPdqB));

  EXPECT_EQ(a.live->failed_events(), 0u);
  EXPECT_EQ(b.live->failed_events(), 0u);
  // Three events: two additions, one retirement; both nodes applied all of them.
  EXPECT_TRUE(AwaitSequence(a, 3));
  EXPECT_TRUE(AwaitSequence(b, 3));
}

// Issue 12: a bank created on node A after node B started is matched on B within the bound.
TEST_F(LiveMatcherTest, ABankCreatedAfterANodeStartedIsMatchedThereWithinOneSecond) {
  Node a = MakeNode(), b = MakeNode();
  ASSERT_TRUE(a.live && b.live);
  auto start = Clock::now();
  auto late = a.banks->CreateBank({.name = "late", .owner = "P"});
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  ASSERT_TRUE(bank::AddEntry(*a.banks, late->id, {bank::SignalType::kPdq, kPdqA}).ok());
  ASSERT_TRUE(Await(b, kPdqA, true, 5000ms)) << "node B never matched the new bank's hash";
  EXPECT_LT(Clock::now() - start, kBound);
  ASSERT_TRUE(Await(a, kPdqA, true, 5000ms));
  auto matches = b.live->matcher().MatchPdq(*hash::Hash256::FromHex(kPdqA), std::nullopt);
  ASSERT_TRUE(matches.ok() && matches->size() == 1u);
  EXPECT_EQ((*matches)[0].bank.name, "late");
  // Its entries then come and go like any bank's.
  start = Clock::now();
  auto id = b.db->banks().FindEntry(late->id, bank::SignalType::kPdq, kPdqA);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(a.banks->RetireEntry(id->id, "withdrawn by source").ok());
  ASSERT_TRUE(Await(b, kPdqA, false, 5000ms)) << "node B kept matching a retired hash";
  EXPECT_LT(Clock::now() - start, kBound);
  EXPECT_EQ(a.live->failed_events(), 0u);
  EXPECT_EQ(b.live->failed_events(), 0u);
  EXPECT_TRUE(AwaitSequence(b, 3));  // created, added, retired
}

// A bank created without telling the workers (`vigil bank create` without --events): the first
// entry added to it with events makes every node load it.
TEST_F(LiveMatcherTest, TheFirstAddToABankANodeDoesNotKnowMakesItLoadTheBank) {
  Node a = MakeNode(/*live=*/false), b = MakeNode();
  ASSERT_TRUE(b.live);
  auto quiet = a.db->banks().CreateBank({.name = "quiet", .owner = "P"});
  ASSERT_TRUE(quiet.ok());
  ASSERT_TRUE(bank::AddEntry(a.db->banks(), quiet->id, {bank::SignalType::kPdq, kPdqA}).ok());
  const auto start = Clock::now();
  ASSERT_TRUE(bank::AddEntry(*a.banks, quiet->id, {bank::SignalType::kPdq, kPdqB}).ok());
  ASSERT_TRUE(Await(b, kPdqB, true, 5000ms)) << "node B never loaded the bank";
  EXPECT_LT(Clock::now() - start, kBound);
  EXPECT_TRUE(Matches(b, kPdqA));  // added earlier without an event: in the bank's snapshot
  EXPECT_EQ(b.live->failed_events(), 0u);
}

TEST_F(LiveMatcherTest, AStartingNodeLoadsTheSnapshotThenFollowsTheEvents) {
  Node a = MakeNode(/*live=*/false);
  ASSERT_TRUE(Add(a, kPdqA).ok());  // event 1: in B's snapshot, before B's position
  Node b = MakeNode();
  ASSERT_TRUE(b.live);
  EXPECT_TRUE(Matches(b, kPdqA));
  EXPECT_EQ(b.live->applied_sequence(), 1u);
  // An event repeating what the snapshot holds is harmless (adding again publishes again).
  ASSERT_TRUE(Add(a, kPdqA).ok());
  const auto start = Clock::now();
  ASSERT_TRUE(Add(a, kPdqB).ok());
  ASSERT_TRUE(Await(b, kPdqB, true, 5000ms));
  EXPECT_LT(Clock::now() - start, kBound);
  EXPECT_TRUE(Matches(b, kPdqA));
  EXPECT_EQ(b.live->failed_events(), 0u);
  EXPECT_TRUE(AwaitSequence(b, 3));
}

TEST_F(LiveMatcherTest, ANodeCatchesUpAfterTheServerRestarts) {
  Node a = MakeNode(/*live=*/false), b = MakeNode();
  ASSERT_TRUE(b.live);
  ASSERT_TRUE(server_->Restart());
  // A's connection comes back on its own; until it does, an add is refused with kUnavailable
  // after its database commit, and repeating it publishes again.
  Status added = Status::Ok();
  for (const auto deadline = Clock::now() + 20s; Clock::now() < deadline;) {
    added = Add(a, kPdqB);
    if (added.ok()) break;
    EXPECT_EQ(added.code(), StatusCode::kUnavailable) << added.ToString();
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(added.ok()) << added.ToString();
  EXPECT_TRUE(Await(b, kPdqB, true, 10000ms)) << "node B did not resume after the restart";
}

TEST_F(LiveMatcherTest, AnEventLostWhileNatsIsDownIsReportedAndRepairedByRepeating) {
  Node a = MakeNode(/*live=*/false), b = MakeNode();
  ASSERT_TRUE(b.live);
  server_->Stop(/*kill=*/true);
  auto r = bank::AddEntry(*a.banks, bank_.id, {bank::SignalType::kPdq, kPdqA});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("not published"), std::string::npos) << r.status().message();
  // The database is the record: the entry is there, but B was not told.
  EXPECT_GT(IdOf(a, kPdqA), 0);
  EXPECT_FALSE(Matches(b, kPdqA));
  // Retiring an unknown entry is still the store's error, not an event.
  auto gone = a.banks->RetireEntry(999999, "no such entry");
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound) << gone.status().ToString();

  ASSERT_TRUE(server_->Launch());
  Status again = Status::Ok();
  for (const auto deadline = Clock::now() + 20s; Clock::now() < deadline;) {
    again = Add(a, kPdqA);  // already present: publishes its event again
    if (again.ok()) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(again.ok()) << again.ToString();
  EXPECT_TRUE(Await(b, kPdqA, true, 10000ms)) << "repeating the add did not repair node B";
}

}  // namespace
}  // namespace vigil::worker
