// The outbox end to end on memory: a confirmed decision enqueues its report in the same change,
// the sender delivers it to the fake CyberTipline with retries and backoff, marks the case
// reported and records the time; a crash at every possible point, followed by a restart from the
// stored state, delivers exactly one report; overdue confirmed cases are listed (Art 3(1)(j)).
#include "report/outbox.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "report/fake_hotline.h"
#include "report/ncmec/ncmec_reporter.h"
#include "report/report_test_support.h"

namespace vigil::report::testing {
namespace {

using Fault = FakeHotline::Fault;

// The outbox store of a process that dies at its `crash_at`-th update: that update and every
// later call fail, as if the process had been killed just before writing.
class CrashingOutboxStore final : public ReportOutboxStore {
 public:
  CrashingOutboxStore(ReportOutboxStore& inner, int crash_at) : inner_(inner), left_(crash_at) {}
  bool crashed() const { return left_ <= 0; }
  Status Enqueue(const cases::ReportRequest& r) override {
    return Alive() ? inner_.Enqueue(r) : Dead();
  }
  Result<int64_t> LastRequestId() override { return Alive() ? inner_.LastRequestId() : Dead(); }
  Result<Delivery> Get(int64_t id) override { return Alive() ? inner_.Get(id) : Dead(); }
  Result<std::vector<Delivery>> ListDue(TimePoint now, size_t limit) override {
    return Alive() ? inner_.ListDue(now, limit) : Dead();
  }
  Result<std::vector<Delivery>> List(const DeliveryFilter& f) override {
    return Alive() ? inner_.List(f) : Dead();
  }
  Result<bool> Update(const Delivery& d) override {
    if (--left_ <= 0) return Dead();
    return inner_.Update(d);
  }

 private:
  bool Alive() const { return left_ > 0; }
  static Status Dead() { return UnavailableError("process killed"); }
  ReportOutboxStore& inner_;
  int left_;
};

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Validator() == nullptr) GTEST_SKIP() << "NCMEC schema not found at " << XsdPath();
    hotline_ = std::make_unique<FakeHotline>(Validator());
    config_ = TestConfig();
    config_.endpoint = hotline_->endpoint();
    config_.username = "esp";
    config_.password = "s3cret";
    config_.timeout = std::chrono::seconds(1);
    world_.config.report_destinations = {"ncmec"};
    world_.service =
        *cases::ReviewService::Create(world_.store, world_.sink, world_.clock, world_.config);
  }

  // One process's sender over `store`.
  struct Sender {
    std::unique_ptr<ncmec::NcmecReporter> reporter;
    std::unique_ptr<ReportOutbox> outbox;
  };
  Sender MakeSender(ReportOutboxStore& store) {
    Sender s;
    s.reporter = std::make_unique<ncmec::NcmecReporter>(*ncmec::NcmecClient::Create(config_),
                                                        config_, world_.config, *Validator(),
                                                        evidence_, world_.clock);
    s.outbox = std::make_unique<ReportOutbox>(
        world_.store, *world_.service, store,
        std::map<std::string, Reporter*>{{"ncmec", s.reporter.get()}}, &audit_, world_.clock);
    return s;
  }

  ReviewWorld world_;
  FakeEvidence evidence_;
  ncmec::NcmecConfig config_;
  std::unique_ptr<FakeHotline> hotline_;
  InMemoryReportOutboxStore store_;
  audit::InMemoryAuditStore audit_;
};

TEST_F(OutboxTest, AConfirmedDecisionIsEnqueuedDeliveredAndTheCaseMarkedReported) {
  const cases::Case c =
      world_.Decided(cases::FlagCategory::kKnown, cases::Decision::kConfirmedKnown, {"alice"}, 2);
  auto requests = world_.store.ListReportRequests(0, 10);
  ASSERT_EQ(requests->size(), 1u);
  EXPECT_EQ((*requests)[0].created_at, *c.progress.decided_at);
  // An unconfirmed decision enqueues nothing.
  world_.Decided(cases::FlagCategory::kKnown, cases::Decision::kNotCsam, {"bob"});
  EXPECT_EQ(world_.store.ListReportRequests(0, 10)->size(), 1u);

  world_.clock->Advance(std::chrono::minutes(7));
  Sender sender = MakeSender(store_);
  auto summary = sender.outbox->SendDue();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->delivered, 1) << (summary->errors.empty() ? "" : summary->errors[0]);
  const Delivery d = *store_.Get((*requests)[0].id);
  EXPECT_EQ(d.state, DeliveryState::kDelivered);
  EXPECT_EQ(d.remote_id, 1000);
  EXPECT_EQ(*d.delivered_at - d.confirmed_at, std::chrono::minutes(7));  // Art 3(1)(j)
  const cases::Case reported = *world_.store.GetCase(c.id);
  EXPECT_EQ(reported.progress.state, cases::CaseState::kReported);
  EXPECT_EQ(hotline_->FinishedCount(), 1);
  auto records = audit_.List(1, 10);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].event.action, "report.delivered");
  EXPECT_EQ((*records)[0].event.target, fmt::format("case:{}", c.id));
  // Nothing is sent twice.
  EXPECT_EQ(sender.outbox->SendDue()->delivered, 0);
  EXPECT_EQ(hotline_->FinishedCount(), 1);
}

TEST_F(OutboxTest, FailuresAreRetriedWithExponentialBackoffThenGivenUp) {
  world_.Decided(cases::FlagCategory::kKnown, cases::Decision::kConfirmedKnown, {"alice"});
  Sender sender = MakeSender(store_);
  for (int i = 0; i < 3; ++i) hotline_->FailNext("/submit", Fault::kCode1000);
  auto first = sender.outbox->SendDue();
  EXPECT_EQ(first->retrying, 1);
  Delivery d = store_.List({})->front();
  EXPECT_EQ(d.next_attempt_at - world_.clock->Now(), std::chrono::seconds(60));
  EXPECT_NE(d.last_error.find("answered 1000"), std::string::npos) << d.last_error;
  EXPECT_EQ(sender.outbox->SendDue()->retrying, 0);  // not due yet
  world_.clock->Advance(std::chrono::seconds(60));
  EXPECT_EQ(sender.outbox->SendDue()->retrying, 1);
  d = store_.List({})->front();
  EXPECT_EQ(d.next_attempt_at - world_.clock->Now(), std::chrono::seconds(120));
  world_.clock->Advance(std::chrono::seconds(120));
  sender.outbox->SendDue().status().IgnoreError();
  world_.clock->Advance(std::chrono::seconds(240));
  EXPECT_EQ(sender.outbox->SendDue()->delivered, 1);
  EXPECT_EQ(store_.List({})->front().attempts, 4);

  // An invalid request is not retried: the delivery fails for a person to look at.
  world_.Decided(cases::FlagCategory::kKnown, cases::Decision::kConfirmedKnown, {"carol"});
  config_.password = "wrong";  // 2000 on every call from this sender
  Sender refused = MakeSender(store_);
  auto r = refused.outbox->SendDue();
  EXPECT_EQ(r->retrying, 1);  // credentials may be fixed: retried
  OutboxOptions few;
  few.max_attempts = 2;
  world_.clock->Advance(std::chrono::hours(1));
  ReportOutbox limited(world_.store, *world_.service, store_, {{"ncmec", refused.reporter.get()}},
                       nullptr, world_.clock, few);
  EXPECT_EQ(limited.SendDue()->failed, 1);
  EXPECT_EQ(store_.List({.state = DeliveryState::kFailed})->size(), 1u);
}

TEST_F(OutboxTest, ACrashAtAnyPointNeitherLosesNorDuplicatesTheReport) {
  int crash_at = 1;
  for (; crash_at < 40; ++crash_at) {
    SCOPED_TRACE(fmt::format("crash at update {}", crash_at));
    ReviewWorld world;
    world.config.report_destinations = {"ncmec"};
    world.service =
        *cases::ReviewService::Create(world.store, world.sink, world.clock, world.config);
    FakeHotline hotline(Validator());
    config_.endpoint = hotline.endpoint();
    const cases::Case c =
        world.Decided(cases::FlagCategory::kKnown, cases::Decision::kConfirmedKnown, {"al"}, 2);
    InMemoryReportOutboxStore durable;
    CrashingOutboxStore dying(durable, crash_at);
    {
      auto reporter = std::make_unique<ncmec::NcmecReporter>(*ncmec::NcmecClient::Create(config_),
                                                             config_, world.config, *Validator(),
                                                             evidence_, world.clock);
      ReportOutbox first(world.store, *world.service, dying, {{"ncmec", reporter.get()}}, nullptr,
                         world.clock);
      first.SendDue().status().IgnoreError();
    }
    const bool crashed = dying.crashed();
    // A new process after the lease lapsed, from what was stored.
    world.clock->Advance(std::chrono::minutes(11));
    auto reporter =
        std::make_unique<ncmec::NcmecReporter>(*ncmec::NcmecClient::Create(config_), config_,
                                               world.config, *Validator(), evidence_, world.clock);
    ReportOutbox second(world.store, *world.service, durable, {{"ncmec", reporter.get()}}, nullptr,
                        world.clock);
    ASSERT_TRUE(second.SendDue().ok());
    EXPECT_EQ(hotline.FinishedCount(), 1);
    EXPECT_EQ(durable.List({})->front().state, DeliveryState::kDelivered);
    EXPECT_EQ(world.store.GetCase(c.id)->progress.state, cases::CaseState::kReported);
    if (!crashed) break;  // the first run completed before reaching this crash point
  }
  EXPECT_GT(crash_at, 10);  // every step of a two-file delivery was a crash point
}

TEST_F(OutboxTest, AReinstatedCaseIsCancelledAndItsOpenReportWithdrawn) {
  const cases::Case c =
      world_.Decided(cases::FlagCategory::kKnown, cases::Decision::kConfirmedKnown, {"alice"});
  Sender sender = MakeSender(store_);
  hotline_->FailNext("/fileinfo", Fault::kCode1000);
  EXPECT_EQ(sender.outbox->SendDue()->retrying, 1);
  ASSERT_TRUE(world_.service->MarkActioned(c.id, "ops", "removed").ok());
  ASSERT_TRUE(world_.service->MarkAppealed(c.id, "ops", "user complained").ok());
  world_.clock->Advance(std::chrono::minutes(5));
  auto summary = sender.outbox->SendDue();
  EXPECT_EQ(summary->cancelled, 1);
  EXPECT_TRUE(hotline_->reports().at(1000).retracted);
  EXPECT_EQ(hotline_->FinishedCount(), 0);
}

TEST_F(OutboxTest, ConfirmedCasesNotReportedWithinTheLimitAreOverdue) {
  const cases::Case late =
      world_.Decided(cases::FlagCategory::kKnown, cases::Decision::kConfirmedKnown, {"alice"});
  world_.clock->Advance(std::chrono::hours(20));
  const cases::Case recent =
      world_.Decided(cases::FlagCategory::kKnown, cases::Decision::kConfirmedKnown, {"bob"});
  world_.Decided(cases::FlagCategory::kKnown, cases::Decision::kNotCsam, {"carol"});
  world_.clock->Advance(std::chrono::hours(5));
  Sender sender = MakeSender(store_);
  auto overdue = sender.outbox->ListOverdue();
  ASSERT_TRUE(overdue.ok());
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_EQ((*overdue)[0].case_id, late.id);
  EXPECT_EQ((*overdue)[0].waiting, std::chrono::hours(25));
  ASSERT_TRUE(sender.outbox->SendDue().ok());
  EXPECT_TRUE(sender.outbox->ListOverdue()->empty());
  EXPECT_EQ(world_.store.GetCase(recent.id)->progress.state, cases::CaseState::kReported);
}

}  // namespace
}  // namespace vigil::report::testing
