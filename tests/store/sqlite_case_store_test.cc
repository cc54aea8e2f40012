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
  EXPECT_TRUE((*db)->banks().GetBank("kept").ok());
  FakeSink sink;
  auto service = ReviewService::Create((*db)->cases(), sink, nullptr, {});
  ASSERT_TRUE(service.ok());
  EXPECT_TRUE((*service)->OpenCase(CaseWith({NewFlag()})).ok());
}

}  // namespace
}  // namespace vigil::cases::testing
