// The classify::RetryStore contract, run on memory, SQLite and PostgreSQL: a failed item is kept
// once per kind and content with its bytes, source, account and first failure; keeping it again
// raises its attempt count and replaces the error; pending items come oldest first, bounded;
// Done removes one; kept items survive reopening. On the databases the row is stamped with its
// purposes and an expiry from the retention policy (Art 3(1)(h)).
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "classify/retry_store.h"
#include "store/pg_test_database.h"
#include "store/sqlite_schema.h"
#include "store/store.h"

namespace vigil::store {
namespace {

using classify::RetryItem;
using classify::RetryKind;
using testing::Backend;

const TimePoint kT0{std::chrono::seconds(1'800'000'000)};

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

RetryItem Item(RetryKind kind, std::vector<uint8_t> bytes, std::string source, TimePoint at,
               std::string error = "UNAVAILABLE: timed out") {
  RetryItem item;
  item.kind = kind;
  item.key = classify::RetryKey(bytes);
  item.source = std::move(source);
  item.account_id = "acct-" + item.source;
  item.bytes = std::move(bytes);
  item.error = std::move(error);
  item.last_failed_at = at;
  return item;
}

class RetryStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    storage_.Prepare(GetParam(), "vigil_retries");
    if (IsSkipped() || HasFatalFailure()) return;
    if (GetParam() == Backend::kMemory) {
      memory_ = std::make_unique<classify::InMemoryRetryStore>();
      return;
    }
    Reopen();
  }
  void Reopen() {
    if (memory_) return;  // nothing to reopen
    db_.reset();
    auto db = OpenDatabase(storage_.url());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  classify::RetryStore& store() { return memory_ ? *memory_ : db_->classify_retries(); }

  std::unique_ptr<classify::InMemoryRetryStore> memory_;
  testing::BackendStorage storage_;  // declared before db_, which must close first
  std::unique_ptr<Database> db_;
};

TEST_P(RetryStoreTest, AnItemIsKeptOnceWithItsBytesAndItsAttemptsCount) {
  // Every byte value, including NUL and bytes that are not UTF-8.
  std::vector<uint8_t> image(512);
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<uint8_t>(i * 7);
  RetryItem first = Item(RetryKind::kMedia, image, "photos/a.jpg", kT0);
  first.surface = "photos/upload";
  first.region = "eu";
  first.sealed_account_id = "00ff10ab";
  auto attempts = store().Keep(first);
  ASSERT_TRUE(attempts.ok()) << attempts.status().ToString();
  EXPECT_EQ(*attempts, 1);

  RetryItem again = first;
  again.source = "elsewhere.jpg";  // ignored: the item keeps its first origin
  again.account_id = "other";
  again.surface = "chat";
  again.region = "non-eu";
  again.sealed_account_id.reset();
  again.error = "DATA_LOSS: score 7";
  again.last_failed_at = kT0 + std::chrono::seconds(60);
  attempts = store().Keep(again);
  ASSERT_TRUE(attempts.ok()) << attempts.status().ToString();
  EXPECT_EQ(*attempts, 2);
  Reopen();

  auto pending = store().Pending(RetryKind::kMedia, 10);
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  ASSERT_EQ(pending->size(), 1u);
  const RetryItem& kept = (*pending)[0];
  EXPECT_EQ(kept.kind, RetryKind::kMedia);
  EXPECT_EQ(kept.key, first.key);
  EXPECT_EQ(kept.key.size(), 32u);
  EXPECT_EQ(kept.bytes, image);
  EXPECT_EQ(kept.source, "photos/a.jpg");
  EXPECT_EQ(kept.account_id, "acct-photos/a.jpg");
  EXPECT_EQ(kept.surface, "photos/upload");
  EXPECT_EQ(kept.region, "eu");
  EXPECT_EQ(kept.sealed_account_id, std::optional<std::string>("00ff10ab"));
  EXPECT_EQ(kept.error, "DATA_LOSS: score 7");
  EXPECT_EQ(kept.attempts, 2);
  EXPECT_EQ(kept.first_failed_at, kT0);
  EXPECT_EQ(kept.last_failed_at, kT0 + std::chrono::seconds(60));
  // Kinds are apart: the same bytes as a conversation are another item.
  EXPECT_TRUE(store().Pending(RetryKind::kConversation, 10)->empty());
  EXPECT_EQ(*store().Keep(Item(RetryKind::kConversation, image, "c.json", kT0)), 1);
}

TEST_P(RetryStoreTest, PendingIsOldestFirstAndBoundedAndDoneRemoves) {
  const RetryItem late = Item(RetryKind::kConversation, Bytes("{\"id\":\"late\"}"), "late",
                              kT0 + std::chrono::seconds(5));
  const RetryItem early = Item(RetryKind::kConversation, Bytes("{\"id\":\"early\"}"), "early", kT0);
  const RetryItem media = Item(RetryKind::kMedia, Bytes("GIF89a"), "m.gif", kT0);
  for (const RetryItem* i : {&late, &early, &media}) ASSERT_TRUE(store().Keep(*i).ok());
  auto all = store().Pending(RetryKind::kConversation, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].source, "early");
  EXPECT_EQ((*all)[1].source, "late");
  // Kept without an origin or a sealed id: empty, not made up.
  EXPECT_EQ((*all)[0].surface, "");
  EXPECT_EQ((*all)[0].region, "");
  EXPECT_FALSE((*all)[0].sealed_account_id.has_value());
  auto one = store().Pending(RetryKind::kConversation, 1);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].source, "early");

  ASSERT_TRUE(store().Done(RetryKind::kConversation, early.key).ok());
  ASSERT_TRUE(store().Done(RetryKind::kConversation, early.key).ok());  // already gone: fine
  ASSERT_TRUE(store().Done(RetryKind::kConversation, media.key).ok());  // other kind: untouched
  Reopen();
  auto left = store().Pending(RetryKind::kConversation, 10);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].source, "late");
  EXPECT_EQ(store().Pending(RetryKind::kMedia, 10)->size(), 1u);
  // A re-kept item after Done starts again at attempt 1.
  EXPECT_EQ(*store().Keep(early), 1);
}

TEST_P(RetryStoreTest, AnItemWithoutAKeyIsRefused) {
  RetryItem item = Item(RetryKind::kMedia, Bytes("x"), "x", kT0);
  item.key.clear();
  EXPECT_EQ(store().Keep(item).status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, RetryStoreTest,
                         ::testing::Values(Backend::kMemory, Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

// Art 3(1)(h): the kept item is personal data; the database stamps its purposes and expiry from
// the retention policy (the longest of reporting and blocking, 365 days by default).
TEST(RetryStoreSqliteTest, KeptItemsCarryPurposesAndAnExpiryFromThePolicy) {
  testing::BackendStorage storage;
  storage.Prepare(Backend::kSqlite, "vigil_retries_expiry");
  {
    auto db = OpenDatabase(storage.url());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->classify_retries().Keep(Item(RetryKind::kMedia, Bytes("x"), "x", kT0)).ok());
  }
  SQLite::Database raw(storage.sqlite_path());
  SQLite::Statement q(raw, "SELECT purposes, expires_at, content FROM classify_retries");
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getString(), "reporting,blocking");
  EXPECT_EQ(q.getColumn(1).getInt64(), 1'800'000'000 + 86400 * 365);
  EXPECT_EQ(q.getColumn(2).getString(), "78");  // "x" as hex
}

// Migration 25 adds the origin and the sealed id: an item kept by a version-22 vigil survives it
// with an unknown origin and no sealed id, and is retried as before.
TEST(RetryStoreSqliteTest, ItemsKeptBeforeMigration25SurviveIt) {
  testing::BackendStorage storage;
  storage.Prepare(Backend::kSqlite, "vigil_retries_v22");
  {
    SQLite::Database raw(storage.sqlite_path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at INTEGER NOT NULL)");
    for (const SqliteMigration& m : SqliteMigrations()) {
      if (m.version > 22) continue;
      raw.exec(std::string(m.sql));
      raw.exec("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", 'x', 0)");
    }
    raw.exec(
        "INSERT INTO classify_retries (kind, item_key, source, account_id, content, bytes, error, "
        "attempts, created_at, last_failed_at) VALUES ('media', 'k1', 'old.jpg', 'acct', '78', 1, "
        "'UNAVAILABLE: down', 3, 5, 6)");
  }
  auto db = OpenDatabase(storage.url());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto pending = (*db)->classify_retries().Pending(RetryKind::kMedia, 10);
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  ASSERT_EQ(pending->size(), 1u);
  const RetryItem& kept = (*pending)[0];
  EXPECT_EQ(kept.source, "old.jpg");
  EXPECT_EQ(kept.bytes, Bytes("x"));
  EXPECT_EQ(kept.attempts, 3);
  EXPECT_EQ(kept.surface, "");
  EXPECT_EQ(kept.region, "");
  EXPECT_FALSE(kept.sealed_account_id.has_value());
}

}  // namespace
}  // namespace vigil::store
