// Automatic action paused by cluster alerts: GET /v1/pauses and POST /v1/pauses/resume (roles,
// bad input named, 404 when not paused, the case event and the audit record; docs/console.md).
#include <gtest/gtest.h>

#include <set>

#include "cases/cases.h"
#include "server_env.h"

namespace vigil::server::testing {
namespace {

using auth::Role;

class NoSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

// On SQLite and on PostgreSQL (skipped without VIGIL_TEST_POSTGRES_URL).
class PausesTest : public ServerTest,
                   public ::testing::WithParamInterface<store::testing::Backend> {
 protected:
  bool UsePostgres() const override { return GetParam() == store::testing::Backend::kPostgres; }
  // Two flags of technology "pdq@1 r<=31" matching bank entry 7 within the hour, with both
  // thresholds at 1: one alert per subject, each pausing automatic action for it.
  void RaiseTwoPauses() {
    NoSink sink;
    cases::ReviewConfig config;
    config.technology_alerts = cases::ClusterAlertRule{.max_flags = 1};
    config.bank_entry_alerts = cases::ClusterAlertRule{.max_flags = 1};
    auto review =
        cases::ReviewService::Create(db_->cases(), sink, std::make_shared<SystemClock>(), config);
    ASSERT_TRUE(review.ok()) << review.status().ToString();
    for (int i = 0; i < 2; ++i) {
      cases::NewCase nc{.account_id = "acct-" + std::to_string(i), .surface = "t"};
      nc.items.push_back({.item_id = "i" + std::to_string(i),
                          .content_type = "image",
                          .flags = {{.technology = "pdq@1 r<=31",
                                     .raw_value = 2,
                                     .bank_entry_id = 7,
                                     .bank_name = "b"}}});
      auto opened = (*review)->OpenCase(nc);
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    }
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, PausesTest,
                         ::testing::Values(store::testing::Backend::kSqlite,
                                           store::testing::Backend::kPostgres),
                         store::testing::BackendTestName);

TEST_P(PausesTest, ListsPausesInForceToReviewersAndAuditorsOnly) {
  EXPECT_TRUE(Json(Get("/v1/pauses", Role::kReviewer), 200)["pauses"].empty());
  RaiseTwoPauses();
  nlohmann::json pauses = Json(Get("/v1/pauses", Role::kAuditor), 200)["pauses"];
  ASSERT_EQ(pauses.size(), 2u) << pauses;
  // Both raised by the second case, listed in the order they were set (by alert id).
  std::set<std::pair<std::string, std::string>> got;
  for (const auto& p : pauses) {
    got.insert({p["subject"].get<std::string>(), p["key"].get<std::string>()});
    EXPECT_GT(p["alert_id"].get<int64_t>(), 0);
    EXPECT_EQ(p["paused_at"].get<std::string>().size(), 20u) << p;  // 2026-11-27T18:00:00Z
  }
  EXPECT_EQ(got, (std::set<std::pair<std::string, std::string>>{{"technology", "pdq@1 r<=31"},
                                                                {"bank_entry", "7"}}));
  EXPECT_LT(pauses[0]["alert_id"], pauses[1]["alert_id"]);
  EXPECT_EQ(Get("/v1/pauses", Role::kReviewer)->status, 200);
  EXPECT_EQ(Get("/v1/pauses", Role::kAdmin)->status, 200);
  EXPECT_EQ(Get("/v1/pauses", Role::kReporter)->status, 403);
  EXPECT_EQ(Get("/v1/pauses", Role::kIngestClient)->status, 403);
  EXPECT_EQ(Get("/v1/pauses", Role::kBankManager)->status, 403);
}

TEST_P(PausesTest, ResumeIsForReviewersWithAReasonAndIsRecorded) {
  RaiseTwoPauses();
  const std::string body =
      R"({"subject": "bank_entry", "key": "7", "reason": "entry 7 re-verified against the list"})";
  // Only the roles that manage alerts (reviewers, admins) may resume.
  for (Role r : {Role::kAuditor, Role::kReporter, Role::kIngestClient, Role::kBankManager}) {
    EXPECT_EQ(PostJson("/v1/pauses/resume", body, r)->status, 403) << auth::RoleName(r);
  }
  // Bad input is named.
  EXPECT_EQ(Json(PostJson("/v1/pauses/resume", R"({"subject": "bank_entry", "key": "7"})",
                          Role::kReviewer),
                 400)["field"],
            "reason");
  EXPECT_EQ(
      Json(PostJson("/v1/pauses/resume", R"({"subject": "bank_entry", "key": "7", "reason": ""})",
                    Role::kReviewer),
           400)["field"],
      "reason");
  EXPECT_EQ(Json(PostJson("/v1/pauses/resume",
                          R"({"subject": "account", "key": "7", "reason": "x"})", Role::kReviewer),
                 400)["field"],
            "subject");
  EXPECT_EQ(
      Json(PostJson("/v1/pauses/resume", R"({"subject": "bank_entry", "key": "", "reason": "x"})",
                    Role::kReviewer),
           400)["field"],
      "key");
  EXPECT_EQ(Json(PostJson("/v1/pauses/resume",
                          R"({"subject": "bank_entry", "key": 7, "reason": "x"})", Role::kReviewer),
                 400)["field"],
            "key");
  EXPECT_EQ(
      Json(PostJson("/v1/pauses/resume",
                    nlohmann::json{
                        {"subject", "technology"}, {"key", std::string(600, 'k')}, {"reason", "x"}}
                        .dump(),
                    Role::kReviewer),
           400)["field"],
      "key");
  EXPECT_EQ(Json(PostJson("/v1/pauses/resume",
                          R"({"subject": "bank_entry", "key": "7", "reason": "x", "by": "eve"})",
                          Role::kReviewer),
                 400)["field"],
            "by");
  EXPECT_EQ(PostJson("/v1/pauses/resume", "[1]", Role::kReviewer)->status, 400);
  // A subject that is not paused: 404 naming it.
  auto missing =
      PostJson("/v1/pauses/resume", R"({"subject": "bank_entry", "key": "8", "reason": "x"})",
               Role::kReviewer);
  EXPECT_EQ(missing->status, 404) << missing->body;
  EXPECT_NE(missing->body.find("bank_entry 8 is not paused"), std::string::npos) << missing->body;
  // Nothing refused above changed a pause.
  ASSERT_EQ(Json(Get("/v1/pauses", Role::kReviewer), 200)["pauses"].size(), 2u);

  nlohmann::json resumed = Json(PostJson("/v1/pauses/resume", body, Role::kReviewer), 200);
  EXPECT_EQ(resumed["subject"], "bank_entry");
  EXPECT_EQ(resumed["key"], "7");
  EXPECT_EQ(resumed["resumed_by"], "reviewer");
  nlohmann::json left = Json(Get("/v1/pauses", Role::kReviewer), 200)["pauses"];
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["subject"], "technology");
  auto tech = db_->cases().IsAutoActionPaused(cases::AlertSubject::kTechnology, "pdq@1 r<=31");
  auto entry = db_->cases().IsAutoActionPaused(cases::AlertSubject::kBankEntry, "7");
  ASSERT_TRUE(tech.ok() && entry.ok());
  EXPECT_TRUE(*tech);
  EXPECT_FALSE(*entry);
  // A second resume of the same subject is a 404, not a silent repeat.
  EXPECT_EQ(PostJson("/v1/pauses/resume", body, Role::kReviewer)->status, 404);
  // The store's event names who, the subject and the reason.
  cases::EventFilter filter;
  auto events = db_->cases().ListEvents(filter);
  ASSERT_TRUE(events.ok());
  int resumes = 0;
  for (const auto& e : *events) {
    if (e.action != "auto_action_resumed") continue;
    ++resumes;
    EXPECT_EQ(e.actor, "reviewer");
    EXPECT_EQ(e.details, "bank_entry 7: entry 7 re-verified against the list");
  }
  EXPECT_EQ(resumes, 1);
  // The audit log has the successful resume once (refusals are not changes).
  int audited = 0;
  for (const auto& r : AuditLog()) {
    if (r.event.action != "POST /v1/pauses/resume") continue;
    ++audited;
    EXPECT_EQ(r.event.actor, "reviewer");
    EXPECT_EQ(r.event.target, "/v1/pauses/resume");
  }
  EXPECT_EQ(audited, 1);
  // Admins may resume too.
  Json(PostJson("/v1/pauses/resume",
                R"({"subject": "technology", "key": "pdq@1 r<=31", "reason": "model fixed"})",
                Role::kAdmin),
       200);
  EXPECT_TRUE(Json(Get("/v1/pauses", Role::kReviewer), 200)["pauses"].empty());
}

}  // namespace
}  // namespace vigil::server::testing
