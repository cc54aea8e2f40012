// The server's key flows on both backends, SQLite and PostgreSQL (a scratch database per test on
// the server named by VIGIL_TEST_POSTGRES_URL; skipped with a message without it): HMA banks,
// signals, lookups and retirement; an item through the pipeline into review, a confirming
// decision that queues its hotline reports and the Art 3(1)(j) overdue list; API keys and
// revocation; every change in an intact audit chain.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "audit/audit.h"
#include "bank/bank_store.h"
#include "server_env.h"

namespace vigil::server::testing {
namespace {

using auth::Role;
using store::testing::Backend;

// Two PDQ hashes 3 bits apart, and a far one.
constexpr char kPdq[] = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
constexpr char kNear[] = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b25";
constexpr char kFar[] = "07070f311f0b57b0f9c8f5ddfc709c0f4c91d12a699de1e2cc194c63b16364dd";

class ServerBackendTest : public ServerTest, public ::testing::WithParamInterface<Backend> {
 protected:
  bool UsePostgres() const override { return GetParam() == Backend::kPostgres; }

  int64_t AddSignal(const std::string& bank, const std::string& pdq) {
    nlohmann::json j = Json(PostJson("/c/bank/" + bank + "/signal",
                                     nlohmann::json{{"pdq", pdq}}.dump(), Role::kBankManager),
                            200);
    return j.value("id", int64_t{0});
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, ServerBackendTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         store::testing::BackendTestName);

TEST_P(ServerBackendTest, HmaSignalsAreLookedUpAndStopMatchingWhenRetired) {
  Json(PostJson("/c/banks", R"({"name": "A"})", Role::kBankManager), 201);
  Json(PostJson("/c/banks", R"({"name": "B"})", Role::kBankManager), 201);
  Json(PostJson("/c/banks", R"({"name": "A"})", Role::kBankManager), 409);
  const int64_t a = AddSignal("A", kPdq);
  const int64_t b = AddSignal("B", kNear);
  const std::string q = std::string("?signal_type=pdq&signal=") + kPdq;
  EXPECT_EQ(Json(Get("/m/lookup" + q, Role::kIngestClient), 200),
            (nlohmann::json{{"A", {{{"bank_content_id", a}, {"distance", "0"}}}},
                            {"B", {{{"bank_content_id", b}, {"distance", "3"}}}}}));
  EXPECT_EQ(Json(Get("/m/raw_lookup" + q, Role::kIngestClient), 200),
            (nlohmann::json{{"matches", {a, b}}}));
  EXPECT_EQ(
      Json(Get(std::string("/m/lookup?signal_type=pdq&signal=") + kFar, Role::kIngestClient), 200),
      nlohmann::json::object());
  EXPECT_EQ(Json(Delete("/c/bank/A/content/" + std::to_string(a), Role::kBankManager), 200),
            (nlohmann::json{{"deleted", 1}, {"retired", true}}));
  EXPECT_EQ(Json(Get("/m/lookup" + q, Role::kIngestClient), 200),
            (nlohmann::json{{"B", {{{"bank_content_id", b}, {"distance", "3"}}}}}));
  EXPECT_TRUE(db_->banks().GetEntry(a)->retired);
  EXPECT_EQ(Json(Get("/m/index/status?signal_type=pdq", Role::kReporter), 200)["pdq"]["size"], 1);
  // A new PDQ through /v1 matches at once, with its verification state from the store.
  Json(
      PostJson("/v1/banks/B/entries",
               nlohmann::json{{"signal_type", "pdq"}, {"signal", kFar}}.dump(), Role::kBankManager),
      201);
  nlohmann::json m =
      Json(PostJson("/v1/match", nlohmann::json{{"signal_type", "pdq"}, {"signal", kFar}}.dump(),
                    Role::kIngestClient),
           200);
  ASSERT_EQ(m["matches"].size(), 1u);
  EXPECT_EQ(m["matches"][0]["bank"], "B");
  EXPECT_EQ(m["matches"][0]["needs_verification"], false);
}

TEST_P(ServerBackendTest, AConfirmingDecisionQueuesReportsAndOverdueCasesAreListed) {
  auto clock = std::make_shared<FakeClock>(SystemClock().Now());
  clock_ = clock;
  ServerConfig config = DefaultConfig();
  config.reporting_file = path_ + ".reporting.json";
  { std::ofstream(config.reporting_file) << R"({"destinations": ["ncmec", "nl-authority"]})"; }
  StartServer(config);
  std::filesystem::remove(config.reporting_file);

  Json(PostJson("/v1/banks", R"({"name": "ncmec"})", Role::kBankManager), 201);
  const std::string bmp = TexturedBmp(1);
  nlohmann::json h =
      Json(PostFiles("/v1/hash", {{"file", bmp, "a.bmp", ""}}, Role::kIngestClient), 200);
  Json(PostJson("/v1/banks/ncmec/entries",
                nlohmann::json{{"signal_type", "pdq"}, {"signal", h["pdq"]}}.dump(),
                Role::kBankManager),
       201);
  nlohmann::json item = Json(PostFiles("/v1/items",
                                       {{"file", bmp, "a.bmp", ""},
                                        {"item_id", "item-1", "", ""},
                                        {"account_id", "acct-1", "", ""},
                                        {"region", "eu", "", ""}},
                                       Role::kIngestClient),
                             200);
  ASSERT_EQ(item["flagged"], true) << item;
  const int64_t id = item["case_id"].get<int64_t>();
  EXPECT_EQ(Json(Get("/v1/review/queue", Role::kReviewer), 200)["cases"][0]["id"], id);
  Json(PostJson("/v1/review/claim", "", Role::kReviewer), 200);
  const std::string c = "/v1/cases/" + std::to_string(id);
  EXPECT_EQ(Json(PostJson(c + "/decision", R"({"decision": "confirmed_known"})", Role::kReviewer),
                 400)["field"],
            "rationale");
  Json(PostJson(c + "/decision", R"({"decision": "confirmed_known", "rationale": "r"})",
                Role::kReviewer),
       200);
  auto requests = db_->cases().ListReportRequests(0, 10);
  ASSERT_TRUE(requests.ok()) << requests.status().ToString();
  ASSERT_EQ(requests->size(), 2u);
  EXPECT_EQ((*requests)[0].destination, "ncmec");
  EXPECT_EQ((*requests)[1].destination, "nl-authority");
  EXPECT_EQ((*requests)[1].case_id, id);
  EXPECT_EQ(Json(Get("/v1/reports/overdue", Role::kAuditor), 200)["overdue"].size(), 0u);
  clock->Advance(std::chrono::hours(25));
  nlohmann::json late = Json(Get("/v1/reports/overdue", Role::kAuditor), 200);
  EXPECT_EQ(late["limit_seconds"], 86400);  // the default 24 h
  ASSERT_EQ(late["overdue"].size(), 1u);
  EXPECT_EQ(late["overdue"][0]["case_id"], id);
  EXPECT_EQ(late["overdue"][0]["waiting_seconds"], 25 * 3600);
  EXPECT_EQ(Json(Get(c, Role::kAuditor), 200)["state"], "decided");
}

TEST_P(ServerBackendTest, KeysAreRevokedAtOnceAndEveryChangeIsInAnIntactAuditChain) {
  nlohmann::json created = Json(
      PostJson("/v1/keys", R"({"name": "uploader", "roles": ["ingest-client"]})", Role::kAdmin),
      201);
  const std::string secret = created.value("secret", "");
  ASSERT_FALSE(secret.empty()) << created;
  const httplib::Headers with_key = {{"Authorization", "Bearer " + secret}};
  auto ok = client_->Get("/m/index/status", with_key);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  Json(PostJson("/v1/keys/uploader/revoke", "", Role::kAdmin), 200);
  auto revoked = client_->Get("/m/index/status", with_key);
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->status, 401);
  Json(PostJson("/c/banks", R"({"name": "A"})", Role::kBankManager), 201);
  const auto records = AuditLog();
  std::vector<std::string> actions;
  for (const auto& r : records) actions.push_back(r.event.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"POST /v1/keys", "POST /v1/keys/{name}/revoke",
                                               "POST /c/banks"}));
  for (const auto& r : records) EXPECT_EQ(r.event.details.find(secret), std::string::npos);
  auto head = audit::VerifyChain(db_->audit());
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->records, 3);
}

// Bank changes made by another process (here another connection to the same database, as
// `vigil bank import` would make them) are matched without a restart: a new bank and entry,
// then a retirement; the server's own changes do not cause a reload.
TEST_P(ServerBackendTest, BankChangesByAnotherProcessAreMatchedWithoutRestart) {
  auto clock = std::make_shared<FakeClock>(SystemClock().Now());
  clock_ = clock;
  ServerConfig config = DefaultConfig();
  config.bank_poll = std::chrono::seconds(1);
  StartServer(config);
  auto other = store::OpenDatabase(url_);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  bank::BankStore& banks = (*other)->banks();
  const std::string q = std::string("/m/lookup?signal_type=pdq&signal=") + kPdq;
  // Waits (up to 15 s: polls are 1 s apart) until the lookup answers `want`.
  const auto await = [&](const nlohmann::json& want) {
    nlohmann::json got;
    for (int i = 0; i < 150; ++i) {
      got = Json(Get(q, Role::kIngestClient), 200);
      if (got == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "lookup still answers " << got << ", not " << want;
    return false;
  };
  const auto built_to = [&] {
    return Json(Get("/m/index/status?signal_type=pdq", Role::kReporter), 200)["pdq"]["built_to"];
  };

  auto ext = banks.CreateBank({.name = "ext"});
  ASSERT_TRUE(ext.ok()) << ext.status().ToString();
  clock->Advance(std::chrono::seconds(10));
  ASSERT_TRUE(
      bank::AddEntry(banks, ext->id, {.signal_type = bank::SignalType::kPdq, .value = kPdq}).ok());
  const int64_t id = banks.FindEntry(ext->id, bank::SignalType::kPdq, kPdq)->id;
  ASSERT_TRUE(await({{"ext", {{{"bank_content_id", id}, {"distance", "0"}}}}}));
  EXPECT_EQ(built_to(), clock->Now().time_since_epoch().count());  // reloaded

  // The server's own changes are applied live and do not look like another process's.
  clock->Advance(std::chrono::seconds(10));
  const nlohmann::json before = built_to();
  const int64_t own = AddSignal("ext", kNear);
  Json(Delete("/c/bank/ext/content/" + std::to_string(own), Role::kBankManager), 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // two polls
  EXPECT_EQ(built_to(), before);

  ASSERT_TRUE(banks.RetireEntry(id, "withdrawn by the source").ok());
  ASSERT_TRUE(await(nlohmann::json::object()));
  EXPECT_EQ(built_to(), clock->Now().time_since_epoch().count());
}

}  // namespace
}  // namespace vigil::server::testing
