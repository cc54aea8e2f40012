// Data protection from the command line, on SQLite and PostgreSQL: a scan keeps nothing of the
// file nothing flagged and a "not CSAM" decision erases the flagged one at once (checked by
// walking every table of the schema); holds are audited; a retention policy over 12 months and
// bad evidence keys are refused; `vigil purge` verifies.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "classify/retry_store.h"
#include "cli/cli_runner.h"
#include "core/clock.h"
#include "store/pg_test_database.h"
#include "store/store.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kPdqDir = fs::path(VIGIL_SHARED_DIR) / "testdata" / "pdq";
const std::string kAquaPdq = "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";
constexpr char kKeys[] = "m1 0101010101010101010101010101010101010101010101010101010101010101\n";

enum class Backend { kSqlite, kPostgres };

class RetentionCliTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      SKIP_WITHOUT_POSTGRES();
      scratch_ = store::testing::MustCreateScratch();
      ASSERT_NE(scratch_, nullptr);
      url_ = scratch_->url();
    } else {
      url_ = (dir_.path() / "v.db").string();
    }
    db_ = "--db '" + url_ + "'";
  }

  // Every row of every table as text, by table.
  std::map<std::string, std::string> DumpAllTables() {
    std::map<std::string, std::string> out;
    if (GetParam() == Backend::kSqlite) {
      SQLite::Database db((dir_.path() / "v.db").string(), SQLite::OPEN_READONLY);
      SQLite::Statement tables(db, "SELECT name FROM sqlite_master WHERE type = 'table'");
      std::vector<std::string> names;
      while (tables.executeStep()) names.push_back(tables.getColumn(0).getString());
      for (const std::string& t : names) {
        SQLite::Statement rows(db, "SELECT * FROM \"" + t + "\"");
        std::string& text = out[t];
        while (rows.executeStep()) {
          for (int i = 0; i < rows.getColumnCount(); ++i) {
            text += rows.getColumn(i).getString() + "|";
          }
          text += "\n";
        }
      }
      return out;
    }
    auto conn = scratch_->Connect();
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    auto tables = (*conn)->Exec(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    EXPECT_TRUE(tables.ok());
    for (int i = 0; i < tables->rows(); ++i) {
      const std::string t(tables->Text(i, 0));
      auto rows = (*conn)->Exec("SELECT x::text FROM \"" + t + "\" x");
      EXPECT_TRUE(rows.ok()) << rows.status().ToString();
      std::string& text = out[t];
      for (int r = 0; r < rows->rows(); ++r) text += std::string(rows->Text(r, 0)) + "\n";
    }
    return out;
  }
  std::vector<std::string> WhereFound(const std::string& needle) {
    std::vector<std::string> found;
    for (const auto& [table, text] : DumpAllTables()) {
      if (text.find(needle) != std::string::npos) found.push_back(table);
    }
    return found;
  }
  std::vector<std::string> NonEmptyTables() {
    std::vector<std::string> out;
    for (const auto& [table, text] : DumpAllTables()) {
      if (!text.empty()) out.push_back(table);
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<store::testing::ScratchDatabase> scratch_;
  std::string url_;
  std::string db_;
};

TEST_P(RetentionCliTest, UnflaggedFilesLeaveOnlyCountersAndNotCsamErasesAtOnce) {
  if (!fs::exists(kPdqDir / "images")) GTEST_SKIP() << "no shared test data at " << kPdqDir;
  // A scan of a file nothing flags, before any bank exists, leaves only counters behind.
  const std::string storm = (kPdqDir / "images" / "09_storm.jpg").string();
  CliRun quiet = RunVigil("scan -q --account acct-quiet-5 --region eu " + db_ + " '" + storm + "'");
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(NonEmptyTables(),
            (std::vector<std::string>{"retention_policy", "schema_migrations", "volume_counters"}));
  EXPECT_EQ(WhereFound("acct-quiet-5"), std::vector<std::string>{});
  EXPECT_EQ(WhereFound("09_storm"), std::vector<std::string>{});

  ASSERT_EQ(RunVigil("bank create hotline " + db_).exit_code, 0);
  const std::string list = dir_.Write("l.te", "pdq " + kAquaPdq + "\n");
  ASSERT_EQ(RunVigil("bank import hotline '" + list + "' -f te " + db_).exit_code, 0);
  const std::string aqua = (kPdqDir / "variants" / "01_aqua__jpeg_q50.jpg").string();
  dir_.Write("keys", kKeys);
  const fs::path ev_dir = dir_.path() / "ev";
  const std::string ev = "--evidence-dir '" + ev_dir.string() + "' --evidence-keys '" +
                         (dir_.path() / "keys").string() + "' ";
  CliRun scan = RunVigil("scan -q --account acct-secret-9 --region eu " + ev + db_ + " '" + aqua +
                         "' '" + storm + "'");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  // Only the flagged file is kept, encrypted.
  ASSERT_TRUE(fs::exists(ev_dir / "case-1" / "item-0.vgev"));
  EXPECT_EQ(fs::directory_iterator(ev_dir / "case-1") != fs::directory_iterator(), true);
  EXPECT_EQ(std::distance(fs::recursive_directory_iterator(ev_dir), {}), 2);  // dir + file
  const std::string sealed = ReadAll(ev_dir / "case-1" / "item-0.vgev");
  EXPECT_EQ(sealed.substr(0, 4), "VGEV");
  EXPECT_EQ(sealed.find(ReadAll(aqua).substr(0, 64)), std::string::npos);
  EXPECT_FALSE(WhereFound("acct-secret-9").empty());
  EXPECT_FALSE(WhereFound("01_aqua__jpeg_q50").empty());
  EXPECT_EQ(WhereFound("09_storm"), std::vector<std::string>{});  // unflagged: no trace

  ASSERT_EQ(RunVigil("cases assign 1 --reviewer rev-1 " + db_).exit_code, 0);
  CliRun decide = RunVigil(
      "cases decide 1 --reviewer rev-1 --decision not_csam --rationale "
      "'benign aqua photo' -f jsonl " +
      ev + db_);
  ASSERT_EQ(decide.exit_code, 0) << decide.err;
  auto shown = JsonLines(decide.out);
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0]["account_id"], "(erased case 1)");
  EXPECT_EQ(WhereFound("acct-secret-9"), std::vector<std::string>{});
  EXPECT_EQ(WhereFound("01_aqua__jpeg_q50"), std::vector<std::string>{});
  EXPECT_EQ(WhereFound("benign aqua photo"), std::vector<std::string>{});
  EXPECT_TRUE(DumpAllTables()["case_item_hashes"].empty());
  // The error accounting keeps the flag: the false positive names technology and bank entry.
  EXPECT_NE(DumpAllTables()["false_positives"].find("pdq"), std::string::npos);
  EXPECT_FALSE(fs::exists(ev_dir / "case-1"));
  CliRun verify = RunVigil("purge --verify-only " + ev + db_);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("verified: nothing past its expiry remains"), std::string::npos);
}

TEST_P(RetentionCliTest, HoldsAreAuditedAndBadInputIsRefused) {
  CliRun add =
      RunVigil("hold add --case 4 --reason 'complaint C-1' --review 2030-01-01 --by dpo " + db_);
  ASSERT_EQ(add.exit_code, 0) << add.err;
  CliRun no_date = RunVigil("hold add --case 4 --reason r --by dpo " + db_);
  EXPECT_EQ(no_date.exit_code, 3);
  EXPECT_NE(no_date.err.find("end date or a review date"), std::string::npos) << no_date.err;
  EXPECT_EQ(RunVigil("hold add --case 4 --account a --reason r --until 2030-01-01 --by dpo " + db_)
                .exit_code,
            3);
  EXPECT_EQ(RunVigil("hold add --case 4 --reason r --until 30/01/2030 --by dpo " + db_).exit_code,
            3);
  CliRun list = RunVigil("hold list --active -f jsonl " + db_);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto holds = JsonLines(list.out);
  ASSERT_EQ(holds.size(), 1u);
  EXPECT_EQ(holds[0]["subject"], "case:4");
  EXPECT_EQ(holds[0]["review_at"], "2030-01-01T00:00:00Z");
  EXPECT_EQ(RunVigil("hold release 1 --by dpo " + db_).exit_code, 0);
  EXPECT_EQ(RunVigil("hold release 1 --by dpo " + db_).exit_code, 6);
  EXPECT_EQ(RunVigil("hold release 7 --by dpo " + db_).exit_code, 4);
  EXPECT_TRUE(JsonLines(RunVigil("hold list --active -f jsonl " + db_).out).empty());
  CliRun audit = RunVigil("audit list -f jsonl " + db_);
  auto records = JsonLines(audit.out);
  ASSERT_EQ(records.size(), 2u) << audit.out;
  EXPECT_EQ(records[0]["action"], "privacy.hold.place");
  EXPECT_EQ(records[1]["action"], "privacy.hold.release");
  EXPECT_EQ(records[1]["target"], "case:4");
  EXPECT_EQ(RunVigil("audit verify " + db_).exit_code, 0);
}

TEST_P(RetentionCliTest, RetentionOverTwelveMonthsAndBadKeysAreRefused) {
  const std::string over = dir_.Write(
      "over.json",
      R"({"reporting": 400, "blocking": 365, "hashing": 365, "redress": 180, "law_enforcement": 365})");
  CliRun set = RunVigil("retention set '" + over + "' " + db_);
  EXPECT_EQ(set.exit_code, 3);
  EXPECT_NE(set.err.find("over.json"), std::string::npos) << set.err;
  EXPECT_NE(set.err.find("reporting"), std::string::npos) << set.err;
  const std::string ok = dir_.Write(
      "ok.json",
      R"({"reporting": 90, "blocking": 365, "hashing": 365, "redress": 180, "law_enforcement": 30})");
  ASSERT_EQ(RunVigil("retention set '" + ok + "' " + db_).exit_code, 0);
  CliRun show = RunVigil("retention show " + db_);
  EXPECT_NE(show.out.find("reporting: 90 days"), std::string::npos) << show.out;

  const std::string ev = "--evidence-dir '" + (dir_.path() / "ev").string() + "' ";
  CliRun no_key = RunVigil("purge " + ev + db_);
  EXPECT_EQ(no_key.exit_code, 3);
  EXPECT_NE(no_key.err.find("VIGIL_EVIDENCE_KEYS"), std::string::npos) << no_key.err;
  const std::string bad = dir_.Write("bad.keys", "m1 00ff\n");
  CliRun short_key = RunVigil("purge " + ev + "--evidence-keys '" + bad + "' " + db_);
  EXPECT_EQ(short_key.exit_code, 3);
  EXPECT_NE(short_key.err.find("bad.keys"), std::string::npos) << short_key.err;
  CliRun missing = RunVigil("purge " + ev + "--evidence-keys /nonexistent/k " + db_);
  EXPECT_EQ(missing.exit_code, 4);
  const std::string good = dir_.Write("good.keys", kKeys);
  CliRun purge = RunVigil("purge " + ev + "--evidence-keys '" + good + "' " + db_);
  EXPECT_EQ(purge.exit_code, 0) << purge.err;
  EXPECT_NE(purge.out.find("purged 0 case(s)"), std::string::npos) << purge.out;
  EXPECT_EQ(RunVigil("purge --batch 0 " + db_).exit_code, 3);
}

// Issue 10: `vigil purge` deletes the classifier's retry items past their expiry (by default a
// year after the first failure) and counts them per purpose; a recent one stays.
TEST_P(RetentionCliTest, PurgeDeletesExpiredClassifierRetryItems) {
  const TimePoint now = SystemClock().Now();
  {
    auto db = store::OpenDatabase(url_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    for (const auto& [content, days_ago] : {std::pair{"old", 400}, std::pair{"new", 10}}) {
      classify::RetryItem item;
      item.source = std::string(content) + ".json";
      item.account_id = "acct-1";
      item.bytes.assign(content, content + 3);
      item.key = classify::RetryKey(item.bytes);
      item.kind = classify::RetryKind::kConversation;
      item.error = "UNAVAILABLE: timed out";
      item.last_failed_at = now - std::chrono::days(days_ago);
      ASSERT_TRUE((*db)->classify_retries().Keep(item).ok());
    }
  }
  CliRun purge = RunVigil("purge " + db_);
  EXPECT_EQ(purge.exit_code, 0) << purge.err << purge.out;
  EXPECT_NE(purge.out.find("purged 0 case(s), 1 record(s)"), std::string::npos) << purge.out;
  EXPECT_NE(purge.out.find("  blocking: 1\n  reporting: 1\n"), std::string::npos) << purge.out;
  EXPECT_NE(purge.out.find(", 1 classifier retry item(s)"), std::string::npos) << purge.out;
  EXPECT_NE(purge.out.find("verified: nothing past its expiry remains"), std::string::npos);
  auto db = store::OpenDatabase(url_);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto left = (*db)->classify_retries().Pending(classify::RetryKind::kConversation, 10);
  ASSERT_TRUE(left.ok()) << left.status().ToString();
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().source, "new.json");
}

TEST_P(RetentionCliTest, DpiaRecordsAreKept) {
  CliRun add = RunVigil(
      "dpia add --technology grooming-v1 --date 2026-09-01 --authority 'DPC IE' "
      "--outcome 'no objection' --link https://example.org/dpia.pdf --by dpo " +
      db_);
  ASSERT_EQ(add.exit_code, 0) << add.err;
  CliRun list = RunVigil("dpia list --technology grooming-v1 " + db_);
  EXPECT_NE(list.out.find("2026-09-01  DPC IE  no objection"), std::string::npos) << list.out;
  EXPECT_EQ(RunVigil("dpia add --technology t --date 2026-09-01 --authority a --outcome o "
                     "--link '' --by dpo " +
                     db_)
                .exit_code,
            3);
}

TEST_P(RetentionCliTest, ClassifierRulesWithoutADpiaRecordAreRefused) {
  if (!fs::exists(kPdqDir / "images")) GTEST_SKIP() << "no shared test data at " << kPdqDir;
  const std::string rules =
      dir_.Write("rules.json",
                 R"({"rules": [{"detector": "pdq", "max_distance": 31, "action": "review"},
                    {"detector": "classifier:grooming", "min_score": 0.8, "action": "review"}]})");
  const std::string image = (kPdqDir / "images" / "09_storm.jpg").string();
  const std::string scan =
      "scan -q --account a --rules '" + rules + "' " + db_ + " '" + image + "'";
  CliRun refused = RunVigil(scan);
  EXPECT_EQ(refused.exit_code, 6);
  EXPECT_NE(refused.err.find("classifier:grooming"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("vigil dpia add"), std::string::npos) << refused.err;
  ASSERT_EQ(
      RunVigil("dpia add --technology classifier:grooming --date 2026-09-01 --authority "
               "'DPC IE' --outcome 'no objection' --link https://example.org/d.pdf --by dpo " +
               db_)
          .exit_code,
      0);
  CliRun allowed = RunVigil(scan);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
}

INSTANTIATE_TEST_SUITE_P(Backends, RetentionCliTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) {
                           return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace vigil::testing
