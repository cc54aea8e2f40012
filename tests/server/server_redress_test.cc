// The /v1 redress routes on a real server: an action on a decided case, a complaint from the
// operator's backend, its decision by a second reviewer; roles, the audit log, the independence
// rule, duplicates and a server without redress configuration.
#include <fstream>

#include "cases/cases.h"
#include "server/server_env.h"

namespace vigil::server::testing {
namespace {

using auth::Role;

class NoSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

class RedressRoutesTest : public ServerTest {
 protected:
  // A case decided confirmed_known by `reviewer`, through the library on the same database.
  cases::CaseId DecidedCase(const std::string& reviewer) {
    NoSink sink;
    auto review =
        cases::ReviewService::Create(db_->cases(), sink, std::make_shared<SystemClock>(), {});
    EXPECT_TRUE(review.ok());
    cases::NewCase n{.account_id = "acct-1", .surface = "photos/upload"};
    n.items.push_back(
        {.item_id = "item-1",
         .content_type = "image",
         .received_at = SystemClock().Now(),
         .flags = {
             {.technology = "md5", .raw_value = 0, .bank_entry_id = 1, .bank_name = "known"}}});
    auto opened = (*review)->OpenCase(n);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    const cases::CaseId id = opened->opened.id;
    EXPECT_TRUE((*review)->Claim(id, reviewer).ok());
    EXPECT_TRUE((*review)
                    ->Decide(id, {.reviewer = reviewer,
                                  .decision = cases::Decision::kConfirmedKnown,
                                  .rationale = "matches"})
                    .ok());
    return id;
  }
  // An action on a case decided by `decider`, taken by the admin key, and a complaint about
  // it from the operator's backend; returns the complaint's JSON.
  nlohmann::json ComplaintOnCaseDecidedBy(const std::string& decider) {
    const cases::CaseId id = DecidedCase(decider);
    const nlohmann::json action =
        Json(PostJson(fmt::format("/v1/cases/{}/actions", id),
                      R"({"kind": "remove_content", "item_id": "item-1", "reason": "known"})",
                      Role::kAdmin),
             201);
    return Json(PostJson("/v1/complaints",
                         fmt::format(R"({{"action_id": {}, "text": "a family photo"}})",
                                     action["id"].get<int>()),
                         Role::kIngestClient),
                201);
  }
  void StartWithRedress() {
    const std::string path = path_ + ".redress.json";
    std::ofstream(path) << R"({"service_name": "PhotoShare",
                              "supervisory_authority": "the Example Authority"})";
    ServerConfig c = DefaultConfig();
    c.redress_config = path;
    StartServer(c);
  }
};

TEST_F(RedressRoutesTest, WithoutConfigurationTheRoutesAreUnavailable) {
  const cases::CaseId id = DecidedCase("rev-a");
  auto r = PostJson(fmt::format("/v1/cases/{}/actions", id),
                    R"({"kind": "suspend_account", "reason": "r"})", Role::kReviewer);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
}

TEST_F(RedressRoutesTest, ActionComplaintAndSecondReview) {
  StartWithRedress();
  const cases::CaseId id = DecidedCase("rev-a");
  const nlohmann::json action =
      Json(PostJson(fmt::format("/v1/cases/{}/actions", id),
                    R"({"kind": "remove_content", "item_id": "item-1", "reason": "known"})",
                    Role::kReviewer),
           201);
  EXPECT_EQ(action["actor"], "reviewer");
  EXPECT_EQ(action["kind"], "remove_content");
  auto bad_kind = PostJson(fmt::format("/v1/cases/{}/actions", id),
                           R"({"kind": "erase", "reason": "r"})", Role::kReviewer);
  EXPECT_EQ(bad_kind->status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad_kind->body)["field"], "kind");
  EXPECT_EQ(PostJson(fmt::format("/v1/cases/{}/actions", id), R"({"kind": "suspend_account",
      "reason": "r"})",
                     Role::kIngestClient)
                ->status,
            403);

  const std::string complaint_body =
      fmt::format(R"({{"action_id": {}, "text": "a family photo"}})", action["id"].get<int>());
  EXPECT_EQ(PostJson("/v1/complaints", complaint_body, Role::kReviewer)->status, 403);
  const nlohmann::json complaint =
      Json(PostJson("/v1/complaints", complaint_body, Role::kIngestClient), 201);
  EXPECT_EQ(complaint["state"], "open");
  EXPECT_EQ(PostJson("/v1/complaints", complaint_body, Role::kIngestClient)->status, 409);

  const std::string decision =
      fmt::format("/v1/complaints/{}/decision", complaint["id"].get<int>());
  // The reviewer key took the action: it may not review the complaint.
  auto same =
      PostJson(decision, R"({"outcome": "content_reinstated", "rationale": "r"})", Role::kReviewer);
  EXPECT_EQ(same->status, 403);
  const nlohmann::json decided =
      Json(PostJson(decision, R"({"outcome": "content_reinstated", "rationale": "benign"})",
                    Role::kAdmin),
           200);
  EXPECT_EQ(decided["outcome"], "content_reinstated");
  EXPECT_EQ(decided["reviewer"], "admin");

  const nlohmann::json view =
      Json(Get(fmt::format("/v1/cases/{}/redress", id), Role::kAuditor), 200);
  EXPECT_EQ(view["actions"][0]["reversed_at"].is_string(), true);
  EXPECT_EQ(view["notices"][0]["state"], "pending");
  std::vector<std::string> audited;
  for (const auto& r : AuditLog()) audited.push_back(r.event.action);
  EXPECT_EQ(audited, (std::vector<std::string>{"POST /v1/cases/{id}/actions", "POST /v1/complaints",
                                               "POST /v1/complaints/{id}/decision",
                                               "GET /v1/cases/{id}/redress"}));
  EXPECT_EQ(Get("/v1/cases/999/redress", Role::kAuditor)->status, 404);
}

TEST_F(RedressRoutesTest, ComplaintQueueShowsDecisionTargetsAndWhoMayDecide) {
  const TimePoint start = SystemClock().Now();
  auto clock = std::make_shared<FakeClock>(start);
  clock_ = clock;
  StartWithRedress();
  EXPECT_EQ(Get("/v1/complaints", Role::kReviewer)->status, 200);
  // The case was decided by the key named "reviewer": that key may not decide the complaint.
  const nlohmann::json filed = ComplaintOnCaseDecidedBy("reviewer");
  const int id = filed["id"].get<int>();
  EXPECT_EQ(filed["filed_at"], FormatUtc(start));

  nlohmann::json queue = Json(Get("/v1/complaints", Role::kReviewer), 200);
  EXPECT_EQ(queue["decision_target_days"], 14);
  ASSERT_EQ(queue["complaints"].size(), 1u);
  nlohmann::json c = queue["complaints"][0];
  EXPECT_EQ(c["id"], id);
  EXPECT_EQ(c["state"], "open");
  EXPECT_EQ(c["decide_by"], FormatUtc(start + std::chrono::days(14)));  // the default target
  EXPECT_EQ(c["overdue"], false);
  EXPECT_EQ(c["action"]["kind"], "remove_content");
  EXPECT_EQ(c["action"]["actor"], "admin");
  EXPECT_FALSE(c.contains("text"));  // the user's grounds only in the audited single view
  EXPECT_EQ(c["may_decide"], false);
  EXPECT_EQ(c["conflict"], fmt::format("reviewer reviewer made the original decision on case {}; "
                                       "a complaint needs a second reviewer",
                                       c["case_id"].get<int>()));
  // The admin took the action: also not independent. The auditor may not decide at all.
  c = Json(Get("/v1/complaints", Role::kAdmin), 200)["complaints"][0];
  EXPECT_EQ(c["may_decide"], false);
  EXPECT_EQ(c["conflict"],
            fmt::format("reviewer admin took action {}; a complaint needs a second reviewer",
                        c["action_id"].get<int>()));
  c = Json(Get("/v1/complaints", Role::kAuditor), 200)["complaints"][0];
  EXPECT_EQ(c["may_decide"], false);
  EXPECT_FALSE(c.contains("conflict"));
  EXPECT_EQ(Get("/v1/complaints", Role::kReporter)->status, 403);
  EXPECT_EQ(Get("/v1/complaints", Role::kIngestClient)->status, 403);

  // Past the target it is overdue; the single view has the grounds.
  clock->Advance(std::chrono::hours(24 * 14 + 1));
  const nlohmann::json one = Json(Get(fmt::format("/v1/complaints/{}", id), Role::kAuditor), 200);
  EXPECT_EQ(one["overdue"], true);
  EXPECT_EQ(one["text"], "a family photo");
  EXPECT_EQ(one["filed_by"], "ingest-client");
  EXPECT_EQ(Get("/v1/complaints/999", Role::kAuditor)->status, 404);
  EXPECT_EQ(Get("/v1/complaints/x", Role::kAuditor)->status, 400);
  EXPECT_EQ(Get("/v1/complaints?limit=0", Role::kAuditor)->status, 400);

  // The conflicted reviewer is refused with the same reason; an independent one decides, and
  // the complaint leaves the open queue.
  ASSERT_TRUE(auth::CreateApiKey(db_->api_keys(),
                                 {"second", {Role::kReviewer}, auth::HashSecret("secret-second")},
                                 SystemClock().Now())
                  .ok());
  auto refused = PostJson(fmt::format("/v1/complaints/{}/decision", id),
                          R"({"outcome": "action_upheld", "rationale": "r"})", Role::kReviewer);
  EXPECT_EQ(refused->status, 403);
  EXPECT_NE(refused->body.find("a complaint needs a second reviewer"), std::string::npos);
  Json(PostJson(fmt::format("/v1/complaints/{}/decision", id),
                R"({"outcome": "action_upheld", "rationale": "known material"})", Role::kAuditor),
       403);
  auto decided = client_->Post(
      fmt::format("/v1/complaints/{}/decision", id), {{"Authorization", "Bearer secret-second"}},
      R"({"outcome": "action_upheld", "rationale": "known material"})", "application/json");
  EXPECT_EQ(Json(decided, 200)["reviewer"], "second");
  EXPECT_TRUE(Json(Get("/v1/complaints", Role::kReviewer), 200)["complaints"].empty());
  nlohmann::json all = Json(Get("/v1/complaints?open=false", Role::kReviewer), 200);
  ASSERT_EQ(all["complaints"].size(), 1u);
  EXPECT_EQ(all["complaints"][0]["state"], "decided");
  EXPECT_EQ(all["complaints"][0]["overdue"], false);  // decided: no longer overdue
}

TEST_F(RedressRoutesTest, ComplaintViewsAreAuditedAndDocumented) {
  StartWithRedress();
  const int id = ComplaintOnCaseDecidedBy("rev-a")["id"].get<int>();
  Json(Get("/v1/complaints", Role::kReviewer), 200);
  Json(Get(fmt::format("/v1/complaints/{}", id), Role::kReviewer), 200);
  std::vector<std::string> audited;
  for (const auto& r : AuditLog()) audited.push_back(r.event.action);
  // The list holds no personal data and is not an evidence view; the single view is.
  EXPECT_EQ(audited, (std::vector<std::string>{"POST /v1/cases/{id}/actions", "POST /v1/complaints",
                                               "GET /v1/complaints/{id}"}));
  const nlohmann::json doc = Json(client_->Get("/openapi.json"), 200);
  EXPECT_EQ(doc["paths"]["/v1/complaints"]["get"]["x-vigil-roles"],
            (nlohmann::json{"admin", "reviewer", "auditor"}));
  EXPECT_TRUE(doc["paths"]["/v1/complaints/{id}"].contains("get"));
}

}  // namespace
}  // namespace vigil::server::testing
