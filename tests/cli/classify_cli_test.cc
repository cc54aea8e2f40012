// `vigil classify` on the shipped example rules and synthetic (benign) conversations.
#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "cli/cli_runner.h"

namespace vigil::testing {
namespace {

const std::string kRules = std::string(VIGIL_SOURCE_DIR) + "/data/grooming/example-rules.json";
const std::string kData = std::string(VIGIL_SOURCE_DIR) + "/tests/classify/data/";

TEST(ClassifyCliTest, PrintsScoresAndIndicatorsPerConversation) {
  CliRun run = RunVigil("classify --rules '" + kRules + "' '" + kData + "two-adults-en.json' '" +
                        kData + "adult-minor-de.json'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto rows = JsonLines(run.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["conversation"], "conv-adults");
  EXPECT_EQ(rows[0]["model"], "grooming-example");
  EXPECT_EQ(rows[0]["score"], 0.375);  // secrecy .25 + image_request .125
  ASSERT_EQ(rows[0]["indicators"].size(), 2u);
  EXPECT_EQ(rows[0]["indicators"][0]["name"], "secrecy");
  EXPECT_EQ(rows[0]["indicators"][0]["messages"], nlohmann::json::array({"m1"}));
  EXPECT_EQ(rows[1]["score"], 0.375);  // age_gap .25 + image_request .125
  EXPECT_FALSE(rows[0].contains("action"));
}

TEST(ClassifyCliTest, DetectRulesShowTheDecisionWhichIsReviewNeverAutoAction) {
  TempDir dir;
  const std::string rules = dir.Write(
      "rules.json", R"({"auto_action_enabled": true, "rules": [{"detector": "classifier:*",
        "min_score": 0.5, "action": "auto_action", "priority": 90}]})");
  CliRun run = RunVigil("classify --rules '" + kRules + "' --detect-rules '" + rules + "' '" +
                        kData + "adult-minor-en.json' '" + kData + "two-adults-en.json'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto rows = JsonLines(run.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["score"], 1.0);
  EXPECT_EQ(rows[0]["action"], "review");
  EXPECT_EQ(rows[0]["technologies"][0], "classifier:grooming-example@1 s>=0.5");
  EXPECT_EQ(rows[1]["action"], "ignore");  // 0.375 is below the threshold
}

TEST(ClassifyCliTest, BadInputsAreNamed) {
  TempDir dir;
  const std::string bad = dir.Write("bad.json", "{\"participants\": 1}");
  CliRun run =
      RunVigil("classify --rules '" + kRules + "' '" + bad + "' '" + kData + "two-adults-en.json'");
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("bad.json"), std::string::npos) << run.err;
  EXPECT_EQ(JsonLines(run.out).size(), 1u);  // the good file is still scored
  const std::string french =
      dir.Write("fr.json", R"({"language": "fr", "participants": [{"id": "a"}], "messages": []})");
  run = RunVigil("classify --rules '" + kRules + "' '" + french + "'");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("language 'fr'"), std::string::npos) << run.err;
  run = RunVigil("classify --rules /nonexistent/rules.json '" + french + "'");
  EXPECT_EQ(run.exit_code, 4) << run.err;
}

TEST(CalibrateCliTest, AnEmptyStoreAndBadOptionsAreClearErrors) {
  TempDir dir;
  const std::string db = (dir.path() / "v.db").string();
  CliRun run = RunVigil("calibrate --technology classifier:g@1 --db '" + db + "'");
  EXPECT_EQ(run.exit_code, 4) << run.err;
  EXPECT_NE(run.err.find("no flags of technology 'classifier:g@1'"), std::string::npos) << run.err;
  run = RunVigil("calibrate --technology g@1 --format xml --db '" + db + "'");
  EXPECT_EQ(run.exit_code, 3) << run.err;
  run = RunVigil("calibrate --technology g@1 --target-precision 1.5 --db '" + db + "'");
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("target precision 1.5 is not in (0, 1)"), std::string::npos) << run.err;
}

// Art 3(1)(c)-(d): a classifier technology is enabled only with a DPIA record (vigil dpia).
void RecordDpia(const std::string& db) {
  ASSERT_EQ(RunVigil("dpia add --technology 'classifier:*' --date 2026-09-01 --authority 'DPC IE' "
                     "--outcome 'no objection' --link https://example.org/dpia --by lead " +
                     db)
                .exit_code,
            0);
}

// A conversation over the threshold becomes a solicitation case pending review with its
// evidence; review outcomes then calibrate the technology.
TEST(ScanConversationCliTest, FlaggedConversationsBecomeReviewCasesWithEvidenceThenCalibrate) {
  TempDir dir;
  const std::string db = "--db '" + (dir.path() / "v.db").string() + "'";
  const std::string rules = dir.Write(
      "rules.json", R"({"auto_action_enabled": true, "rules": [{"detector": "classifier:*",
        "min_score": 0.25, "action": "auto_action", "priority": 90}]})");
  RecordDpia(db);
  CliRun missing = RunVigil("scan --conversation --account acct-1 " + db + " '" + kData +
                            "adult-minor-en.json'");
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("--grooming-rules"), std::string::npos) << missing.err;

  const std::string scan = "scan --conversation -q -f jsonl --grooming-rules '" + kRules +
                           "' --rules '" + rules + "' --no-grouping " + db + " --account ";
  CliRun run = RunVigil(scan + "acct-1 '" + kData + "adult-minor-en.json' '" + kData +
                        "two-adults-en.json'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto rows = JsonLines(run.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["score"], 1.0);
  EXPECT_EQ(rows[0]["action"], "review");  // never automatic action (Art 3(1)(g)(iii))
  EXPECT_EQ(rows[0]["technologies"][0], "classifier:grooming-example@1 s>=0.25");
  EXPECT_EQ(rows[1]["score"], 0.375);
  ASSERT_TRUE(rows[0].contains("case_id") && rows[1].contains("case_id"));

  CliRun show = RunVigil("cases show " + rows[0]["case_id"].dump() + " -f jsonl " + db);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  auto c = JsonLines(show.out).at(0);
  EXPECT_EQ(c["state"], "new");
  const auto& item = c["items"][0];
  EXPECT_EQ(item["item_id"], "conv-en");
  EXPECT_EQ(item["content_type"], "conversation");
  const auto& flag = item["flags"][0];
  EXPECT_EQ(flag["category"], "solicitation");
  EXPECT_EQ(flag["value"], 1.0);
  bool secrecy = false;
  for (const auto& e : flag["evidence"]) {
    if (e["indicator"] == "secrecy") {
      secrecy = true;
      EXPECT_EQ(e["messages"], nlohmann::json::array({"m3"}));
    }
  }
  EXPECT_TRUE(secrecy) << flag.dump();

  // Review: the 1.0 conversation confirmed, the 0.375 one not; then calibrate.
  const std::vector<std::pair<std::string, std::string>> decisions = {
      {rows[0]["case_id"].dump(), "confirmed_solicitation"},
      {rows[1]["case_id"].dump(), "not_csam"}};
  for (const auto& [id, decision] : decisions) {
    ASSERT_EQ(RunVigil("cases claim " + id + " --reviewer alice " + db).exit_code, 0);
    CliRun d = RunVigil("cases decide " + id + " --reviewer alice --decision " + decision +
                        " --rationale checked " + db);
    ASSERT_EQ(d.exit_code, 0) << d.err;
  }
  CliRun cal = RunVigil(
      "calibrate --technology grooming-example@1 --grid-step 0.25 "
      "--target-precision 0.9 --min-reviewed 1 --format json " +
      db);
  ASSERT_EQ(cal.exit_code, 0) << cal.err;
  auto j = nlohmann::json::parse(cal.out);
  EXPECT_EQ(j["flags"], 2);
  EXPECT_EQ(j["reviewed"], 2);
  EXPECT_EQ(j["confirmed"], 1);
  EXPECT_EQ(j["operating_threshold"], 0.25);
  ASSERT_EQ(j["rows"].size(), 5u);  // 0, 0.25, 0.5, 0.75, 1
  EXPECT_EQ(j["rows"][0]["known"], false);
  EXPECT_EQ(j["rows"][1]["precision"], 0.5);  // 1 of 2 at 0.25
  EXPECT_EQ(j["rows"][2]["precision"], 1.0);  // only the 1.0 conversation at 0.5
  EXPECT_EQ(j["rows"][2]["recall"], 1.0);
  EXPECT_EQ(j["threshold"], 0.5);
}

// Stands in for a hosted text classifier on a loopback port: down (503), nonsense, or healthy.
class FakeTextClassifier {
 public:
  enum Mode { kDown, kNonsense, kHealthy };
  FakeTextClassifier() {
    server_.Post("/classify", [this](const httplib::Request&, httplib::Response& res) {
      if (mode_ == kDown) {
        res.status = 503;
      } else {
        res.set_content(mode_ == kNonsense ? R"({"score": 7})" : R"({"score": 0.9})",
                        "application/json");
      }
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeTextClassifier() {
    server_.stop();
    thread_.join();
  }
  std::string config() const {
    return fmt::format(
        R"({{"model": "vendor-text", "version": "2", "url": "http://127.0.0.1:{}/classify",
            "timeout_ms": 2000, "max_attempts": 1, "backoff_ms": 1, "breaker_failures": 100}})",
        port_);
  }
  std::atomic<int> mode_{kDown};

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// Conversations kept for a retry in the database (classify_retries, migration 21).
int64_t KeptIn(const std::filesystem::path& db) {
  SQLite::Database raw(db.string());
  SQLite::Statement q(raw, "SELECT COUNT(*) FROM classify_retries WHERE kind = 'conversation'");
  q.executeStep();
  return q.getColumn(0).getInt64();
}

// Classifier timeouts and nonsense scores keep the conversation for a retry (nothing lost);
// bad input (invalid UTF-8, oversized) is refused naming the file and never kept.
TEST(ScanConversationCliTest, FailedClassificationsAreKeptAndRetriedBadInputIsRefused) {
  TempDir dir;
  FakeTextClassifier fake;
  const std::filesystem::path db_path = dir.path() / "v.db";
  const std::string db = "--db '" + db_path.string() + "'";
  const std::string rules =
      dir.Write("rules.json", R"({"rules": [{"detector": "classifier:*", "min_score": 0.5,
        "action": "review", "priority": 60}]})");
  const std::string http = dir.Write("http.json", fake.config());
  const std::string combine = dir.Write("combine.json", R"({"mode": "max"})");
  const std::string bad_utf8 =
      dir.Write("bad.json",
                "{\"id\": \"x\", \"participants\": [{\"id\": \"a\"}], \"messages\": [{\"id\": "
                "\"m1\", \"from\": \"a\", \"time\": 1, \"text\": \"\xff\xfe\"}]}");
  const std::string huge = dir.Write("huge.json", std::string((16u << 20) + 1, ' '));
  RecordDpia(db);
  const std::string scan = "scan --conversation -f jsonl --grooming-rules '" + kRules +
                           "' --rules '" + rules + "' --text-classifier '" + http +
                           "' --combine '" + combine + "' " + db + " --account acct-1";

  CliRun down =
      RunVigil(scan + " '" + kData + "two-adults-en.json' '" + bad_utf8 + "' '" + huge + "'");
  EXPECT_EQ(down.exit_code, 1) << down.err;  // several inputs failed
  EXPECT_EQ(down.out, "");
  EXPECT_NE(down.err.find("two-adults-en.json"), std::string::npos) << down.err;
  EXPECT_NE(down.err.find("kept in the database for a retry, attempt 1"), std::string::npos)
      << down.err;
  EXPECT_NE(down.err.find("bad.json"), std::string::npos) << down.err;
  EXPECT_NE(down.err.find("UTF-8"), std::string::npos) << down.err;
  EXPECT_NE(down.err.find("huge.json"), std::string::npos) << down.err;
  EXPECT_EQ(KeptIn(db_path), 1u);  // only the classifier's failure is kept

  fake.mode_ = FakeTextClassifier::kNonsense;
  CliRun nonsense = RunVigil(scan);                   // no inputs: the kept conversations only
  EXPECT_EQ(nonsense.exit_code, 11) << nonsense.err;  // DATA_LOSS
  EXPECT_NE(nonsense.err.find("attempt 2"), std::string::npos) << nonsense.err;
  EXPECT_EQ(KeptIn(db_path), 1u);
  EXPECT_EQ(RunVigil("cases list -f jsonl --state new " + db).out, "");  // nothing flagged yet

  fake.mode_ = FakeTextClassifier::kHealthy;
  CliRun healthy = RunVigil(scan);
  ASSERT_EQ(healthy.exit_code, 0) << healthy.err;
  auto rows = JsonLines(healthy.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["score"], 0.9);  // max(indicators 0.375, external 0.9)
  EXPECT_EQ(rows[0]["technologies"][0], "classifier:grooming-combined@1 s>=0.5");
  EXPECT_EQ(KeptIn(db_path), 0u);
  CliRun show = RunVigil("cases show " + rows[0]["case_id"].dump() + " -f jsonl " + db);
  auto flag = JsonLines(show.out).at(0)["items"][0]["flags"][0];
  std::vector<std::string> indicators;
  for (const auto& e : flag["evidence"]) indicators.push_back(e["indicator"]);
  EXPECT_EQ(indicators, (std::vector<std::string>{"secrecy", "image_request", "indicator_score",
                                                  "external_score"}));
  EXPECT_EQ(RunVigil(scan).exit_code, 0);  // nothing kept and no inputs: nothing to do
}

}  // namespace
}  // namespace vigil::testing
