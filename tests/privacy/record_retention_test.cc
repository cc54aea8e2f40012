// Retention of records outside cases, with hand-set clocks: the audit log's expired prefix is
// purged behind a checkpoint and the rest still verifies (tampering and deletions after the
// checkpoint are still caught); held records stop the purge; the head is never purged; legal
// holds and DPIA records go after their periods.
#include "privacy/record_retention.h"

#include <gtest/gtest.h>

#include "privacy/data_map.h"
#include "privacy/purge.h"

namespace vigil::privacy {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1'800'000'000;  // 2027-01-15
TimePoint At(int64_t s) { return TimePoint(std::chrono::seconds(s)); }

class AuditPurgeTest : public ::testing::Test {
 protected:
  // Records every 10 days from kT0: seq n at kT0 + 10 (n - 1) days, targets as given.
  void Fill(const std::vector<std::string>& targets) {
    for (size_t i = 0; i < targets.size(); ++i) {
      clock_->Set(At(kT0 + static_cast<int64_t>(i) * 10 * kDay));
      auto r = audit_.Append({.actor = "dpo", .action = "case.view", .target = targets[i]});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      records_.push_back(*r);
    }
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>(At(kT0));
  audit::InMemoryAuditStore audit_{clock_};
  InMemoryPrivacyStore privacy_;
  std::vector<audit::AuditRecord> records_;
};

TEST_F(AuditPurgeTest, ExpiredPrefixGoesBehindACheckpointAndTheRestStillVerifies) {
  Fill({"case:1", "case:2", "case:3", "case:4", "case:5"});
  // 365 days after record 2 (kT0 + 10 d) and before record 3's: records 1 and 2 are due.
  const TimePoint now = At(kT0 + 375 * kDay);
  EXPECT_EQ(AuditRetentionViolations(audit_, privacy_, now)->size(), 1u);
  auto run = PurgeAuditLog(audit_, privacy_, now, /*page_size=*/2);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->records, 2);
  ASSERT_TRUE(run->checkpoint.has_value());
  EXPECT_EQ(run->checkpoint->through_seq, 2);
  EXPECT_EQ(run->checkpoint->hash, records_[1].hash);
  EXPECT_EQ(run->checkpoint->purged_at, now);
  EXPECT_EQ(audit_.List(1, 10)->front().seq, 3);

  auto head = audit::VerifyChain(audit_);
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->records, 3);
  EXPECT_EQ(head->seq, 5);
  EXPECT_TRUE(audit::VerifyAnchor(audit_, 2, records_[1].hash).ok());
  EXPECT_EQ(audit::VerifyAnchor(audit_, 2, records_[0].hash).code(), StatusCode::kDataLoss);
  EXPECT_EQ(audit::VerifyAnchor(audit_, 1, records_[0].hash).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(AuditRetentionViolations(audit_, privacy_, now)->empty());
  // Nothing more is due: no second checkpoint.
  EXPECT_FALSE(PurgeAuditLog(audit_, privacy_, now)->checkpoint.has_value());

  // Appends continue the chain after a purge.
  ASSERT_TRUE(audit_.Append({.actor = "dpo", .action = "case.view", .target = "case:6"}).ok());
  EXPECT_EQ(audit::VerifyChain(audit_)->seq, 6);
  // A record deleted after the checkpoint, or edited, is still a break.
  audit_.TamperForTest(4, {.actor = "mallory", .action = "case.view", .target = "case:4"});
  EXPECT_EQ(audit::VerifyChain(audit_).status().code(), StatusCode::kDataLoss);
}

TEST_F(AuditPurgeTest, DeletingTheFirstRecordAfterACheckpointIsCaught) {
  Fill({"case:1", "case:2", "case:3", "case:4"});
  ASSERT_TRUE(PurgeAuditLog(audit_, privacy_, At(kT0 + 366 * kDay)).ok());
  EXPECT_EQ(audit_.List(1, 10)->front().seq, 2);
  audit_.EraseForTest(2);
  auto broken = audit::VerifyChain(audit_);
  EXPECT_EQ(broken.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(broken.status().message().find("seq 2"), std::string::npos)
      << broken.status().ToString();
}

TEST_F(AuditPurgeTest, HeldRecordsStopThePurgeAndTheHeadIsNeverPurged) {
  Fill({"case:1", "/v1/cases/7/decision", "case:3", "account:p1.k1.abc", "case:5"});
  ASSERT_TRUE(privacy_
                  .AddHold({.subject = "case:7",
                            .reason = "complaint pending",
                            .placed_by = "dpo",
                            .placed_at = At(kT0),
                            .review_at = At(kT0 + 900 * kDay)})
                  .ok());
  const TimePoint late = At(kT0 + 800 * kDay);  // every record is past its year
  auto run = PurgeAuditLog(audit_, privacy_, late);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->records, 1);  // record 2 names the held case: it and all after it stay
  EXPECT_TRUE(AuditRetentionViolations(audit_, privacy_, late)->empty());  // held, not late
  ASSERT_TRUE(privacy_.ReleaseHold(1, "dpo", late).ok());
  EXPECT_EQ(AuditRetentionViolations(audit_, privacy_, late)->size(), 1u);
  run = PurgeAuditLog(audit_, privacy_, late);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->checkpoint->through_seq, 4);  // not 5: the head stays
  EXPECT_TRUE(AuditRetentionViolations(audit_, privacy_, late)->empty());
  EXPECT_EQ(audit::VerifyChain(audit_)->records, 1);
  EXPECT_EQ(audit_.PurgeThrough(5, late).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(audit_.PurgeThrough(3, late).status().code(), StatusCode::kNotFound);
}

TEST(AuditRecordHeld, CaseAndAccountHoldsCoverTheirTargetsOnly) {
  const std::vector<HoldRecord> holds = {{.subject = "case:7"}, {.subject = "account:p1.k1.abc"}};
  auto rec = [](std::string target, std::string details = "") {
    return audit::AuditRecord{.event = {.actor = "a",
                                        .action = "x",
                                        .target = std::move(target),
                                        .details = std::move(details)}};
  };
  EXPECT_TRUE(AuditRecordHeld(rec("case:7"), holds));
  EXPECT_TRUE(AuditRecordHeld(rec("/v1/cases/7"), holds));
  EXPECT_TRUE(AuditRecordHeld(rec("/v1/cases/7/items/0/media"), holds));
  EXPECT_FALSE(AuditRecordHeld(rec("/v1/cases/70"), holds));
  EXPECT_FALSE(AuditRecordHeld(rec("case:77"), holds));
  EXPECT_TRUE(AuditRecordHeld(rec("privacy.hold", R"({"account":"p1.k1.abc"})"), holds));
  EXPECT_FALSE(AuditRecordHeld(rec("case:8"), holds));
}

TEST(PurgeRecords, EndedHoldsAndSupersededDpiaRecordsGoAfterTheirYear) {
  InMemoryPrivacyStore store;
  auto hold = [&](std::optional<int64_t> ends) {
    return HoldRecord{.subject = "case:1",
                      .reason = "court order",
                      .placed_by = "dpo",
                      .placed_at = At(kT0),
                      .review_at = At(kT0 + 30 * kDay),
                      .ends_at = ends ? std::optional(At(*ends)) : std::nullopt};
  };
  ASSERT_TRUE(store.AddHold(hold(kT0 + 10 * kDay)).ok());  // ends day 10
  ASSERT_TRUE(store.AddHold(hold(std::nullopt)).ok());     // open-ended, active
  ASSERT_TRUE(store.AddHold(hold(std::nullopt)).ok());     // released on day 20
  ASSERT_TRUE(store.ReleaseHold(3, "dpo", At(kT0 + 20 * kDay)).ok());
  DpiaRecord d{.technology = "grooming-v1",
               .assessed_on = At(kT0),
               .authority = "DPC",
               .outcome = "no objection",
               .link = "https://example.org/dpia",
               .recorded_by = "dpo",
               .recorded_at = At(kT0)};
  ASSERT_TRUE(store.AddDpia(d).ok());  // superseded on day 10
  d.recorded_at = At(kT0 + 10 * kDay);
  ASSERT_TRUE(store.AddDpia(d).ok());  // the newest: kept
  d.technology = "nudity-v2";
  ASSERT_TRUE(store.AddDpia(d).ok());  // the only one of its technology: kept

  // Day 374: hold 1 ended 364 days ago; nothing is due yet.
  EXPECT_EQ(*store.PurgeRecords(At(kT0 + 374 * kDay)), RecordPurge{});
  EXPECT_TRUE(store.RetentionViolations(At(kT0 + 374 * kDay))->empty());
  // Day 375: hold 1 and the superseded DPIA record are past their year.
  EXPECT_EQ(store.RetentionViolations(At(kT0 + 375 * kDay))->size(), 2u);
  EXPECT_EQ(*store.PurgeRecords(At(kT0 + 375 * kDay)),
            (RecordPurge{.legal_holds = 1,
                         .dpia_records = 1,
                         .by_purpose = {{"impact_assessment", 1}, {"legal_procedures", 1}}}));
  EXPECT_EQ(store.ListHolds(std::nullopt)->size(), 2u);
  // Day 385: the released hold goes; the open-ended one never does while active.
  EXPECT_EQ(store.PurgeRecords(At(kT0 + 385 * kDay))->legal_holds, 1);
  EXPECT_EQ(store.PurgeRecords(At(kT0 + 5000 * kDay))->legal_holds, 0);
  ASSERT_EQ(store.ListHolds(std::nullopt)->size(), 1u);
  EXPECT_EQ(store.ListHolds(std::nullopt)->front().id, 2);
  EXPECT_EQ(store.ListDpia(std::nullopt)->size(), 2u);
  EXPECT_TRUE(store.RetentionViolations(At(kT0 + 5000 * kDay))->empty());
}

// Issue 8: the purge counts every record it deletes under its purpose (the data map's purged_as),
// in the erasure counts the annual report reads; in memory (the databases:
// tests/store/record_retention_store_test.cc).
TEST_F(AuditPurgeTest, PurgeCountsHoldsDpiaRecordsAndAuditRecordsUnderTheirPurposes) {
  Fill({"a", "b", "c", "d"});  // days 0, 10, 20, 30; the head (d) stays
  ASSERT_TRUE(privacy_
                  .AddHold({.subject = "case:1",
                            .reason = "court order",
                            .placed_by = "dpo",
                            .placed_at = At(kT0),
                            .ends_at = At(kT0 + kDay)})
                  .ok());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(privacy_
                    .AddDpia({.technology = "t",
                              .assessed_on = At(kT0),
                              .authority = "DPC",
                              .outcome = "ok",
                              .link = "l",
                              .recorded_by = "dpo",
                              .recorded_at = At(kT0 + i * kDay)})
                    .ok());
  }
  const TimePoint now = At(kT0 + 400 * kDay);
  auto run = Purge(privacy_, nullptr, now, {.audit_log = &audit_});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  const std::map<std::string, int64_t> expected = {
      {"accountability", 3}, {"impact_assessment", 1}, {"legal_procedures", 1}};
  EXPECT_EQ(run->records_by_purpose, expected);
  EXPECT_EQ(run->records, 5);
  const int64_t day = kT0 / kDay + 400;
  EXPECT_EQ(*privacy_.ListErasureCounts(At(kT0), now + std::chrono::days(1)),
            (std::vector<ErasureCount>{{day, ErasureReason::kExpired, "accountability", 3},
                                       {day, ErasureReason::kExpired, "impact_assessment", 1},
                                       {day, ErasureReason::kExpired, "legal_procedures", 1}}));
  // The purposes come from the data map; a table it gives none is an error, not a silent zero.
  EXPECT_EQ(*PurgedAs("classify_retries"), (std::vector<std::string>{"reporting", "blocking"}));
  EXPECT_EQ(PurgedAs("banks").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(PurgedAs("no_such_table").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil::privacy
