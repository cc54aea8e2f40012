// A redress service over in-memory stores with a fake clock, and builders of decided cases.
#ifndef VIGIL_TESTS_REDRESS_REDRESS_TEST_SUPPORT_H_
#define VIGIL_TESTS_REDRESS_REDRESS_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "bank/bank.h"
#include "cases/cases.h"
#include "redress/redress.h"
#include "report/report.h"

namespace vigil::redress::testing {

inline const TimePoint kStart = std::chrono::sys_days(std::chrono::year(2026) / 3 / 2);

class NullSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

// The stores, the review service and the redress service, all in memory.
class RedressFixture : public ::testing::Test {
 protected:
  void SetUp() override;

  // Opens a case of two items for "acct-1" (one matched by md5 against bank entry entry_id_,
  // one by pdq) and has `reviewer` decide it `decision`.
  cases::Case DecidedCase(cases::Decision decision = cases::Decision::kConfirmedKnown,
                          const std::string& reviewer = "rev-a");
  // TakeAction with the usual reason, expecting success.
  Action Act(cases::CaseId id, ActionKind kind, const std::string& item = "",
             const std::string& language = "");
  // The actions of the case's events, in order.
  std::vector<std::string> EventActions(cases::CaseId id);

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>(kStart);
  cases::InMemoryCaseStore cases_;
  InMemoryRedressStore redress_{&cases_};  // after cases_: it applies case changes there
  std::unique_ptr<bank::InMemoryBankStore> banks_;
  report::InMemoryReportOutboxStore reports_;
  NullSink sink_;
  std::unique_ptr<cases::ReviewService> review_;
  std::unique_ptr<RedressService> service_;
  bank::EntryId entry_id_ = 0;
  RedressConfig config_{.complaint_deadline = std::chrono::days(30),
                        .service_name = "PhotoShare",
                        .supervisory_authority = "the Example Data Protection Authority"};
};

}  // namespace vigil::redress::testing

#endif  // VIGIL_TESTS_REDRESS_REDRESS_TEST_SUPPORT_H_
