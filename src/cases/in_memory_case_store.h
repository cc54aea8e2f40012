// InMemoryCaseStore: a CaseStore kept in process memory, for unit tests of the review rules and
// of modules that use cases. It follows the same contract as the database stores (the contract
// tests run against it) but keeps nothing across restarts.
//
// Thread safety: every method locks one mutex; a change is checked completely before any of it
// is applied, so a failed call changes nothing, like a rolled-back transaction.
#ifndef VIGIL_CASES_IN_MEMORY_CASE_STORE_H_
#define VIGIL_CASES_IN_MEMORY_CASE_STORE_H_

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "cases/case_store.h"

namespace vigil::cases {

class InMemoryCaseStore final : public CaseStore {
 public:
  Result<OpenedCase> CreateCase(const CaseOpening& opening) override;
  Result<Case> GetCase(CaseId id) override;
  Result<std::optional<Case>> LatestOpenCase(std::string_view account_id,
                                             std::string_view surface) override;
  Result<ItemsAdded> AddItems(const ItemAddition& addition) override;
  Result<bool> CompareAndSet(const CaseChange& change) override;
  Result<std::vector<Case>> ListQueue(const QueueQuery& query) override;
  Result<std::vector<Case>> ListCases(const CaseFilter& filter) override;
  Result<std::vector<CaseEvent>> ListEvents(const EventFilter& filter) override;
  Result<std::vector<FalsePositive>> ListFalsePositives(TimePoint from, TimePoint to) override;
  Result<std::vector<VerificationRequest>> ListPendingVerifications(
      std::optional<CaseId> case_id) override;
  Status MarkVerificationDelivered(int64_t request_id, TimePoint at) override;
  Result<std::vector<ReportRequest>> ListReportRequests(int64_t after_id, size_t limit) override;
  Result<std::vector<ShareRequest>> ListShareRequests(int64_t after_id, size_t limit) override;
  Result<std::vector<ShareWithdrawal>> ListShareWithdrawals(int64_t after_id,
                                                            size_t limit) override;
  Result<std::vector<ClusterAlert>> ListAlerts(bool open_only) override;
  Result<ClusterAlert> AcknowledgeAlert(AlertId id, std::string_view note,
                                        const CaseEvent& event) override;
  Result<bool> IsAutoActionPaused(AlertSubject subject, std::string_view key) override;
  Result<std::vector<AutoActionPause>> ListPauses() override;
  Status ResumeAutoAction(AlertSubject subject, std::string_view key,
                          const CaseEvent& event) override;
  Status PutReviewerSettings(const ReviewerSettings& settings, const CaseEvent& event) override;
  Result<ReviewerSettings> GetReviewerSettings(std::string_view reviewer) override;
  Result<int64_t> GetExposure(std::string_view reviewer, int64_t day) override;

 private:
  using SubjectKey = std::pair<AlertSubject, std::string>;

  void AppendEventLocked(CaseEvent event);
  int64_t CountFlagsLocked(const AlertCheck& check) const;
  bool HasOpenAlertLocked(const AlertCheck& check) const;
  // Raises the alert for `check` if due, naming case `c` and time `at`.
  void RunAlertCheckLocked(const AlertCheck& check, const Case& c, TimePoint at,
                           std::vector<ClusterAlert>& raised);

  std::mutex mu_;
  CaseId next_case_id_ = 1;                                        // guarded by mu_
  std::map<CaseId, Case> cases_;                                   // guarded by mu_
  std::vector<CaseEvent> events_;                                  // guarded by mu_
  std::vector<FalsePositive> false_positives_;                     // guarded by mu_
  std::vector<VerificationRequest> verifications_;                 // guarded by mu_; index = id - 1
  std::vector<ReportRequest> report_requests_;                     // guarded by mu_; index = id - 1
  std::vector<ShareRequest> share_requests_;                       // guarded by mu_; index = id - 1
  std::vector<ShareWithdrawal> share_withdrawals_;                 // guarded by mu_; index = id - 1
  std::vector<ClusterAlert> alerts_;                               // guarded by mu_; index = id - 1
  std::map<SubjectKey, AutoActionPause> pauses_;                   // guarded by mu_
  std::map<std::string, ReviewerSettings, std::less<>> settings_;  // guarded by mu_
  std::map<std::pair<std::string, int64_t>, int64_t> exposure_;    // guarded by mu_
};

}  // namespace vigil::cases

#endif  // VIGIL_CASES_IN_MEMORY_CASE_STORE_H_
