// Oversight routes of the console: acknowledging cluster alerts (who, when, note; audited) and
// the audit log newest first with paging (docs/console.md).
#include <gtest/gtest.h>

#include "cases/cases.h"
#include "server_env.h"

namespace vigil::server::testing {
namespace {

using auth::Role;

class NoSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

class OversightTest : public ServerTest {};

TEST_F(OversightTest, AlertsAreAcknowledgedWithWhoWhenAndANoteAndAudited) {
  // Two flags of one technology within the hour cross a threshold of 1: one alert.
  NoSink sink;
  cases::ReviewConfig config;
  config.technology_alerts = cases::ClusterAlertRule{.max_flags = 1};
  auto review =
      cases::ReviewService::Create(db_->cases(), sink, std::make_shared<SystemClock>(), config);
  ASSERT_TRUE(review.ok());
  for (int i = 0; i < 2; ++i) {
    cases::NewCase nc{.account_id = "acct-" + std::to_string(i), .surface = "t"};
    nc.items.push_back(
        {.item_id = "i" + std::to_string(i),
         .content_type = "image",
         .flags = {
             {.technology = "pdq@1 r<=31", .raw_value = 2, .bank_entry_id = 1, .bank_name = "b"}}});
    auto opened = (*review)->OpenCase(nc);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  }
  nlohmann::json open = Json(Get("/v1/alerts", Role::kReviewer), 200)["alerts"];
  ASSERT_EQ(open.size(), 1u) << open;
  const std::string path = "/v1/alerts/" + open[0]["id"].dump() + "/acknowledge";

  EXPECT_EQ(PostJson(path, R"({"note": "x"})", Role::kAuditor)->status, 403);
  EXPECT_EQ(PostJson(path, R"({"note": "x"})", Role::kReporter)->status, 403);
  EXPECT_EQ(Json(PostJson(path, R"({"note": ""})", Role::kReviewer), 400)["field"], "note");
  EXPECT_EQ(Json(PostJson(path, R"({})", Role::kReviewer), 400)["field"], "note");
  EXPECT_EQ(Json(PostJson(path, R"({"note": "x", "by": "y"})", Role::kReviewer), 400)["field"],
            "by");
  const TimePoint before = SystemClock().Now();
  nlohmann::json acked =
      Json(PostJson(path, R"({"note": "a test burst, not a bad hash"})", Role::kReviewer), 200);
  EXPECT_EQ(acked["acknowledged_by"], "reviewer");
  EXPECT_EQ(acked["note"], "a test burst, not a bad hash");
  EXPECT_GE(acked["acknowledged_at"].get<std::string>(), FormatUtc(before));
  // Once acknowledged it is no longer open, and a second acknowledgement is refused.
  EXPECT_TRUE(Json(Get("/v1/alerts", Role::kReviewer), 200)["alerts"].empty());
  nlohmann::json all = Json(Get("/v1/alerts?open=false", Role::kAuditor), 200)["alerts"];
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["acknowledged_by"], "reviewer");
  auto again = PostJson(path, R"({"note": "again"})", Role::kAdmin);
  EXPECT_EQ(again->status, 409) << again->body;
  EXPECT_NE(again->body.find("already acknowledged by reviewer"), std::string::npos);
  EXPECT_EQ(PostJson("/v1/alerts/999/acknowledge", R"({"note": "x"})", Role::kReviewer)->status,
            404);
  int audited = 0;
  for (const auto& r : AuditLog()) {
    if (r.event.action == "POST /v1/alerts/{id}/acknowledge" && r.event.target == path &&
        r.event.actor == "reviewer") {
      ++audited;
    }
  }
  EXPECT_GE(audited, 1);
}

TEST_F(OversightTest, TheAuditLogPagesNewestFirst) {
  // An empty log: no records, no next page.
  nlohmann::json empty = Json(Get("/v1/audit?order=desc", Role::kAuditor), 200);
  EXPECT_TRUE(empty["records"].empty());
  EXPECT_EQ(empty["last_seq"], 0);
  EXPECT_FALSE(empty.contains("next_before_seq"));
  // Seven audited changes (a bank each), then pages of 3 newest first: 7 6 5, 4 3 2, 1.
  for (int i = 0; i < 7; ++i) {
    Json(PostJson("/v1/banks", nlohmann::json{{"name", "b" + std::to_string(i)}}.dump(),
                  Role::kBankManager),
         201);
  }
  auto seqs = [](const nlohmann::json& page) {
    std::vector<int64_t> out;
    for (const auto& r : page["records"]) out.push_back(r["seq"].get<int64_t>());
    return out;
  };
  nlohmann::json p1 = Json(Get("/v1/audit?order=desc&limit=3", Role::kAuditor), 200);
  EXPECT_EQ(seqs(p1), (std::vector<int64_t>{7, 6, 5}));
  EXPECT_EQ(p1["last_seq"], 7);
  EXPECT_EQ(p1["records"][0]["target"], "/v1/banks");
  ASSERT_EQ(p1["next_before_seq"], 5);
  nlohmann::json p2 = Json(Get("/v1/audit?order=desc&limit=3&before_seq=5", Role::kAuditor), 200);
  EXPECT_EQ(seqs(p2), (std::vector<int64_t>{4, 3, 2}));
  ASSERT_EQ(p2["next_before_seq"], 2);
  nlohmann::json p3 = Json(Get("/v1/audit?order=desc&limit=3&before_seq=2", Role::kAuditor), 200);
  EXPECT_EQ(seqs(p3), (std::vector<int64_t>{1}));
  EXPECT_FALSE(p3.contains("next_before_seq"));
  // Past the end starts at the newest; before 1 is empty; bad values are named.
  EXPECT_EQ(seqs(Json(Get("/v1/audit?order=desc&limit=2&before_seq=100", Role::kAuditor), 200)),
            (std::vector<int64_t>{7, 6}));
  EXPECT_TRUE(
      Json(Get("/v1/audit?order=desc&before_seq=1", Role::kAuditor), 200)["records"].empty());
  EXPECT_EQ(Json(Get("/v1/audit?order=desc&before_seq=0", Role::kAuditor), 400)["field"],
            "before_seq");
  EXPECT_EQ(Json(Get("/v1/audit?order=sideways", Role::kAuditor), 400)["field"], "order");
  EXPECT_EQ(Get("/v1/audit?order=desc", Role::kReviewer)->status, 403);
  // Ascending paging is unchanged.
  EXPECT_EQ(seqs(Json(Get("/v1/audit?limit=3&from_seq=6", Role::kAuditor), 200)),
            (std::vector<int64_t>{6, 7}));
}

}  // namespace
}  // namespace vigil::server::testing
