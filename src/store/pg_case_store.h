// PostgresCaseStore: cases::CaseStore on a PostgreSQL database, through the PgPool owned by
// PostgresDatabase. Holds the case SQL; libpq stays in pg_connection.cc.
//
// Every write is one READ COMMITTED transaction. A change is compare-and-set: `UPDATE ... WHERE
// id = $1 AND version = $2` takes the case's row lock, so a racing change waits and then finds
// the version moved (zero rows: false, nothing written). The exposure charge locks the
// reviewer's row for the day before checking the cap, so racing claims cannot pass it together.
// Cluster alerts are counted under a per-subject advisory transaction lock, so of two openings
// that together cross a threshold the second always sees the first's flags. Reads of a whole
// case run in one REPEATABLE READ snapshot. Lock waits past lock_timeout, deadlocks and lost
// connections are kUnavailable and write nothing.
//
// Thread safety: safe from several threads and processes; each call borrows its own connection.
#ifndef VIGIL_STORE_PG_CASE_STORE_H_
#define VIGIL_STORE_PG_CASE_STORE_H_

#include <string>
#include <vector>

#include "cases/case_store.h"
#include "store/pg_pool.h"

namespace vigil::store {

class PostgresCaseStore final : public cases::CaseStore {
 public:
  // `pool` must outlive the store.
  explicit PostgresCaseStore(PgPool& pool);

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
  PgPool& pool_;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_PG_CASE_STORE_H_
