// The report outbox on memory, SQLite and PostgreSQL (the PostgreSQL cases skip without a
// server): report requests written with the case change that causes them, their copy into
// deliveries, compare-and-set updates, due lists, and persistence.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "cases/cases.h"
#include "report/outbox_store.h"
#include "store/pg_test_database.h"
#include "store/store.h"

namespace vigil::store {
namespace {

using report::Delivery;
using report::DeliveryState;

using testing::Backend;

TimePoint At(int64_t s) { return TimePoint(std::chrono::seconds(s)); }

class ReportOutboxStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    storage_.Prepare(GetParam(), "vigil_outbox");
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
  report::ReportOutboxStore& outbox() { return db_ ? db_->report_outbox() : memory_outbox_; }
  cases::CaseStore& case_store() { return db_ ? db_->cases() : memory_cases_; }

  // A stored case, as the case stores need one for report requests.
  cases::Case NewCase() {
    cases::CaseOpening opening;
    opening.new_case = {.account_id = "acct-1", .surface = "photos/upload"};
    opening.new_case.items.push_back(
        {.item_id = "item-1",
         .content_type = "image/jpeg",
         .received_at = At(1000),
         .flags = {{.technology = "md5", .raw_value = 0, .bank_entry_id = 3, .bank_name = "b"}}});
    opening.at = At(1000);
    opening.event = {.at = At(1000), .actor = "system", .action = "opened"};
    auto opened = case_store().CreateCase(opening);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened->opened;
  }

  cases::InMemoryCaseStore memory_cases_;
  report::InMemoryReportOutboxStore memory_outbox_;
  testing::BackendStorage storage_;  // declared before db_, which must close first
  std::unique_ptr<Database> db_;
};

TEST_P(ReportOutboxStoreTest, RequestsAreWrittenOnlyWithTheCaseChangeThatCarriesThem) {
  const cases::Case c = NewCase();
  cases::CaseChange change{.id = c.id, .expected_version = c.version + 1, .progress = c.progress};
  change.progress.updated_at = At(2000);
  change.report_requests.push_back(
      {.case_id = c.id, .destination = "ncmec", .created_at = At(2000)});
  change.events.push_back({.case_id = c.id, .at = At(2000), .actor = "a", .action = "x"});
  auto stale = case_store().CompareAndSet(change);
  ASSERT_TRUE(stale.ok()) << stale.status().ToString();
  EXPECT_FALSE(*stale);
  EXPECT_TRUE(case_store().ListReportRequests(0, 10)->empty());

  change.expected_version = c.version;
  ASSERT_TRUE(*case_store().CompareAndSet(change));
  auto requests = case_store().ListReportRequests(0, 10);
  ASSERT_TRUE(requests.ok()) << requests.status().ToString();
  ASSERT_EQ(requests->size(), 1u);
  EXPECT_GT((*requests)[0].id, 0);
  EXPECT_EQ((*requests)[0].case_id, c.id);
  EXPECT_EQ((*requests)[0].destination, "ncmec");
  EXPECT_EQ((*requests)[0].created_at, At(2000));
  EXPECT_TRUE(case_store().ListReportRequests((*requests)[0].id, 10)->empty());
}

TEST_P(ReportOutboxStoreTest, EnqueueIsIdempotentAndUpdatesAreCompareAndSet) {
  const cases::ReportRequest request{
      .id = 7, .case_id = 3, .destination = "ncmec", .created_at = At(5000)};
  ASSERT_TRUE(outbox().Enqueue(request).ok());
  auto d = outbox().Get(7);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d, report::DeliveryFromRequest(request));
  EXPECT_EQ(d->state, DeliveryState::kPending);
  EXPECT_EQ(d->version, 1);
  EXPECT_EQ(*outbox().LastRequestId(), 7);

  Delivery changed = *d;
  changed.attempts = 2;
  changed.next_attempt_at = At(6000);
  changed.last_error = "NCMEC upload answered 1000 (retry): \"Server\" <error>";
  changed.progress = {.remote_id = 4711,
                      .opened_at = At(5100),
                      .touched_at = At(5200),
                      .files = {{.item_id = "item-1", .file_id = "f1", .info_sent = true}},
                      .in_flight = "upload:item-2",
                      .restarts = 1};
  ASSERT_TRUE(*outbox().Update(changed));
  EXPECT_FALSE(*outbox().Update(changed));      // stale version now
  ASSERT_TRUE(outbox().Enqueue(request).ok());  // a repeated copy changes nothing
  auto back = outbox().Get(7);
  changed.version = 2;
  EXPECT_EQ(*back, changed);

  changed.state = DeliveryState::kDelivered;
  changed.remote_id = 4711;
  changed.delivered_at = At(5300);
  ASSERT_TRUE(*outbox().Update(changed));
  changed.version = 3;
  EXPECT_EQ(*outbox().Get(7), changed);

  Delivery unknown = changed;
  unknown.request_id = 99;
  EXPECT_EQ(outbox().Update(unknown).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(outbox().Get(99).status().code(), StatusCode::kNotFound);
}

TEST_P(ReportOutboxStoreTest, DueListsPendingByNextAttemptAndListFilters) {
  for (int64_t id : {1, 2, 3}) {
    ASSERT_TRUE(outbox()
                    .Enqueue({.id = id,
                              .case_id = 10 + id,
                              .destination = "ncmec",
                              .created_at = At(100 * (4 - id))})
                    .ok());
  }
  Delivery done = *outbox().Get(2);
  done.state = DeliveryState::kDelivered;
  ASSERT_TRUE(*outbox().Update(done));
  auto due = outbox().ListDue(At(250), 10);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  ASSERT_EQ(due->size(), 1u);  // 3 at 100; 1 at 300 not yet; 2 delivered
  EXPECT_EQ((*due)[0].request_id, 3);
  EXPECT_EQ(outbox().ListDue(At(300), 10)->size(), 2u);
  EXPECT_EQ(outbox().ListDue(At(300), 1)->front().request_id, 3);
  auto for_case = outbox().List({.case_id = 11});
  ASSERT_EQ(for_case->size(), 1u);
  EXPECT_EQ(for_case->front().request_id, 1);
  auto delivered = outbox().List({.state = DeliveryState::kDelivered});
  ASSERT_EQ(delivered->size(), 1u);
  EXPECT_EQ(delivered->front().request_id, 2);
  EXPECT_EQ(outbox().List({})->size(), 3u);
  // Paging by request id, alone and with the other filters.
  auto first = outbox().List({.limit = 2});
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ(first->back().request_id, 2);
  auto rest = outbox().List({.after_request_id = 2, .limit = 2});
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ(rest->front().request_id, 3);
  EXPECT_TRUE(outbox().List({.state = DeliveryState::kDelivered, .after_request_id = 2})->empty());
  EXPECT_EQ(outbox().List({.case_id = 13, .after_request_id = 1})->size(), 1u);
}

TEST_P(ReportOutboxStoreTest, DeliveriesSurviveReopening) {
  if (GetParam() == Backend::kMemory) GTEST_SKIP() << "memory keeps nothing";
  ASSERT_TRUE(
      outbox().Enqueue({.id = 4, .case_id = 1, .destination = "ncmec", .created_at = At(10)}).ok());
  db_.reset();
  db_ = Open();
  EXPECT_EQ(outbox().Get(4)->destination, "ncmec");
}

INSTANTIATE_TEST_SUITE_P(Backends, ReportOutboxStoreTest,
                         ::testing::Values(Backend::kMemory, Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

}  // namespace
}  // namespace vigil::store
