// OpenDatabase on PostgreSQL: URLs, unreachable and vanishing servers, the migration lock,
// other applications' databases, locks, concurrency and the stored encoding. The BankStore
// behaviour itself is the shared contract (pg_bank_store_test.cc).
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <latch>
#include <thread>

#include "bank/bank.h"
#include "store/pg_schema.h"
#include "store/pg_test_database.h"
#include "store/sqlite_schema.h"
#include "store/store.h"

namespace vigil::store {
namespace {

using std::chrono_literals::operator""ms;
using testing::MustCreateScratch;
using testing::ScratchDatabase;

// A loopback port nothing listens on: bound once to learn a free number, then released.
int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bank::EntryBatch PdqBatch(int first, int n) {
  bank::EntryBatch batch;
  batch.Reserve(static_cast<size_t>(n));
  for (int i = first; i < first + n; ++i) {
    EXPECT_TRUE(batch.Add({.value = fmt::format("{:064x}", 0xfeed0000 + i)}).ok());
  }
  return batch;
}

TEST(PostgresOpenTest, ConnectionRefusedIsUnavailableNamingHostAndDatabaseButNotPassword) {
  const int port = ClosedPort();
  for (const std::string& url :
       {fmt::format("postgresql://vigil:s3cret-pw@127.0.0.1:{}/vigil_prod", port),
        fmt::format("postgres://vigil@127.0.0.1:{}/vigil_prod?password=s3cret-pw", port)}) {
    auto db = OpenDatabase(url);
    EXPECT_EQ(db.status().code(), StatusCode::kUnavailable) << db.status().ToString();
    const std::string& message = db.status().message();
    EXPECT_NE(message.find("127.0.0.1"), std::string::npos) << message;
    EXPECT_NE(message.find(std::to_string(port)), std::string::npos) << message;
    EXPECT_NE(message.find("vigil_prod"), std::string::npos) << message;
    EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
  }
}

TEST(PostgresOpenTest, BadUrlIsInvalidArgument) {
  for (const char* url : {"postgresql://v:s3cret@h:port/db", "postgresql://h:99999/db",
                          "postgresql://h/db?no_such_option=1", "postgres://[::1/db"}) {
    auto db = OpenDatabase(url);
    EXPECT_EQ(db.status().code(), StatusCode::kInvalidArgument)
        << url << ": " << db.status().ToString();
    EXPECT_EQ(db.status().message().find("s3cret"), std::string::npos) << db.status().ToString();
  }
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_POSTGRES();
    scratch_ = MustCreateScratch();
    ASSERT_NE(scratch_, nullptr);
    auto raw = scratch_->Connect();
    ASSERT_TRUE(raw.ok()) << raw.status().ToString();
    raw_ = std::move(raw).value();
  }
  std::unique_ptr<Database> MustOpen(const DatabaseOptions& options = {}) {
    auto db = OpenDatabase(scratch_->url(), options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }
  std::string Query(const std::string& sql) {
    auto r = raw_->Exec(sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && r->rows() > 0 ? std::string(r->Text(0, 0)) : std::string();
  }

  std::unique_ptr<ScratchDatabase> scratch_;
  std::unique_ptr<PgConnection> raw_;  // a plain session beside the store's
};

TEST_F(PostgresStoreTest, MissingDatabaseIsNotFound) {
  auto db = OpenDatabase(testing::WithDatabase(scratch_->url(), scratch_->name() + "_missing"));
  EXPECT_EQ(db.status().code(), StatusCode::kNotFound) << db.status().ToString();
}

TEST_F(PostgresStoreTest, UrlOfTheDatabaseHasNoPassword) {
  // Trust authentication never asks for the password, so any will do.
  const std::string url = scratch_->url() + "?password=s3cret-pw";
  auto db = OpenDatabase(url);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->url(), scratch_->url());
}

TEST_F(PostgresStoreTest, ConcurrentOpensOfAFreshDatabaseMigrateOnce) {
  // Each opener has its own server session, as separate processes would.
  constexpr int kOpeners = 4;
  std::latch start(kOpeners);
  std::vector<Status> results(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = OpenDatabase(scratch_->url()).status();
    });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Query("SELECT COUNT(*) FROM schema_migrations"), std::to_string(PgMigrations().size()));
  EXPECT_EQ(Query("SELECT COUNT(DISTINCT version) FROM schema_migrations"),
            std::to_string(PgMigrations().size()));
}

TEST_F(PostgresStoreTest, OpenWaitsForAnotherOpenersMigrationLock) {
  ASSERT_TRUE(raw_->Exec("SELECT pg_advisory_lock($1)", PgParams().Int(kPgMigrationLockKey)).ok());
  auto blocked = OpenDatabase(scratch_->url(), {.busy_timeout = 200ms});
  EXPECT_EQ(blocked.status().code(), StatusCode::kUnavailable) << blocked.status().ToString();
  EXPECT_EQ(Query("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"), "0");
  ASSERT_TRUE(
      raw_->Exec("SELECT pg_advisory_unlock($1)", PgParams().Int(kPgMigrationLockKey)).ok());
  EXPECT_TRUE(OpenDatabase(scratch_->url(), {.busy_timeout = 200ms}).ok());
}

TEST_F(PostgresStoreTest, AnotherApplicationsDatabaseIsLeftAlone) {
  ASSERT_TRUE(raw_->ExecScript("CREATE TABLE photos (id INTEGER)").ok());
  auto db = OpenDatabase(scratch_->url());
  EXPECT_EQ(db.status().code(), StatusCode::kFailedPrecondition) << db.status().ToString();
  EXPECT_NE(db.status().message().find("another application (it has photos"), std::string::npos)
      << db.status().ToString();
  EXPECT_EQ(Query("SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'"),
            "photos");
}

TEST_F(PostgresStoreTest, ServerGoneIsUnavailableAndTheNextCallReconnects) {
  auto db = MustOpen({.max_connections = 1});
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->banks().CreateBank({.name = "b"}).ok());
  // What a server restart or failover looks like to a client: its session is ended.
  ASSERT_TRUE(raw_->Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                         "current_database() AND pid <> pg_backend_pid()")
                  .ok());
  auto lost = db->banks().ListBanks();
  EXPECT_EQ(lost.status().code(), StatusCode::kUnavailable) << lost.status().ToString();
  EXPECT_NE(lost.status().message().find(scratch_->url()), std::string::npos)
      << lost.status().ToString();
  auto again = db->banks().ListBanks();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->size(), 1u);
}

TEST_F(PostgresStoreTest, LockedTableIsUnavailableAfterTheBusyTimeout) {
  auto db = MustOpen({.busy_timeout = 100ms});
  ASSERT_NE(db, nullptr);
  auto bank = db->banks().CreateBank({.name = "b"});
  ASSERT_TRUE(bank.ok());
  ASSERT_TRUE(raw_->ExecScript("BEGIN; LOCK TABLE banks, bank_entries IN EXCLUSIVE MODE").ok());
  EXPECT_EQ(db->banks().CreateBank({.name = "c"}).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(db->banks().AddEntries(bank->id, PdqBatch(0, 3)).status().code(),
            StatusCode::kUnavailable);
  ASSERT_TRUE(raw_->ExecScript("ROLLBACK").ok());
  EXPECT_TRUE(db->banks().CreateBank({.name = "c"}).ok());
  EXPECT_EQ(db->banks().AddEntries(bank->id, PdqBatch(0, 3))->added, 3u);
}

TEST_F(PostgresStoreTest, HashValuesAreStoredAsByteaAndTimesAsUnixSeconds) {
  auto clock = std::make_shared<FakeClock>(TimePoint(std::chrono::seconds(1714521600)));
  auto db = MustOpen({.clock = clock});
  ASSERT_NE(db, nullptr);
  auto bank = db->banks().CreateBank({.name = "b"});
  ASSERT_TRUE(bank.ok());
  bank::EntryBatch batch;
  ASSERT_TRUE(
      batch
          .Add({.signal_type = bank::SignalType::kMd5, .value = "D41D8CD98F00B204E9800998ECF8427E"})
          .ok());
  ASSERT_TRUE(db->banks().AddEntries(bank->id, batch).ok());
  EXPECT_EQ(Query("SELECT signal_type || ' ' || pg_typeof(value) || ' ' || encode(value, 'hex') "
                  "|| ' ' || added_at FROM bank_entries"),
            "md5 bytea d41d8cd98f00b204e9800998ecf8427e 1714521600");
}

TEST_F(PostgresStoreTest, LargeBatchSpansCopyChunksInOneTransaction) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  auto bank = db->banks().CreateBank({.name = "b"});
  ASSERT_TRUE(bank.ok());
  ASSERT_TRUE(db->banks().AddEntries(bank->id, PdqBatch(100000, 10)).ok());
  constexpr int kRows = 140000;  // three COPY chunks
  // Cancelled after the first chunk has been moved into bank_entries: all of it rolls back.
  auto cancelled = db->banks().AddEntries(bank->id, PdqBatch(0, kRows), [](uint64_t done) {
    return done == 100000 ? UnavailableError("cancelled") : Status::Ok();
  });
  EXPECT_EQ(cancelled.status(), UnavailableError("cancelled"));
  EXPECT_EQ(db->banks().GetStats(bank->id)->total, 10u);
  auto added = db->banks().AddEntries(bank->id, PdqBatch(0, kRows));
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->added, static_cast<uint64_t>(kRows - 10));
  EXPECT_EQ(added->already_present, 10u);
  EXPECT_EQ(db->banks().GetStats(bank->id)->total, static_cast<uint64_t>(kRows));
}

TEST_F(PostgresStoreTest, ConcurrentImportsOfOverlappingListsCountEachValueOnce) {
  auto db = MustOpen();
  ASSERT_NE(db, nullptr);
  auto bank = db->banks().CreateBank({.name = "b"});
  ASSERT_TRUE(bank.ok());
  constexpr int kThreads = 4;
  std::latch start(kThreads);
  std::vector<uint64_t> added(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const bank::EntryBatch batch = PdqBatch(t * 500, 2000);  // each overlaps the next
      start.arrive_and_wait();
      auto r = db->banks().AddEntries(bank->id, batch);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok()) added[t] = r->added;
    });
  }
  for (auto& t : threads) t.join();
  uint64_t total = 0;
  for (uint64_t a : added) total += a;
  EXPECT_EQ(total, 3500u);
  EXPECT_EQ(db->banks().GetStats(bank->id)->total, 3500u);
}

TEST(PostgresSchemaTest, MigrationsMirrorSqliteVersionsAndNames) {
  // PostgreSQL may lag while a new SQLite migration is being mirrored, never diverge.
  const auto pg = PgMigrations();
  const auto sqlite = SqliteMigrations();
  // Versions are reserved per feature, so they rise but may have gaps while features land.
  ASSERT_LE(pg.size(), sqlite.size());
  for (size_t i = 0; i < pg.size(); ++i) {
    if (i > 0) {
      EXPECT_GT(pg[i].version, pg[i - 1].version);
    }
    EXPECT_EQ(pg[i].version, sqlite[i].version);
    EXPECT_EQ(pg[i].name, sqlite[i].name);
  }
}

}  // namespace
}  // namespace vigil::store
