// The redress store contract on memory, SQLite and PostgreSQL (the PostgreSQL cases skip
// without a server): an action and its notice written in one transaction, duplicate actions and
// complaints refused, compare-and-set updates, due notices, unknown ids, and persistence.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cases/cases.h"
#include "redress/redress.h"
#include "store/pg_test_database.h"
#include "store/store.h"

namespace vigil::store {
namespace {

using redress::Action;
using redress::ActionKind;
using redress::Complaint;
using redress::JudicialComplaint;
using redress::Notice;
using redress::NoticeState;
using testing::Backend;

TimePoint At(int64_t s) { return TimePoint(std::chrono::seconds(s)); }

class RedressStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    storage_.Prepare(GetParam(), "vigil_redress");
    if (IsSkipped() || HasFatalFailure()) return;
    if (GetParam() == Backend::kMemory) return;
    db_ = Open();
    ASSERT_NE(db_, nullptr);
  }
  std::unique_ptr<Database> Open() {
    auto db = OpenDatabase(storage_.url());
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }
  redress::RedressStore& store() { return db_ ? db_->redress() : memory_; }
  cases::CaseStore& case_store() { return db_ ? db_->cases() : memory_cases_; }

  cases::CaseId NewCase() {
    cases::CaseOpening opening;
    opening.new_case = {.account_id = "acct-1", .surface = "photos/upload"};
    opening.new_case.items.push_back({.item_id = "item-1",
                                      .content_type = "image",
                                      .received_at = At(1000),
                                      .flags = {{.technology = "md5", .raw_value = 0}}});
    opening.at = At(1000);
    opening.event = {.at = At(1000), .actor = "system", .action = "opened"};
    auto opened = case_store().CreateCase(opening);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    memory_.AddCase(opened->opened.id);
    return opened->opened.id;
  }

  static Action RemoveItem(cases::CaseId case_id, std::string item = "item-1") {
    return Action{.case_id = case_id,
                  .kind = ActionKind::kRemoveContent,
                  .item_id = std::move(item),
                  .account_id = "acct-1",
                  .reason = "confirmed known material",
                  .technologies = "md5",
                  .actor = "rev-a",
                  .taken_at = At(2000),
                  .purpose = "blocking",
                  .expires_at = At(9000)};
  }
  static redress::NoticeMaker NoticeAt(int64_t next_attempt) {
    return [next_attempt](const Action& a) -> Result<std::optional<Notice>> {
      return std::optional<Notice>(Notice{.case_id = a.case_id,
                                          .account_id = a.account_id,
                                          .language = "en",
                                          .template_version = "v1",
                                          .body = fmt::format("{{\"action_id\": {}}}", a.id),
                                          .created_at = a.taken_at,
                                          .next_attempt_at = At(next_attempt),
                                          .purpose = "redress",
                                          .expires_at = At(8000)});
    };
  }
  Complaint ComplaintOn(const Action& a) {
    return Complaint{.action_id = a.id,
                     .case_id = a.case_id,
                     .account_id = a.account_id,
                     .filed_by = "operator-backend",
                     .text = "this was a family photo",
                     .filed_at = At(3000),
                     .purpose = "redress",
                     .expires_at = At(7000)};
  }

  redress::InMemoryRedressStore memory_;
  cases::InMemoryCaseStore memory_cases_;
  testing::BackendStorage storage_;  // declared before db_, which must close first
  std::unique_ptr<Database> db_;
};

TEST_P(RedressStoreTest, AnActionAndItsNoticeAreWrittenTogether) {
  const cases::CaseId c = NewCase();
  auto a = store().RecordAction(RemoveItem(c), NoticeAt(2000));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_GT(a->id, 0);
  Action expected = RemoveItem(c);
  expected.id = a->id;
  EXPECT_EQ(*a, expected);
  EXPECT_EQ(*store().GetAction(a->id), expected);
  auto notices = store().ListNotices(c);
  ASSERT_TRUE(notices.ok()) << notices.status().ToString();
  ASSERT_EQ(notices->size(), 1u);
  const Notice& n = notices->front();
  EXPECT_EQ(n.action_id, a->id);
  EXPECT_EQ(n.body, fmt::format("{{\"action_id\": {}}}", a->id));  // rendered for the stored id
  EXPECT_EQ(n.state, NoticeState::kPending);
  EXPECT_EQ(n.version, 1);
  EXPECT_EQ(n.expires_at, At(8000));
  EXPECT_EQ(*store().GetNotice(n.id), n);
}

TEST_P(RedressStoreTest, ARepeatedActionOrAFailedNoticeWritesNothing) {
  const cases::CaseId c = NewCase();
  auto first = store().RecordAction(RemoveItem(c), NoticeAt(2000));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto again = store().RecordAction(RemoveItem(c), NoticeAt(2000));
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(),
            fmt::format("case {} already has action {}: remove_content item item-1", c, first->id));
  auto failing = store().RecordAction(
      RemoveItem(c, "item-2"),
      [](const Action&) -> Result<std::optional<Notice>> { return NotFoundError("no template"); });
  EXPECT_EQ(failing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().ListActions(c)->size(), 1u);
  EXPECT_EQ(store().ListNotices(c)->size(), 1u);
  // An action without a notice (preserving evidence).
  Action evidence = RemoveItem(c);
  evidence.kind = ActionKind::kPreserveEvidence;
  ASSERT_TRUE(store().RecordAction(evidence, nullptr).ok());
  EXPECT_EQ(store().ListActions(c)->size(), 2u);
  EXPECT_EQ(store().ListNotices(std::nullopt)->size(), 1u);
}

TEST_P(RedressStoreTest, UnknownCasesAndIdsAreNotFound) {
  auto a = store().RecordAction(RemoveItem(999), NoticeAt(0));
  EXPECT_EQ(a.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(a.status().message(), "case 999 does not exist");
  EXPECT_EQ(store().GetAction(5).status().message(), "action 5 does not exist");
  EXPECT_EQ(store().GetNotice(6).status().message(), "notice 6 does not exist");
  EXPECT_EQ(store().GetComplaint(7).status().message(), "complaint 7 does not exist");
  EXPECT_EQ(store().GetJudicial(8).status().message(), "judicial complaint 8 does not exist");
  EXPECT_EQ(store().ReverseAction(5, {}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().UpdateNotice(Notice{.id = 6}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().UpdateComplaint(Complaint{.id = 7}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().UpdateJudicial(JudicialComplaint{.id = 8}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store().FileComplaint(Complaint{.action_id = 5}).status().message(),
            "action 5 does not exist");
  EXPECT_EQ(store().RecordJudicial(JudicialComplaint{.case_id = 999}).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(store().ListActions(999)->empty());
}

TEST_P(RedressStoreTest, AnActionIsReversedOnce) {
  const cases::CaseId c = NewCase();
  auto a = store().RecordAction(RemoveItem(c), nullptr);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto r = store().ReverseAction(a->id, {.at = At(4000), .by = "rev-b", .reason = "upheld"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->reversed_at, At(4000));
  EXPECT_EQ(r->reversed_by, "rev-b");
  EXPECT_EQ(r->reversal_reason, "upheld");
  EXPECT_EQ(*store().GetAction(a->id), *r);
  auto again = store().ReverseAction(a->id, {.at = At(5000), .by = "rev-c", .reason = "x"});
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store().GetAction(a->id)->reversed_by, "rev-b");
}

TEST_P(RedressStoreTest, DueNoticesAreListedInOrderAndUpdatedByCompareAndSet) {
  const cases::CaseId c = NewCase();
  ASSERT_TRUE(store().RecordAction(RemoveItem(c, "a"), NoticeAt(3000)).ok());
  ASSERT_TRUE(store().RecordAction(RemoveItem(c, "b"), NoticeAt(2000)).ok());
  ASSERT_TRUE(store().RecordAction(RemoveItem(c, "c"), NoticeAt(5000)).ok());
  auto due = store().ListDueNotices(At(3000), 10);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].next_attempt_at, At(2000));
  EXPECT_EQ((*due)[1].next_attempt_at, At(3000));
  EXPECT_EQ(store().ListDueNotices(At(3000), 1)->size(), 1u);

  Notice n = (*due)[0];
  n.state = NoticeState::kAccountDeleted;
  n.attempts = 1;
  n.last_error = "webhook answered 410: account deleted";
  n.delivered_at = At(2500);
  ASSERT_TRUE(*store().UpdateNotice(n));
  EXPECT_FALSE(*store().UpdateNotice(n));  // stale version
  n.version = 2;
  EXPECT_EQ(*store().GetNotice(n.id), n);
  EXPECT_EQ(store().ListDueNotices(At(9000), 10)->size(), 2u);  // terminal states are not due
}

TEST_P(RedressStoreTest, OneComplaintPerActionAndDecisionsByCompareAndSet) {
  const cases::CaseId c = NewCase();
  auto a = store().RecordAction(RemoveItem(c), nullptr);
  ASSERT_TRUE(a.ok());
  auto filed = store().FileComplaint(ComplaintOn(*a));
  ASSERT_TRUE(filed.ok()) << filed.status().ToString();
  Complaint expected = ComplaintOn(*a);
  expected.id = filed->id;
  EXPECT_EQ(*filed, expected);
  EXPECT_EQ(*store().GetComplaint(filed->id), expected);
  auto dup = store().FileComplaint(ComplaintOn(*a));
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.status().message(),
            fmt::format("action {} already has complaint {}", a->id, filed->id));

  EXPECT_EQ(store().ListComplaints({.open_only = true})->size(), 1u);
  Complaint decided = *filed;
  decided.state = redress::ComplaintState::kDecided;
  decided.outcome = redress::ComplaintOutcome::kContentReinstated;
  decided.reviewer = "rev-b";
  decided.rationale = "benign";
  decided.decided_at = At(3500);
  decided.report_followup = "no hotline report";
  ASSERT_TRUE(*store().UpdateComplaint(decided));
  EXPECT_FALSE(*store().UpdateComplaint(decided));
  decided.version = 2;
  EXPECT_EQ(*store().GetComplaint(filed->id), decided);
  EXPECT_TRUE(store().ListComplaints({.open_only = true})->empty());
  EXPECT_EQ(store().ListComplaints({.case_id = c})->size(), 1u);
  EXPECT_TRUE(store().ListComplaints({.case_id = c + 1})->empty());
}

TEST_P(RedressStoreTest, JudicialComplaintsKeepTheirOutcome) {
  const cases::CaseId c = NewCase();
  JudicialComplaint j{.case_id = c,
                      .authority = "Amtsgericht Berlin-Mitte",
                      .reference = "12 C 345/26",
                      .filed_at = At(4000),
                      .recorded_by = "legal-1",
                      .purpose = "redress",
                      .expires_at = At(9999)};
  auto stored = store().RecordJudicial(j);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  j.id = stored->id;
  EXPECT_EQ(*stored, j);
  j.outcome = "action upheld";
  j.outcome_at = At(5000);
  ASSERT_TRUE(*store().UpdateJudicial(j));
  EXPECT_FALSE(*store().UpdateJudicial(j));
  j.version = 2;
  EXPECT_EQ(store().ListJudicial(c)->front(), j);
  EXPECT_EQ(store().ListJudicial(std::nullopt)->size(), 1u);
}

TEST_P(RedressStoreTest, RecordsSurviveReopening) {
  if (GetParam() == Backend::kMemory) GTEST_SKIP() << "memory keeps nothing";
  const cases::CaseId c = NewCase();
  auto a = store().RecordAction(RemoveItem(c), NoticeAt(2000));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(store().FileComplaint(ComplaintOn(*a)).ok());
  db_.reset();
  db_ = Open();
  EXPECT_EQ(store().GetAction(a->id)->reason, "confirmed known material");
  EXPECT_EQ(store().ListNotices(c)->size(), 1u);
  EXPECT_EQ(store().ListComplaints({})->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, RedressStoreTest,
                         ::testing::Values(Backend::kMemory, Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

}  // namespace
}  // namespace vigil::store
