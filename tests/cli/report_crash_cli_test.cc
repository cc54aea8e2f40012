// Crash durability of hotline reporting (issue 14): `vigil report send` is killed with SIGKILL
// (VIGIL_CRASH_AT=report-progress-saved#N, src/cli/crash_point.h) after each saved lease or step
// of an NCMEC delivery in turn, against a fake CyberTipline on loopback; a later `report send`
// (once the lease has lapsed) must finish exactly one report for the case, with nothing left
// open at the hotline and the delivery recorded once. The in-process version of this test is
// tests/report/outbox_test.cc; this one has a real process die over a real database, SQLite and
// PostgreSQL (a scratch database, copied from a template for each crash point; skipped without
// VIGIL_TEST_POSTGRES_URL).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "cli/cli_runner.h"
#include "cli/crash_database.h"
#include "report/fake_hotline.h"
#include "report/ncmec/schema.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;
using report::testing::FakeHotline;

const fs::path kPdqDir = fs::path(VIGIL_SHARED_DIR) / "testdata" / "pdq";
const fs::path kXsd = fs::path(VIGIL_SHARED_DIR) / "specs" / "ncmec" / "cyber_tipline.xsd";
const std::string kAquaPdq = "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";
constexpr char kEvidenceKeys[] =
    "m1 0101010101010101010101010101010101010101010101010101010101010101\n";

class ReportCrashCliTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!fs::exists(kPdqDir / "images") || !fs::exists(kXsd)) {
      GTEST_SKIP() << "no shared test data or NCMEC schema under " << VIGIL_SHARED_DIR;
    }
    auto validator = report::ncmec::SchemaValidator::Load(kXsd.string());
    ASSERT_TRUE(validator.ok()) << validator.status().message();
    validator_ = std::move(*validator);
    template_db_.Prepare(GetParam(), dir_.path() / "template");
    if (IsSkipped() || HasFatalFailure()) return;
    hotline_ = std::make_unique<FakeHotline>(validator_.get());
    ::setenv("VIGIL_TEST_HOTLINE_PASSWORD", "s3cret", 1);
    config_ = dir_.Write("ncmec.json", R"({"org_name": "Example Photos B.V.",
      "reporter": {"first_name": "Trust", "last_name": "Safety", "email": "tns@example.org"},
      "platform": "Example Photos", "username": "esp",
      "password_env": "VIGIL_TEST_HOTLINE_PASSWORD", "timeout_seconds": 2,
      "endpoint": ")" + hotline_->endpoint() +
                                           R"(", "xsd_path": ")" + kXsd.string() + R"("})");
    PrepareTemplate();
  }
  void TearDown() override { ::unsetenv("VIGIL_TEST_HOTLINE_PASSWORD"); }

  // One confirmed case with its media in the evidence store, queued for NCMEC: built once,
  // copied for every crash point.
  void PrepareTemplate() {
    const fs::path t = dir_.path() / "template";
    const std::string& db = template_db_.flag();
    ASSERT_EQ(RunVigil("bank create hotline " + db).exit_code, 0);
    const std::string list = dir_.Write("l.te", "pdq " + kAquaPdq + "\n");
    ASSERT_EQ(RunVigil("bank import hotline '" + list + "' -f te " + db).exit_code, 0);
    const std::string image = (kPdqDir / "images" / "01_aqua.jpg").string();
    CliRun scan =
        RunVigil("scan -q --account acct-7 --region eu " + Evidence(t) + db + " '" + image + "'");
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
    ASSERT_EQ(RunVigil("cases claim 1 --reviewer alice " + db).exit_code, 0);
    const std::string reporting = dir_.Write("reporting.json", R"({"destinations": ["ncmec"]})");
    CliRun decide = RunVigil(
        "cases decide 1 --reviewer alice --decision confirmed_known --rationale match "
        "--reporting '" +
        reporting + "' " + db);
    ASSERT_EQ(decide.exit_code, 0) << decide.err;
  }
  std::string Evidence(const fs::path& d) {
    return "--evidence-dir '" + (d / "ev").string() + "' --evidence-keys '" +
           dir_.Write("ev.keys", kEvidenceKeys) + "' ";
  }
  std::string Send(const fs::path& d, const CrashDatabase& db) {
    return "report send --config '" + config_ + "' " + Evidence(d) + db.flag();
  }
  // What the next sender would do once the lease of the killed one lapsed (10 minutes).
  void LapseLease(const CrashDatabase& db) {
    db.Execute("UPDATE report_deliveries SET next_attempt_at = 0 WHERE state = 'pending'");
  }

  TempDir dir_;
  CrashDatabase template_db_;
  std::unique_ptr<report::ncmec::SchemaValidator> validator_;
  std::unique_ptr<FakeHotline> hotline_;
  std::string config_;
};

INSTANTIATE_TEST_SUITE_P(Backends, ReportCrashCliTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendTestName);

TEST_P(ReportCrashCliTest, AKillAfterAnySavedStepNeitherLosesNorDuplicatesTheReport) {
  int crash_at = 1;
  for (; crash_at < 40; ++crash_at) {
    SCOPED_TRACE(fmt::format("killed at saved step {}", crash_at));
    const fs::path d = dir_.path() / fmt::format("run{}", crash_at);
    fs::create_directories(d);
    fs::copy(dir_.path() / "template" / "ev", d / "ev", fs::copy_options::recursive);
    CrashDatabase db;
    db.PrepareCopyOf(template_db_, d);
    ASSERT_FALSE(HasFatalFailure());
    const size_t reports_before = hotline_->reports().size();
    const int finished_before = hotline_->FinishedCount();

    CliRun first = RunCrashingAt(fmt::format("report-progress-saved#{}", crash_at), Send(d, db));
    const bool killed = Killed(first);
    if (!killed) {
      ASSERT_EQ(first.exit_code, 0) << first.err;
    } else {
      const int64_t delivered =
          db.Query("SELECT COUNT(*) FROM report_deliveries WHERE state = 'delivered'");
      EXPECT_EQ(db.IntegrityCheck(), "ok");
      LapseLease(db);
      CliRun second = RunVigil(Send(d, db));
      ASSERT_EQ(second.exit_code, 0) << second.err;
      EXPECT_EQ(second.out,
                fmt::format("delivered {}, retrying 0, failed 0, cancelled 0\n", 1 - delivered))
          << second.err;
    }
    // Exactly one report finished at the hotline for this run; any other it opened was
    // retracted, not left open.
    EXPECT_EQ(hotline_->FinishedCount(), finished_before + 1);
    const auto reports = hotline_->reports();
    size_t open = 0;
    for (auto it = reports.begin(); it != reports.end(); ++it) {
      if (std::distance(reports.begin(), it) < static_cast<long>(reports_before)) continue;
      if (!it->second.finished && !it->second.retracted) ++open;
    }
    EXPECT_EQ(open, 0u);
    EXPECT_EQ(db.Query("SELECT COUNT(*) FROM report_deliveries"), 1);
    EXPECT_EQ(db.Query("SELECT COUNT(*) FROM report_deliveries WHERE state = 'delivered' AND "
                       "remote_id IS NOT NULL"),
              1);
    // The case says so (Art 3(1)(j) accounting), whichever step the kill came after.
    CliRun show = RunVigil("cases show 1 -f jsonl " + db.flag());
    ASSERT_EQ(show.exit_code, 0) << show.err;
    EXPECT_EQ(JsonLines(show.out).at(0)["state"], "reported");
    CliRun again = RunVigil(Send(d, db));  // nothing left to send
    EXPECT_EQ(again.out, "delivered 0, retrying 0, failed 0, cancelled 0\n") << again.err;
    EXPECT_EQ(hotline_->FinishedCount(), finished_before + 1);
    if (!killed) break;  // the run completed before reaching this crash point
  }
  // The lease, each step's in-flight mark and answer: at least submit, upload, fileinfo, finish.
  EXPECT_GT(crash_at, 6);
}

}  // namespace
}  // namespace vigil::testing
