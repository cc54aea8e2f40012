// The redress store contract on memory, SQLite and PostgreSQL (the PostgreSQL cases skip
// without a server): an action, its notice and its case's change written in one transaction
// (or none of them: a failure after the action's write, a case changed meanwhile), duplicate
// actions and complaints refused, compare-and-set updates, due notices, unknown ids, and
// persistence.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

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
  // The change ReviewService::PlanActioned makes (state actioned, actioned_at, the "actioned"
  // event naming the stored action), as a compare-and-set on `expected_version`.
  static redress::CaseChangeMaker ActionedAt(int64_t expected_version) {
    return [expected_version](const Action& a) -> Result<std::optional<cases::CaseChange>> {
      cases::CaseChange change{.id = a.case_id, .expected_version = expected_version};
      change.progress.state = cases::CaseState::kActioned;
      change.progress.updated_at = a.taken_at;
      change.progress.actioned_at = a.taken_at;
      change.events.push_back({.case_id = a.case_id,
                               .at = a.taken_at,
                               .actor = a.actor,
                               .action = "actioned",
                               .details = fmt::format("action {}: remove_content", a.id)});
      return std::optional<cases::CaseChange>(std::move(change));
    };
  }
  size_t EventCount(cases::CaseId c) {
    auto events = case_store().ListEvents({.case_id = c});
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? events->size() : 0;
  }
  // Neither an action, nor a notice, nor a change of case `c` (still at version 1, state new,
  // with only its opening event).
  void ExpectNothingWritten(cases::CaseId c) {
    EXPECT_TRUE(store().ListActions(c)->empty());
    EXPECT_TRUE(store().ListNotices(std::nullopt)->empty());
    auto now = case_store().GetCase(c);
    ASSERT_TRUE(now.ok()) << now.status().ToString();
    EXPECT_EQ(now->version, 1);
    EXPECT_EQ(now->progress.state, cases::CaseState::kNew);
    EXPECT_FALSE(now->progress.actioned_at);
    EXPECT_EQ(EventCount(c), 1u);
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

  cases::InMemoryCaseStore memory_cases_;
  redress::InMemoryRedressStore memory_{&memory_cases_};  // applies case changes there
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

TEST_P(RedressStoreTest, AnActionItsNoticeAndTheCaseChangeAreWrittenTogether) {
  const cases::CaseId c = NewCase();
  auto a = store().RecordAction(RemoveItem(c), NoticeAt(2000), ActionedAt(1));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(store().ListActions(c)->size(), 1u);
  ASSERT_EQ(store().ListNotices(c)->size(), 1u);
  EXPECT_EQ(store().ListNotices(c)->front().action_id, a->id);
  auto changed = case_store().GetCase(c);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(changed->version, 2);
  EXPECT_EQ(changed->progress.state, cases::CaseState::kActioned);
  EXPECT_EQ(changed->progress.actioned_at, At(2000));
  EXPECT_EQ(changed->progress.updated_at, At(2000));
  auto events = case_store().ListEvents({.case_id = c});
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ(events->back().action, "actioned");
  EXPECT_EQ(events->back().actor, "rev-a");
  EXPECT_EQ(events->back().at, At(2000));
  EXPECT_EQ(events->back().details, fmt::format("action {}: remove_content", a->id));
  // A maker that leaves the case as it is: only the action (and no notice) is written.
  Action evidence = RemoveItem(c);
  evidence.kind = ActionKind::kPreserveEvidence;
  auto kept = store().RecordAction(evidence, nullptr, [](const Action&) {
    return Result<std::optional<cases::CaseChange>>(std::nullopt);
  });
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(case_store().GetCase(c)->version, 2);
  EXPECT_EQ(store().ListActions(c)->size(), 2u);
}

TEST_P(RedressStoreTest, AFailureAfterTheActionWriteLeavesNeitherActionNoticeNorCaseChange) {
  const cases::CaseId c = NewCase();
  // The case change fails after the action and its notice were written in the transaction.
  auto failing = store().RecordAction(RemoveItem(c), NoticeAt(2000), [](const Action& a) {
    return Result<std::optional<cases::CaseChange>>(
        InternalError(fmt::format("injected failure after action {}", a.id)));
  });
  EXPECT_EQ(failing.status().code(), StatusCode::kInternal);
  ExpectNothingWritten(c);
  // A change of another case is refused the same way.
  auto other = store().RecordAction(RemoveItem(c), NoticeAt(2000), [](const Action& a) {
    return Result<std::optional<cases::CaseChange>>(
        cases::CaseChange{.id = a.case_id + 1, .expected_version = 1});
  });
  EXPECT_EQ(other.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(other.status().message(),
            fmt::format("an action on case {} cannot change case {}", c, c + 1));
  ExpectNothingWritten(c);
  // After both failures the same action goes through: nothing of them was left to collide with.
  ASSERT_TRUE(store().RecordAction(RemoveItem(c), NoticeAt(2000), ActionedAt(1)).ok());
  EXPECT_EQ(case_store().GetCase(c)->progress.state, cases::CaseState::kActioned);
}

TEST_P(RedressStoreTest, ACaseChangedMeanwhileWritesNothing) {
  const cases::CaseId c = NewCase();
  // Someone else changes the case after the action's change was planned on version 1.
  auto read = case_store().GetCase(c);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  cases::CaseChange other{.id = c, .expected_version = 1, .progress = read->progress};
  other.progress.qa = cases::QaState::kPending;
  other.events.push_back({.case_id = c, .at = At(1500), .actor = "qa", .action = "sampled"});
  ASSERT_TRUE(*case_store().CompareAndSet(other));
  auto stale = store().RecordAction(RemoveItem(c), NoticeAt(2000), ActionedAt(1));
  EXPECT_EQ(stale.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(stale.status().message(),
            fmt::format("case {} changed while the action was being recorded (version 1 "
                        "expected); nothing was written, retry",
                        c));
  EXPECT_TRUE(store().ListActions(c)->empty());
  EXPECT_TRUE(store().ListNotices(std::nullopt)->empty());
  EXPECT_EQ(case_store().GetCase(c)->version, 2);
  EXPECT_EQ(case_store().GetCase(c)->progress.state, cases::CaseState::kNew);
  EXPECT_EQ(EventCount(c), 2u);
  // Re-planned on the version now stored, it succeeds.
  ASSERT_TRUE(store().RecordAction(RemoveItem(c), NoticeAt(2000), ActionedAt(2)).ok());
  EXPECT_EQ(case_store().GetCase(c)->version, 3);
}

TEST_P(RedressStoreTest, OfConcurrentActionsPlannedOnOneVersionExactlyOneMovesTheCase) {
  const cases::CaseId c = NewCase();
  constexpr int kThreads = 4;
  std::vector<Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      results[i] =
          store()
              .RecordAction(RemoveItem(c, fmt::format("item-{}", i)), NoticeAt(2000), ActionedAt(1))
              .status();
    });
  }
  for (std::thread& t : threads) t.join();
  int ok = 0;
  for (const Status& s : results) {
    if (s.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(store().ListActions(c)->size(), 1u);
  EXPECT_EQ(store().ListNotices(c)->size(), 1u);
  EXPECT_EQ(case_store().GetCase(c)->version, 2);
  EXPECT_EQ(EventCount(c), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, RedressStoreTest,
                         ::testing::Values(Backend::kMemory, Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

}  // namespace
}  // namespace vigil::store
