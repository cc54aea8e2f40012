// `vigil match` end to end: a bank filled from `vigil hash` output, then images and hashes
// matched against it.
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

class MatchCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kPdqDir / "expected.csv")) GTEST_SKIP() << "no shared test data at " << kPdqDir;
    db_ = "--db '" + (dir_.path() / "v.db").string() + "'";
    ASSERT_EQ(RunVigil("bank create hotline " + db_).exit_code, 0);
    ASSERT_EQ(RunVigil("bank create own --auto-action " + db_).exit_code, 0);
    // 01_aqua's PDQ (from the reference's expected.csv) and 02_blinds' MD5 in "hotline".
    const std::string list = dir_.Write("list.te", "pdq " + kAquaPdq + "\n");
    ASSERT_EQ(RunVigil("bank import hotline '" + list + "' --format te " + db_).exit_code, 0);
    CliRun md5 = RunVigil("hash --format jsonl -q '" + Image("02_blinds.jpg") + "'");
    blinds_md5_ = JsonLines(md5.out).at(0)["md5"];
    const std::string list2 = dir_.Write("list2.te", "md5 " + blinds_md5_ + "\n");
    ASSERT_EQ(RunVigil("bank import own '" + list2 + "' --format te " + db_).exit_code, 0);
  }
  std::string Image(const std::string& name) { return (kPdqDir / "images" / name).string(); }
  std::string Variant(const std::string& name) { return (kPdqDir / "variants" / name).string(); }

  TempDir dir_;
  std::string db_;
  std::string blinds_md5_;
};

TEST_F(MatchCliTest, VariantsOfABankedImageMatchWithTheirDistance) {
  CliRun run = RunVigil("match -f jsonl " + db_ + " '" + Variant("01_aqua__jpeg_q50.jpg") + "' '" +
                        Image("09_storm.jpg") + "'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto lines = JsonLines(run.out);
  ASSERT_EQ(lines.size(), 1u) << run.out;  // storm matches nothing
  EXPECT_EQ(lines[0]["query"], Variant("01_aqua__jpeg_q50.jpg"));
  EXPECT_EQ(lines[0]["signal_type"], "pdq");
  EXPECT_EQ(lines[0]["bank"], "hotline");
  EXPECT_EQ(lines[0]["matched_value"], kAquaPdq);
  // expected.csv: the q50 variant's hash is 2 bits from the original's.
  EXPECT_EQ(lines[0]["distance"], 2);
  EXPECT_EQ(lines[0]["quality"], 100);
  EXPECT_EQ(lines[0]["auto_action"], false);
  EXPECT_NE(run.err.find("2 files"), std::string::npos) << run.err;
}

TEST_F(MatchCliTest, Md5MatchesExactlyAndNamesTheAutoActionBank) {
  CliRun run = RunVigil("match -f jsonl " + db_ + " '" + Image("02_blinds.jpg") + "'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto lines = JsonLines(run.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["signal_type"], "md5");
  EXPECT_EQ(lines[0]["bank"], "own");
  EXPECT_EQ(lines[0]["auto_action"], true);
  EXPECT_EQ(lines[0]["distance"], 0);
}

TEST_F(MatchCliTest, HashesFromArgumentsAndFilesWithBankSelection) {
  // The banked hash with its last hex digit changed from 'e' (1110) to 'd' (1101): 2 bits.
  std::string near = kAquaPdq;
  near[63] = 'd';
  CliRun run = RunVigil("match -f csv --bank hotline " + db_ + " --hash " + near);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("hotline,1," + kAquaPdq + ",2"), std::string::npos) << run.out;

  const std::string file =
      dir_.Write("q.txt", "# queries\n" + kAquaPdq + "\nmd5 " + blinds_md5_ + "\n");
  CliRun from_file = RunVigil("match -f csv " + db_ + " --hashes '" + file + "'");
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  EXPECT_NE(from_file.out.find(",pdq," + kAquaPdq + ",,hotline,"), std::string::npos);
  EXPECT_NE(from_file.out.find(",md5," + blinds_md5_ + ",,own,"), std::string::npos);

  CliRun only_own = RunVigil("match -f csv --bank own " + db_ + " --hashes '" + file + "'");
  EXPECT_EQ(only_own.out.find("hotline"), std::string::npos) << only_own.out;
}

TEST_F(MatchCliTest, BadQueriesAreClearErrors) {
  CliRun bad_hex = RunVigil("match " + db_ + " --hash 12345");
  EXPECT_EQ(bad_hex.exit_code, 3);
  EXPECT_NE(bad_hex.err.find("12345"), std::string::npos) << bad_hex.err;

  const std::string file = dir_.Write("bad.txt", kAquaPdq + "\nsha1 abcd\n");
  CliRun bad_line = RunVigil("match " + db_ + " --hashes '" + file + "'");
  EXPECT_EQ(bad_line.exit_code, 3);
  EXPECT_NE(bad_line.err.find("bad.txt:2"), std::string::npos) << bad_line.err;

  CliRun no_bank = RunVigil("match --bank nope " + db_ + " --hash " + kAquaPdq);
  EXPECT_EQ(no_bank.exit_code, 4);
  EXPECT_NE(no_bank.err.find("nope"), std::string::npos) << no_bank.err;

  CliRun nothing = RunVigil("match " + db_);
  EXPECT_EQ(nothing.exit_code, 2);
}

TEST_F(MatchCliTest, LowQualityImagesAreReportedNotMatched) {
  // A flat grey image has no gradients, so its quality is 0. Built as a 24-bit 8x8 BMP.
  std::string bmp;
  auto le32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) bmp.push_back(char(v >> (8 * i)));
  };
  auto le16 = [&](uint16_t v) {
    bmp.push_back(char(v));
    bmp.push_back(char(v >> 8));
  };
  bmp += "BM";
  le32(54 + 8 * 8 * 3);
  le32(0);
  le32(54);
  le32(40);
  le32(8);
  le32(8);
  le16(1);
  le16(24);
  le32(0);
  le32(8 * 8 * 3);
  le32(0);
  le32(0);
  le32(0);
  le32(0);
  bmp += std::string(8 * 8 * 3, '\x80');
  const std::string flat = dir_.Write("flat.bmp", bmp);
  CliRun run = RunVigil("match -f jsonl " + db_ + " '" + flat + "'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("quality 0 is below the minimum of 50"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("1 PDQ or vPDQ below quality 50"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace vigil::testing
