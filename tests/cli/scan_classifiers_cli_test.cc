// `vigil scan --classifiers`: a local ONNX model (mean brightness, written by the test) and a
// fake hosted classifier on loopback score every image; a score at or above the configured
// threshold opens a case of new material pending human confirmation with its evidence; a
// classifier that fails (5xx, timeout) leaves the item kept for a retry, named, and nothing
// counted or filed until the retry succeeds. Inputs are uniform grey images.
#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "../classify/onnx_model.h"
#include "cli/cli_runner.h"

namespace vigil::testing {
namespace {

using classify::testing::MeanBrightnessOnnx;
using classify::testing::UniformGreyBmp;

// A hosted image classifier on a loopback port: fails (500), hangs past the timeout, or scores.
class FakeImageClassifier {
 public:
  enum Mode { kFail, kSlow, kHealthy };
  FakeImageClassifier() {
    server_.Post("/score", [this](const httplib::Request& req, httplib::Response& res) {
      ++calls_;
      if (mode_ == kFail) {
        res.status = 500;
        return;
      }
      if (mode_ == kSlow) std::this_thread::sleep_for(std::chrono::milliseconds(700));
      auto body = nlohmann::json::parse(req.body, nullptr, false);
      const bool image = body.is_object() && body["kind"] == "image";
      res.set_content(image ? R"({"score": 0.9})" : R"({"score": 0.1})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeImageClassifier() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::atomic<int> mode_{kHealthy};
  std::atomic<int> calls_{0};

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

class ScanClassifiersCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("mean.onnx", MeanBrightnessOnnx(1, 4, 4));
    bright_ = dir_.Write("bright.bmp", UniformGreyBmp(8, 8, 204));  // mean 204/255 = 0.8
    dark_ = dir_.Write("dark.bmp", UniformGreyBmp(8, 8, 51));       // 0.2
    db_ = "--db '" + (dir_.path() / "v.db").string() + "'";
  }
  std::string Config(bool with_http) const {
    std::string json = R"({"classifiers": [{"type": "onnx", "threshold": 0.5, "priority": 70,
        "model": "mean", "version": "1", "path": "mean.onnx", "input_width": 4,
        "input_height": 4, "channels": 1})";
    if (with_http) {
      json += fmt::format(
          R"(, {{"type": "http", "threshold": 0.95, "model": "vendor-image", "version": "3",
              "url": "http://127.0.0.1:{}/score", "timeout_ms": 300, "max_attempts": 1,
              "backoff_ms": 1, "breaker_failures": 100}})",
          fake_.port());
    }
    return dir_.Write("classifiers.json", json + "]}");
  }
  void Dpia(const std::string& technology) {
    CliRun r = RunVigil("dpia add --technology '" + technology +
                        "' --date 2026-09-01 --authority 'DPC IE' --outcome 'no objection' "
                        "--link https://example.org/dpia --by lead " +
                        db_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Media items kept for a retry in the database (classify_retries, migration 21).
  int64_t Kept() const {
    SQLite::Database raw((dir_.path() / "v.db").string());
    SQLite::Statement q(raw, "SELECT COUNT(*) FROM classify_retries WHERE kind = 'media'");
    q.executeStep();
    return q.getColumn(0).getInt64();
  }

  TempDir dir_;
  FakeImageClassifier fake_;
  std::string bright_, dark_, db_;
};

TEST_F(ScanClassifiersCliTest, AScoreOverTheThresholdOpensANewMaterialCaseForConfirmation) {
  const std::string scan = "scan -q -f jsonl --account acct-1 --no-grouping --classifiers '" +
                           Config(true) + "' " + db_ + " ";
  // Art 3(1)(c)-(d): each classifier needs its DPIA record first.
  CliRun refused = RunVigil(scan + "'" + bright_ + "'");
  EXPECT_EQ(refused.exit_code, 6) << refused.err;  // FAILED_PRECONDITION
  EXPECT_NE(refused.err.find("classifier:mean"), std::string::npos) << refused.err;
  EXPECT_EQ(fake_.calls_, 0);
  Dpia("classifier:mean");
  Dpia("classifier:vendor-image");

  CliRun run = RunVigil(scan + "'" + bright_ + "' '" + dark_ + "'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto rows = JsonLines(run.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["file"], bright_);
  EXPECT_EQ(rows[0]["flagged"], true);
  EXPECT_EQ(rows[0]["action"], "review");
  EXPECT_EQ(rows[0]["needs_human_confirmation"], true);
  EXPECT_EQ(rows[0]["priority"], 70);
  // The hosted model's 0.9 is below its 0.95 threshold: only the local model flags.
  EXPECT_EQ(rows[0]["technologies"], nlohmann::json::array({"classifier:mean@1 s>=0.5"}));
  ASSERT_EQ(rows[0]["classifier_scores"].size(), 2u);
  EXPECT_EQ(rows[0]["classifier_scores"][0]["technology"], "classifier:mean@1");
  EXPECT_NEAR(rows[0]["classifier_scores"][0]["score"].get<double>(), 0.8, 1e-6);
  EXPECT_EQ(rows[0]["classifier_scores"][1]["technology"], "classifier:vendor-image@3");
  EXPECT_EQ(rows[0]["classifier_scores"][1]["score"], 0.9);
  EXPECT_EQ(rows[1]["flagged"], false);
  EXPECT_FALSE(rows[1].contains("case_id"));
  EXPECT_EQ(fake_.calls_, 2);

  CliRun show = RunVigil("cases show " + rows[0]["case_id"].dump() + " -f jsonl " + db_);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  auto c = JsonLines(show.out).at(0);
  EXPECT_EQ(c["state"], "new");  // pending human review, not actioned
  const auto& item = c["items"][0];
  EXPECT_EQ(item["item_id"], bright_);
  EXPECT_EQ(item["content_type"], "image");
  const auto& flag = item["flags"][0];
  EXPECT_EQ(flag["category"], "new");
  EXPECT_EQ(flag["technology"], "classifier:mean@1 s>=0.5");
  const std::string evidence = flag["evidence"].dump();
  EXPECT_NE(evidence.find("classifier:mean@1 (onnx, version 1) scored 0.8"), std::string::npos)
      << evidence;
  EXPECT_NE(evidence.find(">= threshold 0.5"), std::string::npos) << evidence;

  CliRun text = RunVigil("scan -q --account acct-2 --classifiers '" + Config(false) + "' " + db_ +
                         " '" + bright_ + "'");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("(new material: needs human confirmation)"), std::string::npos)
      << text.out;
}

TEST_F(ScanClassifiersCliTest, AFailingClassifierKeepsTheItemNamedAndARetryFilesIt) {
  Dpia("classifier:mean");
  Dpia("classifier:vendor-image");
  const std::string scan =
      "scan -f jsonl --account acct-1 --classifiers '" + Config(true) + "' " + db_ + " ";
  fake_.mode_ = FakeImageClassifier::kFail;
  CliRun failed = RunVigil(scan + "'" + bright_ + "'");
  EXPECT_EQ(failed.exit_code, 10) << failed.err;  // UNAVAILABLE
  EXPECT_EQ(failed.out, "");
  EXPECT_NE(failed.err.find(bright_), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("classifier:vendor-image@3"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("kept in the database for a retry, attempt 1"), std::string::npos)
      << failed.err;
  EXPECT_EQ(Kept(), 1u);
  EXPECT_EQ(RunVigil("cases list -f jsonl " + db_).out, "");  // nothing filed

  fake_.mode_ = FakeImageClassifier::kSlow;  // past the 300 ms timeout
  CliRun slow = RunVigil(scan);              // no inputs: the kept items only
  EXPECT_EQ(slow.exit_code, 10) << slow.err;
  EXPECT_NE(slow.err.find("attempt 2"), std::string::npos) << slow.err;
  EXPECT_NE(slow.err.find("kept item " + bright_), std::string::npos) << slow.err;
  EXPECT_EQ(Kept(), 1u);

  fake_.mode_ = FakeImageClassifier::kHealthy;
  CliRun healthy = RunVigil(scan);
  ASSERT_EQ(healthy.exit_code, 0) << healthy.err;
  auto rows = JsonLines(healthy.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["file"], bright_);  // the original item, not the kept copy
  ASSERT_TRUE(rows[0].contains("case_id"));
  EXPECT_EQ(Kept(), 0u);
  CliRun show = RunVigil("cases show " + rows[0]["case_id"].dump() + " -f jsonl " + db_);
  auto c = JsonLines(show.out).at(0);
  EXPECT_EQ(c["account_id"], "acct-1");
  EXPECT_EQ(c["items"][0]["item_id"], bright_);
  CliRun again = RunVigil(scan);  // nothing kept and no inputs: nothing to do
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "");

  // Kept under its own account: a later scan for another account files it under the first.
  fake_.mode_ = FakeImageClassifier::kFail;
  EXPECT_EQ(RunVigil(scan + "--surface chat --region non-eu '" + dark_ + "'").exit_code, 10);
  EXPECT_EQ(Kept(), 1);
  {
    // Kept with where it was scanned, so the retry counts it there (Art 8).
    SQLite::Database raw((dir_.path() / "v.db").string());
    SQLite::Statement q(raw, "SELECT surface, region FROM classify_retries");
    ASSERT_TRUE(q.executeStep());
    EXPECT_EQ(q.getColumn(0).getString(), "chat");
    EXPECT_EQ(q.getColumn(1).getString(), "non-eu");
  }
  fake_.mode_ = FakeImageClassifier::kHealthy;
  CliRun other = RunVigil("scan -f jsonl --account acct-2 --classifiers '" + Config(true) + "' " +
                          db_ + " '" + bright_ + "'");
  ASSERT_EQ(other.exit_code, 0) << other.err;
  auto both = JsonLines(other.out);
  ASSERT_EQ(both.size(), 2u);  // the input, then the kept item
  EXPECT_EQ(both[1]["file"], dark_);
  EXPECT_EQ(both[1]["flagged"], false);  // 0.2: counted, not filed
  EXPECT_EQ(Kept(), 0);
}

TEST_F(ScanClassifiersCliTest, MissingCorruptAndBadConfigurationsAreClearErrors) {
  const std::string scan = "scan -q --account a " + db_ + " '" + bright_ + "' --classifiers ";
  CliRun none = RunVigil(scan + "'" + (dir_.path() / "nope.json").string() + "'");
  EXPECT_EQ(none.exit_code, 4) << none.err;
  EXPECT_NE(none.err.find("nope.json"), std::string::npos) << none.err;

  const std::string missing = dir_.Write(
      "missing.json", R"({"classifiers": [{"type": "onnx", "threshold": 0.5, "model": "m",
        "version": "1", "path": "gone.onnx", "input_width": 4, "input_height": 4}]})");
  CliRun gone = RunVigil(scan + "'" + missing + "'");
  EXPECT_EQ(gone.exit_code, 4) << gone.err;
  EXPECT_NE(gone.err.find((dir_.path() / "gone.onnx").string()), std::string::npos) << gone.err;

  dir_.Write("junk.onnx", "this is not an ONNX model");
  const std::string corrupt = dir_.Write(
      "corrupt.json", R"({"classifiers": [{"type": "onnx", "threshold": 0.5, "model": "m",
        "version": "1", "path": "junk.onnx", "input_width": 4, "input_height": 4}]})");
  CliRun junk = RunVigil(scan + "'" + corrupt + "'");
  EXPECT_EQ(junk.exit_code, 3) << junk.err;
  EXPECT_NE(junk.err.find("junk.onnx"), std::string::npos) << junk.err;

  const std::string no_threshold =
      dir_.Write("nothr.json", R"({"classifiers": [{"type": "onnx", "model": "m", "version": "1",
        "path": "mean.onnx", "input_width": 4, "input_height": 4}]})");
  CliRun nothr = RunVigil(scan + "'" + no_threshold + "'");
  EXPECT_EQ(nothr.exit_code, 3) << nothr.err;
  EXPECT_NE(nothr.err.find("nothr.json: classifiers[0]: 'threshold'"), std::string::npos)
      << nothr.err;

  CliRun both = RunVigil("scan --conversation --account a " + db_ + " x.json --classifiers '" +
                         Config(false) + "'");
  EXPECT_EQ(both.exit_code, 3) << both.err;
  CliRun nothing = RunVigil("scan --account a " + db_);
  EXPECT_EQ(nothing.exit_code, 3) << nothing.err;
  EXPECT_NE(nothing.err.find("nothing to scan"), std::string::npos) << nothing.err;
}

}  // namespace
}  // namespace vigil::testing
