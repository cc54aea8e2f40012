// The audit store contract, run on memory, SQLite and PostgreSQL: appends form one unbroken chain
// (also under concurrent writers, and across two connections to one database), the time comes
// from the injected clock, records survive reopening, the tables refuse edits, and tampering done
// behind the stores' back (triggers dropped) is caught by VerifyChain.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "audit/audit.h"
#include "store/pg_test_database.h"
#include "store/store.h"

namespace vigil::store {
namespace {

using audit::AuditEvent;
using audit::AuditRecord;

using testing::Backend;

TimePoint At(int64_t s) { return TimePoint(std::chrono::seconds(s)); }

class AuditStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<FakeClock>(At(1795000000));
    storage_.Prepare(GetParam(), "vigil_audit");
    if (IsSkipped() || HasFatalFailure()) return;
    if (GetParam() == Backend::kMemory) {
      memory_ = std::make_unique<audit::InMemoryAuditStore>(clock_);
      return;
    }
    db_ = Open();
  }
  std::unique_ptr<Database> Open() {
    auto db = OpenDatabase(storage_.url(), {.clock = clock_});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }
  audit::AuditStore& log() { return memory_ ? *memory_ : db_->audit(); }
  bool persistent() const { return GetParam() != Backend::kMemory; }

  // Runs `sql` on the database behind the store's back (no triggers dropped unless asked).
  Status RawExec(const std::string& sql) {
    if (GetParam() == Backend::kSqlite) {
      try {
        SQLite::Database raw(storage_.sqlite_path(), SQLite::OPEN_READWRITE);
        raw.exec(sql);
        return Status::Ok();
      } catch (const std::exception& e) {
        return InternalError(e.what());
      }
    }
    auto conn = storage_.scratch()->Connect();
    if (!conn.ok()) return conn.status();
    return (*conn)->ExecScript(sql);
  }
  std::string DropTriggers() const {
    return GetParam() == Backend::kSqlite
               ? "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
               : "ALTER TABLE audit_log DISABLE TRIGGER USER;";
  }

  std::shared_ptr<FakeClock> clock_;
  std::unique_ptr<audit::InMemoryAuditStore> memory_;
  testing::BackendStorage storage_;  // declared before db_, which must close first
  std::unique_ptr<Database> db_;
};

TEST_P(AuditStoreTest, AppendsFormAChainTimedByTheClock) {
  const AuditEvent first{"key:ops", "case.decide", "case:42", "127.0.0.1",
                         R"({"decision":"not_csam"})"};
  auto r1 = log().Append(first);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  clock_->Advance(std::chrono::seconds(60));
  auto r2 = log().Append({"reviewer-\xc3\xa4", "evidence.view", "case:42", "", ""});
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  // The golden hashes of audit_test.cc: every store computes the one construction.
  EXPECT_EQ(r1->hash, "0334e2f6e8ecc897e85d1814784b4dd1a86377c4b534613c91ebb434c0043ebd");
  EXPECT_EQ(r2->hash, "590f22fcff10422c7ad26efe4eb8ed068c8424066b5011af8332a04c643632c6");
  auto listed = log().List(1, 10);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0], *r1);
  EXPECT_EQ((*listed)[1], *r2);
  EXPECT_EQ((*listed)[1].at, At(1795000060));
}

TEST_P(AuditStoreTest, ListPagesFromASeq) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log().Append({"a", "x" + std::to_string(i)}).ok());
  auto page = log().List(2, 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].seq, 2);
  EXPECT_EQ((*page)[1].event.action, "x2");
  EXPECT_TRUE(log().List(6, 10)->empty());
}

TEST_P(AuditStoreTest, AnInvalidEventWritesNothing) {
  EXPECT_EQ(log().Append({"", "x"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log().Append({"a", "x", "", "", "\xc0"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(log().List(1, 10)->empty());
}

TEST_P(AuditStoreTest, ConcurrentAppendsNeverForkTheChain) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        EXPECT_TRUE(log().Append({"t" + std::to_string(t), "a" + std::to_string(i)}).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto head = audit::VerifyChain(log(), 16);
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->records, 100);
}

TEST_P(AuditStoreTest, TwoConnectionsShareOneChain) {
  if (!persistent()) GTEST_SKIP() << "the in-memory log has one owner";
  std::unique_ptr<Database> other = Open();
  ASSERT_NE(other, nullptr);
  std::thread a([&] {
    for (int i = 0; i < 20; ++i) EXPECT_TRUE(db_->audit().Append({"a", "x"}).ok());
  });
  std::thread b([&] {
    for (int i = 0; i < 20; ++i) EXPECT_TRUE(other->audit().Append({"b", "y"}).ok());
  });
  a.join();
  b.join();
  auto head = audit::VerifyChain(db_->audit());
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->records, 40);
}

TEST_P(AuditStoreTest, RecordsSurviveReopening) {
  if (!persistent()) GTEST_SKIP() << "the in-memory log does not persist";
  ASSERT_TRUE(log().Append({"a", "x", "bank:B", "cli", "{}"}).ok());
  auto before = audit::VerifyChain(log());
  db_ = Open();
  ASSERT_NE(db_, nullptr);
  auto after = audit::VerifyChain(log());
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_EQ(after->hash, before->hash);
  EXPECT_TRUE(log().Append({"a", "y"}).ok());
  EXPECT_EQ(audit::VerifyChain(log())->records, 2);
}

TEST_P(AuditStoreTest, TheTableRefusesEditsAndDeletions) {
  if (!persistent()) GTEST_SKIP() << "only databases have triggers";
  ASSERT_TRUE(log().Append({"a", "x"}).ok());
  EXPECT_FALSE(RawExec("UPDATE audit_log SET actor = 'b'").ok());
  EXPECT_FALSE(RawExec("DELETE FROM audit_log").ok());
  EXPECT_TRUE(audit::VerifyChain(log()).ok());
}

TEST_P(AuditStoreTest, TamperingBehindTheStoresBackIsCaught) {
  if (!persistent()) GTEST_SKIP() << "audit_test.cc covers the in-memory log";
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(log().Append({"a", "x" + std::to_string(i)}).ok());
  auto anchor = audit::VerifyChain(log());
  ASSERT_TRUE(anchor.ok());
  ASSERT_TRUE(
      RawExec(DropTriggers() + "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3;").ok());
  auto edited = audit::VerifyChain(log());
  EXPECT_EQ(edited.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(edited.status().message().find("seq 3"), std::string::npos)
      << edited.status().ToString();
  ASSERT_TRUE(RawExec("UPDATE audit_log SET actor = 'a' WHERE seq = 3;"
                      "DELETE FROM audit_log WHERE seq >= 5;")
                  .ok());
  EXPECT_TRUE(audit::VerifyChain(log()).ok());
  EXPECT_EQ(audit::VerifyAnchor(log(), anchor->seq, anchor->hash).code(), StatusCode::kDataLoss);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditStoreTest,
                         ::testing::Values(Backend::kMemory, Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

}  // namespace
}  // namespace vigil::store
