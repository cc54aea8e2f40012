// `vigil audit verify|list` as an operator runs them: the head to keep as an anchor, exit 11
// naming the broken record when the log was edited behind vigil's back, and the anchor catching
// a truncated log.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "cli/cli_runner.h"
#include "store/store.h"

namespace vigil::testing {
namespace {

class AuditCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_path_ = (dir_.path() / "vigil.db").string();
    auto db = store::OpenDatabase(db_path_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    for (int i = 1; i <= 4; ++i) {
      auto r = (*db)->audit().Append(
          {"key:ops", "case.decide", "case:" + std::to_string(i), "10.0.0.1", "{}"});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      head_ = std::to_string(r->seq) + ":" + r->hash;
    }
  }
  void RawSql(const std::string& sql) {
    SQLite::Database raw(db_path_, SQLite::OPEN_READWRITE);
    raw.exec(sql);
  }
  std::string Db() const { return " --db '" + db_path_ + "'"; }

  TempDir dir_;
  std::string db_path_;
  std::string head_;
};

TEST_F(AuditCliTest, VerifyPrintsTheHead) {
  CliRun run = RunVigil("audit verify" + Db());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("audit log intact: 4 records"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("head " + head_), std::string::npos) << run.out;
  CliRun json = RunVigil("audit verify -f jsonl" + Db());
  auto lines = JsonLines(json.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["records"], 4);
  EXPECT_EQ(lines[0]["head"], head_);
}

TEST_F(AuditCliTest, AnEditedRecordFailsWithDataLoss) {
  RawSql("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET target = 'case:9' WHERE seq = 2");
  CliRun run = RunVigil("audit verify" + Db());
  EXPECT_EQ(run.exit_code, 11);
  EXPECT_NE(run.err.find("seq 2"), std::string::npos) << run.err;
}

TEST_F(AuditCliTest, TheAnchorCatchesTruncation) {
  EXPECT_EQ(RunVigil("audit verify --anchor " + head_ + Db()).exit_code, 0);
  RawSql("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 4");
  EXPECT_EQ(RunVigil("audit verify" + Db()).exit_code, 0);
  CliRun run = RunVigil("audit verify --anchor " + head_ + Db());
  EXPECT_EQ(run.exit_code, 11);
  EXPECT_NE(run.err.find("truncated"), std::string::npos) << run.err;
}

TEST_F(AuditCliTest, AMalformedAnchorIsAnInvalidArgument) {
  CliRun run = RunVigil("audit verify --anchor 4:nothex" + Db());
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("4:nothex"), std::string::npos) << run.err;
}

TEST_F(AuditCliTest, ListPrintsRecordsInOrder) {
  CliRun run = RunVigil("audit list --from 2 --limit 2 -f jsonl" + Db());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto lines = JsonLines(run.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["seq"], 2);
  EXPECT_EQ(lines[0]["target"], "case:2");
  EXPECT_EQ(lines[1]["seq"], 3);
  EXPECT_EQ(lines[1]["origin"], "10.0.0.1");
  CliRun text = RunVigil("audit list" + Db());
  EXPECT_NE(text.out.find("4  "), std::string::npos);
  EXPECT_NE(text.out.find("key:ops  case.decide  case:4  from 10.0.0.1  {}"), std::string::npos)
      << text.out;
}

TEST_F(AuditCliTest, AMissingDatabaseIsNamed) {
  CliRun run = RunVigil("audit verify --db /nonexistent/dir/x.db");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("/nonexistent/dir/x.db"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace vigil::testing
