// The PostgreSQL backend (a scratch database per test) against the CaseStore contract and the
// review rules, and what only a database server shows: separate databases (as separate
// processes would open) racing to claim, decide, charge exposure and raise alerts; a row lock
// held by another session; and the audit table refusing edits.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "cases/case_store_contract.h"
#include "store/pg_connection.h"
#include "store/pg_schema.h"
#include "store/pg_test_database.h"
#include "store/store.h"

namespace vigil::cases::testing {
namespace {

using store::testing::ScratchDatabase;

// Records a skip in the running test: called from SetUp (through Open), it stops the test body
// from running, and the test is reported as skipped with the reason rather than passing.
void SkipWithoutServer() { GTEST_SKIP() << store::testing::kNoPostgresMessage; }

class PostgresCaseBackend final : public CaseStoreBackend {
 public:
  Status Open() override {
    if (store::testing::TestServerUrl().empty()) {
      SkipWithoutServer();
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(scratch_, ScratchDatabase::Create());
    return Reopen();
  }
  CaseStore& store() override { return db_->cases(); }
  Status Reopen() override {
    db_.reset();
    ASSIGN_OR_RETURN(db_, store::OpenDatabase(scratch_->url()));
    return Status::Ok();
  }

 private:
  std::unique_ptr<ScratchDatabase> scratch_;  // dropped after db_ is closed
  std::unique_ptr<store::Database> db_;
};

CASE_SUITES_FOR_BACKEND(Postgres,
                        (CaseBackendFactory{
                            "Postgres", [] { return std::make_unique<PostgresCaseBackend>(); }}));

// One "process": its own Database (connection pool) and its own ReviewService.
struct Process {
  Process(const std::string& url, std::shared_ptr<const Clock> clock, ReviewConfig config = {})
      : db(std::move(store::OpenDatabase(url, {.clock = clock})).value()),
        service(std::move(ReviewService::Create(db->cases(), sink, clock, config)).value()) {}

  FakeSink sink;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<ReviewService> service;
};

class PostgresCasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_POSTGRES();
    scratch_ = store::testing::MustCreateScratch();
    ASSERT_NE(scratch_, nullptr);
    main_ = Connect();
  }
  void TearDown() override { main_.reset(); }

  std::unique_ptr<Process> Connect(ReviewConfig config = {}) {
    return std::make_unique<Process>(scratch_->url(), clock_, config);
  }
  CaseId OpenCase(const NewCase& c) { return main_->service->OpenCase(c)->opened.id; }
  std::vector<CaseEvent> Events() { return *main_->db->cases().ListEvents({.limit = 10000}); }
  // Runs fn(i) on `n` threads at once.
  static void Race(int n, const std::function<void(int)>& fn) {
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) threads.emplace_back(fn, i);
    for (auto& t : threads) t.join();
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>(kStart);
  std::unique_ptr<ScratchDatabase> scratch_;
  std::unique_ptr<Process> main_;
};

TEST_F(PostgresCasesTest, ReviewersOnSeparateDatabasesCannotBothClaimACase) {
  const CaseId id = OpenCase(CaseWith({NewFlag()}));
  constexpr int kProcesses = 4;
  std::vector<std::unique_ptr<Process>> processes;
  for (int i = 0; i < kProcesses; ++i) processes.push_back(Connect());
  std::atomic<int> won{0}, held{0};
  Race(kProcesses, [&](int i) {
    auto claimed = processes[i]->service->Claim(id, "r" + std::to_string(i));
    if (claimed.ok()) ++won;
    if (claimed.status().message().find("is held by reviewer") != std::string::npos) ++held;
  });
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(held.load(), kProcesses - 1);
  EXPECT_EQ(Events().size(), 2u);  // opened, claimed
}

TEST_F(PostgresCasesTest, RacingDecisionsOnSeparateDatabasesHaveOneWinner) {
  const CaseId id = OpenCase(CaseWith({KnownFlag(1)}));
  ASSERT_TRUE(main_->service->Claim(id, "alice").ok());
  std::vector<std::unique_ptr<Process>> processes;
  for (int i = 0; i < 3; ++i) processes.push_back(Connect());
  std::atomic<int> won{0}, refused{0};
  Race(3, [&](int i) {
    auto decided = processes[i]->service->Decide(
        id, {.reviewer = "alice", .decision = Decision::kNotCsam, .rationale = "r"});
    if (decided.ok()) ++won;
    if (decided.status().code() == StatusCode::kFailedPrecondition) ++refused;
  });
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(refused.load(), 2);
  EXPECT_EQ(main_->db->cases().GetCase(id)->reviews.size(), 1u);
  EXPECT_EQ(main_->db->cases().ListFalsePositives(kStart, kStart + std::chrono::hours(1))->size(),
            1u);
}

TEST_F(PostgresCasesTest, ClaimNextOnSeparateDatabasesHandsOutDistinctCases) {
  constexpr int kReviewers = 4;
  for (int i = 0; i < kReviewers; ++i) OpenCase(CaseWith({NewFlag()}));
  std::vector<std::unique_ptr<Process>> processes;
  for (int i = 0; i < kReviewers; ++i) processes.push_back(Connect());
  std::vector<CaseId> got(kReviewers, 0);
  Race(kReviewers, [&](int i) {
    auto claimed = processes[i]->service->ClaimNext("r" + std::to_string(i));
    EXPECT_TRUE(claimed.ok()) << claimed.status().ToString();
    if (claimed.ok()) got[i] = claimed->id;
  });
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<CaseId>{1, 2, 3, 4}));
}

// Racing charges of one reviewer's day queue on its row lock, so together they stay within the
// cap: of four one-item charges against a cap of two, exactly two succeed.
TEST_F(PostgresCasesTest, RacingExposureChargesCannotPassTheCap) {
  std::vector<Case> cases;
  for (int i = 0; i < 4; ++i)
    cases.push_back(*main_->db->cases().GetCase(OpenCase(CaseWith({NewFlag()}))));
  std::atomic<int> charged{0}, capped{0};
  Race(4, [&](int i) {
    CaseChange change{
        .id = cases[i].id,
        .expected_version = cases[i].version,
        .progress = cases[i].progress,
        .exposure = ExposureCharge{.reviewer = "alice", .day = 7, .items = 1, .cap = 2},
        .events = {{.case_id = cases[i].id, .at = kStart, .actor = "alice", .action = "claimed"}}};
    change.progress.state = CaseState::kInReview;
    auto done = main_->db->cases().CompareAndSet(change);
    if (done.ok() && *done) ++charged;
    if (done.status().code() == StatusCode::kFailedPrecondition) ++capped;
  });
  EXPECT_EQ(charged.load(), 2);
  EXPECT_EQ(capped.load(), 2);
  EXPECT_EQ(*main_->db->cases().GetExposure("alice", 7), 2);
  EXPECT_EQ(main_->db->cases().ListCases({.state = CaseState::kInReview})->size(), 2u);
}

// Each opening alone stays at the threshold; whichever commits second sees the first's flags
// (counted under the subject's advisory lock) and raises the one alert.
TEST_F(PostgresCasesTest, RacingOpeningsThatTogetherCrossAThresholdRaiseOneAlert) {
  constexpr int kOpenings = 4;
  std::vector<std::unique_ptr<Process>> processes;
  for (int i = 0; i < kOpenings; ++i) processes.push_back(Connect());
  const AlertCheck check{.subject = AlertSubject::kTechnology,
                         .key = kClassifier,
                         .window_start = kStart - std::chrono::hours(1),
                         .window_seconds = 3600,
                         .threshold = kOpenings - 1};
  std::atomic<int> raised{0};
  Race(kOpenings, [&](int i) {
    auto opened = processes[i]->db->cases().CreateCase(
        {.new_case = CaseWith({NewFlag()}),
         .at = kStart,
         .event = {.at = kStart, .actor = "system", .action = "opened"},
         .alert_checks = {check}});
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (opened.ok()) raised += static_cast<int>(opened->alerts.size());
  });
  EXPECT_EQ(raised.load(), 1);
  auto alerts = main_->db->cases().ListAlerts(false);
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ((*alerts)[0].flag_count, kOpenings);
}

TEST_F(PostgresCasesTest, ACaseLockedByAnotherSessionIsUnavailableAndNothingIsWritten) {
  const CaseId id = OpenCase(CaseWith({NewFlag()}));
  auto impatient =
      store::OpenDatabase(scratch_->url(), {.busy_timeout = std::chrono::milliseconds(100)});
  ASSERT_TRUE(impatient.ok()) << impatient.status().ToString();
  auto service = ReviewService::Create((*impatient)->cases(), main_->sink, clock_, {});
  ASSERT_TRUE(service.ok());
  const Case before = *main_->db->cases().GetCase(id);
  const auto events = Events();
  {
    auto other = scratch_->Connect();
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE((*other)->ExecScript("BEGIN; SELECT 1 FROM cases FOR UPDATE").ok());
    auto claimed = (*service)->Claim(id, "alice");
    EXPECT_EQ(claimed.status().code(), StatusCode::kUnavailable) << claimed.status().ToString();
    ASSERT_TRUE((*other)->ExecScript("ROLLBACK").ok());
  }
  EXPECT_EQ(*main_->db->cases().GetCase(id), before);
  EXPECT_EQ(Events(), events);
  EXPECT_TRUE((*service)->Claim(id, "alice").ok());  // and it works once the lock is gone
}

TEST_F(PostgresCasesTest, AuditRowsCannotBeChangedOrDeleted) {
  OpenCase(CaseWith({NewFlag()}));
  auto raw = scratch_->Connect();
  ASSERT_TRUE(raw.ok());
  const Status update = (*raw)->ExecScript("UPDATE case_events SET actor = 'someone else'");
  EXPECT_FALSE(update.ok());
  EXPECT_NE(update.message().find("append-only"), std::string::npos) << update.ToString();
  EXPECT_FALSE((*raw)->ExecScript("DELETE FROM case_events").ok());
  EXPECT_FALSE((*raw)->ExecScript("TRUNCATE case_events CASCADE").ok());
  ASSERT_EQ(Events().size(), 1u);
  EXPECT_EQ(Events()[0].actor, "system");
}

TEST_F(PostgresCasesTest, ARowVigilDidNotWriteIsDataLossNamingTheCase) {
  const CaseId id = OpenCase(CaseWith({NewFlag()}));
  auto raw = scratch_->Connect();
  ASSERT_TRUE(raw.ok());
  ASSERT_TRUE((*raw)->ExecScript("UPDATE cases SET state = 'limbo' WHERE id = 1").ok());
  auto c = main_->db->cases().GetCase(id);
  EXPECT_EQ(c.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(c.status().message().find("case 1 has unknown state 'limbo'"), std::string::npos)
      << c.status().ToString();
}

TEST_F(PostgresCasesTest, TheCaseMigrationMatchesSqlites) {
  auto migrations = main_->db->AppliedMigrations();
  ASSERT_TRUE(migrations.ok());
  // Later migrations (other modules) follow; the list always ends at the newest.
  ASSERT_GE(migrations->size(), 3u);
  EXPECT_EQ((*migrations)[1].version, 2);
  EXPECT_EQ((*migrations)[1].name, "cases and human review");
  EXPECT_EQ((*migrations)[2].version, 3);
  EXPECT_EQ((*migrations)[2].name, "volume counters");
  EXPECT_EQ(migrations->back().version, store::LatestSchemaVersion());
  EXPECT_EQ((*migrations)[3].version, 4);
  EXPECT_EQ((*migrations)[3].name, "case item grouping");
}

// A database without migration 4 holding a single-item case under a reviewer's lease, as vigil
// wrote it before grouping: the missing migration is applied although 5 is newer, the case
// keeps working and can take grouped items.
TEST(PostgresCaseMigrationTest, CasesFromBeforeGroupingKeepWorkingAfterMigration4) {
  SKIP_WITHOUT_POSTGRES();
  auto scratch = store::testing::MustCreateScratch();
  ASSERT_NE(scratch, nullptr);
  {
    auto raw = scratch->Connect();
    ASSERT_TRUE(raw.ok()) << raw.status().ToString();
    // Every migration but 4, as a vigil that had a later feature (5) before grouping wrote it.
    std::vector<store::PgMigration> without_4;
    for (const store::PgMigration& m : store::PgMigrations()) {
      // 8 (data protection) builds on 4's tables, so such a vigil could not have had it either.
      if (m.version != 4 && m.version != 8) without_4.push_back(m);
    }
    const Status applied = store::ApplyPgMigrations(**raw, without_4, kStart);
    ASSERT_TRUE(applied.ok()) << applied.ToString();
    const int64_t start = kStart.time_since_epoch().count();
    const Status rows = (*raw)->ExecScript(fmt::format(
        "INSERT INTO cases (version, account_id, surface, eu, priority, created_at, updated_at, "
        "state, lease_reviewer, lease_expires_at, qa_state) VALUES (2, 'acct-1', "
        "'photos/upload', TRUE, 0, {0}, {0}, 'in_review', 'alice', {1}, 'not_sampled'); "
        "INSERT INTO case_items VALUES (1, 0, 'old-item', 'image', {2}); "
        "INSERT INTO case_flags (case_id, item_position, technology, category, raw_value, "
        "bank_entry_id, bank_name, bank_auto_action, flagged_at) VALUES (1, 0, 'pdq@1 r<=31', "
        "'known', 4, 9, 'hotline', FALSE, {0})",
        start, start + 600, start - 5));
    ASSERT_TRUE(rows.ok()) << rows.ToString();
  }
  auto clock = std::make_shared<FakeClock>(kStart + std::chrono::seconds(60));
  auto db = store::OpenDatabase(scratch->url(), {.clock = clock});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto migrations = (*db)->AppliedMigrations();
  ASSERT_TRUE(migrations.ok());
  EXPECT_EQ(migrations->size(), store::PgMigrations().size());
  auto c = (*db)->cases().GetCase(1);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->items.size(), 1u);
  EXPECT_EQ(c->items[0].added_at, kStart);
  EXPECT_EQ(c->items[0].received_at, kStart - std::chrono::seconds(5));
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
  EXPECT_EQ(decided->after.items.size(), 2u);
  db->reset();  // closes the pool before the scratch database is dropped
}

}  // namespace
}  // namespace vigil::cases::testing
