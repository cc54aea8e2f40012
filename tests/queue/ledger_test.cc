// The JobLedger contract on memory and PostgreSQL, what only PostgreSQL gives (the work's writes
// to other stores in the ledger's transaction), and SQLite's refusal.
#include "queue/ledger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/pg_test_database.h"
#include "store/store.h"

namespace vigil::queue {
namespace {

using store::testing::Backend;
using store::testing::BackendStorage;

const TimePoint kT0 = TimePoint(std::chrono::seconds(1'800'000'000));

LedgerRecord Claim(const std::string& item, const std::string& job = "J:1", TimePoint at = kT0) {
  return {.key = {ItemKeyOf(item), "pdq@1+md5@1+sha256@1"},
          .job_id = job,
          .worker = "w1",
          .outcome = {},
          .processed_at = at};
}

TEST(ItemKeyTest, IsTheSha256OfTheItemId) {
  // sha256("abc"), FIPS 180-2 appendix B.1.
  EXPECT_EQ(ItemKeyOf("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

class JobLedgerContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kMemory) {
      ledger_ = &memory_;
      return;
    }
    storage_.Prepare(GetParam(), "ledger");
    if (IsSkipped() || HasFatalFailure()) return;
    auto db = store::OpenDatabase(storage_.url());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ledger_ = &db_->job_ledger();
  }

  BackendStorage storage_;
  std::unique_ptr<store::Database> db_;
  InMemoryJobLedger memory_;
  JobLedger* ledger_ = nullptr;
};

TEST_P(JobLedgerContract, RunsWorkOnceAndReturnsTheFirstRecordAfter) {
  int runs = 0;
  auto work = [&]() -> Result<LedgerOutcome> {
    ++runs;
    return LedgerOutcome{.flagged = true, .case_id = 17};
  };
  auto first = ledger_->RunOnce(Claim("item-1", "J:1"), work);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->ran);
  EXPECT_EQ(first->record.outcome, (LedgerOutcome{true, 17}));
  auto again = ledger_->RunOnce(Claim("item-1", "J:9", kT0 + std::chrono::hours(1)), work);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->ran);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(again->record.job_id, "J:1");  // the earlier delivery's record
  EXPECT_EQ(again->record.worker, "w1");
  EXPECT_EQ(again->record.outcome, (LedgerOutcome{true, 17}));
  EXPECT_EQ(again->record.processed_at, kT0);
  auto got = ledger_->Get(Claim("item-1").key);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->key.item_key, ItemKeyOf("item-1"));
  EXPECT_EQ(*ledger_->Count(), 1);
}

TEST_P(JobLedgerContract, AnotherTechnologyVersionRunsAgain) {
  ASSERT_TRUE(
      ledger_->RunOnce(Claim("item-1"), [] { return Result<LedgerOutcome>(LedgerOutcome{}); })
          .ok());
  LedgerRecord v2 = Claim("item-1");
  v2.key.technology_version = "pdq@2";
  auto r = ledger_->RunOnce(v2, [] { return Result<LedgerOutcome>(LedgerOutcome{}); });
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ran);
  EXPECT_EQ(*ledger_->Count(), 2);
}

TEST_P(JobLedgerContract, FailedWorkRecordsNothingAndMayRunAgain) {
  auto failed = ledger_->RunOnce(Claim("item-2"), []() -> Result<LedgerOutcome> {
    return UnavailableError("the database went away");
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(ledger_->Get(Claim("item-2").key)->has_value());
  auto retried =
      ledger_->RunOnce(Claim("item-2"), [] { return Result<LedgerOutcome>(LedgerOutcome{}); });
  ASSERT_TRUE(retried.ok());
  EXPECT_TRUE(retried->ran);
}

TEST_P(JobLedgerContract, ConcurrentDeliveriesOfOneItemRunItOnce) {
  std::atomic<int> runs{0};
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto r = ledger_->RunOnce(Claim("item-3", "J:" + std::to_string(i)), [&] {
        ++runs;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return Result<LedgerOutcome>(LedgerOutcome{});
      });
      if (r.ok()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
  EXPECT_EQ(runs.load(), 1);
}

TEST_P(JobLedgerContract, EmptyKeyPartsAreRefused) {
  LedgerRecord c = Claim("x");
  c.key.technology_version.clear();
  auto r = ledger_->RunOnce(c, [] { return Result<LedgerOutcome>(LedgerOutcome{}); });
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  c = Claim("x");
  c.key.item_key.clear();
  EXPECT_EQ(
      ledger_->RunOnce(c, [] { return Result<LedgerOutcome>(LedgerOutcome{}); }).status().code(),
      StatusCode::kInvalidArgument);
}

TEST_P(JobLedgerContract, PurgeDeletesOnlyOlderRecords) {
  auto ok = [] { return Result<LedgerOutcome>(LedgerOutcome{}); };
  ASSERT_TRUE(ledger_->RunOnce(Claim("old", "J:1", kT0), ok).ok());
  ASSERT_TRUE(ledger_->RunOnce(Claim("new", "J:2", kT0 + std::chrono::hours(30)), ok).ok());
  auto purged = ledger_->PurgeBefore(kT0 + std::chrono::hours(24));
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  EXPECT_FALSE(ledger_->Get(Claim("old").key)->has_value());
  EXPECT_TRUE(ledger_->Get(Claim("new").key)->has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, JobLedgerContract,
                         ::testing::Values(Backend::kMemory, Backend::kPostgres),
                         store::testing::BackendTestName);

// What the ledger is for: the work's writes to other stores commit or roll back with the row.
class PostgresJobLedgerTest : public JobLedgerContract {};

bank::NewBank Bank(const std::string& name) {
  bank::NewBank b;
  b.name = name;
  b.owner = "test";
  return b;
}

TEST_P(PostgresJobLedgerTest, WorkWritesRollBackWithAFailure) {
  auto r = ledger_->RunOnce(Claim("item-4"), [&]() -> Result<LedgerOutcome> {
    RETURN_IF_ERROR(db_->banks().CreateBank(Bank("written-then-undone")).status());
    RETURN_IF_ERROR(db_->volume().Add({20000, "pdq@1", "image", stats::Region::kEu}, {1, 1}));
    return DataLossError("failed after writing");
  });
  ASSERT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(db_->banks().GetBank("written-then-undone").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(db_->volume().List(20000, 20000)->empty());
  EXPECT_FALSE(ledger_->Get(Claim("item-4").key)->has_value());
}

TEST_P(PostgresJobLedgerTest, WorkWritesCommitWithTheRow) {
  auto r = ledger_->RunOnce(Claim("item-5"), [&]() -> Result<LedgerOutcome> {
    RETURN_IF_ERROR(db_->banks().CreateBank(Bank("kept")).status());
    // A store error inside the work is undone alone (a savepoint); the work may go on.
    EXPECT_EQ(db_->banks().CreateBank(Bank("kept")).status().code(), StatusCode::kAlreadyExists);
    RETURN_IF_ERROR(db_->volume().Add({20000, "pdq@1", "image", stats::Region::kEu}, {1, 0}));
    return LedgerOutcome{};
  });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(db_->banks().GetBank("kept").ok());
  EXPECT_EQ(db_->volume().List(20000, 20000)->size(), 1u);
  // Outside RunOnce the stores use their own connections again.
  EXPECT_TRUE(db_->banks().CreateBank(Bank("after")).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, PostgresJobLedgerTest, ::testing::Values(Backend::kPostgres),
                         store::testing::BackendTestName);

TEST(SqliteJobLedgerTest, RunOnceNeedsPostgresButReadsWork) {
  BackendStorage storage;
  storage.Prepare(Backend::kSqlite, "ledger-sqlite");
  auto db = store::OpenDatabase(storage.url());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto r = (*db)->job_ledger().RunOnce(Claim("i"),
                                       [] { return Result<LedgerOutcome>(LedgerOutcome{}); });
  ASSERT_EQ(r.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(r.status().message().find("PostgreSQL"), std::string::npos);
  EXPECT_EQ(*(*db)->job_ledger().Count(), 0);
  EXPECT_FALSE((*db)->job_ledger().Get(Claim("i").key)->has_value());
  EXPECT_EQ(*(*db)->job_ledger().PurgeBefore(kT0), 0);
}

}  // namespace
}  // namespace vigil::queue
