// The SQLite backend (a temporary file) against the CaseStore contract and the review rules, and
// what only a database can show: separate connections racing, a locked database, upgrading a
// version-1 file, and the audit table refusing edits.
#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "cases/case_store_contract.h"
#include "store/sqlite_schema.h"
#include "store/store.h"

namespace vigil::cases::testing {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("vigil_cases_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(dir_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  fs::path dir_;
};

class SqliteCaseBackend final : public CaseStoreBackend {
 public:
  Status Open() override { return Reopen(); }
  CaseStore& store() override { return db_->cases(); }
  Status Reopen() override {
    db_.reset();
    auto db = store::OpenDatabase(path_);
    if (!db.ok()) return db.status();
    db_ = std::move(db).value();
    return Status::Ok();
  }

 private:
  TempDir dir_;
  const std::string path_ = dir_.Path("vigil.db");
  std::unique_ptr<store::Database> db_;
};

CASE_SUITES_FOR_BACKEND(Sqlite, (CaseBackendFactory{"Sqlite", [] {
                                                      return std::make_unique<SqliteCaseBackend>();
                                                    }}));

// One "process": its own connection to the file and its own ReviewService.
struct Process {
  Process(const std::string& path, std::shared_ptr<const Clock> clock, ReviewConfig config = {})
      : db(std::move(store::OpenDatabase(path, {.clock = clock})).value()),
        service(std::move(ReviewService::Create(db->cases(), sink, clock, config)).value()) {}

  FakeSink sink;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<ReviewService> service;
};

class SqliteCasesTest : public ::testing::Test {
 protected:
  SqliteCasesTest() : main_(path_, clock_) {}

  std::unique_ptr<Process> Connect() { return std::make_unique<Process>(path_, clock_); }
  CaseId OpenCase(const NewCase& c) { return main_.service->OpenCase(c)->opened.id; }
  std::vector<CaseEvent> Events() { return *main_.db->cases().ListEvents({.limit = 10000}); }

  TempDir dir_;
  const std::string path_ = dir_.Path("vigil.db");
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>(kStart);
  Process main_;
};

TEST_F(SqliteCasesTest, ReviewersOnSeparateConnectionsCannotBothClaimACase) {
  const CaseId id = OpenCase(CaseWith({NewFlag()}));
  constexpr int kProcesses = 4;
  std::vector<std::unique_ptr<Process>> processes;
  for (int i = 0; i < kProcesses; ++i) processes.push_back(Connect());
  std::atomic<int> won{0}, held{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kProcesses; ++i) {
    threads.emplace_back([&, i] {
      auto claimed = processes[i]->service->Claim(id, "r" + std::to_string(i));
      if (claimed.ok()) ++won;
      if (claimed.status().message().find("is held by reviewer") != std::string::npos) ++held;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(held.load(), kProcesses - 1);
  EXPECT_EQ(Events().size(), 2u);  // opened, claimed
}

TEST_F(SqliteCasesTest, RacingDecisionsOnSeparateConnectionsHaveOneWinner) {
  const CaseId id = OpenCase(CaseWith({KnownFlag(1)}));
  ASSERT_TRUE(main_.service->Claim(id, "alice").ok());
  std::vector<std::unique_ptr<Process>> processes;
  for (int i = 0; i < 3; ++i) processes.push_back(Connect());
  std::atomic<int> won{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      auto decided = processes[i]->service->Decide(
          id, {.reviewer = "alice", .decision = Decision::kNotCsam, .rationale = "r"});
      if (decided.ok()) ++won;
      if (decided.status().code() == StatusCode::kFailedPrecondition) ++refused;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(refused.load(), 2);
  const Case c = *main_.db->cases().GetCase(id);
  EXPECT_EQ(c.reviews.size(), 1u);
  EXPECT_EQ(main_.db->cases().ListFalsePositives(kStart, kStart + std::chrono::hours(1))->size(),
            1u);
}

TEST_F(SqliteCasesTest, ClaimNextOnSeparateConnectionsHandsOutDistinctCases) {
  constexpr int kReviewers = 4;
  for (int i = 0; i < kReviewers; ++i) OpenCase(CaseWith({NewFlag()}));
  std::vector<std::unique_ptr<Process>> processes;
  for (int i = 0; i < kReviewers; ++i) processes.push_back(Connect());
  std::vector<CaseId> got(kReviewers, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReviewers; ++i) {
    threads.emplace_back([&, i] {
      auto claimed = processes[i]->service->ClaimNext("r" + std::to_string(i));
      EXPECT_TRUE(claimed.ok()) << claimed.status().ToString();
      if (claimed.ok()) got[i] = claimed->id;
    });
  }
  for (auto& t : threads) t.join();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<CaseId>{1, 2, 3, 4}));
}

TEST_F(SqliteCasesTest, ALockedDatabaseIsUnavailableAndNothingIsWritten) {
  const CaseId id = OpenCase(CaseWith({NewFlag()}));
  auto impatient = store::OpenDatabase(path_, {.busy_timeout = std::chrono::milliseconds(50)});
  ASSERT_TRUE(impatient.ok());
  auto service = ReviewService::Create((*impatient)->cases(), main_.sink, clock_, {});
  ASSERT_TRUE(service.ok());
  const Case before = *main_.db->cases().GetCase(id);
  const auto events = Events();
  {
    SQLite::Database other(path_, SQLite::OPEN_READWRITE);
    other.exec("BEGIN IMMEDIATE");  // another process holds the write lock
    auto claimed = (*service)->Claim(id, "alice");
    EXPECT_EQ(claimed.status().code(), StatusCode::kUnavailable) << claimed.status().ToString();
    EXPECT_NE(claimed.status().message().find(path_), std::string::npos);
    EXPECT_NE(claimed.status().message().find("retry later"), std::string::npos);
    EXPECT_EQ((*service)->OpenCase(CaseWith({NewFlag()})).status().code(),
              StatusCode::kUnavailable);
    other.exec("ROLLBACK");
  }
  EXPECT_EQ(*main_.db->cases().GetCase(id), before);
  EXPECT_EQ(Events(), events);
  EXPECT_EQ(main_.db->cases().ListCases({})->size(), 1u);
  EXPECT_TRUE((*service)->Claim(id, "alice").ok());  // and it works once the lock is gone
}

TEST_F(SqliteCasesTest, AuditRowsCannotBeChangedOrDeleted) {
  OpenCase(CaseWith({NewFlag()}));
  SQLite::Database raw(path_, SQLite::OPEN_READWRITE);
  EXPECT_THROW(raw.exec("UPDATE case_events SET actor = 'someone else'"), SQLite::Exception);
  EXPECT_THROW(raw.exec("DELETE FROM case_events"), SQLite::Exception);
  EXPECT_EQ(Events().size(), 1u);
  EXPECT_EQ(Events()[0].actor, "system");
}

TEST_F(SqliteCasesTest, ARowVigilDidNotWriteIsDataLossNamingFileAndCase) {
  const CaseId id = OpenCase(CaseWith({NewFlag()}));
  {
    SQLite::Database raw(path_, SQLite::OPEN_READWRITE);
    raw.exec("UPDATE cases SET state = 'limbo' WHERE id = 1");
  }
  auto c = main_.db->cases().GetCase(id);
  EXPECT_EQ(c.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(c.status().message(), path_ + ": case 1 has unknown state 'limbo'");
}

TEST(SqliteCaseMigrationTest, AVersion1DatabaseGainsTheCaseTablesOnOpen) {
  TempDir dir;
  const std::string path = dir.Path("old.db");
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at INTEGER NOT NULL)");
    raw.exec(std::string(store::SqliteMigrations()[0].sql));
    raw.exec("INSERT INTO schema_migrations VALUES (1, 'banks and bank entries', 0)");
    raw.exec("INSERT INTO banks (name, created_at) VALUES ('kept', 0)");
  }
  auto db = store::OpenDatabase(path);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto migrations = (*db)->AppliedMigrations();
  // Later migrations (other modules) follow; the list always ends at the newest.
  ASSERT_GE(migrations->size(), 3u);
  EXPECT_EQ((*migrations)[1].version, 2);
  EXPECT_EQ((*migrations)[1].name, "cases and human review");
  EXPECT_EQ((*migrations)[2].version, 3);
  EXPECT_EQ((*migrations)[2].name, "volume counters");
  EXPECT_EQ(migrations->back().version, store::LatestSchemaVersion());
  EXPECT_EQ((*migrations)[3].version, 4);
  EXPECT_EQ((*migrations)[3].name, "case item grouping");
  EXPECT_TRUE((*db)->banks().GetBank("kept").ok());
  FakeSink sink;
  auto service = ReviewService::Create((*db)->cases(), sink, nullptr, {});
  ASSERT_TRUE(service.ok());
  EXPECT_TRUE((*service)->OpenCase(CaseWith({NewFlag()})).ok());
}

// A file without migration 4 holding a single-item case under a reviewer's lease, as vigil wrote
// it before grouping: migration 4 keeps it working (the item joined at the case's creation, the
// lease saw it) and the case can take grouped items.
TEST(SqliteCaseMigrationTest, CasesFromBeforeGroupingKeepWorkingAfterMigration4) {
  TempDir dir;
  const std::string path = dir.Path("v3.db");
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at INTEGER NOT NULL)");
    // Every migration but 4, as a vigil that had a later feature (5) before grouping wrote it:
    // the runner must still apply the missing 4, not only numbers above the newest. 8 (data
    // protection) builds on 4's tables, so such a vigil could not have had it either.
    for (const store::SqliteMigration& m : store::SqliteMigrations()) {
      if (m.version == 4 || m.version == 8) continue;
      raw.exec(std::string(m.sql));
      raw.exec("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) +
               ", 'old', 0)");
    }
    const int64_t start = kStart.time_since_epoch().count();
    const std::string lease_end = std::to_string(start + 600);
    raw.exec(
        "INSERT INTO cases (version, account_id, surface, eu, priority, created_at, "
        "updated_at, state, lease_reviewer, lease_expires_at, qa_state) VALUES (2, "
        "'acct-1', 'photos/upload', 1, 0, " +
        std::to_string(start) + ", " + std::to_string(start) + ", 'in_review', 'alice', " +
        lease_end + ", 'not_sampled')");
    raw.exec("INSERT INTO case_items VALUES (1, 0, 'old-item', 'image', " +
             std::to_string(start - 5) + ")");
    raw.exec(
        "INSERT INTO case_flags (case_id, item_position, technology, category, raw_value, "
        "bank_entry_id, bank_name, bank_auto_action, flagged_at) VALUES (1, 0, 'pdq@1 "
        "r<=31', 'known', 4, 9, 'hotline', 0, " +
        std::to_string(start) + ")");
  }
  auto clock = std::make_shared<FakeClock>(kStart + std::chrono::seconds(60));
  auto db = store::OpenDatabase(path, {.clock = clock});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto migrations = (*db)->AppliedMigrations();
  ASSERT_TRUE(migrations.ok());
  EXPECT_EQ(migrations->size(), store::SqliteMigrations().size());
  auto c = (*db)->cases().GetCase(1);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->items.size(), 1u);
  EXPECT_EQ(c->items[0].added_at, kStart);
  EXPECT_EQ(c->items[0].received_at, kStart - std::chrono::seconds(5));
  EXPECT_TRUE(c->items[0].hashes.empty());
  EXPECT_EQ(c->progress.lease, (Lease{"alice", kStart + std::chrono::seconds(600), 1}));

  FakeSink sink;
  auto service = ReviewService::Create((*db)->cases(), sink, clock, {});
  ASSERT_TRUE(service.ok());
  NewCase later = CaseWith({KnownFlag(9)});
  later.items[0].item_id = "new-item";
  auto filed = (*service)->FileItems(later);
  ASSERT_TRUE(filed.ok()) << filed.status().ToString();
  EXPECT_TRUE(filed->grouped);
  EXPECT_EQ(filed->opened.id, 1);
  ASSERT_TRUE((*service)->Claim(1, "alice").ok());  // renews, showing the new item
  auto decided = (*service)->Decide(1, {"alice", Decision::kConfirmedKnown, "both match"});
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->after.progress.state, CaseState::kDecided);
  EXPECT_EQ(decided->after.items.size(), 2u);
}

}  // namespace
}  // namespace vigil::cases::testing
