// SqliteCaseStore: cases::CaseStore on an SQLite connection owned by SqliteDatabase.
//
// Every write is one IMMEDIATE transaction (the write lock is taken up front, so two processes
// cannot both read a case's version and then both update it); a lock held past the busy timeout
// is kUnavailable and writes nothing. Multi-statement reads run in one deferred transaction, so
// a case is read from one snapshot.
//
// Thread safety: every call takes the connection mutex shared with the owning database.
#ifndef VIGIL_STORE_SQLITE_CASE_STORE_H_
#define VIGIL_STORE_SQLITE_CASE_STORE_H_

#include <mutex>
#include <string>

#include "cases/case_store.h"

namespace SQLite {
class Database;
}

namespace vigil::store {

class SqliteCaseStore final : public cases::CaseStore {
 public:
  // `db` and `mu` must outlive the store; `path` names the file in messages.
  SqliteCaseStore(SQLite::Database& db, std::mutex& mu, std::string path);

  Result<cases::OpenedCase> CreateCase(const cases::CaseOpening& opening) override;
  Result<cases::Case> GetCase(cases::CaseId id) override;
  Result<std::optional<cases::Case>> LatestOpenCase(std::string_view account_id,
                                                    std::string_view surface) override;
  Result<cases::ItemsAdded> AddItems(const cases::ItemAddition& addition) override;
  Result<bool> CompareAndSet(const cases::CaseChange& change) override;
  Result<std::vector<cases::Case>> ListQueue(const cases::QueueQuery& query) override;
  Result<std::vector<cases::Case>> ListCases(const cases::CaseFilter& filter) override;
  Result<std::vector<cases::CaseEvent>> ListEvents(const cases::EventFilter& filter) override;
  Result<std::vector<cases::FalsePositive>> ListFalsePositives(TimePoint from,
                                                               TimePoint to) override;
  Result<std::vector<cases::VerificationRequest>> ListPendingVerifications(
      std::optional<cases::CaseId> case_id) override;
  Status MarkVerificationDelivered(int64_t request_id, TimePoint at) override;
  Result<std::vector<cases::ReportRequest>> ListReportRequests(int64_t after_id,
                                                               size_t limit) override;
  Result<std::vector<cases::ShareRequest>> ListShareRequests(int64_t after_id,
                                                             size_t limit) override;
  Result<std::vector<cases::ShareWithdrawal>> ListShareWithdrawals(int64_t after_id,
                                                                   size_t limit) override;
  Result<std::vector<cases::ClusterAlert>> ListAlerts(bool open_only) override;
  Result<cases::ClusterAlert> AcknowledgeAlert(cases::AlertId id, std::string_view note,
                                               const cases::CaseEvent& event) override;
  Result<bool> IsAutoActionPaused(cases::AlertSubject subject, std::string_view key) override;
  Result<std::vector<cases::AutoActionPause>> ListPauses() override;
  Status ResumeAutoAction(cases::AlertSubject subject, std::string_view key,
                          const cases::CaseEvent& event) override;
  Status PutReviewerSettings(const cases::ReviewerSettings& settings,
                             const cases::CaseEvent& event) override;
  Result<cases::ReviewerSettings> GetReviewerSettings(std::string_view reviewer) override;
  Result<int64_t> GetExposure(std::string_view reviewer, int64_t day) override;

 private:
  // Raises the alert for `check` if due, naming case `case_id` and time `at`.
  Status RunAlertCheck(const cases::AlertCheck& check, cases::CaseId case_id, TimePoint at,
                       std::vector<cases::ClusterAlert>& raised);

  SQLite::Database& db_;
  std::mutex& mu_;  // guards db_
  const std::string path_;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_SQLITE_CASE_STORE_H_
