// `vigil hash` as a user runs it: formats, directories, stdin, and bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_runner.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kPdqDir = fs::path(VIGIL_SHARED_DIR) / "testdata" / "pdq";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) lines.push_back(line);
  return lines;
}

std::vector<std::string> Split(const std::string& line, char sep = ',') {
  std::vector<std::string> cols;
  std::stringstream ss(line);
  std::string col;
  while (std::getline(ss, col, sep)) cols.push_back(col);
  return cols;
}

// Expected PDQ hex and quality per file, from the reference hasher.
std::map<std::string, std::pair<std::string, std::string>> Expected() {
  std::map<std::string, std::pair<std::string, std::string>> out;
  auto lines = Lines(ReadAll(kPdqDir / "expected.csv"));
  for (size_t i = 1; i < lines.size(); ++i) {
    auto c = Split(lines[i]);
    out[c[0]] = {c[1], c[2]};
  }
  return out;
}

// Digest via coreutils, independent of vigil's OpenSSL code.
std::string Coreutils(const std::string& tool, const std::string& path) {
  TempDir tmp;
  std::system((tool + " '" + path + "' > " + (tmp.path() / "d").string()).c_str());
  return Split(ReadAll(tmp.path() / "d"), ' ')[0];
}

class HashCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kPdqDir / "expected.csv")) {
      GTEST_SKIP() << "shared test data not found at " << kPdqDir;
    }
  }
  std::string Image(const std::string& name) { return (kPdqDir / "images" / name).string(); }
};

TEST_F(HashCliTest, CsvHasHeaderAndReferenceHashesAndCoreutilsDigests) {
  const std::string a = Image("01_aqua.jpg"), b = Image("e6_palette_storm.png");
  CliRun run = RunVigil("hash --format csv '" + a + "' '" + b + "'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto lines = Lines(run.out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "file,pdq_hex,quality,md5,sha256");
  auto expected = Expected();
  auto row = Split(lines[1]);
  ASSERT_EQ(row.size(), 5u);
  EXPECT_EQ(row[0], a);
  EXPECT_EQ(row[1], expected["images/01_aqua.jpg"].first);
  EXPECT_EQ(row[2], expected["images/01_aqua.jpg"].second);
  EXPECT_EQ(row[3], Coreutils("md5sum", a));
  EXPECT_EQ(row[4], Coreutils("sha256sum", a));
  EXPECT_EQ(Split(lines[2])[1], expected["images/e6_palette_storm.png"].first);
  EXPECT_NE(run.err.find("hashed 2 files, 0 failed"), std::string::npos) << run.err;
}

TEST_F(HashCliTest, JsonlRecordsCarryTheSameFields) {
  const std::string a = Image("46_coffee.jpg");
  CliRun run = RunVigil("hash --format jsonl --quiet '" + a + "'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto lines = Lines(run.out);
  ASSERT_EQ(lines.size(), 1u);
  auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["file"], a);
  EXPECT_EQ(j["pdq_hex"], Expected()["images/46_coffee.jpg"].first);
  EXPECT_EQ(std::to_string(j["quality"].get<int>()), Expected()["images/46_coffee.jpg"].second);
  EXPECT_EQ(j["md5"], Coreutils("md5sum", a));
  EXPECT_EQ(j["sha256"], Coreutils("sha256sum", a));
  EXPECT_EQ(run.err, "");  // --quiet
}

TEST_F(HashCliTest, DihedralColumnsMatchReferenceOrientations) {
  const std::string a = Image("09_storm.jpg");
  CliRun run = RunVigil("hash --format csv --dihedral '" + a + "'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto lines = Lines(run.out);
  ASSERT_EQ(lines.size(), 2u);
  auto header = Split(lines[0]);
  auto row = Split(lines[1]);
  ASSERT_EQ(header.size(), 12u);
  ASSERT_EQ(row.size(), 12u);
  std::map<std::string, std::string> want;
  for (const auto& l : Lines(ReadAll(kPdqDir / "expected_dihedral.csv"))) {
    auto c = Split(l);
    if (c[0] == "images/09_storm.jpg") want["pdq_" + c[1]] = c[2];
  }
  EXPECT_EQ(row[1], want["pdq_orig"]);
  for (size_t i = 5; i < header.size(); ++i) EXPECT_EQ(row[i], want[header[i]]) << header[i];
}

TEST_F(HashCliTest, StdinIsHashedAsDash) {
  CliRun run = RunVigil("hash --stdin --format csv", Image("02_blinds.jpg"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto lines = Lines(run.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Split(lines[1])[0], "-");
  EXPECT_EQ(Split(lines[1])[1], Expected()["images/02_blinds.jpg"].first);
}

TEST_F(HashCliTest, TextFormatNamesEachField) {
  CliRun run = RunVigil("hash '" + Image("01_aqua.jpg") + "'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("pdq=" + Expected()["images/01_aqua.jpg"].first + " quality=100 md5="),
            std::string::npos)
      << run.out;
}

TEST_F(HashCliTest, RecursiveRunReportsBadFilesAndGoesOn) {
  TempDir dir;
  fs::copy_file(Image("01_aqua.jpg"), dir.path() / "a.jpg");
  fs::create_directories(dir.path() / "sub");
  fs::copy_file(Image("52_moon.png"), dir.path() / "sub" / "b.png");
  dir.Write("notes.txt", "not an image\n");
  std::string jpeg = ReadAll(Image("05_garden.jpg"));
  dir.Write("sub/truncated.jpg", jpeg.substr(0, jpeg.size() / 3));
  CliRun run = RunVigil("hash --recursive --format csv '" + dir.path().string() + "'");
  EXPECT_EQ(run.exit_code, 1);
  auto lines = Lines(run.out);
  ASSERT_EQ(lines.size(), 3u) << run.out;
  EXPECT_EQ(Split(lines[1])[0], (dir.path() / "a.jpg").string());
  EXPECT_EQ(Split(lines[2])[0], (dir.path() / "sub" / "b.png").string());
  EXPECT_EQ(Split(lines[2])[1], Expected()["images/52_moon.png"].first);
  EXPECT_NE(run.err.find("notes.txt"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("truncated.jpg"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("hashed 2 files, 2 failed"), std::string::npos) << run.err;
}

TEST_F(HashCliTest, SingleBadInputsExitWithTheirOwnCodes) {
  TempDir dir;
  CliRun missing = RunVigil("hash '" + (dir.path() / "missing.jpg").string() + "'");
  EXPECT_EQ(missing.exit_code, 4);  // kNotFound
  EXPECT_NE(missing.err.find("missing.jpg"), std::string::npos);

  const std::string empty = dir.Write("empty.jpg", "");
  CliRun empty_run = RunVigil("hash '" + empty + "'");
  EXPECT_EQ(empty_run.exit_code, 3);  // kInvalidArgument
  EXPECT_NE(empty_run.err.find("empty.jpg"), std::string::npos);
  EXPECT_EQ(empty_run.out, "");

  CliRun dir_run = RunVigil("hash '" + dir.path().string() + "'");
  EXPECT_NE(dir_run.exit_code, 0);
  EXPECT_NE(dir_run.err.find("--recursive"), std::string::npos);

  CliRun too_big = RunVigil("hash --max-bytes 1000 '" + Image("01_aqua.jpg") + "'");
  EXPECT_EQ(too_big.exit_code, 8);  // kResourceExhausted
  EXPECT_NE(too_big.err.find("01_aqua.jpg"), std::string::npos);

  CliRun bad_format = RunVigil("hash --format xml '" + Image("01_aqua.jpg") + "'");
  EXPECT_EQ(bad_format.exit_code, 3);
  EXPECT_NE(bad_format.err.find("xml"), std::string::npos);
}

TEST_F(HashCliTest, ThreadCountDoesNotChangeOutputOrder) {
  const std::string dir = (kPdqDir / "variants").string();
  CliRun one = RunVigil("hash -r --format csv --threads 1 --quiet '" + dir + "'");
  CliRun two = RunVigil("hash -r --format csv --threads 2 --quiet '" + dir + "'");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, two.out);
  EXPECT_EQ(Lines(one.out).size(), 289u);
}

}  // namespace
}  // namespace vigil::testing

namespace vigil::testing {
namespace {

TEST(CliUsageTest, UsageErrorsExitTwoAndHelpExitsZero) {
  EXPECT_EQ(RunVigil("hash --no-such-flag x").exit_code, 2);
  EXPECT_EQ(RunVigil("no-such-command").exit_code, 2);
  EXPECT_EQ(RunVigil("").exit_code, 2);  // a subcommand is required
  CliRun help = RunVigil("hash --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--dihedral"), std::string::npos);
}

}  // namespace
}  // namespace vigil::testing
