// What the in-memory worker tests share: a fake queue delivery that records how the worker
// settled it, and a detection pipeline over one bank holding 01_aqua.jpg's PDQ hash (the
// reference hasher's expected.csv), with in-memory cases, counters and job ledger.
#ifndef VIGIL_TESTS_WORKER_WORKER_RIG_H_
#define VIGIL_TESTS_WORKER_WORKER_RIG_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "bank/in_memory_bank_store.h"
#include "cases/in_memory_case_store.h"
#include "worker/worker.h"

namespace vigil::worker::testing {

inline constexpr char kAquaPdq[] =
    "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";
inline constexpr char kMd5[] = "d41d8cd98f00b204e9800998ecf8427e";
inline constexpr char kSha256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// A delivery of `data` (job id `id`, 7 jobs still pending) settled at most once.
class FakeDelivery final : public queue::Delivery {
 public:
  FakeDelivery(std::string data, uint64_t attempt, std::string id = "VIGIL_JOBS:5")
      : data_(std::move(data)), id_(std::move(id)), attempt_(attempt) {}
  std::string_view data() const override { return data_; }
  const std::string& id() const override { return id_; }
  uint64_t attempt() const override { return attempt_; }
  int64_t enqueued_ns() const override { return 0; }
  uint64_t pending() const override { return 7; }
  Status Ack() override { return Settle("ack"); }
  Status Retry(std::chrono::milliseconds) override { return Settle("retry"); }
  Status DeadLetter(std::string_view reason) override {
    reason_ = reason;
    return Settle("dead");
  }
  std::string settled;  // "ack", "retry" or "dead"; "" while unsettled
  std::string reason_;  // the dead letter's

 private:
  Status Settle(const char* how) {
    EXPECT_TRUE(settled.empty()) << "settled twice: " << settled << " then " << how;
    settled = how;
    return Status::Ok();
  }
  std::string data_;
  std::string id_;
  uint64_t attempt_;
};

class NoSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

// The pipeline a Worker is built on; SetUp banks kAquaPdq and builds it.
class WorkerRig : public ::testing::Test {
 protected:
  void SetUp() override {
    auto bank =
        banks_.CreateBank({"hotline", "Hotline", "", "", bank::ActionPolicy::kReviewRequired});
    ASSERT_TRUE(bank.ok());
    ASSERT_TRUE(bank::AddEntry(banks_, bank->id, {bank::SignalType::kPdq, kAquaPdq}).ok());
    matcher_ = std::move(*match::Matcher::Load(banks_, {}));
    review_ = std::move(*cases::ReviewService::Create(cases_, sink_, clock_, {}));
    pipeline_ = std::make_unique<detect::Pipeline>(matcher_.get(), &rules_, review_.get(),
                                                   &counters_, clock_);
  }

  size_t CaseCount() { return cases_.ListCases({})->size(); }

  std::shared_ptr<FakeClock> clock_ =
      std::make_shared<FakeClock>(TimePoint(std::chrono::seconds(1'790'000'000)));
  bank::InMemoryBankStore banks_{clock_};
  cases::InMemoryCaseStore cases_;
  NoSink sink_;
  std::unique_ptr<match::Matcher> matcher_;
  std::unique_ptr<cases::ReviewService> review_;
  detect::RuleSet rules_ = detect::RuleSet::Defaults();
  stats::InMemoryVolumeCounters counters_;
  std::unique_ptr<detect::Pipeline> pipeline_;
  queue::InMemoryJobLedger ledger_;
};

}  // namespace vigil::worker::testing

#endif  // VIGIL_TESTS_WORKER_WORKER_RIG_H_
