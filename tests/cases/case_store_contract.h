// The contract every cases::CaseStore implementation passes, and the ReviewService rules run on
// top of each implementation: parameterised suites instantiated for InMemoryCaseStore
// (tests/cases) and each database backend (tests/store). A new backend supplies a
// CaseStoreBackend and one INSTANTIATE_TEST_SUITE_P per suite (see CASE_SUITES_FOR_BACKEND).
#ifndef VIGIL_TESTS_CASES_CASE_STORE_CONTRACT_H_
#define VIGIL_TESTS_CASES_CASE_STORE_CONTRACT_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cases/cases.h"
#include "core/clock.h"

namespace vigil::cases::testing {

class CaseStoreBackend {
 public:
  virtual ~CaseStoreBackend() = default;

  // Opens fresh, empty storage.
  virtual Status Open() = 0;
  virtual CaseStore& store() = 0;
  // Closes and opens the same storage again; kUnimplemented when the backend keeps nothing.
  virtual Status Reopen() = 0;
};

struct CaseBackendFactory {
  std::string name;
  std::function<std::unique_ptr<CaseStoreBackend>()> make;
};

inline void PrintTo(const CaseBackendFactory& f, std::ostream* os) { *os << f.name; }
inline std::string CaseBackendName(const ::testing::TestParamInfo<CaseBackendFactory>& info) {
  return info.param.name;
}

// Instantiates every suite of this header for one backend factory.
#define CASE_SUITES_FOR_BACKEND(prefix, factory)                                      \
  INSTANTIATE_TEST_SUITE_P(prefix, CaseStoreContractTest, ::testing::Values(factory), \
                           ::vigil::cases::testing::CaseBackendName);                 \
  INSTANTIATE_TEST_SUITE_P(prefix, ReviewTest, ::testing::Values(factory),            \
                           ::vigil::cases::testing::CaseBackendName);                 \
  INSTANTIATE_TEST_SUITE_P(prefix, GroupingTest, ::testing::Values(factory),          \
                           ::vigil::cases::testing::CaseBackendName)

inline const TimePoint kStart = std::chrono::sys_days(std::chrono::year(2024) / 5 / 1);
inline constexpr char kPdq[] = "pdq@1 r<=31";
inline constexpr char kMd5[] = "md5";
inline constexpr char kClassifier[] = "classifier:imageX@3 t>=0.9";
inline constexpr char kGrooming[] = "grooming:textY@2 t>=0.8";

// Case builders: one item per flag unless stated.
Flag KnownFlag(BankEntryId entry, const std::string& technology = kPdq, double distance = 4);
Flag NewFlag(double score = 0.97, const std::string& technology = kClassifier);
Flag SolicitationFlag(double score = 0.91);
NewCase CaseWith(std::vector<Flag> flags, int priority = 0, const std::string& account = "acct-1");
// A case of `items` items, each flagged by `flag`.
NewCase CaseOfItems(const Flag& flag, int items);

// Shared base: a backend opened in SetUp and a fake clock at kStart.
class CaseBackendTest : public ::testing::TestWithParam<CaseBackendFactory> {
 protected:
  void SetUp() override;

  CaseStore& store() { return backend_->store(); }
  // Event actions of one case (or all events), in order.
  std::vector<std::string> Actions(std::optional<CaseId> case_id = std::nullopt);
  std::vector<CaseEvent> Events(std::optional<CaseId> case_id = std::nullopt);
  size_t EventCount() { return Events().size(); }

  std::shared_ptr<FakeClock> clock_;
  std::unique_ptr<CaseStoreBackend> backend_;
};

class CaseStoreContractTest : public CaseBackendTest {
 protected:
  // Creates a case through the store directly, with no alert checks.
  Case Create(const NewCase& c, std::vector<AlertCheck> checks = {});
  OpenedCase CreateWithAlerts(const NewCase& c, std::vector<AlertCheck> checks);
  // A change of `c` to `state` with one event.
  static CaseChange ChangeOf(const Case& c, CaseState state, const std::string& action);
};

// Records the sink's calls; fails while `fail` is set.
class FakeSink final : public EntryVerificationSink {
 public:
  Status FlagForVerification(BankEntryId entry_id, std::string_view reason) override;
  std::vector<std::pair<BankEntryId, std::string>> calls();
  void set_fail(bool fail);

 private:
  std::mutex mu_;
  std::vector<std::pair<BankEntryId, std::string>> calls_;  // guarded by mu_
  bool fail_ = false;                                       // guarded by mu_
};

class ReviewTest : public CaseBackendTest {
 protected:
  void SetUp() override;

  // The test configuration: 15-minute leases, one confirmation, no QA, no alerts, a cap of 300.
  static ReviewConfig BaseConfig();
  // Rebuilds the service with `config`.
  void Configure(const ReviewConfig& config);
  ReviewService& service() { return *service_; }

  Case Open(const NewCase& c);
  Case ClaimOk(CaseId id, const std::string& reviewer);
  DecisionResult DecideOk(CaseId id, const std::string& reviewer, Decision decision);
  Result<DecisionResult> Decide(CaseId id, const std::string& reviewer, Decision decision);
  // Claims and decides in one step.
  DecisionResult Review(CaseId id, const std::string& reviewer, Decision decision);
  Case Get(CaseId id);

  // BaseConfig with QA sampling (and `confirmations`), or with cluster alert rules.
  void ConfigureQa(double fraction, uint64_t seed, int confirmations = 1);
  void ConfigureAlerts(std::optional<ClusterAlertRule> technology,
                       std::optional<ClusterAlertRule> entry);
  // Claims case `id` for QA and submits `decision`.
  Case QaReview(CaseId id, const std::string& reviewer, Decision decision);
  // Opens a case and returns the alerts it raised.
  std::vector<ClusterAlert> OpenAlerts(const NewCase& c);

  FakeSink sink_;
  std::unique_ptr<ReviewService> service_;
};

// ReviewService::FileItems (tests/cases/review_grouping_test.cc).
class GroupingTest : public ReviewTest {
 protected:
  // Files `n`, expecting success.
  OpenedCase File(const NewCase& n);
  // BaseConfig with `rule` (and `confirmations`).
  void ConfigureGrouping(GroupingRule rule, int confirmations = 1);
};

}  // namespace vigil::cases::testing

#endif  // VIGIL_TESTS_CASES_CASE_STORE_CONTRACT_H_
