// `vigil report ncmec --dry-run`: a case scanned and confirmed from the command line, printed as
// schema-valid NCMEC XML with its file details; refusals for unconfirmed cases and bad flags.
// The scan pseudonymises the account: the database file never holds the clear id, and the
// report carries it, opened from its sealed copy; media come from the encrypted evidence store.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli_runner.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kPdqDir = fs::path(VIGIL_SHARED_DIR) / "testdata" / "pdq";
const fs::path kXsd = fs::path(VIGIL_SHARED_DIR) / "specs" / "ncmec" / "cyber_tipline.xsd";
const std::string kAquaPdq = "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";
constexpr char kClearAccount[] = "alice-clear-account-9";
constexpr char kEvidenceKeys[] =
    "m1 0101010101010101010101010101010101010101010101010101010101010101\n";
constexpr char kPseudonymKeys[] =
    "k1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

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
    evidence_ = "--evidence-dir '" + (dir_.path() / "ev").string() + "' --evidence-keys '" +
                dir_.Write("ev.keys", kEvidenceKeys) + "' ";
    pseudonyms_ = "--pseudonym-keys '" + dir_.Write("p.keys", kPseudonymKeys) + "' ";
    CliRun scan = RunVigil("scan -q --account " + std::string(kClearAccount) + " --region eu " +
                           evidence_ + pseudonyms_ + db_ + " '" + image + "'");
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
    auto listed = JsonLines(RunVigil("cases list -f jsonl " + db_).out);
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["items"][0]["item_id"], image);  // scan records the path
    // The case names the account by its pseudonym under key k1.
    const std::string account = listed[0]["account_id"];
    EXPECT_TRUE(account.starts_with("p1.k1.")) << account;
    EXPECT_EQ(account.size(), 6u + 64u);
    config_ = dir_.Write("ncmec.json", R"({"org_name": "Example Photos B.V.",
      "reporter": {"first_name": "Trust", "last_name": "Safety", "email": "tns@example.org"},
      "platform": "Example Photos", "xsd_path": ")" +
                                           kXsd.string() + R"("})");
    flags_ = "--config '" + config_ + "' " + evidence_ + db_;
  }

  void Confirm() {
    ASSERT_EQ(RunVigil("cases claim 1 --reviewer alice " + db_).exit_code, 0);
    ASSERT_EQ(RunVigil("cases decide 1 --reviewer alice --decision confirmed_known --rationale "
                       "match " +
                       db_)
                  .exit_code,
              0);
  }

  TempDir dir_;
  std::string db_, config_, flags_, evidence_, pseudonyms_;
};

TEST_F(ReportNcmecCliTest, TheDatabaseFileNeverHoldsTheClearAccountId) {
  Confirm();
  // Every byte SQLite wrote (database, write-ahead log, shared memory) after the scan, review
  // and a report build: the clear id is in none of them, in plain text or hex.
  ASSERT_EQ(RunVigil("report ncmec --dry-run --case 1 " + flags_).exit_code, 0);
  std::string hex;
  for (unsigned char c : std::string(kClearAccount)) {
    hex += "0123456789abcdef"[c >> 4];
    hex += "0123456789abcdef"[c & 15];
  }
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("v.db")) continue;
    ++files;
    const std::string bytes = ReadAll(entry.path());
    EXPECT_EQ(bytes.find(kClearAccount), std::string::npos) << name;
    EXPECT_EQ(bytes.find(hex), std::string::npos) << name;
  }
  EXPECT_GE(files, 1);
  // Nor is it in the evidence files (sealed).
  for (const auto& entry : fs::recursive_directory_iterator(dir_.path() / "ev")) {
    if (!entry.is_regular_file()) continue;
    EXPECT_EQ(ReadAll(entry.path()).find(kClearAccount), std::string::npos) << entry.path();
  }
}

TEST_F(ReportNcmecCliTest, PseudonymisingNeedsTheEvidenceStoreAndGoodKeys) {
  const std::string image = (kPdqDir / "images" / "01_aqua.jpg").string();
  CliRun no_store =
      RunVigil("scan -q --account bob --region eu " + pseudonyms_ + db_ + " '" + image + "'");
  EXPECT_EQ(no_store.exit_code, 3) << no_store.err;
  EXPECT_NE(no_store.err.find("need the evidence store"), std::string::npos) << no_store.err;
  const std::string bad = dir_.Write("bad.keys", "k1 abcd\n");
  CliRun bad_keys = RunVigil("scan -q --account bob --region eu --pseudonym-keys '" + bad + "' " +
                             evidence_ + db_ + " '" + image + "'");
  EXPECT_EQ(bad_keys.exit_code, 3) << bad_keys.err;
  EXPECT_NE(bad_keys.err.find("bad.keys line 1"), std::string::npos) << bad_keys.err;
  // Neither run filed anything: still the one case of SetUp.
  EXPECT_EQ(JsonLines(RunVigil("cases list -f jsonl " + db_).out).size(), 1u);
}

TEST_F(ReportNcmecCliTest, ReportsNeedTheEvidenceStoreAndItsKey) {
  Confirm();
  CliRun no_store = RunVigil("report ncmec --dry-run --case 1 --config '" + config_ + "' " + db_);
  EXPECT_EQ(no_store.exit_code, 3) << no_store.err;
  EXPECT_NE(no_store.err.find("no evidence store"), std::string::npos) << no_store.err;
  const std::string wrong = dir_.Write(
      "wrong.keys", "m1 0202020202020202020202020202020202020202020202020202020202020202\n");
  CliRun wrong_key =
      RunVigil("report ncmec --dry-run --case 1 --config '" + config_ + "' --evidence-dir '" +
               (dir_.path() / "ev").string() + "' --evidence-keys '" + wrong + "' " + db_);
  EXPECT_EQ(wrong_key.exit_code, 11) << wrong_key.err;  // kDataLoss: tamper or wrong key
  EXPECT_EQ(wrong_key.out.find(kClearAccount), std::string::npos);
  // The evidence file gone (e.g. erased): the report cannot be built, naming the case.
  fs::remove_all(dir_.path() / "ev" / "case-1");
  CliRun gone = RunVigil("report ncmec --dry-run --case 1 " + flags_);
  EXPECT_EQ(gone.exit_code, 4) << gone.err;
  EXPECT_NE(gone.err.find("case 1"), std::string::npos) << gone.err;
}

TEST_F(ReportNcmecCliTest, DryRunPrintsTheValidatedReportOnlyOnceTheCaseIsConfirmed) {
  CliRun early = RunVigil("report ncmec --dry-run --case 1 " + flags_);
  EXPECT_EQ(early.exit_code, 6) << early.err;  // kFailedPrecondition: not decided yet
  EXPECT_NE(early.err.find("case 1"), std::string::npos) << early.err;

  Confirm();
  CliRun run = RunVigil("report ncmec --dry-run --case 1 " + flags_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("<incidentType>Child Pornography (possession, manufacture, and "
                         "distribution)</incidentType>"),
            std::string::npos)
      << run.out;
  // The clear account id, opened from its sealed copy for the report only.
  EXPECT_NE(run.out.find(std::string("<espIdentifier>") + kClearAccount + "</espIdentifier>"),
            std::string::npos)
      << run.out;
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
}

}  // namespace
}  // namespace vigil::testing
