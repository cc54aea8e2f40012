// The ShareQueue contract, run on memory, SQLite and PostgreSQL: requests are queued once per
// consenting exchange and hash with the mark compared-and-set, due rows come oldest first,
// settling is final and counts each shared hash for the Art 7 list, and everything survives
// reopening the database.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "bank/bank.h"
#include "exchange/exchange.h"
#include "store/pg_test_database.h"
#include "store/sqlite_schema.h"
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

// Shares request 1 (kA, kB) to te and tc, te's kA accepted as descriptor "901".
void ShareOne(exchange::ShareQueue& q, exchange::ExchangeId te) {
  const std::vector<SharedHash> both = {kA, kB};
  ASSERT_TRUE(*q.Enqueue(0, 1, both, kDay1));
  auto due = *q.Due(te, kDay1, 10);
  ASSERT_EQ(due.size(), 2u);
  QueuedShare ok = due[0];
  ok.attempts = 1;
  ok.state = ShareState::kShared;
  ok.shared_at = kDay1;
  ok.remote_id = "901";
  ASSERT_TRUE(*q.Settle(ok, kDay1));
}

TEST_P(ShareQueueTest, AWithdrawalCancelsUnsentRowsAndQueuesSentOnesOnce) {
  ShareOne(queue(), ids_[0]);
  EXPECT_EQ(*queue().LastWithdrawal(), 0);
  const TimePoint at = kDay1 + seconds(100);
  ASSERT_TRUE(*queue().Withdraw(0, 4, 1, at));
  EXPECT_EQ(*queue().LastWithdrawal(), 4);
  EXPECT_FALSE(*queue().Withdraw(0, 4, 1, at));  // a stale mark writes nothing
  // Nothing left to send: te's kB and both of tc's rows were never sent.
  EXPECT_TRUE(queue().Due(ids_[0], at, 10)->empty());
  EXPECT_TRUE(queue().Due(ids_[1], at, 10)->empty());
  EXPECT_TRUE(queue().DueWithdrawals(ids_[1], at, 10)->empty());
  EXPECT_TRUE(queue().DueWithdrawals(ids_[0], at - seconds(1), 10)->empty());
  auto due = queue().DueWithdrawals(ids_[0], at, 10);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].hash.value, kA.value);
  EXPECT_EQ((*due)[0].state, ShareState::kWithdrawing);
  EXPECT_EQ((*due)[0].remote_id, "901");
  EXPECT_EQ((*due)[0].attempts, 0);
  EXPECT_EQ((*due)[0].withdrawn_at, at);
  EXPECT_EQ((*due)[0].shared_at, kDay1);
  EXPECT_EQ(*queue().Counts(ids_[0]), (exchange::ShareCounts{.cancelled = 1, .withdrawing = 1}));
  EXPECT_EQ(*queue().Counts(ids_[1]), (exchange::ShareCounts{.cancelled = 2}));

  QueuedShare retry = (*due)[0];
  retry.attempts = 1;
  retry.next_attempt_at = at + seconds(60);
  retry.last_error = "HTTP 503";
  ASSERT_TRUE(*queue().Settle(retry, at));
  EXPECT_TRUE(queue().DueWithdrawals(ids_[0], at + seconds(59), 10)->empty());
  EXPECT_EQ(queue().Counts(ids_[0])->last_error, "HTTP 503");
  QueuedShare done = *queue().DueWithdrawals(ids_[0], at + seconds(60), 10)->begin();
  EXPECT_EQ(done.withdrawn_at, at);  // kept across attempts
  done.attempts = 2;
  done.state = ShareState::kWithdrawn;
  done.last_error.clear();
  ASSERT_TRUE(*queue().Settle(done, at + seconds(60)));
  EXPECT_FALSE(*queue().Settle(done, at + seconds(61)));  // counted once
  EXPECT_EQ(*queue().Counts(ids_[0]), (exchange::ShareCounts{.cancelled = 1, .withdrawn = 1}));
  EXPECT_EQ(Shared("Org te"), 1u);  // it was shared once; the Art 7 list keeps that
}

TEST_P(ShareQueueTest, AShareAcceptedWhileCancelledIsWithdrawnInstead) {
  const std::vector<SharedHash> one = {kA};
  ASSERT_TRUE(*queue().Enqueue(0, 1, one, kDay1));
  QueuedShare in_flight = *queue().Due(ids_[0], kDay1, 10)->begin();
  ASSERT_TRUE(*queue().Withdraw(0, 1, 1, kDay1 + seconds(1)));  // the reversal meanwhile
  in_flight.attempts = 1;
  in_flight.state = ShareState::kShared;
  in_flight.shared_at = kDay1 + seconds(2);
  in_flight.remote_id = "77";
  ASSERT_TRUE(*queue().Settle(in_flight, kDay1 + seconds(2)));
  EXPECT_EQ(Shared("Org te"), 1u);
  auto due = *queue().DueWithdrawals(ids_[0], kDay1 + seconds(2), 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].remote_id, "77");
  // A failed attempt on a row cancelled meanwhile changes nothing.
  ASSERT_TRUE(*queue().Enqueue(1, 2, std::vector<SharedHash>{kB}, kDay1));
  QueuedShare b = *queue().Due(ids_[1], kDay1, 10)->begin();
  ASSERT_TRUE(*queue().Withdraw(1, 2, 2, kDay1 + seconds(3)));
  b.attempts = 1;
  b.next_attempt_at = kDay1 + seconds(60);
  EXPECT_FALSE(*queue().Settle(b, kDay1 + seconds(3)));
  EXPECT_EQ(queue().Counts(ids_[1])->cancelled, 2u);  // its kA (request 1) and kB
}

TEST_P(ShareQueueTest, AHashConfirmedAgainAfterItsWithdrawalIsQueuedAgain) {
  ShareOne(queue(), ids_[0]);
  ASSERT_TRUE(*queue().Withdraw(0, 1, 1, kDay1));
  // Another case confirms both again: te's kA (withdrawal not sent yet) stays shared, kB and
  // tc's rows (cancelled) are pending again under the new request.
  const std::vector<SharedHash> both = {kA, kB};
  ASSERT_TRUE(*queue().Enqueue(1, 2, both, kDay1 + seconds(5)));
  EXPECT_EQ(*queue().Counts(ids_[0]),
            (exchange::ShareCounts{.pending = 1, .shared = 1, .oldest_pending = kDay1}));
  auto due = *queue().Due(ids_[1], kDay1 + seconds(5), 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].request_id, 2);
  EXPECT_FALSE(due[0].withdrawn_at.has_value());
}

TEST_P(ShareQueueTest, AHashAnotherUnreversedCaseCarriesIsNotWithdrawn) {
  ShareOne(queue(), ids_[0]);  // request 1: kA (shared at te) and kB
  // Request 2 (another case) confirms kA too: nothing new is queued.
  ASSERT_TRUE(*queue().Enqueue(1, 2, std::vector<SharedHash>{kA}, kDay1 + seconds(1)));
  EXPECT_EQ(*queue().Counts(ids_[0]),
            (exchange::ShareCounts{.pending = 1, .shared = 1, .oldest_pending = kDay1}));
  // Request 1 is reversed: kA stays with te (shared) and tc (pending), now under request 2;
  // only kB is cancelled.
  ASSERT_TRUE(*queue().Withdraw(0, 1, 1, kDay1 + seconds(2)));
  EXPECT_TRUE(queue().DueWithdrawals(ids_[0], kDay1 + seconds(2), 10)->empty());
  EXPECT_EQ(*queue().Counts(ids_[0]), (exchange::ShareCounts{.shared = 1, .cancelled = 1}));
  auto tc = *queue().Due(ids_[1], kDay1 + seconds(2), 10);
  ASSERT_EQ(tc.size(), 1u);
  EXPECT_EQ(tc[0].hash.value, kA.value);
  EXPECT_EQ(tc[0].request_id, 2);
  // Request 2 is reversed as well: no confirmation of kA stands, so it is withdrawn.
  ASSERT_TRUE(*queue().Withdraw(1, 2, 2, kDay1 + seconds(3)));
  auto due = *queue().DueWithdrawals(ids_[0], kDay1 + seconds(3), 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].hash.value, kA.value);
  EXPECT_EQ(due[0].remote_id, "901");
  EXPECT_EQ(*queue().Counts(ids_[0]), (exchange::ShareCounts{.cancelled = 1, .withdrawing = 1}));
  EXPECT_EQ(*queue().Counts(ids_[1]), (exchange::ShareCounts{.cancelled = 2}));
}

TEST_P(ShareQueueTest, AHashWhoseOtherCaseWasReversedFirstIsWithdrawn) {
  ShareOne(queue(), ids_[0]);
  ASSERT_TRUE(*queue().Enqueue(1, 2, std::vector<SharedHash>{kA}, kDay1 + seconds(1)));
  // The second case is reversed first: it queued no row, and its claim no longer counts.
  ASSERT_TRUE(*queue().Withdraw(0, 1, 2, kDay1 + seconds(2)));
  EXPECT_EQ(*queue().Counts(ids_[0]),
            (exchange::ShareCounts{.pending = 1, .shared = 1, .oldest_pending = kDay1}));
  ASSERT_TRUE(*queue().Withdraw(1, 2, 1, kDay1 + seconds(3)));
  EXPECT_EQ(*queue().Counts(ids_[0]), (exchange::ShareCounts{.cancelled = 1, .withdrawing = 1}));
  EXPECT_EQ(*queue().Counts(ids_[1]), (exchange::ShareCounts{.cancelled = 2}));
}

// A database queued and withdrew before migration 23: the migration records each row's request
// as carrying its hash, withdrawn when the row was.
TEST_P(ShareQueueTest, Migration23RecordsTheRequestsOfRowsAlreadyQueued) {
  if (GetParam() == Backend::kMemory) GTEST_SKIP() << "memory has no schema";
  ShareOne(queue(), ids_[0]);  // request 1: kA (shared at te), kB
  const SharedHash kC{.type = bank::SignalType::kMd5, .value = std::string(32, 'c')};
  ASSERT_TRUE(*queue().Enqueue(1, 2, std::vector<SharedHash>{kC}, kDay1));
  ASSERT_TRUE(*queue().Withdraw(0, 1, 2, kDay1));
  db_.reset();
  const auto run = [&](const std::string& sql) -> int64_t {
    if (GetParam() == Backend::kSqlite) {
      SQLite::Database raw(storage_.sqlite_path(), SQLite::OPEN_READWRITE);
      if (sql.starts_with("SELECT")) return raw.execAndGet(sql).getInt64();
      raw.exec(sql);
      return 0;
    }
    auto conn = storage_.scratch()->Connect();
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    if (!conn.ok()) return -1;
    auto r = (*conn)->Exec(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    return r.ok() && r->rows() == 1 ? r->Int(0, 0) : 0;
  };
  run("DROP TABLE exchange_share_claims");
  run("DELETE FROM schema_migrations WHERE version = 23");
  Reopen();  // applies migration 23 again, over these rows
  db_.reset();
  EXPECT_EQ(run("SELECT COUNT(*) FROM exchange_share_claims"), 3);
  EXPECT_EQ(run("SELECT COUNT(*) FROM exchange_share_claims WHERE request_id = 1 AND "
                "withdrawn = 0"),
            2);
  EXPECT_EQ(run("SELECT COUNT(*) FROM exchange_share_claims WHERE request_id = 2 AND "
                "withdrawn = 1 AND value = '" +
                kC.value + "'"),
            1);
  Reopen();
  // Request 3 carries kA again: withdrawing request 1 now leaves kA shared, cancels kB.
  ASSERT_TRUE(*queue().Enqueue(2, 3, std::vector<SharedHash>{kA}, kDay1 + seconds(1)));
  ASSERT_TRUE(*queue().Withdraw(1, 2, 1, kDay1 + seconds(2)));
  EXPECT_EQ(*queue().Counts(ids_[0]), (exchange::ShareCounts{.shared = 1, .cancelled = 2}));
}

TEST_P(ShareQueueTest, WithdrawalsSurviveReopening) {
  if (GetParam() == Backend::kMemory) GTEST_SKIP() << "memory keeps nothing across restarts";
  ShareOne(queue(), ids_[0]);
  ASSERT_TRUE(*queue().Withdraw(0, 3, 1, kDay1));
  Reopen();
  EXPECT_EQ(*queue().LastWithdrawal(), 3);
  EXPECT_EQ(*queue().LastRequest(), 1);
  auto due = *queue().DueWithdrawals(ids_[0], kDay1, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].remote_id, "901");
  EXPECT_EQ(due[0].withdrawn_at, kDay1);
}

TEST_P(ShareQueueTest, TheQueueSurvivesReopening) {
  if (GetParam() == Backend::kMemory) GTEST_SKIP() << "memory keeps nothing across restarts";
  const std::vector<SharedHash> one = {kA};
  ASSERT_TRUE(*queue().Enqueue(0, 3, one, kDay1));
  Reopen();
  EXPECT_EQ(*queue().LastRequest(), 3);
  EXPECT_EQ(queue().Due(ids_[1], kDay1, 10)->size(), 1u);
}

// Migration 22 rebuilds exchange_shares (SQLite cannot widen a CHECK in place): rows and the
// mark written by a version-21 vigil survive it unchanged.
TEST(ShareQueueMigrationTest, QueuedAndSharedRowsSurviveMigration22) {
  const std::filesystem::path path =
      std::filesystem::path(::testing::TempDir()) / fmt::format("share-v21-{}.db", ::getpid());
  std::filesystem::remove(path);
  {
    SQLite::Database raw(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at INTEGER NOT NULL)");
    for (const SqliteMigration& m : SqliteMigrations()) {
      if (m.version >= 22) continue;
      raw.exec(std::string(m.sql));
      raw.exec(fmt::format("INSERT INTO schema_migrations VALUES ({}, 'x', 0)", m.version));
    }
    raw.exec("INSERT INTO banks (name, created_at) VALUES ('b', 0)");
    raw.exec(
        "INSERT INTO exchanges (name, type, bank_id, organisation, organisation_kind, endpoint, "
        "share, created_at) VALUES ('te', 'file', 1, 'Org te', 'other', '/x.csv', 1, 0)");
    raw.exec(
        "INSERT INTO exchange_shares (exchange_id, request_id, signal_type, value, source_ref, "
        "state, attempts, next_attempt_at, last_error, created_at, shared_at) VALUES "
        "(1, 7, 'md5', '0123456789abcdef0123456789abcdef', 'case 1', 'shared', 1, 5, '', 5, 6), "
        "(1, 7, 'pdq', '" +
        std::string(64, 'b') +
        "', 'case 1', 'pending', 2, 9, 'HTTP 503', 5, "
        "NULL)");
    raw.exec("INSERT INTO exchange_share_progress (id, last_request_id) VALUES (1, 7)");
  }
  auto db = OpenDatabase(path.string());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  exchange::ShareQueue& q = (*db)->share_queue();
  EXPECT_EQ(*q.LastRequest(), 7);
  EXPECT_EQ(*q.LastWithdrawal(), 0);
  auto due = *q.Due(1, TimePoint(seconds(9)), 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].attempts, 2);
  EXPECT_EQ(due[0].last_error, "HTTP 503");
  EXPECT_EQ(due[0].remote_id, "");
  EXPECT_EQ(q.Counts(1)->shared, 1u);
  // The old rows take the new states.
  ASSERT_TRUE(*q.Withdraw(0, 1, 7, TimePoint(seconds(10))));
  EXPECT_EQ(*q.Counts(1),
            (exchange::ShareCounts{.cancelled = 1, .withdrawing = 1, .last_error = ""}));
  db->reset();
  std::filesystem::remove(path);
}

INSTANTIATE_TEST_SUITE_P(Backends, ShareQueueTest,
                         ::testing::Values(Backend::kMemory, Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

}  // namespace
}  // namespace vigil::store
