// Crash durability (issue 14): the vigil binary is killed with SIGKILL at chosen points
// (VIGIL_CRASH_AT, src/cli/crash_point.h) and a fresh process then finds nothing lost,
// duplicated or half-written. On SQLite (WAL mode) and on PostgreSQL (a scratch database; the
// server sees the client die mid-transaction); the database is inspected directly, since the
// CLI itself would repair what it can on start.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "cli/cli_runner.h"
#include "cli/crash_database.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kPdqDir = fs::path(VIGIL_SHARED_DIR) / "testdata" / "pdq";
const std::string kAquaPdq = "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";

class CrashCliTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_.Prepare(GetParam(), dir_.path());
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_EQ(RunVigil("bank create hotline " + db()).exit_code, 0);
  }
  const std::string& db() const { return db_.flag(); }
  int64_t Query(const std::string& sql) { return db_.Query(sql); }
  void Execute(const std::string& sql) { db_.Execute(sql); }
  std::string IntegrityCheck() { return db_.IntegrityCheck(); }

  TempDir dir_;
  CrashDatabase db_;
};

INSTANTIATE_TEST_SUITE_P(Backends, CrashCliTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendTestName);

TEST_P(CrashCliTest, AnImportKilledMidTransactionLeavesNothingAndARerunAddsEveryRowOnce) {
  constexpr int kRows = 4000;
  std::string list;
  for (int i = 0; i < kRows; ++i) {
    const uint64_t a = 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(i + 1);
    list += fmt::format("pdq {:016x}{:016x}{:016x}{:016x}\n", a, ~a, a ^ 0xffff, i);
  }
  const std::string file = dir_.Write("list.te", list);
  const std::string import = "bank import hotline '" + file + "' -f te -q " + db();

  // Killed with half the rows written inside the import's transaction.
  CliRun crashed = RunCrashingAt("bank-import-writing", import);
  ASSERT_TRUE(Killed(crashed)) << "exit " << crashed.exit_code << ": " << crashed.err;
  EXPECT_EQ(IntegrityCheck(), "ok");
  EXPECT_EQ(Query("SELECT COUNT(*) FROM bank_entries"), 0) << "a killed import left rows";

  // After a restart the same import adds every row, and a repeat adds none again.
  CliRun again = RunVigil(import);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Query("SELECT COUNT(*) FROM bank_entries"), kRows);
  CliRun repeat = RunVigil(import);
  ASSERT_EQ(repeat.exit_code, 0) << repeat.err;
  EXPECT_EQ(Query("SELECT COUNT(*) FROM bank_entries"), kRows);
  EXPECT_EQ(Query("SELECT COUNT(DISTINCT value) FROM bank_entries"), kRows);
  EXPECT_EQ(IntegrityCheck(), "ok");
}

TEST_P(CrashCliTest, ADecisionKilledBeforeItsVerificationIsDeliveredByTheNextProcess) {
  if (!fs::exists(kPdqDir / "images")) GTEST_SKIP() << "no shared test data at " << kPdqDir;
  const std::string list = dir_.Write("l.te", "pdq " + kAquaPdq + "\n");
  ASSERT_EQ(RunVigil("bank import hotline '" + list + "' -f te -q " + db()).exit_code, 0);
  const std::string image = "'" + (kPdqDir / "images" / "01_aqua.jpg").string() + "'";
  ASSERT_EQ(RunVigil("scan -q --account a " + db() + " " + image).exit_code, 0);
  ASSERT_EQ(RunVigil("cases claim --next --reviewer alice " + db()).exit_code, 0);

  // Killed after the not_csam decision committed, before the bank entry was flagged.
  const std::string decide =
      "cases decide 1 --reviewer alice --decision not_csam --rationale 'benign photo' " + db();
  CliRun crashed = RunCrashingAt("decision-committed", decide);
  ASSERT_TRUE(Killed(crashed)) << "exit " << crashed.exit_code << ": " << crashed.err;
  EXPECT_EQ(IntegrityCheck(), "ok");
  // The decision is whole: committed once, with its verification request pending.
  EXPECT_EQ(Query("SELECT COUNT(*) FROM case_reviews WHERE case_id = 1"), 1);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM verification_requests WHERE delivered_at IS NULL"), 1);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM bank_entries WHERE needs_verification"), 0);

  // The next process (any cases command) delivers it; nothing is decided or flagged twice.
  CliRun show = RunVigil("cases show 1 -f jsonl " + db());
  ASSERT_EQ(show.exit_code, 0) << show.err;
  auto shown = JsonLines(show.out).at(0);
  EXPECT_EQ(shown["state"], "decided");
  EXPECT_EQ(shown["outcome"], "not_csam");
  EXPECT_EQ(Query("SELECT COUNT(*) FROM verification_requests WHERE delivered_at IS NULL"), 0);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM verification_requests"), 1);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM bank_entries WHERE needs_verification"), 1);
  CliRun twice = RunVigil(decide);
  EXPECT_EQ(twice.exit_code, 6) << twice.err;  // already decided
  EXPECT_EQ(Query("SELECT COUNT(*) FROM case_reviews WHERE case_id = 1"), 1);
  EXPECT_EQ(IntegrityCheck(), "ok");
}

// Art 3(1)(g)(vi): `vigil redress act` killed inside its transaction, after the action and its
// user notice were written and before the case moved to actioned, leaves none of the three; the
// repeated command then writes all three once.
TEST_P(CrashCliTest, AnActionKilledBeforeItsCommitLeavesNeitherActionNoticeNorCaseMove) {
  if (!fs::exists(kPdqDir / "images")) GTEST_SKIP() << "no shared test data at " << kPdqDir;
  const std::string list = dir_.Write("l.te", "pdq " + kAquaPdq + "\n");
  ASSERT_EQ(RunVigil("bank import hotline '" + list + "' -f te -q " + db()).exit_code, 0);
  const std::string image = "'" + (kPdqDir / "images" / "01_aqua.jpg").string() + "'";
  ASSERT_EQ(RunVigil("scan -q --account a " + db() + " " + image).exit_code, 0);
  ASSERT_EQ(RunVigil("cases claim --next --reviewer alice " + db()).exit_code, 0);
  CliRun decided = RunVigil(
      "cases decide 1 --reviewer alice --decision confirmed_known --rationale match " + db());
  ASSERT_EQ(decided.exit_code, 0) << decided.err;
  const std::string config = dir_.Write("redress.json", R"({"service_name": "PhotoShare",
      "supervisory_authority": "the Example Authority", "complaint_deadline_days": 30})");
  const std::string act = "redress act --case 1 --kind suspend_account --reason r --actor ops " +
                          db() + " --config '" + config + "'";
  const std::string actioned = "SELECT COUNT(*) FROM cases WHERE id = 1 AND state = 'actioned'";

  CliRun crashed = RunCrashingAt("redress-action-written", act);
  ASSERT_TRUE(Killed(crashed)) << "exit " << crashed.exit_code << ": " << crashed.err;
  EXPECT_EQ(IntegrityCheck(), "ok");
  EXPECT_EQ(Query("SELECT COUNT(*) FROM redress_actions"), 0);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM user_notices"), 0);
  EXPECT_EQ(Query(actioned), 0);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM case_events WHERE action = 'actioned'"), 0);

  CliRun again = RunVigil(act);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Query("SELECT COUNT(*) FROM redress_actions"), 1);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM user_notices"), 1);
  EXPECT_EQ(Query(actioned), 1);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM case_events WHERE action = 'actioned'"), 1);
  EXPECT_EQ(IntegrityCheck(), "ok");
}

// Art 3(1)(h): a purge killed inside a case's erasure (its evidence files deleted, its records
// not yet) and again after a committed batch loses nothing it should keep and leaves nothing it
// should erase: the next `vigil purge` finishes, every expired case is erased once, counted once,
// no evidence file remains, and the verification passes.
TEST_P(CrashCliTest, APurgeKilledMidwayFinishesOnRestartErasingEachCaseOnce) {
  if (!fs::exists(kPdqDir / "images")) GTEST_SKIP() << "no shared test data at " << kPdqDir;
  const std::string list = dir_.Write("l.te", "pdq " + kAquaPdq + "\n");
  ASSERT_EQ(RunVigil("bank import hotline '" + list + "' -f te -q " + db()).exit_code, 0);
  const fs::path evidence_dir = dir_.path() / "ev";
  const std::string ev =
      "--evidence-dir '" + evidence_dir.string() + "' --evidence-keys '" +
      dir_.Write("ev.keys",
                 "m1 0101010101010101010101010101010101010101010101010101010101010101\n") +
      "' ";
  const std::string image = "'" + (kPdqDir / "images" / "01_aqua.jpg").string() + "'";
  constexpr int kCases = 4;
  for (int i = 1; i <= kCases; ++i) {
    CliRun scan = RunVigil(fmt::format("scan -q --account acct-{} --region eu ", i) + ev + db() +
                           " " + image);
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
  }
  ASSERT_EQ(Query("SELECT COUNT(*) FROM cases"), kCases);
  auto files = [&] {
    int n = 0;
    for (const auto& e : fs::recursive_directory_iterator(evidence_dir)) n += e.is_regular_file();
    return n;
  };
  ASSERT_GE(files(), kCases);
  // A year later, as far as the records know.
  for (const char* table : {"cases", "case_items", "case_item_hashes", "evidence_files"}) {
    Execute(fmt::format("UPDATE {} SET expires_at = 1", table));
  }
  const std::string purge = "purge --batch 1 " + ev + db();
  auto erased = [&] { return Query("SELECT COUNT(*) FROM cases WHERE erased_at IS NOT NULL"); };

  // Killed inside the second case: its files gone, its records not yet erased.
  CliRun first = RunCrashingAt("purge-files-deleted#2", purge);
  ASSERT_TRUE(Killed(first)) << "exit " << first.exit_code << ": " << first.err;
  EXPECT_EQ(IntegrityCheck(), "ok");
  EXPECT_EQ(erased(), 1);
  // Killed again right after the next committed batch.
  CliRun second = RunCrashingAt("purge-batch-committed", purge);
  ASSERT_TRUE(Killed(second)) << "exit " << second.exit_code << ": " << second.err;
  EXPECT_EQ(IntegrityCheck(), "ok");
  EXPECT_EQ(erased(), 2);

  // The next purge finishes and verifies; each case was erased and counted once.
  CliRun rest = RunVigil(purge);
  ASSERT_EQ(rest.exit_code, 0) << rest.out << rest.err;
  EXPECT_NE(rest.out.find("purged 2 case(s)"), std::string::npos) << rest.out;
  EXPECT_EQ(erased(), kCases);
  EXPECT_EQ(files(), 0);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM evidence_files"), 0);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM case_items WHERE case_id IN (SELECT id FROM cases WHERE "
                  "erased_at IS NOT NULL) AND expires_at IS NOT NULL AND expires_at > 1"),
            0);
  // The cases are alike, so the counts of the two this run erased, doubled, are what all four
  // must have added to the erasure counts (the annual report's figures): none twice, none lost.
  int64_t this_run = 0;
  std::istringstream lines(rest.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  ", 0) == 0 && line.find(": ") != std::string::npos) {
      this_run += std::stoll(line.substr(line.find(": ") + 2));
    }
  }
  EXPECT_GT(this_run, 0) << rest.out;
  EXPECT_EQ(Query("SELECT COALESCE(SUM(records), 0) FROM erasure_counts WHERE reason = 'expired'"),
            this_run * kCases / 2);
  CliRun again = RunVigil(purge);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("purged 0 case(s)"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace vigil::testing
