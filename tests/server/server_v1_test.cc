// vigil's /v1 API end to end on a live server: banks and entries, hash and match, an item
// through the pipeline into a case, the review queue, claim, release, decide; the audit records
// every change and every evidence view; /metrics counts requests, items and the queue.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "server_env.h"

namespace vigil::server::testing {
namespace {

using auth::Role;

constexpr char kPdq[] = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

class V1Test : public ServerTest {
 protected:
  // A bank holding the PDQ hash of TexturedBmp(1), and an item of that image submitted as
  // account "acct-1": returns the opened case's id.
  int64_t OpenCaseThroughPipeline() {
    Json(PostJson("/v1/banks", R"({"name": "ncmec", "owner": "NCMEC"})", Role::kBankManager), 201);
    const std::string bmp = TexturedBmp(1);
    nlohmann::json h =
        Json(PostFiles("/v1/hash", {{"file", bmp, "a.bmp", ""}}, Role::kIngestClient), 200);
    Json(PostJson("/v1/banks/ncmec/entries",
                  nlohmann::json{{"signal_type", "pdq"}, {"signal", h["pdq"]}, {"source_ref", "r1"}}
                      .dump(),
                  Role::kBankManager),
         201);
    nlohmann::json out = Json(PostFiles("/v1/items",
                                        {{"file", bmp, "a.bmp", ""},
                                         {"item_id", "item-1", "", ""},
                                         {"account_id", "acct-1", "", ""},
                                         {"region", "eu", "", ""}},
                                        Role::kIngestClient),
                              200);
    EXPECT_EQ(out["flagged"], true) << out;
    EXPECT_EQ(out["action"], "review");
    return out.value("case_id", int64_t{0});
  }
};

TEST_F(V1Test, BanksEntriesAndMatching) {
  nlohmann::json b =
      Json(PostJson("/v1/banks", R"({"name": "own", "policy": "auto_action"})", Role::kBankManager),
           201);
  EXPECT_EQ(b["policy"], "auto_action");
  EXPECT_EQ(Json(PostJson("/v1/banks", R"({"name": "x", "policy": "yolo"})", Role::kBankManager),
                 400)["field"],
            "policy");
  EXPECT_EQ(Json(PostJson("/v1/banks", R"({"name": "x", "colour": "red"})", Role::kBankManager),
                 400)["field"],
            "colour");
  nlohmann::json e = Json(
      PostJson("/v1/banks/own/entries",
               nlohmann::json{{"signal_type", "pdq"}, {"signal", kPdq}}.dump(), Role::kBankManager),
      201);
  EXPECT_EQ(e["signal"], kPdq);
  EXPECT_EQ(e["bank"], "own");
  nlohmann::json m =
      Json(PostJson("/v1/match", nlohmann::json{{"signal_type", "pdq"}, {"signal", kPdq}}.dump(),
                    Role::kIngestClient),
           200);
  ASSERT_EQ(m["matches"].size(), 1u);
  EXPECT_EQ(m["matches"][0]["entry_id"], e["id"]);
  EXPECT_EQ(m["matches"][0]["auto_action"], true);
  EXPECT_EQ(m["matches"][0]["distance"], 0);
  nlohmann::json low = Json(
      PostJson("/v1/match",
               nlohmann::json{{"signal_type", "pdq"}, {"signal", kPdq}, {"quality", 10}}.dump(),
               Role::kIngestClient),
      200);
  EXPECT_EQ(low["pdq_low_quality"], true);
  EXPECT_EQ(
      Json(PostJson("/v1/match", R"({"signal_type": "pdq", "signal": 5})", Role::kIngestClient),
           400)["field"],
      "signal");
  nlohmann::json stats = Json(Get("/v1/banks/own", Role::kReporter), 200);
  EXPECT_EQ(stats["entries"]["active"], 1);
  nlohmann::json page = Json(Get("/v1/banks/own/entries?limit=1", Role::kAuditor), 200);
  EXPECT_EQ(page["entries"].size(), 1u);
  EXPECT_EQ(Json(Get("/v1/banks/own/entries?limit=0", Role::kAuditor), 400)["field"], "limit");
  const std::string entry = "/v1/entries/" + std::to_string(e["id"].get<int64_t>());
  EXPECT_EQ(Json(Get(entry, Role::kReviewer), 200)["bank"], "own");
  EXPECT_EQ(
      Json(PostJson(entry + "/retire", R"({"reason": ""})", Role::kBankManager), 400)["field"],
      "reason");
  nlohmann::json retired =
      Json(PostJson(entry + "/retire", R"({"reason": "wrong hash"})", Role::kBankManager), 200);
  EXPECT_EQ(retired["retired"], true);
  Json(PostJson(entry + "/retire", R"({"reason": "again"})", Role::kBankManager), 409);
  EXPECT_EQ(
      Json(PostJson("/v1/match", nlohmann::json{{"signal_type", "pdq"}, {"signal", kPdq}}.dump(),
                    Role::kIngestClient),
           200)["matches"]
          .size(),
      0u);
}

TEST_F(V1Test, AnItemFlowsThroughThePipelineIntoReviewAndADecision) {
  const int64_t id = OpenCaseThroughPipeline();
  ASSERT_GT(id, 0);
  nlohmann::json queue = Json(Get("/v1/review/queue", Role::kReviewer), 200);
  ASSERT_EQ(queue["cases"].size(), 1u);
  EXPECT_EQ(queue["cases"][0]["id"], id);
  const std::string c = "/v1/cases/" + std::to_string(id);
  // Decide before claiming: the reviewer does not hold the case.
  Json(PostJson(c + "/decision", R"({"decision": "confirmed_known", "rationale": "r"})",
                Role::kReviewer),
       403);
  nlohmann::json claimed = Json(PostJson("/v1/review/claim", "", Role::kReviewer), 200);
  EXPECT_EQ(claimed["id"], id);
  EXPECT_EQ(claimed["lease"]["reviewer"], "reviewer");  // the key's name, never a body field
  Json(PostJson(c + "/release", "", Role::kReviewer), 200);
  Json(PostJson("/v1/review/claim", nlohmann::json{{"case_id", id}}.dump(), Role::kReviewer), 200);
  EXPECT_EQ(
      Json(PostJson(c + "/decision", R"({"decision": "maybe", "rationale": "r"})", Role::kReviewer),
           400)["field"],
      "decision");
  EXPECT_EQ(Json(PostJson(c + "/decision", R"({"decision": "confirmed_known"})", Role::kReviewer),
                 400)["field"],
            "rationale");
  nlohmann::json decided =
      Json(PostJson(c + "/decision",
                    R"({"decision": "confirmed_known", "rationale": "matches the bank entry"})",
                    Role::kReviewer),
           200);
  EXPECT_EQ(decided["state"], "decided");
  EXPECT_EQ(decided["reviews"][0]["reviewer"], "reviewer");
  nlohmann::json shown = Json(Get(c, Role::kAuditor), 200);
  EXPECT_EQ(shown["items"][0]["item_id"], "item-1");
  EXPECT_EQ(Json(Get("/v1/cases?state=decided", Role::kAuditor), 200)["cases"].size(), 1u);
  EXPECT_EQ(Json(Get("/v1/cases?state=odd", Role::kAuditor), 400)["field"], "state");
  EXPECT_EQ(Json(Get("/v1/cases/abc", Role::kAuditor), 400)["field"], "id");
  EXPECT_EQ(Json(Get("/v1/cases/4242", Role::kAuditor), 404)["message"],
            "case 4242 does not exist");
}

// Art 3(1)(j): with the reporting config the CLI reads too, a confirming decision through the
// API queues one report per destination in its transaction; a confirmed case not reported
// within the config's limit is listed as overdue and counted on /metrics.
TEST_F(V1Test, AConfirmedCaseIsQueuedForReportingAndOverdueAfterTheLimit) {
  auto clock = std::make_shared<FakeClock>(SystemClock().Now());
  clock_ = clock;
  ServerConfig config = DefaultConfig();
  config.reporting_file = path_ + ".reporting.json";
  {
    std::ofstream(config.reporting_file)
        << R"({"destinations": ["ncmec", "nl-authority"], "report_limit_hours": 2})";
  }
  StartServer(config);
  std::filesystem::remove(config.reporting_file);
  const int64_t id = OpenCaseThroughPipeline();
  ASSERT_GT(id, 0);
  const std::string c = "/v1/cases/" + std::to_string(id);
  Json(PostJson("/v1/review/claim", nlohmann::json{{"case_id", id}}.dump(), Role::kReviewer), 200);
  Json(PostJson(c + "/decision", R"({"decision": "confirmed_known", "rationale": "r"})",
                Role::kReviewer),
       200);
  auto requests = db_->cases().ListReportRequests(0, 10);
  ASSERT_TRUE(requests.ok()) << requests.status().ToString();
  ASSERT_EQ(requests->size(), 2u);
  EXPECT_EQ((*requests)[0].case_id, id);
  EXPECT_EQ((*requests)[0].destination, "ncmec");
  EXPECT_EQ((*requests)[1].destination, "nl-authority");

  nlohmann::json within = Json(Get("/v1/reports/overdue", Role::kAuditor), 200);
  EXPECT_EQ(within["limit_seconds"], 7200);
  EXPECT_EQ(within["destinations"], nlohmann::json({"ncmec", "nl-authority"}));
  EXPECT_EQ(within["overdue"].size(), 0u);
  const std::string confirmed_at = FormatUtc(clock->Now());
  clock->Advance(std::chrono::hours(2) + std::chrono::seconds(1));
  nlohmann::json late = Json(Get("/v1/reports/overdue", Role::kReporter), 200);
  ASSERT_EQ(late["overdue"].size(), 1u);
  EXPECT_EQ(late["overdue"][0]["case_id"], id);
  EXPECT_EQ(late["overdue"][0]["confirmed_at"], confirmed_at);
  EXPECT_EQ(late["overdue"][0]["waiting_seconds"], 7201);
  Json(Get("/v1/reports/overdue", Role::kReviewer), 403);
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("\nvigil_reports_overdue 1\n"), std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("\nvigil_report_limit_seconds 7200\n"), std::string::npos);
}

TEST_F(V1Test, ANotCsamDecisionErasesTheCaseAtOnceKeepingItsFlags) {
  const int64_t id = OpenCaseThroughPipeline();
  ASSERT_GT(id, 0);
  const std::string c = "/v1/cases/" + std::to_string(id);
  Json(PostJson("/v1/review/claim", nlohmann::json{{"case_id", id}}.dump(), Role::kReviewer), 200);
  nlohmann::json decided =
      Json(PostJson(c + "/decision", R"({"decision": "not_csam", "rationale": "a landscape"})",
                    Role::kReviewer),
           200);
  EXPECT_EQ(decided["items"][0]["item_id"], "(erased item 0)");
  EXPECT_EQ(decided["account_id"], "(erased case " + std::to_string(id) + ")");
  EXPECT_FALSE(decided["items"][0]["flags"].empty());  // kept for error accounting
  auto left = db_->privacy().RetentionViolations(TimePoint(std::chrono::seconds(0)));
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
  EXPECT_EQ(
      db_->privacy().ListErasureCounts(TimePoint{}, TimePoint(std::chrono::days(100000)))->size(),
      4u);  // one row per purpose of the case
}

TEST_F(V1Test, ItemsNeedTheirIdsAndAnUpload) {
  EXPECT_EQ(Json(PostFiles("/v1/items",
                           {{"file", TexturedBmp(1), "a.bmp", ""}, {"account_id", "a", "", ""}},
                           Role::kIngestClient),
                 400)["field"],
            "item_id");
  EXPECT_EQ(Json(PostFiles("/v1/items",
                           {{"file", TexturedBmp(1), "a.bmp", ""},
                            {"item_id", "i", "", ""},
                            {"account_id", "a", "", ""},
                            {"region", "mars", "", ""}},
                           Role::kIngestClient),
                 400)["field"],
            "region");
  nlohmann::json clean = Json(PostFiles("/v1/items",
                                        {{"file", TexturedBmp(3), "a.bmp", ""},
                                         {"item_id", "i", "", ""},
                                         {"account_id", "a", "", ""}},
                                        Role::kIngestClient),
                              200);
  EXPECT_EQ(clean["flagged"], false);
  EXPECT_FALSE(clean.contains("case_id"));
}

TEST_F(V1Test, EveryChangeAndEvidenceViewIsAuditedInTheChainWithWhoWhatWhereAndNoSecret) {
  const int64_t id = OpenCaseThroughPipeline();
  Json(PostJson("/v1/review/claim", "", Role::kReviewer), 200);
  Json(Get("/v1/cases/" + std::to_string(id), Role::kAuditor), 200);
  Json(Get("/v1/review/queue", Role::kAuditor), 200);  // not evidence: not recorded
  Json(Get("/v1/cases/999", Role::kAuditor), 404);     // failed: nothing shown, nothing recorded
  const auto records = AuditLog();
  std::vector<std::string> actions;
  for (const auto& r : records) actions.push_back(r.event.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"POST /v1/banks", "POST /v1/banks/{bank}/entries",
                                               "POST /v1/items", "POST /v1/review/claim",
                                               "GET /v1/cases/{id}"}));
  const audit::AuditEvent& view = records.back().event;
  EXPECT_EQ(view.actor, "auditor");  // the key's name
  EXPECT_EQ(view.target, "/v1/cases/" + std::to_string(id));
  EXPECT_EQ(view.origin.rfind("127.0.0.1:", 0), 0u) << view.origin;
  auto details = nlohmann::json::parse(view.details);
  EXPECT_EQ(details["status"], 200);
  EXPECT_EQ(details["params"]["id"], std::to_string(id));
  for (const auto& r : records) {
    for (Role role : auth::kAllRoles) {
      EXPECT_EQ(r.event.details.find(SecretFor(role)), std::string::npos);
      EXPECT_EQ(r.event.actor.find(SecretFor(role)), std::string::npos);
    }
  }
  // The records form an intact hash chain (what `vigil audit verify` checks).
  auto head = audit::VerifyChain(db_->audit());
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->records, 5);
}

class FailingRecorder final : public AuditRecorder {
 public:
  Status Record(const audit::AuditEvent&) override { return UnavailableError("disk full"); }
};

TEST_F(V1Test, NoEvidenceIsShownWhenTheAuditLogCannotRecordTheView) {
  const int64_t id = OpenCaseThroughPipeline();
  FailingRecorder failing;
  recorder_ = &failing;
  StartServer(DefaultConfig());
  nlohmann::json j = Json(Get("/v1/cases/" + std::to_string(id), Role::kAuditor), 503);
  EXPECT_NE(j["message"].get<std::string>().find("audit log"), std::string::npos);
  EXPECT_FALSE(j.contains("items"));
  client_.reset();
  server_.reset();
  recorder_ = audit_.get();
}

TEST_F(V1Test, KeysAreManagedByAdminsAndRevocationIsImmediate) {
  nlohmann::json k =
      Json(PostJson("/v1/keys", R"({"name": "ops", "roles": ["reporter"]})", Role::kAdmin), 201);
  const std::string secret = k["secret"];
  EXPECT_EQ(secret.rfind("vgl_", 0), 0u);
  auto ok = client_->Get("/c/banks", {{"Authorization", "Bearer " + secret}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  nlohmann::json listed = Json(Get("/v1/keys", Role::kAdmin), 200);
  EXPECT_EQ(listed.dump().find(secret), std::string::npos) << "list never shows secrets";
  EXPECT_EQ(
      Json(PostJson("/v1/keys", R"({"name": "x", "roles": ["root"]})", Role::kAdmin), 400)["field"],
      "roles");
  Json(PostJson("/v1/keys/ops/revoke", "", Role::kAdmin), 200);
  auto refused = client_->Get("/c/banks", {{"Authorization", "Bearer " + secret}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_NE(refused->body.find("revoked"), std::string::npos);
  for (const auto& r : AuditLog()) EXPECT_EQ(r.event.details.find(secret), std::string::npos);
}

TEST_F(V1Test, MetricsCountRequestsItemsQueueAndIndex) {
  OpenCaseThroughPipeline();
  client_->Get("/healthz");
  auto res = client_->Get("/metrics");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const std::string& m = res->body;
  EXPECT_NE(
      m.find("vigil_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1\n"),
      std::string::npos)
      << m;
  EXPECT_NE(
      m.find("vigil_http_requests_total{method=\"POST\",route=\"/v1/items\",status=\"200\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      m.find("vigil_http_request_duration_seconds_count{method=\"POST\",route=\"/v1/items\"} 1\n"),
      std::string::npos);
  EXPECT_NE(m.find("vigil_http_request_duration_seconds_bucket{method=\"GET\",route=\"/"
                   "healthz\",le=\"+Inf\"} 1\n"),
            std::string::npos);
  EXPECT_NE(m.find("vigil_items_flagged_total{technology=\"pdq@1\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("vigil_review_queue_depth 1\n"), std::string::npos);
  EXPECT_NE(m.find("vigil_index_entries{signal_type=\"pdq\"} 1\n"), std::string::npos);
}

}  // namespace
}  // namespace vigil::server::testing
