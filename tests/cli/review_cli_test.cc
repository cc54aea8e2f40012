// The full flow from the command line: bank -> scan -> case -> assign -> decide, and grouping of
// an account's flagged files into one case, on SQLite and on PostgreSQL (a scratch database
// per test on the server named by VIGIL_TEST_POSTGRES_URL; skipped with a message without it).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <array>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_runner.h"
#include "store/pg_test_database.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kPdqDir = fs::path(VIGIL_SHARED_DIR) / "testdata" / "pdq";
const std::string kAquaPdq = "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";

enum class Backend { kSqlite, kPostgres };

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

class ReviewCliTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!fs::exists(kPdqDir / "images")) GTEST_SKIP() << "no shared test data at " << kPdqDir;
    if (GetParam() == Backend::kPostgres) {
      SKIP_WITHOUT_POSTGRES();
      scratch_ = store::testing::MustCreateScratch();
      ASSERT_NE(scratch_, nullptr);
      db_ = "--db '" + scratch_->url() + "'";
    } else {
      db_ = "--db '" + (dir_.path() / "v.db").string() + "'";
    }
    ASSERT_EQ(RunVigil("bank create hotline " + db_).exit_code, 0);
    const std::string list = dir_.Write("l.te", "pdq " + kAquaPdq + "\n");
    ASSERT_EQ(RunVigil("bank import hotline '" + list + "' -f te " + db_).exit_code, 0);
  }
  std::string Variant(const std::string& n) { return (kPdqDir / "variants" / n).string(); }
  std::string Image(const std::string& n) { return (kPdqDir / "images" / n).string(); }
  // Scans `files` (shell words) for `account`, expecting success; the JSON line per file.
  std::vector<nlohmann::json> Scan(const std::string& account, const std::string& files,
                                   const std::string& extra = "") {
    CliRun scan =
        RunVigil("scan -q -f jsonl --account " + account + " " + extra + " " + db_ + " " + files);
    EXPECT_EQ(scan.exit_code, 0) << scan.err;
    return JsonLines(scan.out);
  }
  nlohmann::json Show(int id) {
    CliRun show = RunVigil("cases show " + std::to_string(id) + " -f jsonl " + db_);
    EXPECT_EQ(show.exit_code, 0) << show.err;
    auto lines = JsonLines(show.out);
    return lines.empty() ? nlohmann::json() : lines[0];
  }

  TempDir dir_;
  std::unique_ptr<store::testing::ScratchDatabase> scratch_;
  std::string db_;
};

INSTANTIATE_TEST_SUITE_P(Backends, ReviewCliTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

TEST_P(ReviewCliTest, ScanOpensCasesOnlyForFlaggedFiles) {
  CliRun scan = RunVigil("scan -f jsonl --account acct-1 --region eu " + db_ + " '" +
                         Variant("01_aqua__jpeg_q50.jpg") + "' '" + Image("09_storm.jpg") + "'");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  auto lines = JsonLines(scan.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["flagged"], true);
  EXPECT_EQ(lines[0]["action"], "review");
  EXPECT_EQ(lines[0]["technologies"][0], "pdq@1 r<=31");
  EXPECT_EQ(lines[0]["case_id"], 1);
  EXPECT_EQ(lines[0]["grouped"], false);
  EXPECT_EQ(lines[1]["flagged"], false);
  EXPECT_FALSE(lines[1].contains("case_id"));
  EXPECT_NE(scan.err.find("1 flagged, 1 case opened, 0 added to open cases"), std::string::npos)
      << scan.err;

  CliRun list = RunVigil("cases list -f jsonl " + db_);
  auto queue = JsonLines(list.out);
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0]["state"], "new");
  EXPECT_EQ(queue[0]["account_id"], "acct-1");
  EXPECT_EQ(queue[0]["items"][0]["flags"][0]["value"], 2.0);  // expected.csv distance
}

TEST_P(ReviewCliTest, DryRunOpensNothingAndScanNeedsAnAccount) {
  CliRun dry = RunVigil("scan --dry-run " + db_ + " '" + Image("01_aqua.jpg") + "'");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("flagged action=review"), std::string::npos) << dry.out;
  EXPECT_EQ(RunVigil("cases list -f jsonl " + db_).out, "");
  CliRun no_account = RunVigil("scan " + db_ + " '" + Image("01_aqua.jpg") + "'");
  EXPECT_EQ(no_account.exit_code, 3);
  EXPECT_NE(no_account.err.find("--account"), std::string::npos);
}

TEST_P(ReviewCliTest, BadRulesFilesAndRegionsAreClearErrors) {
  const std::string img = " '" + Image("01_aqua.jpg") + "'";
  CliRun missing = RunVigil("scan --account a --rules /nonexistent/rules.json " + db_ + img);
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_NE(missing.err.find("rules.json"), std::string::npos) << missing.err;
  const std::string bad =
      dir_.Write("rules.json", R"({"rules": [{"detector": "pdq", "action": "nuke"}]})");
  CliRun invalid = RunVigil("scan --account a --rules '" + bad + "' " + db_ + img);
  EXPECT_EQ(invalid.exit_code, 3);
  EXPECT_NE(invalid.err.find("rules[0]: unknown action 'nuke'"), std::string::npos) << invalid.err;
  CliRun region = RunVigil("scan --account a --region mars " + db_ + img);
  EXPECT_EQ(region.exit_code, 3);
  EXPECT_NE(region.err.find("mars"), std::string::npos);
  EXPECT_EQ(RunVigil("cases list -f jsonl " + db_).out, "");  // nothing was opened
}

TEST_P(ReviewCliTest, ReviewerClaimsAndDecidesAndOthersCannot) {
  ASSERT_EQ(RunVigil("scan -q --account a " + db_ + " '" + Image("01_aqua.jpg") + "'").exit_code,
            0);
  CliRun claim = RunVigil("cases claim --next --reviewer alice -f jsonl " + db_);
  ASSERT_EQ(claim.exit_code, 0) << claim.err;
  auto claimed = JsonLines(claim.out).at(0);
  EXPECT_EQ(claimed["state"], "in_review");
  EXPECT_EQ(claimed["lease"]["reviewer"], "alice");

  CliRun by_bob =
      RunVigil("cases decide 1 --reviewer bob --decision confirmed_known --rationale r " + db_);
  EXPECT_EQ(by_bob.exit_code, 7);  // kPermissionDenied: bob does not hold it
  CliRun bad = RunVigil("cases decide 1 --reviewer alice --decision maybe --rationale r " + db_);
  EXPECT_EQ(bad.exit_code, 3);
  CliRun missing = RunVigil("cases show 99 " + db_);
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_NE(missing.err.find("99"), std::string::npos);

  CliRun decide = RunVigil(
      "cases decide 1 --reviewer alice --decision not_csam --rationale 'benign photo' -f jsonl " +
      db_);
  ASSERT_EQ(decide.exit_code, 0) << decide.err;
  auto decided = JsonLines(decide.out).at(0);
  EXPECT_EQ(decided["state"], "decided");
  EXPECT_EQ(decided["outcome"], "not_csam");
  // Not CSAM: erased at once (Art 3(1)(h)), keeping who decided what, not the rationale's text.
  EXPECT_EQ(decided["reviews"][0]["reviewer"], "alice");
  EXPECT_EQ(decided["reviews"][0]["rationale"], "");
  EXPECT_EQ(decided["account_id"], "(erased case 1)");
  // A false positive flags the bank entry for verification.
  CliRun stats = RunVigil("bank stats hotline " + db_);
  EXPECT_NE(stats.out.find("1 needing verification"), std::string::npos) << stats.out;
  // Deciding twice is refused.
  CliRun again =
      RunVigil("cases decide 1 --reviewer alice --decision confirmed_known --rationale r " + db_);
  EXPECT_EQ(again.exit_code, 6);
  EXPECT_NE(again.err.find("case 1 is already decided"), std::string::npos) << again.err;

  // Every change and every view of the case is in the audit log, refusals are not, and the
  // chain verifies.
  ASSERT_EQ(RunVigil("cases show 1 --by carol " + db_).exit_code, 0);
  CliRun log = RunVigil("audit list -f jsonl " + db_);
  ASSERT_EQ(log.exit_code, 0) << log.err;
  const auto all = JsonLines(log.out);
  // The fixture's bank set-up (bank create, bank import) is audited first.
  ASSERT_EQ(all.size(), 5u) << log.out;
  EXPECT_EQ(all[0]["action"], "bank.create");
  EXPECT_EQ(all[1]["action"], "bank.import");
  const std::vector<nlohmann::json> records(all.begin() + 2, all.end());
  const std::vector<std::array<std::string, 3>> expected = {{"alice", "case.assign", "case:1"},
                                                            {"alice", "case.decide", "case:1"},
                                                            {"carol", "case.view", "case:1"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(records[i]["actor"], expected[i][0]) << i;
    EXPECT_EQ(records[i]["action"], expected[i][1]) << i;
    EXPECT_EQ(records[i]["target"], expected[i][2]) << i;
    EXPECT_EQ(records[i]["origin"].get<std::string>().rfind("cli:", 0), 0u) << i;
  }
  EXPECT_EQ(nlohmann::json::parse(records[1]["details"].get<std::string>())["decision"],
            "not_csam");
  EXPECT_EQ(RunVigil("audit verify " + db_).exit_code, 0);
}

// Art 3(1)(j): a confirming decision from the command line queues one outbox row per
// destination of the reporting config (the file `vigil serve` names too), in the decision's
// transaction; the flag wins over $VIGIL_REPORTING_CONFIG.
TEST_P(ReviewCliTest, AConfirmingDecisionQueuesAReportPerConfiguredDestination) {
  const std::string two = dir_.Write("two.json", R"({"destinations": ["ncmec", "nl-authority"]})");
  const std::string one = dir_.Write("one.json", R"({"destinations": ["ncmec"]})");
  for (const char* account : {"a", "b", "c", "d"}) {
    Scan(account, "'" + Image("01_aqua.jpg") + "'");
  }
  for (int id = 1; id <= 4; ++id) {
    ASSERT_EQ(RunVigil("cases claim " + std::to_string(id) + " --reviewer alice " + db_).exit_code,
              0);
  }
  const auto decide = [&](int id, const std::string& decision, const std::string& extra) {
    return RunVigil("cases decide " + std::to_string(id) + " --reviewer alice --decision " +
                    decision + " --rationale r " + extra + " " + db_);
  };
  // A bad file is refused before anything is written.
  const std::string bad = dir_.Write("bad.json", R"({"destinations": ["NCMEC"]})");
  CliRun refused = decide(1, "confirmed_known", "--reporting '" + bad + "'");
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.err.find(bad + ": \"destinations\" has an invalid name 'NCMEC'"),
            std::string::npos)
      << refused.err;
  CliRun missing = decide(1, "confirmed_known", "--reporting /nonexistent/r.json");
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_NE(missing.err.find("/nonexistent/r.json"), std::string::npos) << missing.err;
  EXPECT_EQ(Show(1)["state"], "in_review");

  CliRun first = decide(1, "confirmed_known", "--reporting '" + two + "'");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.err, "");
  ::setenv("VIGIL_REPORTING_CONFIG", one.c_str(), 1);
  CliRun by_env = decide(2, "confirmed_known", "");
  CliRun flag_wins = decide(3, "not_csam", "--reporting '" + two + "'");  // not confirming
  ::unsetenv("VIGIL_REPORTING_CONFIG");
  ASSERT_EQ(by_env.exit_code, 0) << by_env.err;
  ASSERT_EQ(flag_wins.exit_code, 0) << flag_wins.err;
  CliRun unconfigured = decide(4, "confirmed_known", "");
  ASSERT_EQ(unconfigured.exit_code, 0) << unconfigured.err;
  EXPECT_NE(unconfigured.err.find("warning: no reporting config"), std::string::npos)
      << unconfigured.err;

  CliRun outbox = RunVigil("report outbox " + db_);
  ASSERT_EQ(outbox.exit_code, 0) << outbox.err;
  EXPECT_EQ(outbox.out,
            "request 1 case 1 to ncmec: pending after 0 attempt(s)\n"
            "request 2 case 1 to nl-authority: pending after 0 attempt(s)\n"
            "request 3 case 2 to ncmec: pending after 0 attempt(s)\n");
  CliRun limit = RunVigil("report overdue --limit-hours 0 " + db_);
  EXPECT_EQ(limit.exit_code, 3);
  EXPECT_NE(limit.err.find("--limit-hours must be from 1 to 720"), std::string::npos) << limit.err;
  CliRun overdue = RunVigil("report overdue --reporting '" + one + "' " + db_);
  EXPECT_EQ(overdue.exit_code, 0) << overdue.err;
  EXPECT_EQ(overdue.out, "");  // decided just now: within the limit
}

TEST_P(ReviewCliTest, AnAccountsFlaggedFilesGroupIntoOneCaseThatShowLists) {
  const std::string aqua = "'" + Image("01_aqua.jpg") + "'";
  const std::string q50 = "'" + Variant("01_aqua__jpeg_q50.jpg") + "'";
  auto lines = Scan("acct-1", aqua + " " + q50);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["case_id"], 1);
  EXPECT_EQ(lines[0]["grouped"], false);
  EXPECT_EQ(lines[1]["case_id"], 1);
  EXPECT_EQ(lines[1]["grouped"], true);
  EXPECT_EQ(Scan("acct-2", aqua).at(0)["case_id"], 2);  // another account: its own case

  const nlohmann::json c = Show(1);
  ASSERT_EQ(c["items"].size(), 2u);
  EXPECT_EQ(c["items"][0]["item_id"], Image("01_aqua.jpg"));
  EXPECT_EQ(c["items"][0]["hashes"]["pdq"], kAquaPdq);
  EXPECT_EQ(c["items"][0]["flags"][0]["value"], 0.0);
  EXPECT_EQ(c["items"][1]["item_id"], Variant("01_aqua__jpeg_q50.jpg"));
  EXPECT_EQ(c["items"][1]["flags"][0]["value"], 2.0);
  EXPECT_EQ(c["items"][1]["hashes"]["md5"].get<std::string>().size(), 32u);

  CliRun text = RunVigil("cases show 1 " + db_);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("items (2):"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  1. " + Image("01_aqua.jpg") + "  image"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("     pdq " + kAquaPdq), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("     flag pdq@1 r<=31 (known) value=2 bank=hotline entry=1"),
            std::string::npos)
      << text.out;

  // --no-grouping gives every file its own case.
  auto separate = Scan("acct-3", aqua + " " + q50, "--no-grouping");
  EXPECT_EQ(separate.at(0)["case_id"], 3);
  EXPECT_EQ(separate.at(1)["case_id"], 4);
}

TEST_P(ReviewCliTest, ALeadAssignsACaseAndItemsJoiningItMustBeSeenBeforeTheDecision) {
  Scan("acct-1", "'" + Image("01_aqua.jpg") + "'");
  CliRun assign = RunVigil("cases assign 1 --reviewer alice --by lead-1 -f jsonl " + db_);
  ASSERT_EQ(assign.exit_code, 0) << assign.err;
  EXPECT_EQ(JsonLines(assign.out).at(0)["lease"]["reviewer"], "alice");
  CliRun taken = RunVigil("cases assign 1 --reviewer bob --by lead-1 " + db_);
  EXPECT_EQ(taken.exit_code, 6);
  EXPECT_NE(taken.err.find("held by reviewer alice"), std::string::npos) << taken.err;
  EXPECT_EQ(RunVigil("cases assign --reviewer bob " + db_).exit_code, 3);  // no id, no --next

  // A file flagged while alice reviews joins her case; she must see it before deciding.
  auto joined = Scan("acct-1", "'" + Variant("01_aqua__jpeg_q50.jpg") + "'");
  EXPECT_EQ(joined.at(0)["grouped"], true);
  const std::string decide =
      "cases decide 1 --reviewer alice --decision not_csam --rationale 'both benign' " + db_;
  CliRun early = RunVigil(decide);
  EXPECT_EQ(early.exit_code, 6);
  EXPECT_NE(early.err.find("received 1 item(s) after reviewer alice claimed it"), std::string::npos)
      << early.err;
  EXPECT_EQ(Show(1)["reviews"].size(), 0u);  // nothing was written
  ASSERT_EQ(RunVigil("cases claim 1 --reviewer alice " + db_).exit_code, 0);
  CliRun decided = RunVigil(decide);
  ASSERT_EQ(decided.exit_code, 0) << decided.err;
  EXPECT_EQ(Show(1)["outcome"], "not_csam");

  // A decided case is never reopened: the next flagged file opens case 2.
  auto after = Scan("acct-1", "'" + Variant("01_aqua__resize_50.jpg") + "'");
  EXPECT_EQ(after.at(0)["case_id"], 2);
  EXPECT_EQ(after.at(0)["grouped"], false);
  EXPECT_EQ(Show(1)["items"].size(), 2u);
}

}  // namespace
}  // namespace vigil::testing
