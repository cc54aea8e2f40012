// Taking actions on decided cases: what is recorded, the user notice written with it, the case
// moved to actioned, and every refusal (unknown case or item, undecided case, wrong target,
// repeated action, unknown notice language).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "redress/redress_test_support.h"

namespace vigil::redress::testing {
namespace {

using cases::CaseState;
using cases::Decision;

class ActionTest : public RedressFixture {};

TEST_F(ActionTest, RemovingContentRecordsTheActionAndItsNotice) {
  const cases::Case c = DecidedCase();
  clock_->Advance(std::chrono::hours(1));
  const Action a = Act(c.id, ActionKind::kRemoveContent, "item-1");
  EXPECT_EQ(a.case_id, c.id);
  EXPECT_EQ(a.item_id, "item-1");
  EXPECT_EQ(a.account_id, "acct-1");
  EXPECT_EQ(a.technologies, "md5; pdq@1 r<=31");  // every technology that flagged the case
  EXPECT_EQ(a.actor, "rev-a");
  EXPECT_EQ(a.taken_at, kStart + std::chrono::hours(1));
  EXPECT_EQ(a.purpose, "blocking");
  EXPECT_EQ(a.expires_at, a.taken_at + std::chrono::days(365));
  EXPECT_EQ(cases_.GetCase(c.id)->progress.state, CaseState::kActioned);
  EXPECT_EQ(EventActions(c.id).back(), "actioned");

  auto notices = redress_.ListNotices(c.id);
  ASSERT_EQ(notices->size(), 1u);
  const Notice& n = notices->front();
  EXPECT_EQ(n.action_id, a.id);
  EXPECT_EQ(n.state, NoticeState::kPending);
  EXPECT_EQ(n.language, "en");
  EXPECT_EQ(n.template_version, "2026-11-en-1");
  EXPECT_EQ(n.purpose, "redress");
  const nlohmann::json body = nlohmann::json::parse(n.body);
  EXPECT_EQ(body["action"], "remove_content");
  EXPECT_EQ(body["action_id"], a.id);
  EXPECT_EQ(body["complaint_deadline"], "2026-04-01T01:00:00Z");  // 30 days after the action
  const std::string text = body["text"];
  EXPECT_NE(text.find("On 2026-03-02 we removed an item you shared (reference item-1)."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("complain to us until 2026-04-01"), std::string::npos) << text;
  EXPECT_NE(text.find("supervisory authority, the Example Data Protection Authority."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("judicial remedy"), std::string::npos) << text;
  EXPECT_EQ(body["subject"], "We have taken action on your account (PhotoShare)");
}

TEST_F(ActionTest, SuspendingTheAccountInGermanAndPreservingEvidenceWithoutNotice) {
  const cases::Case c = DecidedCase();
  const Action evidence = Act(c.id, ActionKind::kPreserveEvidence);
  EXPECT_EQ(evidence.purpose, "law_enforcement");
  EXPECT_TRUE(redress_.ListNotices(c.id)->empty());
  EXPECT_EQ(cases_.GetCase(c.id)->progress.state, CaseState::kDecided);  // not an action on users

  const Action suspend = Act(c.id, ActionKind::kSuspendAccount, "", "de");
  EXPECT_EQ(suspend.item_id, "");
  auto notices = redress_.ListNotices(c.id);
  ASSERT_EQ(notices->size(), 1u);
  EXPECT_EQ(notices->front().language, "de");
  const std::string text = nlohmann::json::parse(notices->front().body)["text"];
  EXPECT_NE(text.find("Am 2026-03-02 haben wir Ihr Konto vorübergehend gesperrt."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Aufsichtsbehörde"), std::string::npos);
  EXPECT_EQ(cases_.GetCase(c.id)->progress.state, CaseState::kActioned);
  // A second action on an actioned case is recorded without another state change.
  Act(c.id, ActionKind::kRemoveContent, "item-2");
  EXPECT_EQ(redress_.ListNotices(c.id)->size(), 2u);
}

TEST_F(ActionTest, RefusesUnknownCasesItemsAndWrongTargets) {
  const cases::Case c = DecidedCase();
  auto unknown = service_->TakeAction({.case_id = 999,
                                       .kind = ActionKind::kRemoveContent,
                                       .item_id = "x",
                                       .reason = "r",
                                       .actor = "rev-a"});
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "case 999 does not exist");
  auto item = service_->TakeAction({.case_id = c.id,
                                    .kind = ActionKind::kBlockContent,
                                    .item_id = "item-9",
                                    .reason = "r",
                                    .actor = "rev-a"});
  EXPECT_EQ(item.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(item.status().message(), fmt::format("case {} has no item item-9", c.id));
  auto no_item = service_->TakeAction(
      {.case_id = c.id, .kind = ActionKind::kRemoveContent, .reason = "r", .actor = "rev-a"});
  EXPECT_EQ(no_item.status().code(), StatusCode::kInvalidArgument);
  auto account_item = service_->TakeAction({.case_id = c.id,
                                            .kind = ActionKind::kSuspendAccount,
                                            .item_id = "item-1",
                                            .reason = "r",
                                            .actor = "rev-a"});
  EXPECT_EQ(account_item.status().code(), StatusCode::kInvalidArgument);
  auto no_reason = service_->TakeAction(
      {.case_id = c.id, .kind = ActionKind::kSuspendAccount, .actor = "rev-a"});
  EXPECT_EQ(no_reason.status().code(), StatusCode::kInvalidArgument);
  auto language = service_->TakeAction({.case_id = c.id,
                                        .kind = ActionKind::kSuspendAccount,
                                        .reason = "r",
                                        .actor = "rev-a",
                                        .language = "xx"});
  EXPECT_EQ(language.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(language.status().message(),
            "no user-notice template for language xx (available: de, en)");
  EXPECT_TRUE(redress_.ListActions(c.id)->empty());
  EXPECT_EQ(cases_.GetCase(c.id)->progress.state, CaseState::kDecided);
}

TEST_F(ActionTest, OnlyConfirmedDecidedCasesAreActedOn) {
  const cases::Case benign = DecidedCase(Decision::kNotCsam);
  auto a = service_->TakeAction(
      {.case_id = benign.id, .kind = ActionKind::kSuspendAccount, .reason = "r", .actor = "rev-a"});
  EXPECT_EQ(a.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(a.status().message(),
            fmt::format("case {} is decided (not_csam); only a case decided as confirmed abuse "
                        "can be acted on",
                        benign.id));
  cases::NewCase n{.account_id = "acct-2", .surface = "s"};
  n.items.push_back({.item_id = "i",
                     .content_type = "image",
                     .received_at = kStart,
                     .flags = {{.technology = "md5",
                                .raw_value = 0,
                                .bank_entry_id = entry_id_,
                                .bank_name = "known"}}});
  auto open = review_->OpenCase(n);
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  redress_.AddCase(open->opened.id);
  auto undecided = service_->TakeAction({.case_id = open->opened.id,
                                         .kind = ActionKind::kSuspendAccount,
                                         .reason = "r",
                                         .actor = "rev-a"});
  EXPECT_EQ(undecided.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ActionTest, ARepeatedActionIsRefusedAndWritesNoSecondNotice) {
  const cases::Case c = DecidedCase();
  const Action first = Act(c.id, ActionKind::kRemoveContent, "item-1");
  auto again = service_->TakeAction({.case_id = c.id,
                                     .kind = ActionKind::kRemoveContent,
                                     .item_id = "item-1",
                                     .reason = "again",
                                     .actor = "rev-c"});
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(
      again.status().message(),
      fmt::format("case {} already has action {}: remove_content item item-1", c.id, first.id));
  EXPECT_EQ(redress_.ListNotices(c.id)->size(), 1u);
}

TEST_F(ActionTest, TheCaseMovesInTheActionsTransactionWithItsAuditEvent) {
  const cases::Case c = DecidedCase();
  clock_->Advance(std::chrono::minutes(5));
  const Action a = Act(c.id, ActionKind::kRemoveContent, "item-1");
  const cases::Case after = *cases_.GetCase(c.id);
  EXPECT_EQ(after.version, c.version + 1);  // one compare-and-set, not two changes
  EXPECT_EQ(after.progress.state, CaseState::kActioned);
  EXPECT_EQ(after.progress.actioned_at, kStart + std::chrono::minutes(5));
  auto events = cases_.ListEvents({.case_id = c.id});
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ(events->back().action, "actioned");
  EXPECT_EQ(events->back().actor, "rev-a");
  EXPECT_EQ(events->back().details, fmt::format("action {}: remove_content item-1", a.id));
  // A second action on the actioned case leaves the case as it is.
  Act(c.id, ActionKind::kSuspendAccount);
  EXPECT_EQ(cases_.GetCase(c.id)->version, c.version + 1);
}

TEST_F(ActionTest, ARepeatedActionStillMovesACaseLeftUnactioned) {
  // An action recorded without its case's move (by a version of vigil that moved the case in a
  // second transaction and crashed in between): repeating the request repairs the case.
  const cases::Case c = DecidedCase();
  const Action recorded{.case_id = c.id,
                        .kind = ActionKind::kRemoveContent,
                        .item_id = "item-1",
                        .account_id = "acct-1",
                        .reason = "r",
                        .actor = "rev-a",
                        .taken_at = kStart,
                        .purpose = "blocking",
                        .expires_at = kStart + std::chrono::days(365)};
  ASSERT_TRUE(redress_.RecordAction(recorded, nullptr).ok());
  ASSERT_EQ(cases_.GetCase(c.id)->progress.state, CaseState::kDecided);
  auto again = service_->TakeAction({.case_id = c.id,
                                     .kind = ActionKind::kRemoveContent,
                                     .item_id = "item-1",
                                     .reason = "again",
                                     .actor = "rev-c"});
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(cases_.GetCase(c.id)->progress.state, CaseState::kActioned);
  auto events = cases_.ListEvents({.case_id = c.id});
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ(events->back().action, "actioned");
  EXPECT_EQ(events->back().actor, "rev-c");
  EXPECT_EQ(events->back().details, "remove_content item-1");
  EXPECT_EQ(redress_.ListActions(c.id)->size(), 1u);
}

TEST_F(ActionTest, ConfigIsValidated) {
  RedressConfig bad = config_;
  bad.supervisory_authority = "";
  EXPECT_EQ(ValidateRedressConfig(bad).code(), StatusCode::kInvalidArgument);
  bad = config_;
  bad.complaint_deadline = std::chrono::days(0);
  EXPECT_EQ(ValidateRedressConfig(bad).message(),
            "complaint_deadline must be 1 to 3650 days, not 0");
  bad = config_;
  bad.complaint_decision_target = std::chrono::days(366);
  EXPECT_EQ(ValidateRedressConfig(bad).message(),
            "complaint_decision_target must be 1 to 365 days, not 366");
  bad = config_;
  bad.default_language = "fr";
  auto templates = NoticeTemplates::Embedded();
  auto service = RedressService::Create(*review_, {.cases = &cases_, .redress = &redress_},
                                        *templates, clock_, bad);
  EXPECT_EQ(service.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil::redress::testing
