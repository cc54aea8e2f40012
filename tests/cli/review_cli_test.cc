// The full flow from the command line: bank -> scan -> case -> claim -> decide, on SQLite.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_runner.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kPdqDir = fs::path(VIGIL_SHARED_DIR) / "testdata" / "pdq";
const std::string kAquaPdq = "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";

class ReviewCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kPdqDir / "images")) GTEST_SKIP() << "no shared test data at " << kPdqDir;
    db_ = "--db '" + (dir_.path() / "v.db").string() + "'";
    ASSERT_EQ(RunVigil("bank create hotline " + db_).exit_code, 0);
    const std::string list = dir_.Write("l.te", "pdq " + kAquaPdq + "\n");
    ASSERT_EQ(RunVigil("bank import hotline '" + list + "' -f te " + db_).exit_code, 0);
  }
  std::string Variant(const std::string& n) { return (kPdqDir / "variants" / n).string(); }
  std::string Image(const std::string& n) { return (kPdqDir / "images" / n).string(); }

  TempDir dir_;
  std::string db_;
};

TEST_F(ReviewCliTest, ScanOpensCasesOnlyForFlaggedFiles) {
  CliRun scan = RunVigil("scan -f jsonl --account acct-1 --region eu " + db_ + " '" +
                         Variant("01_aqua__jpeg_q50.jpg") + "' '" + Image("09_storm.jpg") + "'");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  auto lines = JsonLines(scan.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["flagged"], true);
  EXPECT_EQ(lines[0]["action"], "review");
  EXPECT_EQ(lines[0]["technologies"][0], "pdq@1 r<=31");
  EXPECT_EQ(lines[0]["case_id"], 1);
  EXPECT_EQ(lines[1]["flagged"], false);
  EXPECT_FALSE(lines[1].contains("case_id"));

  CliRun list = RunVigil("cases list -f jsonl " + db_);
  auto queue = JsonLines(list.out);
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0]["state"], "new");
  EXPECT_EQ(queue[0]["account_id"], "acct-1");
  EXPECT_EQ(queue[0]["items"][0]["flags"][0]["value"], 2.0);  // expected.csv distance
}

TEST_F(ReviewCliTest, DryRunOpensNothingAndScanNeedsAnAccount) {
  CliRun dry = RunVigil("scan --dry-run " + db_ + " '" + Image("01_aqua.jpg") + "'");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("flagged action=review"), std::string::npos) << dry.out;
  EXPECT_EQ(RunVigil("cases list -f jsonl " + db_).out, "");
  CliRun no_account = RunVigil("scan " + db_ + " '" + Image("01_aqua.jpg") + "'");
  EXPECT_EQ(no_account.exit_code, 3);
  EXPECT_NE(no_account.err.find("--account"), std::string::npos);
}

TEST_F(ReviewCliTest, BadRulesFilesAndRegionsAreClearErrors) {
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

TEST_F(ReviewCliTest, ReviewerClaimsAndDecidesAndOthersCannot) {
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
  EXPECT_EQ(decided["reviews"][0]["rationale"], "benign photo");
  // A false positive flags the bank entry for verification.
  CliRun stats = RunVigil("bank stats hotline " + db_);
  EXPECT_NE(stats.out.find("1 needing verification"), std::string::npos) << stats.out;
  // Deciding twice is refused.
  CliRun again =
      RunVigil("cases decide 1 --reviewer alice --decision confirmed_known --rationale r " + db_);
  EXPECT_NE(again.exit_code, 0);
}

}  // namespace
}  // namespace vigil::testing
