// Retention of records outside cases on SQLite and PostgreSQL (migration 18): the audit log's
// purge behind a checkpoint (the triggers allow deleting only what a checkpoint covers, and
// checkpoints never change), and the purge and verification of legal holds, DPIA records and
// reviewers' exposure, with a hand-set clock; and the classifier's retry items (migration 21),
// purged by the expiry the retention policy gave them unless their account is held.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "classify/retry_store.h"
#include "privacy/purge.h"
#include "privacy/record_retention.h"
#include "store/pg_test_database.h"
#include "store/store.h"
#include "transparency/annual_report.h"

namespace vigil::store {
namespace {

using testing::Backend;

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1'800'000'000;  // 2027-01-15
TimePoint At(int64_t s) { return TimePoint(std::chrono::seconds(s)); }

class RecordRetentionStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    storage_.Prepare(GetParam(), "vigil_record_retention");
    if (IsSkipped() || HasFatalFailure()) return;
    auto db = OpenDatabase(storage_.url(), {.clock = clock_});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }

  // Runs raw SQL as someone with write access to the database would; the status of the run.
  Status RawSql(const std::string& sql) {
    if (GetParam() == Backend::kSqlite) {
      try {
        SQLite::Database db(storage_.sqlite_path(), SQLite::OPEN_READWRITE);
        db.exec(sql);
        return Status::Ok();
      } catch (const std::exception& e) {
        return InternalError(e.what());
      }
    }
    auto conn = storage_.scratch()->Connect();
    if (!conn.ok()) return conn.status();
    return (*conn)->Exec(sql).status();
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>(At(kT0));
  testing::BackendStorage storage_;
  std::unique_ptr<Database> db_;
};

TEST_P(RecordRetentionStoreTest, AuditLogPurgeKeepsTheChainVerifiableAndIsTheOnlyWayToDelete) {
  std::vector<audit::AuditRecord> records;
  for (int i = 0; i < 4; ++i) {
    clock_->Set(At(kT0 + i * 10 * kDay));
    auto r = db_->audit().Append({.actor = "dpo", .action = "case.view", .target = "case:9"});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    records.push_back(*r);
  }
  EXPECT_FALSE(RawSql("DELETE FROM audit_log WHERE seq = 1").ok());
  EXPECT_EQ(*db_->audit().LatestCheckpoint(), std::nullopt);
  EXPECT_EQ(db_->audit().PurgeThrough(4, At(kT0)).status().code(),
            StatusCode::kFailedPrecondition);  // the head
  EXPECT_EQ(db_->audit().PurgeThrough(7, At(kT0)).status().code(), StatusCode::kNotFound);

  // Day 375: records 1 (day 0) and 2 (day 10) are past their 365 days.
  const TimePoint now = At(kT0 + 375 * kDay);
  auto run = privacy::PurgeAuditLog(db_->audit(), db_->privacy(), now);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->records, 2);
  const audit::AuditCheckpoint expected{
      .through_seq = 2, .hash = records[1].hash, .records = 2, .purged_at = now};
  EXPECT_EQ(run->checkpoint, expected);
  EXPECT_EQ(*db_->audit().LatestCheckpoint(), expected);
  auto head = audit::VerifyChain(db_->audit());
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->records, 2);
  EXPECT_EQ(head->hash, records[3].hash);
  EXPECT_TRUE(privacy::AuditRetentionViolations(db_->audit(), db_->privacy(), now)->empty());
  EXPECT_EQ(db_->audit().PurgeThrough(2, now).status().code(), StatusCode::kNotFound);

  // A record the checkpoint does not cover still cannot be deleted; checkpoints never change.
  EXPECT_FALSE(RawSql("DELETE FROM audit_log WHERE seq = 3").ok());
  EXPECT_FALSE(RawSql("UPDATE audit_checkpoints SET through_seq = 3").ok());
  EXPECT_FALSE(RawSql("DELETE FROM audit_checkpoints").ok());
  // Appends continue from the head.
  auto next = db_->audit().Append({.actor = "dpo", .action = "case.view", .target = "case:9"});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->seq, 5);
  EXPECT_EQ(audit::VerifyChain(db_->audit())->records, 3);
}

TEST_P(RecordRetentionStoreTest, HoldsDpiaRecordsAndExposureArePurgedAfterTheirPeriods) {
  privacy::PrivacyStore& store = db_->privacy();
  privacy::HoldRecord hold{.subject = "case:1",
                           .reason = "court order",
                           .placed_by = "dpo",
                           .placed_at = At(kT0),
                           .review_at = At(kT0 + 30 * kDay),
                           .ends_at = At(kT0 + 10 * kDay)};
  ASSERT_TRUE(store.AddHold(hold).ok());  // 1: ends on day 10
  hold.ends_at.reset();
  ASSERT_TRUE(store.AddHold(hold).ok());  // 2: active until released
  privacy::DpiaRecord d{.technology = "grooming-v1",
                        .assessed_on = At(kT0),
                        .authority = "DPC",
                        .outcome = "no objection",
                        .link = "https://example.org/dpia",
                        .recorded_by = "dpo",
                        .recorded_at = At(kT0)};
  ASSERT_TRUE(store.AddDpia(d).ok());  // 1: superseded on day 10
  d.recorded_at = At(kT0 + 10 * kDay);
  ASSERT_TRUE(store.AddDpia(d).ok());  // 2: the newest
  const int64_t day0 = kT0 / kDay;
  ASSERT_TRUE(RawSql("INSERT INTO reviewer_exposure (reviewer, day, items) VALUES ('rev-1', " +
                     std::to_string(day0) + ", 4), ('rev-1', " + std::to_string(day0 + 20) + ", 2)")
                  .ok());

  const TimePoint day100 = At(kT0 + 100 * kDay);  // exposure of day 0 is past its 90 days
  EXPECT_EQ(*store.RetentionViolations(day100),
            std::vector<std::string>{"1 reviewer exposure rows are older than 90 days"});
  EXPECT_EQ(
      *store.PurgeRecords(day100),
      (privacy::RecordPurge{.reviewer_exposure = 1, .by_purpose = {{"reviewer_wellbeing", 1}}}));
  EXPECT_TRUE(store.RetentionViolations(day100)->empty());

  const TimePoint day375 = At(kT0 + 375 * kDay);
  EXPECT_EQ(store.RetentionViolations(day375)->size(), 3u);  // hold 1, DPIA 1, exposure day 20
  EXPECT_EQ(*store.PurgeRecords(day375),
            (privacy::RecordPurge{.legal_holds = 1,
                                  .dpia_records = 1,
                                  .reviewer_exposure = 1,
                                  .by_purpose = {{"impact_assessment", 1},
                                                 {"legal_procedures", 1},
                                                 {"reviewer_wellbeing", 1}}}));
  EXPECT_TRUE(store.RetentionViolations(day375)->empty());
  auto holds = store.ListHolds(std::nullopt);
  ASSERT_EQ(holds->size(), 1u);
  EXPECT_EQ(holds->front().id, 2);
  auto dpia = store.ListDpia(std::nullopt);
  ASSERT_EQ(dpia->size(), 1u);
  EXPECT_EQ(dpia->front().id, 2);
}

// Issue 10: items kept for a classifier retry hold the item itself; the purge deletes them at the
// expiry the retention policy stamped (created + the longest of reporting and blocking), keeps
// those of a held account until the hold ends, and counts them per purpose.
TEST_P(RecordRetentionStoreTest, ClassifierRetryItemsArePurgedAtTheirExpiryUnlessHeld) {
  privacy::PrivacyStore& store = db_->privacy();
  privacy::RetentionPolicy policy = privacy::DefaultRetentionPolicy();
  policy.max_age[privacy::Purpose::kReporting] = std::chrono::days(30);
  policy.max_age[privacy::Purpose::kBlocking] = std::chrono::days(60);
  ASSERT_TRUE(store.PutRetentionPolicy(policy, At(kT0)).ok());
  auto keep = [&](std::string_view content, std::string account, int64_t day) {
    classify::RetryItem item;
    item.kind = classify::RetryKind::kMedia;
    item.source = std::string(content) + ".jpg";
    item.account_id = std::move(account);
    item.bytes.assign(content.begin(), content.end());
    item.key = classify::RetryKey(item.bytes);
    item.error = "UNAVAILABLE: timed out";
    item.last_failed_at = At(kT0 + day * kDay);
    ASSERT_TRUE(db_->classify_retries().Keep(item).ok());
  };
  keep("a", "acct-a", 0);   // expires on day 60 (blocking's 60 days)
  keep("b", "acct-b", 0);   // day 60 too, but its account is held until day 100
  keep("c", "acct-a", 30);  // day 90
  keep("a", "acct-a", 50);  // a second failure keeps the first one's expiry
  ASSERT_TRUE(store
                  .AddHold({.subject = "account:acct-b",
                            .reason = "complaint pending",
                            .placed_by = "dpo",
                            .placed_at = At(kT0),
                            .ends_at = At(kT0 + 100 * kDay)})
                  .ok());
  auto pending = [&] {
    std::vector<std::string> sources;
    auto items = db_->classify_retries().Pending(classify::RetryKind::kMedia, 10);
    if (!items.ok()) return std::vector<std::string>{items.status().ToString()};
    for (const classify::RetryItem& i : *items) sources.push_back(i.source);
    return sources;
  };
  using privacy::Purpose;

  const TimePoint day59 = At(kT0 + 59 * kDay);
  EXPECT_TRUE(store.RetentionViolations(day59)->empty());
  EXPECT_EQ(*store.PurgeRecords(day59), privacy::RecordPurge{});

  const TimePoint day61 = At(kT0 + 61 * kDay);
  EXPECT_EQ(
      *store.RetentionViolations(day61),
      std::vector<std::string>{"1 classifier retry item(s) are past their expiry and not held"});
  EXPECT_EQ(*store.PurgeRecords(day61),
            (privacy::RecordPurge{.classify_retries = 1,
                                  .by_purpose = {{"reporting", 1}, {"blocking", 1}}}));
  EXPECT_EQ(pending(), (std::vector<std::string>{"b.jpg", "c.jpg"}));
  EXPECT_TRUE(store.RetentionViolations(day61)->empty());

  // Day 101: the hold ended on day 100; b and c go through the purge itself.
  const TimePoint day101 = At(kT0 + 101 * kDay);
  auto run = privacy::Purge(store, nullptr, day101);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->cases, 0);
  EXPECT_EQ(run->records, 2);
  EXPECT_EQ(run->outside_cases.classify_retries, 2);
  EXPECT_EQ(run->records_by_purpose,
            (std::map<std::string, int64_t>{{"reporting", 2}, {"blocking", 2}}));
  EXPECT_TRUE(pending().empty());
  EXPECT_TRUE(privacy::VerifyRetention(store, nullptr, day101)->empty());

  // The erasure counts the annual report reads (retention.purged.<purpose>).
  const int64_t day0 = kT0 / kDay;
  using privacy::ErasureReason;
  EXPECT_EQ(
      *store.ListErasureCounts(At(kT0), At(kT0 + 102 * kDay)),
      (std::vector<privacy::ErasureCount>{{day0 + 61, ErasureReason::kExpired, "blocking", 1},
                                          {day0 + 61, ErasureReason::kExpired, "reporting", 1},
                                          {day0 + 101, ErasureReason::kExpired, "blocking", 2},
                                          {day0 + 101, ErasureReason::kExpired, "reporting", 2}}));
}

// Issue 8: every record a purge deletes counts under its purpose in the annual report
// (retention.purged.<purpose>): the records outside cases under their table's purposes in the
// data map, the classifier retry items under the purposes stamped on them. Hand-counted below.
TEST_P(RecordRetentionStoreTest, EveryPurgedRecordCountsUnderItsPurposeInTheAnnualReport) {
  privacy::PrivacyStore& store = db_->privacy();
  const int64_t day0 = kT0 / kDay;
  // 2 legal holds that end on day 10 (one by its end date, one released) and 1 still active.
  for (int i = 0; i < 3; ++i) {
    privacy::HoldRecord h{.subject = "case:" + std::to_string(i + 1),
                          .reason = "court order",
                          .placed_by = "dpo",
                          .placed_at = At(kT0),
                          .review_at = At(kT0 + 30 * kDay)};
    if (i == 0) h.ends_at = At(kT0 + 10 * kDay);
    ASSERT_TRUE(store.AddHold(h).ok());
  }
  ASSERT_TRUE(store.ReleaseHold(2, "dpo", At(kT0 + 10 * kDay)).ok());
  // 3 DPIA records of one technology: the first 2 superseded by day 10, the newest kept.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store
                    .AddDpia({.technology = "grooming-v1",
                              .assessed_on = At(kT0),
                              .authority = "DPC",
                              .outcome = "no objection",
                              .link = "https://example.org/dpia",
                              .recorded_by = "dpo",
                              .recorded_at = At(kT0 + i * 5 * kDay)})
                    .ok());
  }
  // 4 exposure days, all older than 90 days by day 400.
  ASSERT_TRUE(RawSql(fmt::format("INSERT INTO reviewer_exposure (reviewer, day, items) VALUES "
                                 "('rev-1', {0}, 4), ('rev-1', {1}, 2), ('rev-2', {0}, 1), "
                                 "('rev-2', {2}, 3)",
                                 day0, day0 + 1, day0 + 2))
                  .ok());
  // 5 audit records on days 0-4, and the head on day 399 (never purged).
  for (int i = 0; i < 5; ++i) {
    clock_->Set(At(kT0 + i * kDay));
    ASSERT_TRUE(db_->audit().Append({.actor = "dpo", .action = "case.view", .target = "x"}).ok());
  }
  clock_->Set(At(kT0 + 399 * kDay));
  ASSERT_TRUE(db_->audit().Append({.actor = "dpo", .action = "case.view", .target = "y"}).ok());
  // 2 classifier retry items from day 0, kept for reporting and blocking for 365 days.
  for (const char* content : {"a", "b"}) {
    classify::RetryItem item;
    item.kind = classify::RetryKind::kMedia;
    item.source = std::string(content) + ".jpg";
    item.account_id = "acct";
    item.bytes.assign(content, content + 1);
    item.key = classify::RetryKey(item.bytes);
    item.error = "UNAVAILABLE: timed out";
    item.last_failed_at = At(kT0);
    ASSERT_TRUE(db_->classify_retries().Keep(item).ok());
  }

  const TimePoint day400 = At(kT0 + 400 * kDay);
  auto run = privacy::Purge(store, nullptr, day400, {.audit_log = &db_->audit()});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  const std::map<std::string, int64_t> expected = {
      {"accountability", 5},   {"blocking", 2},  {"impact_assessment", 2},
      {"legal_procedures", 2}, {"reporting", 2}, {"reviewer_wellbeing", 4}};
  EXPECT_EQ(run->records_by_purpose, expected);
  EXPECT_EQ(run->records, 2 + 2 + 4 + 5 + 2);  // each record once
  EXPECT_TRUE(privacy::VerifyRetention(store, nullptr, day400, &db_->audit())->empty());

  // The annual report of day 400's year reads the same from erasure_counts.
  transparency::ReportStores stores{&db_->cases(), &db_->volume(), &db_->banks()};
  stores.erasures = [&](TimePoint from,
                        TimePoint to) -> Result<std::vector<transparency::ErasureTotal>> {
    ASSIGN_OR_RETURN(auto counts, store.ListErasureCounts(from, to));
    std::vector<transparency::ErasureTotal> out;
    for (const auto& c : counts) {
      out.push_back({std::string(privacy::ErasureReasonName(c.reason)), c.purpose, c.records});
    }
    return out;
  };
  const int year = static_cast<int>(
      std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(day400)).year());
  auto report = transparency::BuildAnnualReport(
      stores, *transparency::BuiltInForm(transparency::kDefaultFormId),
      transparency::ReportConfig{}, year, day400);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  for (const auto& [purpose, n] : expected) {
    auto f = report->figures.find("retention.purged." + purpose);
    ASSERT_NE(f, report->figures.end()) << purpose;
    EXPECT_EQ(f->second.count, n) << purpose;
  }
  EXPECT_EQ(report->figures.at("retention.purged").count, 5 + 2 + 2 + 2 + 2 + 4);

  // A second purge finds nothing and counts nothing more.
  auto again = privacy::Purge(store, nullptr, day400, {.audit_log = &db_->audit()});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->records, 0);
  EXPECT_EQ(store.ListErasureCounts(At(kT0), day400 + std::chrono::days(1))->size(),
            expected.size());
  EXPECT_EQ(store.CountErasures(day400, privacy::ErasureReason::kExpired, "", 1).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store.CountErasures(day400, privacy::ErasureReason::kExpired, "x", -1).code(),
            StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Databases, RecordRetentionStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

}  // namespace
}  // namespace vigil::store
