// POST /v1/items runs the image classifiers of the server's "classifiers" file (issue 10), as
// `vigil scan --classifiers` does: a local ONNX model (mean brightness, written by the test) and a
// hosted classifier on loopback score every upload; a score at or above its threshold files the
// item as new material pending human confirmation (Art 3(1)(g)(iii)), never acted on; a
// classifier that fails keeps the item in the database for a retry and files nothing. Inputs are
// uniform grey images whose scores are known by hand (grey level / 255).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "../classify/onnx_model.h"
#include "privacy/account_identity.h"
#include "privacy/evidence_store.h"
#include "server_env.h"

namespace vigil::server::testing {
namespace {

using auth::Role;
using classify::testing::MeanBrightnessOnnx;
using classify::testing::UniformGreyBmp;

// A hosted image classifier on a loopback port that fails (500) or scores every image 0.9.
class FakeHostedClassifier {
 public:
  FakeHostedClassifier() {
    server_.Post("/score", [this](const httplib::Request&, httplib::Response& res) {
      ++calls;
      if (failing) {
        res.status = 500;
        return;
      }
      res.set_content(R"({"score": 0.9})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeHostedClassifier() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::atomic<bool> failing{false};
  std::atomic<int> calls{0};

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

class ServerClassifiersTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (HasFatalFailure()) return;
    Write(path_ + "-mean.onnx", MeanBrightnessOnnx(1, 4, 4));
    // Relative model paths are relative to the classifiers file, as in the scan.
    const std::string model = std::filesystem::path(path_ + "-mean.onnx").filename().string();
    classifiers_ = path_ + "-classifiers.json";
    Write(classifiers_, fmt::format(R"({{"classifiers": [
        {{"type": "onnx", "threshold": 0.5, "priority": 70, "model": "mean", "version": "1",
          "path": "{}", "input_width": 4, "input_height": 4, "channels": 1}},
        {{"type": "http", "threshold": 0.95, "model": "vendor-image", "version": "3",
          "url": "http://127.0.0.1:{}/score", "timeout_ms": 500, "max_attempts": 1,
          "backoff_ms": 1, "breaker_failures": 100}}]}})",
                                    model, hosted_.port()));
  }
  void TearDown() override {
    ServerTest::TearDown();
    for (const std::string& f : {path_ + "-mean.onnx", classifiers_}) std::filesystem::remove(f);
  }
  static void Write(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
  }
  ServerConfig WithClassifiers() const {
    ServerConfig c = DefaultConfig();
    c.classifiers_file = classifiers_;
    return c;
  }
  void Dpia(const std::string& technology) {
    privacy::DpiaRecord r;
    r.technology = technology;
    r.assessed_on = SystemClock().Now();
    r.authority = "DPC IE";
    r.outcome = "no objection";
    r.link = "https://example.org/dpia";
    r.recorded_by = "lead";
    r.recorded_at = SystemClock().Now();
    auto added = db_->privacy().AddDpia(r);
    ASSERT_TRUE(added.ok()) << added.status().ToString();
  }
  httplib::Result Submit(const std::string& item, uint8_t grey) {
    return PostFiles("/v1/items",
                     {{"file", UniformGreyBmp(8, 8, grey), "a.bmp", ""},
                      {"item_id", item, "", ""},
                      {"account_id", "acct-1", "", ""},
                      {"region", "eu", "", ""}},
                     Role::kIngestClient);
  }
  std::vector<classify::RetryItem> Kept() {
    auto kept = db_->classify_retries().Pending(classify::RetryKind::kMedia, 100);
    EXPECT_TRUE(kept.ok()) << kept.status().ToString();
    return kept.ok() ? *kept : std::vector<classify::RetryItem>{};
  }

  FakeHostedClassifier hosted_;
  std::string classifiers_;
};

TEST_F(ServerClassifiersTest, EachClassifierNeedsItsDpiaRecordBeforeTheServerStarts) {
  Dpia("classifier:mean");
  auto refused = Server::Create(WithClassifiers(), *db_, *recorder_, nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("classifier:vendor-image"), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find(classifiers_), std::string::npos);
  EXPECT_EQ(hosted_.calls, 0);
}

TEST_F(ServerClassifiersTest, AScoreOverTheThresholdOpensANewMaterialCaseForConfirmation) {
  Dpia("classifier:mean");
  Dpia("classifier:vendor-image");
  StartServer(WithClassifiers());
  nlohmann::json bright = Json(Submit("bright-1", 204), 200);  // mean 204/255 = 0.8
  EXPECT_EQ(bright["flagged"], true) << bright;
  EXPECT_EQ(bright["action"], "review");
  EXPECT_EQ(bright["needs_human_confirmation"], true);
  EXPECT_EQ(bright["priority"], 70);
  // The hosted model's 0.9 is below its 0.95 threshold: only the local model flags.
  EXPECT_EQ(bright["technologies"], nlohmann::json::array({"classifier:mean@1 s>=0.5"}));
  ASSERT_EQ(bright["classifier_scores"].size(), 2u);
  EXPECT_EQ(bright["classifier_scores"][0]["technology"], "classifier:mean@1");
  EXPECT_NEAR(bright["classifier_scores"][0]["score"].get<double>(), 0.8, 1e-5);
  EXPECT_EQ(bright["classifier_scores"][1]["technology"], "classifier:vendor-image@3");
  EXPECT_NEAR(bright["classifier_scores"][1]["score"].get<double>(), 0.9, 1e-9);
  ASSERT_TRUE(bright.contains("case_id"));

  // In the review queue, never acted on: the flag is new material with its evidence.
  auto c = db_->cases().GetCase(bright["case_id"].get<int64_t>());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->progress.state, cases::CaseState::kNew);
  EXPECT_FALSE(c->progress.actioned_at.has_value());
  ASSERT_EQ(c->items.size(), 1u);
  EXPECT_EQ(c->items[0].item_id, "bright-1");
  ASSERT_EQ(c->items[0].flags.size(), 1u);
  const cases::Flag& flag = c->items[0].flags[0];
  EXPECT_EQ(flag.category, cases::FlagCategory::kNew);
  EXPECT_EQ(flag.technology, "classifier:mean@1 s>=0.5");
  EXPECT_NEAR(flag.raw_value, 0.8, 1e-5);
  EXPECT_NE(flag.evidence.find("mean"), std::string::npos) << flag.evidence;

  // Below every threshold: not flagged, nothing filed, the scores still answered.
  nlohmann::json dark = Json(Submit("dark-1", 51), 200);  // 0.2
  EXPECT_EQ(dark["flagged"], false) << dark;
  EXPECT_FALSE(dark.contains("case_id"));
  EXPECT_FALSE(dark.contains("needs_human_confirmation"));
  EXPECT_NEAR(dark["classifier_scores"][0]["score"].get<double>(), 0.2, 1e-5);
  EXPECT_TRUE(Kept().empty());
}

TEST_F(ServerClassifiersTest, AFailedClassifierKeepsTheItemForARetryAndFilesNothing) {
  Dpia("classifier:mean");
  Dpia("classifier:vendor-image");
  StartServer(WithClassifiers());
  hosted_.failing = true;
  nlohmann::json kept = Json(Submit("bright-2", 204), 202);
  EXPECT_EQ(kept["kept_for_retry"], true) << kept;
  EXPECT_EQ(kept["attempts"], 1);
  EXPECT_NE(kept["message"].get<std::string>().find("vendor-image"), std::string::npos) << kept;
  EXPECT_FALSE(kept.contains("case_id"));
  auto items = Kept();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].source, "bright-2");
  EXPECT_EQ(items[0].account_id, "acct-1");
  // Where it was uploaded, so the retry counts it there (Art 8).
  EXPECT_EQ(items[0].surface, "api");
  EXPECT_EQ(items[0].region, "eu");
  EXPECT_FALSE(items[0].sealed_account_id.has_value()) << "no pseudonymisation configured";
  EXPECT_EQ(items[0].bytes.size(), UniformGreyBmp(8, 8, 204).size());
  EXPECT_EQ(items[0].attempts, 1);
  auto queue = db_->cases().ListCases({});
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  EXPECT_TRUE(queue->empty()) << "a kept item must not be filed";
  // Sent again while the classifier still fails: the same kept item, one more attempt.
  EXPECT_EQ(Json(Submit("bright-2", 204), 202)["attempts"], 2);
  ASSERT_EQ(Kept().size(), 1u);

  // Once the classifier answers, the item is filed and leaves the retry store.
  hosted_.failing = false;
  nlohmann::json filed = Json(Submit("bright-2", 204), 200);
  EXPECT_EQ(filed["flagged"], true) << filed;
  EXPECT_TRUE(filed.contains("case_id"));
  EXPECT_TRUE(Kept().empty());
}

// The server tries its kept items again by itself (issue 10 follow-up): while the classifier
// still fails each round adds an attempt; once it answers, the item is filed under the account
// it was uploaded with and leaves the retry store, with no client sending it again.
TEST_F(ServerClassifiersTest, TheServerRetriesItsKeptItemsItself) {
  Dpia("classifier:mean");
  Dpia("classifier:vendor-image");
  ServerConfig c = WithClassifiers();
  c.classifier_retry_interval = std::chrono::seconds(1);
  StartServer(c);
  hosted_.failing = true;
  ASSERT_EQ(Json(Submit("bright-3", 204), 202)["attempts"], 1);
  auto await = [&](auto done) {
    for (int i = 0; i < 200 && !done(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
  };
  EXPECT_TRUE(await([&] {
    auto kept = Kept();
    return kept.size() == 1 && kept[0].attempts >= 2;
  })) << "no retry round while the classifier failed";
  auto queue = db_->cases().ListCases({});
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  EXPECT_TRUE(queue->empty()) << "filed while a classifier still failed";

  hosted_.failing = false;
  ASSERT_TRUE(await([&] { return Kept().empty(); })) << "the kept item was never filed";
  queue = db_->cases().ListCases({});
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  ASSERT_EQ(queue->size(), 1u);
  auto filed = db_->cases().GetCase(queue->front().id);
  ASSERT_TRUE(filed.ok()) << filed.status().ToString();
  EXPECT_EQ(filed->account_id, "acct-1");
  EXPECT_EQ(filed->progress.state, cases::CaseState::kNew);
  ASSERT_EQ(filed->items.size(), 1u);
  EXPECT_EQ(filed->items[0].item_id, "bright-3");
  ASSERT_EQ(filed->items[0].flags.size(), 1u);
  EXPECT_EQ(filed->items[0].flags[0].technology, "classifier:mean@1 s>=0.5");
  EXPECT_NEAR(filed->items[0].flags[0].raw_value, 0.8, 1e-5);
}

// With pseudonymisation, a kept item holds the pseudonym and the clear id sealed for it, never
// the clear id; the retry files the case under the pseudonym and keeps the clear id sealed with
// it for a hotline report, as an upload filed at once would.
TEST_F(ServerClassifiersTest, AKeptItemKeepsItsClearAccountIdSealedForTheCaseItsRetryFiles) {
  constexpr char kClear[] = "clear-account-id-4711";
  constexpr char kEvidenceKeys[] =
      "m1 0101010101010101010101010101010101010101010101010101010101010101\n";
  constexpr char kPseudonymKeys[] =
      "k1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
  Write(path_ + ".ev.keys", kEvidenceKeys);
  Write(path_ + ".p.keys", kPseudonymKeys);
  Dpia("classifier:mean");
  Dpia("classifier:vendor-image");
  ServerConfig c = WithClassifiers();
  c.evidence_dir = path_ + ".evidence";
  c.evidence_keys_file = path_ + ".ev.keys";
  c.pseudonym_keys_file = path_ + ".p.keys";
  c.classifier_retry_interval = std::chrono::seconds(1);
  hosted_.failing = true;
  StartServer(c);
  auto pseudonyms = privacy::LoadPseudonymiser("", kPseudonymKeys, "");
  auto cipher = privacy::LoadEvidenceCipher("", kEvidenceKeys, "");
  ASSERT_TRUE(pseudonyms.ok() && cipher.ok());
  const std::string pseudonym = pseudonyms->Pseudonymise(kClear);

  Json(PostFiles("/v1/items",
                 {{"file", UniformGreyBmp(8, 8, 204), "a.bmp", ""},
                  {"item_id", "bright-4", "", ""},
                  {"account_id", kClear, "", ""}},
                 Role::kIngestClient),
       202);
  auto kept = Kept();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].account_id, pseudonym);
  ASSERT_TRUE(kept[0].sealed_account_id.has_value());
  EXPECT_EQ(kept[0].sealed_account_id->find(kClear), std::string::npos);

  hosted_.failing = false;
  for (int i = 0; i < 200 && !Kept().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(Kept().empty()) << "the kept item was never filed";
  auto queue = db_->cases().ListCases({});
  ASSERT_TRUE(queue.ok() && queue->size() == 1u);
  const int64_t id = queue->front().id;
  EXPECT_EQ(db_->cases().GetCase(id)->account_id, pseudonym);
  auto clear = privacy::RevealClearAccountId(db_->privacy(), *cipher, id);
  ASSERT_TRUE(clear.ok()) << clear.status().ToString();
  EXPECT_EQ(*clear, std::optional<std::string>(kClear));
  for (const std::string& f : {path_ + ".ev.keys", path_ + ".p.keys"}) std::filesystem::remove(f);
  std::filesystem::remove_all(path_ + ".evidence");
}

// Bad input from the database: a kept item whose sealed clear id does not open (damaged) is still
// filed by the retry, under its pseudonym, and only the clear id is lost (logged); nothing
// crashes and the item leaves the retry store once filed.
TEST_F(ServerClassifiersTest, AKeptItemWithADamagedSealIsFiledWithoutItsClearId) {
  constexpr char kEvidenceKeys[] =
      "m1 0101010101010101010101010101010101010101010101010101010101010101\n";
  constexpr char kPseudonymKeys[] =
      "k1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
  Write(path_ + ".ev.keys", kEvidenceKeys);
  Write(path_ + ".p.keys", kPseudonymKeys);
  Dpia("classifier:mean");
  Dpia("classifier:vendor-image");
  auto pseudonyms = privacy::LoadPseudonymiser("", kPseudonymKeys, "");
  auto cipher = privacy::LoadEvidenceCipher("", kEvidenceKeys, "");
  ASSERT_TRUE(pseudonyms.ok() && cipher.ok());
  const std::string image = UniformGreyBmp(8, 8, 204);
  const std::vector<uint8_t> bytes(image.begin(), image.end());
  classify::RetryItem kept{.kind = classify::RetryKind::kMedia,
                           .key = classify::RetryKey(bytes),
                           .source = "bright-5",
                           .account_id = pseudonyms->Pseudonymise("someone"),
                           .surface = "api",
                           .region = "eu",
                           .sealed_account_id = std::string(96, '0'),  // hex, but no seal
                           .bytes = bytes,
                           .error = "UNAVAILABLE: down",
                           .attempts = 0,
                           .first_failed_at = {},
                           .last_failed_at = SystemClock().Now()};
  ASSERT_TRUE(db_->classify_retries().Keep(kept).ok());

  ServerConfig c = WithClassifiers();
  c.evidence_dir = path_ + ".evidence";
  c.evidence_keys_file = path_ + ".ev.keys";
  c.pseudonym_keys_file = path_ + ".p.keys";
  c.classifier_retry_interval = std::chrono::seconds(1);
  StartServer(c);
  for (int i = 0; i < 200 && !Kept().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(Kept().empty()) << "the kept item was never filed";
  auto queue = db_->cases().ListCases({});
  ASSERT_TRUE(queue.ok() && queue->size() == 1u);
  EXPECT_EQ(db_->cases().GetCase(queue->front().id)->account_id, kept.account_id);
  auto clear = privacy::RevealClearAccountId(db_->privacy(), *cipher, queue->front().id);
  ASSERT_TRUE(clear.ok()) << clear.status().ToString();
  EXPECT_FALSE(clear->has_value()) << "no clear id could be opened, none is kept";
  for (const std::string& f : {path_ + ".ev.keys", path_ + ".p.keys"}) std::filesystem::remove(f);
  std::filesystem::remove_all(path_ + ".evidence");
}

TEST_F(ServerClassifiersTest, WithoutTheConfigNoClassifierRuns) {
  nlohmann::json out = Json(Submit("plain-1", 204), 200);
  EXPECT_FALSE(out.contains("classifier_scores")) << out;
  EXPECT_EQ(out["flagged"], false);
  EXPECT_EQ(hosted_.calls, 0);
}

TEST(ServerClassifiersConfigTest, TheClassifiersFileIsAConfigEntry) {
  auto c = ParseServerConfig(R"({"classifiers": "/etc/vigil/classifiers.json"})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->classifiers_file, "/etc/vigil/classifiers.json");
  EXPECT_TRUE(ParseServerConfig("{}")->classifiers_file.empty());
  EXPECT_EQ(ParseServerConfig("{}")->classifier_retry_interval, std::chrono::seconds(300));
  EXPECT_EQ(ParseServerConfig(R"({"classifier_retry_seconds": 0})")->classifier_retry_interval,
            std::chrono::seconds(0));
  EXPECT_EQ(ParseServerConfig(R"({"classifier_retry_seconds": 60})")->classifier_retry_interval,
            std::chrono::seconds(60));
  for (const char* retry :
       {R"({"classifier_retry_seconds": 5})", R"({"classifier_retry_seconds": 86401})",
        R"({"classifier_retry_seconds": "60"})"}) {
    auto refused = ParseServerConfig(retry);
    ASSERT_FALSE(refused.ok()) << retry;
    EXPECT_NE(refused.status().message().find("classifier_retry_seconds"), std::string::npos)
        << refused.status().message();
  }
  auto bad = ParseServerConfig(R"({"classifiers": ["a.json"]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("classifiers"), std::string::npos);
}

// A missing or broken classifiers file stops the server from starting, naming the file.
TEST_F(ServerClassifiersTest, ABrokenClassifiersFileIsAnErrorNamingIt) {
  ServerConfig c = DefaultConfig();
  c.classifiers_file = path_ + "-missing.json";
  auto missing = Server::Create(c, *db_, *recorder_, nullptr);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("-missing.json"), std::string::npos);
  Write(classifiers_, R"({"classifiers": [{"type": "onnx", "threshold": 2}]})");
  c.classifiers_file = classifiers_;
  auto broken = Server::Create(c, *db_, *recorder_, nullptr);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(broken.status().message().find(classifiers_), std::string::npos)
      << broken.status().message();
}

}  // namespace
}  // namespace vigil::server::testing
