// Worker::Handle with in-memory stores and a fake delivery: what is committed and how each
// delivery is settled (ack, retry, dead letter), plus the worker configuration file.
#include "worker/worker.h"

#include <gtest/gtest.h>

#include "privacy/privacy_store.h"
#include "worker/config.h"
#include "worker/ledger_purge.h"
#include "worker_rig.h"

namespace vigil::worker {
namespace {

using testing::FakeDelivery;
using testing::kAquaPdq;
using testing::kMd5;
using testing::kSha256;

class WorkerTest : public testing::WorkerRig {
 protected:
  void SetUp() override {
    WorkerRig::SetUp();
    if (HasFatalFailure()) return;
    WorkerOptions options;
    options.name = "w-test";
    options.max_deliver = 3;
    worker_ = std::make_unique<Worker>(options, nullptr, ledger_, *pipeline_, clock_);
  }

  static std::string Job(const std::string& item, const std::string& pdq) {
    queue::ScanJob job;
    job.item_id = item;
    job.account_id = "acct-" + item;
    job.region = "eu";
    job.pdq = pdq;
    job.pdq_quality = 100;
    job.md5 = kMd5;
    job.sha256 = kSha256;
    return queue::EncodeJob(job);
  }

  std::unique_ptr<Worker> worker_;
};

TEST_F(WorkerTest, AMatchOpensOneCaseAndARedeliveryChangesNothing) {
  FakeDelivery first(Job("m1", kAquaPdq), 1);
  ASSERT_TRUE(worker_->Handle(first).ok());
  EXPECT_EQ(first.settled, "ack");
  EXPECT_EQ(CaseCount(), 1u);
  auto row = ledger_.Get({queue::ItemKeyOf("m1"), kHashJobTechnologies});
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_TRUE((*row)->outcome.flagged);
  EXPECT_EQ((*row)->outcome.case_id, cases_.ListCases({})->at(0).id);
  EXPECT_EQ((*row)->job_id, "VIGIL_JOBS:5");
  EXPECT_EQ((*row)->worker, "w-test");
  // The worker died before its ack reached the queue: the job comes again.
  FakeDelivery again(Job("m1", kAquaPdq), 2);
  ASSERT_TRUE(worker_->Handle(again).ok());
  EXPECT_EQ(again.settled, "ack");
  EXPECT_EQ(CaseCount(), 1u);
  // Three technologies counted once each, not twice.
  auto volume = counters_.List(0, 1'000'000);
  ASSERT_TRUE(volume.ok());
  for (const auto& [key, count] : *volume) EXPECT_EQ(count.processed, 1u) << key.technology;
  const WorkerMetrics m = worker_->Metrics();
  EXPECT_EQ(m.processed, 1u);
  EXPECT_EQ(m.flagged, 1u);
  EXPECT_EQ(m.duplicates, 1u);
  EXPECT_EQ(m.redeliveries, 1u);
  EXPECT_EQ(m.lag, 7u);
}

TEST_F(WorkerTest, AnUnmatchedItemLeavesNoCase) {
  FakeDelivery d(Job("n1", std::string(64, '0')), 1);
  ASSERT_TRUE(worker_->Handle(d).ok());
  EXPECT_EQ(d.settled, "ack");
  EXPECT_EQ(CaseCount(), 0u);
  EXPECT_FALSE((*ledger_.Get({queue::ItemKeyOf("n1"), kHashJobTechnologies}))->outcome.flagged);
}

// Art 3(1)(h): ledger rows past the retention are deleted and counted for the annual report
// under the data map's purpose for processed_items; newer rows stay, and a second purge finds
// nothing and counts nothing.
TEST_F(WorkerTest, TheLedgerPurgeDeletesOldRowsAndCountsThemForTheAnnualReport) {
  const TimePoint t0 = clock_->Now();
  for (const char* item : {"m1", "n1"}) {
    FakeDelivery d(Job(item, item[0] == 'm' ? kAquaPdq : std::string(64, '0')), 1);
    ASSERT_TRUE(worker_->Handle(d).ok());
  }
  clock_->Advance(std::chrono::hours(25));
  FakeDelivery late(Job("n2", std::string(64, '0')), 1);
  ASSERT_TRUE(worker_->Handle(late).ok());
  ASSERT_EQ(*ledger_.Count(), 3);

  privacy::InMemoryPrivacyStore privacy;
  const TimePoint now = clock_->Now();
  auto purged = PurgeJobLedger(ledger_, privacy, now - std::chrono::hours(24), now);
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(*purged, 2);
  EXPECT_EQ(*ledger_.Count(), 1);
  EXPECT_TRUE((*ledger_.Get({queue::ItemKeyOf("n2"), kHashJobTechnologies})).has_value());
  EXPECT_FALSE((*ledger_.Get({queue::ItemKeyOf("m1"), kHashJobTechnologies})).has_value());
  auto counts = privacy.ListErasureCounts(t0, now + std::chrono::hours(24));
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  const int64_t day = std::chrono::duration_cast<std::chrono::days>(now.time_since_epoch()).count();
  EXPECT_EQ(*counts, (std::vector<privacy::ErasureCount>{
                         {day, privacy::ErasureReason::kExpired, "exactly_once_processing", 2}}));

  EXPECT_EQ(*PurgeJobLedger(ledger_, privacy, now - std::chrono::hours(24), now), 0);
  EXPECT_EQ(privacy.ListErasureCounts(t0, now + std::chrono::hours(24))->at(0).records, 2);
}

TEST_F(WorkerTest, APoisonJobIsRetriedThenDeadLetteredWithTheError) {
  FakeDelivery d1("{\"item_id\":", 1);
  ASSERT_TRUE(worker_->Handle(d1).ok());
  EXPECT_EQ(d1.settled, "retry");
  FakeDelivery d3("{\"item_id\":", 3);  // max_deliver = 3: the last try
  ASSERT_TRUE(worker_->Handle(d3).ok());
  EXPECT_EQ(d3.settled, "dead");
  EXPECT_NE(d3.reason_.find("job VIGIL_JOBS:5: not valid JSON"), std::string::npos) << d3.reason_;
  EXPECT_EQ(worker_->Metrics().retried, 1u);
  EXPECT_EQ(worker_->Metrics().dead_lettered, 1u);
}

TEST_F(WorkerTest, AJobDeliveredTooOftenIsDeadLetteredUnprocessed) {
  FakeDelivery d(Job("crasher", kAquaPdq), 4);  // it took down three workers already
  ASSERT_TRUE(worker_->Handle(d).ok());
  EXPECT_EQ(d.settled, "dead");
  EXPECT_NE(d.reason_.find("delivered 4 times"), std::string::npos) << d.reason_;
  EXPECT_EQ(CaseCount(), 0u);
}

TEST_F(WorkerTest, AnItemTheLawDoesNotAllowIsAckedUnscanned) {
  queue::ScanJob job = *queue::DecodeJob(Job("e2e", kAquaPdq), "t");
  job.end_to_end_encrypted = true;  // never scanned under 2026/1881
  FakeDelivery d(queue::EncodeJob(job), 1);
  ASSERT_TRUE(worker_->Handle(d).ok());
  EXPECT_EQ(d.settled, "ack");
  EXPECT_EQ(CaseCount(), 0u);
  EXPECT_EQ(*ledger_.Count(), 0);
  EXPECT_EQ(worker_->Metrics().refused, 1u);
}

TEST_F(WorkerTest, PrometheusTextCarriesEveryCounterAndTheHistogram) {
  FakeDelivery d(Job("m2", kAquaPdq), 1);
  ASSERT_TRUE(worker_->Handle(d).ok());
  const std::string text = worker_->PrometheusText();
  EXPECT_NE(text.find("vigil_worker_jobs_processed_total{worker=\"w-test\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_worker_lag_jobs{worker=\"w-test\"} 7\n"), std::string::npos);
  // enqueued_ns 0 (unknown) counts as 0 s: in the first bucket and every one after.
  EXPECT_NE(text.find("vigil_worker_job_latency_seconds_bucket{worker=\"w-test\",le=\"0.005\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("vigil_worker_job_latency_seconds_count{worker=\"w-test\"} 1\n"),
            std::string::npos);
}

TEST(WorkerConfigTest, ParsesEveryKeyAndRefusesTyposAndBadValues) {
  auto c = ParseWorkerConfig(
      R"({"name":"w9","database":"postgresql://h/db","threads":3,"batch":8,
          "retry_delay_ms":250,"banks":["a","b"],"metrics_listen":"127.0.0.1:0",
          "nats":{"url":"nats://h:1","max_deliver":4,"ack_wait_ms":2000,"max_jobs":10}})",
      "w.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->worker.name, "w9");
  EXPECT_EQ(c->worker.threads, 3);
  EXPECT_EQ(c->worker.batch, 8);
  EXPECT_EQ(c->worker.retry_delay, std::chrono::milliseconds(250));
  EXPECT_EQ(c->worker.max_deliver, 4);
  EXPECT_EQ(c->nats.ack_wait, std::chrono::milliseconds(2000));
  EXPECT_EQ(c->nats.max_jobs, 10);
  EXPECT_EQ(c->banks, (std::vector<std::string>{"a", "b"}));
  struct Bad {
    const char* json;
    const char* message;
  };
  for (const Bad& bad : {Bad{"{", "not valid JSON"}, Bad{"{}", "'database'"},
                         Bad{R"({"database":"x","treads":2})", "unknown key 'treads'"},
                         Bad{R"({"database":"x","threads":0})", "'threads' must be a positive"},
                         Bad{R"({"database":"x","nats":{"url":5}})", "'url' must be a string"},
                         Bad{R"({"database":"x","banks":[1]})", "array of strings"}}) {
    auto r = ParseWorkerConfig(bad.json, "w.json");
    ASSERT_FALSE(r.ok()) << bad.json;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("w.json"), std::string::npos);
    EXPECT_NE(r.status().message().find(bad.message), std::string::npos) << r.status().message();
  }
  EXPECT_EQ(LoadWorkerConfig("/nonexistent/w.json").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil::worker
