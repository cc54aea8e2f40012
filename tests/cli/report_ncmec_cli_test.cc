// `vigil report ncmec --dry-run`: a case scanned and confirmed from the command line, printed as
// schema-valid NCMEC XML with its file details; refusals for unconfirmed cases and bad flags.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/cli_runner.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kPdqDir = fs::path(VIGIL_SHARED_DIR) / "testdata" / "pdq";
const fs::path kXsd = fs::path(VIGIL_SHARED_DIR) / "specs" / "ncmec" / "cyber_tipline.xsd";
const std::string kAquaPdq = "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";

class ReportNcmecCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kPdqDir / "images") || !fs::exists(kXsd)) {
      GTEST_SKIP() << "no shared test data or NCMEC schema under " << VIGIL_SHARED_DIR;
    }
    db_ = "--db '" + (dir_.path() / "v.db").string() + "'";
    ASSERT_EQ(RunVigil("bank create hotline " + db_).exit_code, 0);
    const std::string list = dir_.Write("l.te", "pdq " + kAquaPdq + "\n");
    ASSERT_EQ(RunVigil("bank import hotline '" + list + "' -f te " + db_).exit_code, 0);
    const std::string image = (kPdqDir / "images" / "01_aqua.jpg").string();
    ASSERT_EQ(RunVigil("scan --account acct-9 --region eu " + db_ + " '" + image + "'").exit_code,
              0);
    auto listed = JsonLines(RunVigil("cases list -f jsonl " + db_).out);
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["items"][0]["item_id"], image);  // scan records the path
    config_ = dir_.Write("ncmec.json", R"({"org_name": "Example Photos B.V.",
      "reporter": {"first_name": "Trust", "last_name": "Safety", "email": "tns@example.org"},
      "platform": "Example Photos", "xsd_path": ")" +
                                           kXsd.string() + R"("})");
    flags_ = "--config '" + config_ + "' " + db_;
  }

  TempDir dir_;
  std::string db_, config_, flags_;
};

TEST_F(ReportNcmecCliTest, DryRunPrintsTheValidatedReportOnlyOnceTheCaseIsConfirmed) {
  CliRun early = RunVigil("report ncmec --dry-run --case 1 " + flags_);
  EXPECT_EQ(early.exit_code, 6) << early.err;  // kFailedPrecondition: not decided yet
  EXPECT_NE(early.err.find("case 1"), std::string::npos) << early.err;

  ASSERT_EQ(RunVigil("cases claim 1 --reviewer alice " + db_).exit_code, 0);
  ASSERT_EQ(RunVigil("cases decide 1 --reviewer alice --decision confirmed_known --rationale "
                     "match " +
                     db_)
                .exit_code,
            0);
  CliRun run = RunVigil("report ncmec --dry-run --case 1 " + flags_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("<incidentType>Child Pornography (possession, manufacture, and "
                         "distribution)</incidentType>"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("<espIdentifier>acct-9</espIdentifier>"), std::string::npos);
  EXPECT_NE(run.out.find("<fileDetails>"), std::string::npos);
  // md5sum of the shared 01_aqua.jpg, computed independently with coreutils.
  EXPECT_NE(run.out.find("<originalFileHash hashType=\"MD5\">0f8290a7cf237ef91bc2bb56525bb428<"),
            std::string::npos);
  EXPECT_NE(run.out.find("(dry run: not sent)"), std::string::npos);
}

TEST_F(ReportNcmecCliTest, BadConfigMissingSchemaAndNoDryRunAreNamed) {
  CliRun no_dry = RunVigil("report ncmec --case 1 " + flags_);
  EXPECT_EQ(no_dry.exit_code, 3);
  EXPECT_NE(no_dry.err.find("--dry-run"), std::string::npos);
  const std::string bad = dir_.Write("bad.json", R"({"org_name": "X", "colour": "red"})");
  CliRun bad_run = RunVigil("report ncmec --dry-run --case 1 --config '" + bad + "' " + db_);
  EXPECT_EQ(bad_run.exit_code, 3);
  EXPECT_NE(bad_run.err.find("unknown field \"colour\""), std::string::npos) << bad_run.err;
  CliRun no_xsd = RunVigil("report ncmec --dry-run --case 1 " + flags_ + " --xsd /nonexistent.xsd");
  EXPECT_EQ(no_xsd.exit_code, 4) << no_xsd.err;
  EXPECT_NE(no_xsd.err.find("/nonexistent.xsd"), std::string::npos);
  CliRun no_case = RunVigil("report ncmec --dry-run --case 77 " + flags_);
  EXPECT_EQ(no_case.exit_code, 4);
  EXPECT_NE(no_case.err.find("case 77 does not exist"), std::string::npos) << no_case.err;
  // Item ids that are paths are not names inside an evidence directory.
  ASSERT_EQ(RunVigil("cases claim 1 --reviewer alice " + db_).exit_code, 0);
  ASSERT_EQ(RunVigil("cases decide 1 --reviewer alice --decision confirmed_known --rationale "
                     "match " +
                     db_)
                .exit_code,
            0);
  CliRun gone = RunVigil("report ncmec --dry-run --case 1 --evidence-dir '" + dir_.path().string() +
                         "' " + flags_);
  EXPECT_EQ(gone.exit_code, 3) << gone.err;  // the path item id is not a plain name there
  EXPECT_NE(gone.err.find("is not a plain file name"), std::string::npos) << gone.err;
}

}  // namespace
}  // namespace vigil::testing
