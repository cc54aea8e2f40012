// PostgresCaseStore: the records kept beside cases — audit events, false positives,
// verification requests, cluster alerts and pauses, reviewer settings and exposure.
#include <fmt/format.h>

#include "store/pg_case_rows.h"
#include "store/pg_case_store.h"
#include "store/pg_connection.h"

namespace vigil::store {
namespace {

using pg_cases::FromSeconds;
using pg_cases::InsertEvent;
using pg_cases::Seconds;

std::string SubjectName(cases::AlertSubject subject) {
  return std::string(cases::AlertSubjectName(subject));
}

}  // namespace

Result<std::vector<cases::CaseEvent>> PostgresCaseStore::ListEvents(
    const cases::EventFilter& filter) {
  PgParams params;
  params.Int(filter.after_id);
  if (filter.case_id) params.Int(*filter.case_id);
  params.Int(static_cast<int64_t>(filter.limit));
  const std::string sql = fmt::format(
      "SELECT {} FROM case_events WHERE id > $1 {} ORDER BY id LIMIT {}", pg_cases::kEventColumns,
      filter.case_id ? "AND case_id = $2" : "", filter.case_id ? "$3" : "$2");
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r, conn->Exec(sql, params));
  std::vector<cases::CaseEvent> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(pg_cases::EventFromRow(r, i));
  return out;
}

Result<std::vector<cases::FalsePositive>> PostgresCaseStore::ListFalsePositives(TimePoint from,
                                                                                TimePoint to) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r,
                   conn->Exec("SELECT case_id, item_id, technology, raw_value, bank_entry_id, "
                              "reviewer, recorded_at FROM false_positives WHERE recorded_at >= "
                              "$1 AND recorded_at < $2 ORDER BY recorded_at, id",
                              PgParams().Int(Seconds(from)).Int(Seconds(to))));
  std::vector<cases::FalsePositive> out;
  for (int i = 0; i < r.rows(); ++i) {
    cases::FalsePositive fp{.case_id = r.Int(i, 0),
                            .item_id = std::string(r.Text(i, 1)),
                            .technology = std::string(r.Text(i, 2)),
                            .reviewer = std::string(r.Text(i, 5)),
                            .recorded_at = FromSeconds(r.Int(i, 6))};
    ASSIGN_OR_RETURN(fp.raw_value, pg_cases::DoubleAt(r, i, 3, conn->name()));
    if (!r.IsNull(i, 4)) fp.bank_entry_id = r.Int(i, 4);
    out.push_back(std::move(fp));
  }
  return out;
}

Result<std::vector<cases::ReportRequest>> PostgresCaseStore::ListReportRequests(int64_t after_id,
                                                                                size_t limit) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r,
                   conn->Exec("SELECT id, case_id, destination, created_at FROM "
                              "report_requests WHERE id > $1 ORDER BY id LIMIT $2",
                              PgParams().Int(after_id).Int(static_cast<int64_t>(limit))));
  std::vector<cases::ReportRequest> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({.id = r.Int(i, 0),
                   .case_id = r.Int(i, 1),
                   .destination = std::string(r.Text(i, 2)),
                   .created_at = FromSeconds(r.Int(i, 3))});
  }
  return out;
}

Result<std::vector<cases::ShareRequest>> PostgresCaseStore::ListShareRequests(int64_t after_id,
                                                                              size_t limit) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r,
                   conn->Exec("SELECT id, case_id, created_at FROM share_requests "
                              "WHERE id > $1 ORDER BY id LIMIT $2",
                              PgParams().Int(after_id).Int(static_cast<int64_t>(limit))));
  std::vector<cases::ShareRequest> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(
        {.id = r.Int(i, 0), .case_id = r.Int(i, 1), .created_at = FromSeconds(r.Int(i, 2))});
  }
  return out;
}

Result<std::vector<cases::ShareWithdrawal>> PostgresCaseStore::ListShareWithdrawals(
    int64_t after_id, size_t limit) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r,
                   conn->Exec("SELECT id, case_id, share_request_id, created_at FROM "
                              "share_withdrawals WHERE id > $1 ORDER BY id LIMIT $2",
                              PgParams().Int(after_id).Int(static_cast<int64_t>(limit))));
  std::vector<cases::ShareWithdrawal> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({.id = r.Int(i, 0),
                   .case_id = r.Int(i, 1),
                   .share_request_id = r.Int(i, 2),
                   .created_at = FromSeconds(r.Int(i, 3))});
  }
  return out;
}

Result<std::vector<cases::VerificationRequest>> PostgresCaseStore::ListPendingVerifications(
    std::optional<cases::CaseId> case_id) {
  const std::string sql = fmt::format(
      "SELECT id, case_id, bank_entry_id, bank_name, reason, created_at FROM "
      "verification_requests WHERE delivered_at IS NULL {} ORDER BY id",
      case_id ? "AND case_id = $1" : "");
  PgParams params;
  if (case_id) params.Int(*case_id);
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r, conn->Exec(sql, params));
  std::vector<cases::VerificationRequest> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({.id = r.Int(i, 0),
                   .case_id = r.Int(i, 1),
                   .bank_entry_id = r.Int(i, 2),
                   .bank_name = std::string(r.Text(i, 3)),
                   .reason = std::string(r.Text(i, 4)),
                   .created_at = FromSeconds(r.Int(i, 5))});
  }
  return out;
}

Status PostgresCaseStore::MarkVerificationDelivered(int64_t request_id, TimePoint at) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r, conn->Exec("UPDATE verification_requests SET delivered_at = "
                                          "COALESCE(delivered_at, $1) WHERE id = $2",
                                          PgParams().Int(Seconds(at)).Int(request_id)));
  if (r.affected_rows() == 0) {
    return NotFoundError(fmt::format("verification request {} does not exist", request_id));
  }
  return Status::Ok();
}

Result<std::vector<cases::ClusterAlert>> PostgresCaseStore::ListAlerts(bool open_only) {
  const std::string sql =
      fmt::format("SELECT {} FROM cluster_alerts {} ORDER BY id", pg_cases::kAlertColumns,
                  open_only ? "WHERE acknowledged_at IS NULL" : "");
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r, conn->Exec(sql));
  std::vector<cases::ClusterAlert> out;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(cases::ClusterAlert alert, pg_cases::AlertFromRow(r, i, conn->name()));
    out.push_back(std::move(alert));
  }
  return out;
}

Result<cases::ClusterAlert> PostgresCaseStore::AcknowledgeAlert(cases::AlertId id,
                                                                std::string_view note,
                                                                const cases::CaseEvent& event) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(*conn));
  // FOR UPDATE: of two racing acknowledgements the second waits, then sees the first's.
  ASSIGN_OR_RETURN(PgResult r, conn->Exec(fmt::format("SELECT {} FROM cluster_alerts WHERE id = "
                                                      "$1 FOR UPDATE",
                                                      pg_cases::kAlertColumns),
                                          PgParams().Int(id)));
  if (r.rows() == 0) return NotFoundError(fmt::format("alert {} does not exist", id));
  ASSIGN_OR_RETURN(cases::ClusterAlert alert, pg_cases::AlertFromRow(r, 0, conn->name()));
  if (alert.acknowledged_at) {
    return FailedPreconditionError(
        fmt::format("alert {} was already acknowledged by {}", id, alert.acknowledged_by));
  }
  alert.acknowledged_at = event.at;
  alert.acknowledged_by = event.actor;
  alert.note = std::string(note);
  RETURN_IF_ERROR(conn->Exec(
      "UPDATE cluster_alerts SET acknowledged_at = $1, acknowledged_by = $2, note = $3 "
      "WHERE id = $4",
      PgParams().Int(Seconds(event.at)).Text(alert.acknowledged_by).Text(alert.note).Int(id)));
  RETURN_IF_ERROR(InsertEvent(*conn, event));
  RETURN_IF_ERROR(tx.Commit());
  return alert;
}

Result<bool> PostgresCaseStore::IsAutoActionPaused(cases::AlertSubject subject,
                                                   std::string_view key) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r, conn->Exec("SELECT 1 FROM auto_action_pauses WHERE subject = $1 "
                                          "AND subject_key = $2",
                                          PgParams().Text(SubjectName(subject)).Text(key)));
  return r.rows() > 0;
}

Result<std::vector<cases::AutoActionPause>> PostgresCaseStore::ListPauses() {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r, conn->Exec("SELECT subject, subject_key, paused_at, alert_id FROM "
                                          "auto_action_pauses ORDER BY alert_id"));
  std::vector<cases::AutoActionPause> out;
  for (int i = 0; i < r.rows(); ++i) {
    const std::string_view subject = r.Text(i, 0);
    auto parsed = cases::ParseAlertSubject(subject);
    if (!parsed.ok()) {
      return DataLossError(fmt::format("{}: a pause has unknown subject '{}'", conn->name(),
                                       std::string(subject.substr(0, 40))));
    }
    out.push_back({.subject = *parsed,
                   .key = std::string(r.Text(i, 1)),
                   .paused_at = FromSeconds(r.Int(i, 2)),
                   .alert_id = r.Int(i, 3)});
  }
  return out;
}

Status PostgresCaseStore::ResumeAutoAction(cases::AlertSubject subject, std::string_view key,
                                           const cases::CaseEvent& event) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(*conn));
  ASSIGN_OR_RETURN(PgResult r, conn->Exec("DELETE FROM auto_action_pauses WHERE subject = $1 "
                                          "AND subject_key = $2",
                                          PgParams().Text(SubjectName(subject)).Text(key)));
  if (r.affected_rows() == 0) {
    return NotFoundError(fmt::format("automatic action for {} {} is not paused",
                                     cases::AlertSubjectName(subject), key));
  }
  RETURN_IF_ERROR(InsertEvent(*conn, event));
  return tx.Commit();
}

Status PostgresCaseStore::PutReviewerSettings(const cases::ReviewerSettings& settings,
                                              const cases::CaseEvent& event) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(*conn));
  RETURN_IF_ERROR(conn->Exec(
      "INSERT INTO reviewer_settings (reviewer, blur_percent, greyscale, daily_exposure_cap) "
      "VALUES ($1, $2, $3, $4) ON CONFLICT (reviewer) DO UPDATE SET blur_percent = "
      "excluded.blur_percent, greyscale = excluded.greyscale, daily_exposure_cap = "
      "excluded.daily_exposure_cap",
      PgParams()
          .Text(settings.reviewer)
          .Int(settings.blur_percent)
          .Bool(settings.greyscale)
          .Int(settings.daily_exposure_cap)));
  RETURN_IF_ERROR(InsertEvent(*conn, event));
  return tx.Commit();
}

Result<cases::ReviewerSettings> PostgresCaseStore::GetReviewerSettings(std::string_view reviewer) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r, conn->Exec("SELECT blur_percent, greyscale, daily_exposure_cap "
                                          "FROM reviewer_settings WHERE reviewer = $1",
                                          PgParams().Text(reviewer)));
  if (r.rows() == 0) {
    return NotFoundError(fmt::format("reviewer {} has no stored settings", reviewer));
  }
  return cases::ReviewerSettings{.reviewer = std::string(reviewer),
                                 .blur_percent = static_cast<int>(r.Int(0, 0)),
                                 .greyscale = r.Bool(0, 1),
                                 .daily_exposure_cap = static_cast<int>(r.Int(0, 2))};
}

Result<int64_t> PostgresCaseStore::GetExposure(std::string_view reviewer, int64_t day) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r, conn->Exec("SELECT items FROM reviewer_exposure WHERE reviewer = "
                                          "$1 AND day = $2",
                                          PgParams().Text(reviewer).Int(day)));
  return r.rows() > 0 ? r.Int(0, 0) : int64_t{0};
}

}  // namespace vigil::store
