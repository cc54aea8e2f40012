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

}  // namespace
}  // namespace vigil::server::testing
