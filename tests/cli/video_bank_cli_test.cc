// Video banks from the command line: `vigil bank import/export --format vpdq`, vPDQ values in
// lists, and `vigil match` on videos and vPDQ files.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "cli/cli_runner.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kVpdqDir = fs::path(VIGIL_SHARED_DIR) / "testdata" / "vpdq";

std::string Quote(const fs::path& p) { return "'" + p.string() + "'"; }

// The reference file without lines repeating an earlier line's hash (what a bank keeps).
std::string WithoutRepeatedHashes(const std::string& text) {
  std::set<std::string> seen;
  std::stringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    const size_t a = line.find(','), b = line.find(',', a + 1), c = line.find(',', b + 1);
    if (seen.insert(line.substr(b + 1, c - b - 1)).second) out += line + "\n";
  }
  return out;
}

class VideoBankCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kVpdqDir / "expected")) GTEST_SKIP() << "no shared test data at " << kVpdqDir;
    db_ = "--db " + Quote(dir_.path() / "v.db");
    ASSERT_EQ(RunVigil("bank create videos " + db_).exit_code, 0);
  }
  fs::path Expected(const std::string& name) { return kVpdqDir / "expected" / name; }
  fs::path Video(const std::string& name) { return kVpdqDir / "videos" / name; }

  TempDir dir_;
  std::string db_;
};

TEST_F(VideoBankCliTest, ImportedVpdqFilesExportByteForByte) {
  const std::vector<std::string> names = {"s02_zoom_h264.txt", "s04_anim.txt",
                                          "s01_slideshow_h264.every_frame.txt"};
  std::string args;
  for (const auto& n : names) args += " " + Quote(Expected(n));
  CliRun imp = RunVigil("bank import videos -f vpdq" + args + " " + db_);
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_EQ(imp.out, "imported 3 vPDQ files into videos: 3 added, 0 already present\n");
  // Importing again adds nothing.
  EXPECT_NE(RunVigil("bank import videos -f vpdq" + args + " " + db_).out.find("3 already present"),
            std::string::npos);

  const fs::path out = dir_.path() / "out";
  CliRun exp = RunVigil("bank export videos -f vpdq -q -o " + Quote(out) + " " + db_);
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  const std::string manifest = ReadAll(out / "entries.csv");
  std::stringstream rows(manifest);
  std::string row;
  std::getline(rows, row);
  EXPECT_EQ(row, "entry_id,file,source_ref,added_at,verifications,retired_at");
  int files = 0;
  while (std::getline(rows, row)) {
    const size_t a = row.find(','), b = row.find(',', a + 1), c = row.find(',', b + 1);
    const std::string file = row.substr(a + 1, b - a - 1);
    const std::string source = row.substr(b + 1, c - b - 1);
    SCOPED_TRACE(source);
    const std::string original = ReadAll(Expected(source));
    EXPECT_EQ(ReadAll(out / file), WithoutRepeatedHashes(original));
    if (source != "s01_slideshow_h264.every_frame.txt") {
      EXPECT_EQ(ReadAll(out / file), original);  // no repeated frames: the file itself
    }
    ++files;
  }
  EXPECT_EQ(files, 3);

  // The same entries through JSON lines and CSV, re-imported into a second bank.
  ASSERT_EQ(RunVigil("bank create copy " + db_).exit_code, 0);
  for (const std::string format : {"jsonl", "csv", "te"}) {
    SCOPED_TRACE(format);
    const fs::path list = dir_.path() / ("list." + format);
    ASSERT_EQ(
        RunVigil("bank export videos -q -f " + format + " -o " + Quote(list) + " " + db_).exit_code,
        0);
    CliRun again = RunVigil("bank import copy -q -f " + format + " " + Quote(list) + " " + db_);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    // The first list adds the three videos; the others carry identical values.
    EXPECT_NE(again.out.find(format == "jsonl" ? ": 3 added, 0 already present"
                                               : ": 0 added, 3 already present"),
              std::string::npos)
        << again.out;
  }
  CliRun stats = RunVigil("bank stats copy " + db_);
  EXPECT_NE(stats.out.find("vpdq: 3 active, 0 retired"), std::string::npos) << stats.out;
}

TEST_F(VideoBankCliTest, BadVpdqFilesNameFileAndLineAndImportNothing) {
  const std::string good = ReadAll(Expected("s02_zoom_h264.txt"));
  const std::string bad_hex = good.substr(0, good.find('\n') + 1) + "25,100,zz,1.000\n";
  const std::string files[] = {
      dir_.Write("bad_hex.txt", bad_hex),
      dir_.Write("quality.txt", "0,250," + std::string(64, 'a') + ",0.000\n"),
      dir_.Write("columns.txt", "0,100," + std::string(64, 'a') + "\n"),
      dir_.Write("empty.txt", ""),
      dir_.Write("good.txt", good),
  };
  std::string args;
  for (const auto& f : files) args += " " + Quote(f);
  CliRun run = RunVigil("bank import videos -f vpdq" + args + " " + db_);
  EXPECT_EQ(run.exit_code, 3) << run.err;  // invalid input
  EXPECT_NE(run.err.find(files[0] + ": line 2: PDQ hash 'zz' is not 64 hex digits"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(files[1] + ": line 1: quality '250' is not an integer 0..100"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(files[2] + ": line 1: 3 comma-separated fields instead of 4"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(files[3] + ": vpdq file has no frames"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("4 of 5 vPDQ files invalid; nothing was imported"), std::string::npos);
  EXPECT_NE(RunVigil("bank stats videos " + db_).out.find("0 total"), std::string::npos);

  // A huge file is refused before it is read.
  const fs::path huge = dir_.path() / "huge.txt";
  fs::resize_file(dir_.Write("huge.txt", ""), (64u << 20) + 1);
  CliRun big = RunVigil("bank import videos -f vpdq " + Quote(huge) + " " + db_);
  EXPECT_NE(big.exit_code, 0);
  EXPECT_NE(big.err.find(huge.string() + ": file is 67108865 bytes, over the limit"),
            std::string::npos)
      << big.err;
  // A list with a bad vPDQ value names its line.
  const std::string csv = dir_.Write(
      "list.csv", "signal_type,signal_value\nvpdq,\"0,100," + std::string(64, 'a') + ",x\"\n");
  CliRun list = RunVigil("bank import videos " + Quote(csv) + " " + db_);
  EXPECT_NE(list.err.find(csv + ":2: vpdq frame 1: timestamp 'x'"), std::string::npos) << list.err;
}

TEST_F(VideoBankCliTest, MatchReportsBankedVideosForVideoFilesAndVpdqFiles) {
  ASSERT_EQ(RunVigil("bank import videos -q -f vpdq " + Quote(Expected("s02_zoom_h264.txt")) + " " +
                     Quote(Expected("s01_slideshow_h264.txt")) + " " + db_)
                .exit_code,
            0);
  // A re-encoded copy of the zoom clip, hashed from the video file: matches the zoom entry.
  CliRun run =
      RunVigil("match -q -f jsonl " + Quote(Video("s02_zoom_h264__lowbr.mp4")) + " " + db_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto lines = JsonLines(run.out);
  ASSERT_EQ(lines.size(), 1u) << run.out;
  EXPECT_EQ(lines[0]["signal_type"], "vpdq");
  EXPECT_EQ(lines[0]["source_ref"], "s02_zoom_h264.txt");
  EXPECT_EQ(lines[0]["query_match_percent"], 100.0);  // expected_matches.csv
  EXPECT_EQ(lines[0]["target_match_percent"], 100.0);

  // The same from its vPDQ file, in text; the half-size slideshow shares 80%/80% with its base.
  run =
      RunVigil("match -q --vpdq " + Quote(Expected("s01_slideshow_h264__scale50.txt")) + " " + db_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.rfind(Expected("s01_slideshow_h264__scale50.txt").string() +
                              "  vpdq matches bank=videos entry=",
                          0),
            0u)
      << run.out;
  EXPECT_NE(run.out.find(" query_match=80.00% (4/5 frames) target_match=80.00% (4/5 frames)\n"),
            std::string::npos)
      << run.out;
  // Stricter thresholds: no match.
  run = RunVigil("match -q --video-query-percent 90 --vpdq " +
                 Quote(Expected("s01_slideshow_h264__scale50.txt")) + " " + db_);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, "");
  // The mirrored clip does not match (PDQ is not mirror-invariant).
  run = RunVigil("match -q --vpdq " + Quote(Expected("s02_zoom_h264__hflip.txt")) + " " + db_);
  EXPECT_EQ(run.out, "");
  // A bad vPDQ file is an error naming it.
  const std::string bad = dir_.Write("bad.txt", "1,2,3\n");
  run = RunVigil("match -q --vpdq " + Quote(bad) + " " + db_);
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find(bad + ": line 1"), std::string::npos) << run.err;
}

TEST_F(VideoBankCliTest, ImportMatchScanOfAVideoOpensAReviewCaseWithBothShares) {
  ASSERT_EQ(RunVigil("bank import videos -q -f vpdq " + Quote(Expected("s01_slideshow_h264.txt")) +
                     " " + db_)
                .exit_code,
            0);
  // The half-size copy shares 80% of frames both ways (expected_matches.csv): a match.
  const std::string clip = Video("s01_slideshow_h264__scale50.mp4").string();
  CliRun match = RunVigil("match -q -f csv '" + clip + "' " + db_);
  ASSERT_EQ(match.exit_code, 0) << match.err;
  EXPECT_NE(match.out.find(clip + ",vpdq,,,videos,1,,,80.00,80.00\n"), std::string::npos)
      << match.out;

  CliRun scan = RunVigil("scan -f jsonl --account acct-v --region eu " + db_ + " '" + clip + "' '" +
                         Video("s01_slideshow_h264__hflip.mp4").string() + "'");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  auto lines = JsonLines(scan.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["flagged"], true);
  EXPECT_EQ(lines[0]["technologies"][0], "vpdq@1 d<=31 80/80");
  EXPECT_EQ(lines[0]["video_matches"][0]["query_match_percent"], 80.0);
  EXPECT_EQ(lines[0]["video_matches"][0]["target_match_percent"], 80.0);
  EXPECT_EQ(lines[0]["case_id"], 1);
  EXPECT_EQ(lines[1]["flagged"], false);  // mirrored: 0% / 0%

  auto queue = JsonLines(RunVigil("cases list -f jsonl " + db_).out);
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0]["items"][0]["content_type"], "video");
  EXPECT_EQ(queue[0]["items"][0]["flags"][0]["technology"], "vpdq@1 d<=31 80/80");
  EXPECT_EQ(queue[0]["items"][0]["flags"][0]["value"], 80.0);  // the smaller share

  // Stricter thresholds in the matcher: the same file is not flagged.
  CliRun strict = RunVigil("scan --dry-run --video-target-percent 90 " + db_ + " '" + clip + "'");
  ASSERT_EQ(strict.exit_code, 0) << strict.err;
  EXPECT_NE(strict.out.find("not flagged"), std::string::npos) << strict.out;
}

}  // namespace
}  // namespace vigil::testing
