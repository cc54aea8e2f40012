// The ShareQueue contract, run on memory, SQLite and PostgreSQL: requests are queued once per
// consenting exchange and hash with the mark compared-and-set, due rows come oldest first,
// settling is final and counts each shared hash for the Art 7 list, and everything survives
// reopening the database.
#include <gtest/gtest.h>

#include "bank/bank.h"
#include "exchange/exchange.h"
#include "store/pg_test_database.h"
#include "store/store.h"

namespace vigil::store {
namespace {

using exchange::QueuedShare;
using exchange::SharedHash;
using exchange::ShareState;
using std::chrono::seconds;
using testing::Backend;

const TimePoint kDay1{std::chrono::seconds(1'800'000'000)};  // 2027-01-15 08:00 UTC
const SharedHash kA{.type = bank::SignalType::kMd5,
                    .value = "0123456789abcdef0123456789abcdef",
                    .source_ref = "case 1"};
const SharedHash kB{
    .type = bank::SignalType::kPdq, .value = std::string(64, 'b'), .source_ref = "case 1"};

class ShareQueueTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    storage_.Prepare(GetParam(), "vigil_share_queue");
    if (IsSkipped() || HasFatalFailure()) return;
    if (GetParam() == Backend::kMemory) {
      memory_banks_ = std::make_unique<bank::InMemoryBankStore>(clock_);
      memory_exchanges_ = std::make_unique<exchange::InMemoryExchangeStore>(*memory_banks_);
      memory_ = std::make_unique<exchange::InMemoryShareQueue>(*memory_exchanges_);
    } else {
      Reopen();
    }
    ASSERT_TRUE(banks().CreateBank({.name = "b"}).ok());
    for (auto [name, share] : {std::pair{"te", true}, {"tc", true}, {"no", false}}) {
      auto x = exchanges().CreateExchange({.name = name,
                                           .type = exchange::ExchangeType::kFile,
                                           .bank = "b",
                                           .organisation = std::string("Org ") + name,
                                           .endpoint = "/x.csv",
                                           .share = share},
                                          kDay1);
      ASSERT_TRUE(x.ok()) << x.status().ToString();
      ids_.push_back(x->id);
    }
  }
  void Reopen() {
    db_.reset();
    auto db = OpenDatabase(storage_.url(), {.clock = clock_});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  exchange::ShareQueue& queue() { return memory_ ? *memory_ : db_->share_queue(); }
  exchange::ExchangeStore& exchanges() {
    return memory_exchanges_ ? *memory_exchanges_ : db_->exchanges();
  }
  bank::BankStore& banks() { return memory_banks_ ? *memory_banks_ : db_->banks(); }
  uint64_t Shared(const std::string& organisation) {
    uint64_t n = 0;
    auto contacts = exchanges().ListOrganisationContacts(kDay1 - std::chrono::hours(24),
                                                         kDay1 + std::chrono::hours(48));
    EXPECT_TRUE(contacts.ok()) << contacts.status().ToString();
    if (!contacts.ok()) return 0;
    for (const auto& c : *contacts) {
      if (c.organisation == organisation && c.direction == exchange::Direction::kShared) {
        n += c.hashes;
      }
    }
    return n;
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>(kDay1);
  std::unique_ptr<bank::InMemoryBankStore> memory_banks_;
  std::unique_ptr<exchange::InMemoryExchangeStore> memory_exchanges_;
  std::unique_ptr<exchange::InMemoryShareQueue> memory_;
  testing::BackendStorage storage_;  // declared before db_, which must close first
  std::unique_ptr<Database> db_;
  std::vector<exchange::ExchangeId> ids_;  // te, tc, no
};

TEST_P(ShareQueueTest, RequestsAreQueuedOncePerConsentingExchangeAndHash) {
  EXPECT_EQ(*queue().LastRequest(), 0);
  const std::vector<SharedHash> both = {kA, kB};
  ASSERT_TRUE(*queue().Enqueue(0, 5, both, kDay1));
  EXPECT_EQ(*queue().LastRequest(), 5);
  // A stale mark writes nothing: another outbox already copied request 5.
  EXPECT_FALSE(*queue().Enqueue(0, 5, both, kDay1));
  // The same hash confirmed again in a later case is not queued twice.
  const std::vector<SharedHash> again = {kA};
  ASSERT_TRUE(*queue().Enqueue(5, 6, again, kDay1 + seconds(1)));
  EXPECT_EQ(*queue().LastRequest(), 6);

  auto te = queue().Due(ids_[0], kDay1, 10);
  ASSERT_TRUE(te.ok()) << te.status().ToString();
  ASSERT_EQ(te->size(), 2u);
  EXPECT_EQ((*te)[0].hash.value, kA.value);
  EXPECT_EQ((*te)[0].hash.type, bank::SignalType::kMd5);
  EXPECT_EQ((*te)[0].hash.source_ref, "case 1");
  EXPECT_EQ((*te)[0].request_id, 5);
  EXPECT_EQ((*te)[0].state, ShareState::kPending);
  EXPECT_EQ((*te)[0].attempts, 0);
  EXPECT_EQ((*te)[0].created_at, kDay1);
  EXPECT_EQ((*te)[1].hash.type, bank::SignalType::kPdq);
  EXPECT_EQ(queue().Due(ids_[1], kDay1, 10)->size(), 2u);
  EXPECT_TRUE(queue().Due(ids_[2], kDay1, 10)->empty());  // no consent: nothing queued
  EXPECT_EQ(queue().Due(ids_[0], kDay1, 1)->size(), 1u);
  EXPECT_EQ(*queue().Counts(ids_[0]),
            (exchange::ShareCounts{.pending = 2, .oldest_pending = kDay1}));
}

TEST_P(ShareQueueTest, SettlingIsFinalAndCountsSharedHashes) {
  const std::vector<SharedHash> both = {kA, kB};
  ASSERT_TRUE(*queue().Enqueue(0, 1, both, kDay1));
  auto due = *queue().Due(ids_[0], kDay1, 10);
  ASSERT_EQ(due.size(), 2u);

  QueuedShare failed = due[0];
  failed.attempts = 1;
  failed.next_attempt_at = kDay1 + seconds(60);
  failed.last_error = "exchange te: HTTP 503";
  ASSERT_TRUE(*queue().Settle(failed, kDay1));
  QueuedShare refused = due[1];
  refused.attempts = 1;
  refused.state = ShareState::kRefused;
  refused.last_error = "takes no such type";
  ASSERT_TRUE(*queue().Settle(refused, kDay1));
  EXPECT_FALSE(*queue().Settle(refused, kDay1));  // no longer pending
  EXPECT_TRUE(queue().Due(ids_[0], kDay1 + seconds(59), 10)->empty());
  auto later = *queue().Due(ids_[0], kDay1 + seconds(60), 10);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].attempts, 1);
  EXPECT_EQ(later[0].last_error, "exchange te: HTTP 503");
  EXPECT_EQ(*queue().Counts(ids_[0]),
            (exchange::ShareCounts{.pending = 1,
                                   .refused = 1,
                                   .oldest_pending = kDay1,
                                   .last_error = "exchange te: HTTP 503"}));
  EXPECT_EQ(Shared("Org te"), 0u);

  QueuedShare ok = later[0];
  ok.attempts = 2;
  ok.state = ShareState::kShared;
  ok.shared_at = kDay1 + seconds(61);
  ok.last_error.clear();
  ASSERT_TRUE(*queue().Settle(ok, kDay1 + seconds(61)));
  EXPECT_FALSE(*queue().Settle(ok, kDay1 + seconds(62)));  // counted once
  EXPECT_EQ(Shared("Org te"), 1u);
  EXPECT_EQ(Shared("Org tc"), 0u);
  EXPECT_EQ(*queue().Counts(ids_[0]), (exchange::ShareCounts{.shared = 1, .refused = 1}));
  QueuedShare missing = ok;
  missing.id = 99999;
  EXPECT_EQ(queue().Settle(missing, kDay1).status().code(), StatusCode::kNotFound);
}

TEST_P(ShareQueueTest, TheQueueSurvivesReopening) {
  if (GetParam() == Backend::kMemory) GTEST_SKIP() << "memory keeps nothing across restarts";
  const std::vector<SharedHash> one = {kA};
  ASSERT_TRUE(*queue().Enqueue(0, 3, one, kDay1));
  Reopen();
  EXPECT_EQ(*queue().LastRequest(), 3);
  EXPECT_EQ(queue().Due(ids_[1], kDay1, 10)->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ShareQueueTest,
                         ::testing::Values(Backend::kMemory, Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

}  // namespace
}  // namespace vigil::store
