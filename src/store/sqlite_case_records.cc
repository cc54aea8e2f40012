// SqliteCaseStore: the records kept beside cases — audit events, false positives, verification
// requests, cluster alerts and pauses, reviewer settings and exposure.
#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store/sqlite_case_rows.h"
#include "store/sqlite_case_store.h"
#include "store/sqlite_errors.h"

namespace vigil::store {
namespace {

using sqlite_cases::FromSeconds;
using sqlite_cases::InsertEvent;
using sqlite_cases::Seconds;

std::string SubjectName(cases::AlertSubject subject) {
  return std::string(cases::AlertSubjectName(subject));
}

}  // namespace

Result<std::vector<cases::CaseEvent>> SqliteCaseStore::ListEvents(
    const cases::EventFilter& filter) {
  const std::string sql = fmt::format(
      "SELECT id, case_id, at, actor, action, details FROM case_events WHERE id > ? {} "
      "ORDER BY id LIMIT ?",
      filter.case_id ? "AND case_id = ?" : "");
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::vector<cases::CaseEvent>> {
    SQLite::Statement q(db_, sql);
    int index = 1;
    q.bind(index++, filter.after_id);
    if (filter.case_id) q.bind(index++, *filter.case_id);
    q.bind(index, static_cast<int64_t>(filter.limit));
    std::vector<cases::CaseEvent> out;
    while (q.executeStep()) out.push_back(sqlite_cases::EventFromRow(q));
    return out;
  });
}

Result<std::vector<cases::FalsePositive>> SqliteCaseStore::ListFalsePositives(TimePoint from,
                                                                              TimePoint to) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::vector<cases::FalsePositive>> {
    SQLite::Statement q(db_,
                        "SELECT case_id, item_id, technology, raw_value, bank_entry_id, reviewer, "
                        "recorded_at FROM false_positives WHERE recorded_at >= ? AND "
                        "recorded_at < ? ORDER BY recorded_at, id");
    q.bind(1, Seconds(from));
    q.bind(2, Seconds(to));
    std::vector<cases::FalsePositive> out;
    while (q.executeStep()) {
      cases::FalsePositive fp{.case_id = q.getColumn(0).getInt64(),
                              .item_id = q.getColumn(1).getString(),
                              .technology = q.getColumn(2).getString(),
                              .raw_value = q.getColumn(3).getDouble(),
                              .reviewer = q.getColumn(5).getString(),
                              .recorded_at = FromSeconds(q.getColumn(6).getInt64())};
      if (!q.getColumn(4).isNull()) fp.bank_entry_id = q.getColumn(4).getInt64();
      out.push_back(std::move(fp));
    }
    return out;
  });
}

Result<std::vector<cases::ReportRequest>> SqliteCaseStore::ListReportRequests(int64_t after_id,
                                                                              size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::vector<cases::ReportRequest>> {
    SQLite::Statement q(db_,
                        "SELECT id, case_id, destination, created_at FROM report_requests "
                        "WHERE id > ? ORDER BY id LIMIT ?");
    q.bind(1, after_id);
    q.bind(2, static_cast<int64_t>(limit));
    std::vector<cases::ReportRequest> out;
    while (q.executeStep()) {
      out.push_back({.id = q.getColumn(0).getInt64(),
                     .case_id = q.getColumn(1).getInt64(),
                     .destination = q.getColumn(2).getString(),
                     .created_at = FromSeconds(q.getColumn(3).getInt64())});
    }
    return out;
  });
}

Result<std::vector<cases::ShareRequest>> SqliteCaseStore::ListShareRequests(int64_t after_id,
                                                                            size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::vector<cases::ShareRequest>> {
    SQLite::Statement q(db_,
                        "SELECT id, case_id, created_at FROM share_requests WHERE id > ? ORDER BY "
                        "id LIMIT ?");
    q.bind(1, after_id);
    q.bind(2, static_cast<int64_t>(limit));
    std::vector<cases::ShareRequest> out;
    while (q.executeStep()) {
      out.push_back({.id = q.getColumn(0).getInt64(),
                     .case_id = q.getColumn(1).getInt64(),
                     .created_at = FromSeconds(q.getColumn(2).getInt64())});
    }
    return out;
  });
}

Result<std::vector<cases::ShareWithdrawal>> SqliteCaseStore::ListShareWithdrawals(int64_t after_id,
                                                                                  size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::vector<cases::ShareWithdrawal>> {
    SQLite::Statement q(db_,
                        "SELECT id, case_id, share_request_id, created_at FROM share_withdrawals "
                        "WHERE id > ? ORDER BY id LIMIT ?");
    q.bind(1, after_id);
    q.bind(2, static_cast<int64_t>(limit));
    std::vector<cases::ShareWithdrawal> out;
    while (q.executeStep()) {
      out.push_back({.id = q.getColumn(0).getInt64(),
                     .case_id = q.getColumn(1).getInt64(),
                     .share_request_id = q.getColumn(2).getInt64(),
                     .created_at = FromSeconds(q.getColumn(3).getInt64())});
    }
    return out;
  });
}

Result<std::vector<cases::VerificationRequest>> SqliteCaseStore::ListPendingVerifications(
    std::optional<cases::CaseId> case_id) {
  const std::string sql = fmt::format(
      "SELECT id, case_id, bank_entry_id, bank_name, reason, created_at FROM "
      "verification_requests WHERE delivered_at IS NULL {} ORDER BY id",
      case_id ? "AND case_id = ?" : "");
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::vector<cases::VerificationRequest>> {
    SQLite::Statement q(db_, sql);
    if (case_id) q.bind(1, *case_id);
    std::vector<cases::VerificationRequest> out;
    while (q.executeStep()) {
      out.push_back({.id = q.getColumn(0).getInt64(),
                     .case_id = q.getColumn(1).getInt64(),
                     .bank_entry_id = q.getColumn(2).getInt64(),
                     .bank_name = q.getColumn(3).getString(),
                     .reason = q.getColumn(4).getString(),
                     .created_at = FromSeconds(q.getColumn(5).getInt64())});
    }
    return out;
  });
}

Status SqliteCaseStore::MarkVerificationDelivered(int64_t request_id, TimePoint at) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Status {
    SQLite::Statement q(db_,
                        "UPDATE verification_requests SET delivered_at = "
                        "COALESCE(delivered_at, ?) WHERE id = ?");
    q.bind(1, Seconds(at));
    q.bind(2, request_id);
    if (q.exec() == 0) {
      return NotFoundError(fmt::format("verification request {} does not exist", request_id));
    }
    return Status::Ok();
  });
}

Result<std::vector<cases::ClusterAlert>> SqliteCaseStore::ListAlerts(bool open_only) {
  const std::string sql =
      fmt::format("SELECT {} FROM cluster_alerts {} ORDER BY id", sqlite_cases::kAlertColumns,
                  open_only ? "WHERE acknowledged_at IS NULL" : "");
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::vector<cases::ClusterAlert>> {
    SQLite::Statement q(db_, sql);
    std::vector<cases::ClusterAlert> out;
    while (q.executeStep()) {
      ASSIGN_OR_RETURN(cases::ClusterAlert alert, sqlite_cases::AlertFromRow(q, path_));
      out.push_back(std::move(alert));
    }
    return out;
  });
}

Result<cases::ClusterAlert> SqliteCaseStore::AcknowledgeAlert(cases::AlertId id,
                                                              std::string_view note,
                                                              const cases::CaseEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<cases::ClusterAlert> {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    cases::ClusterAlert alert;
    {
      SQLite::Statement q(db_, fmt::format("SELECT {} FROM cluster_alerts WHERE id = ?",
                                           sqlite_cases::kAlertColumns));
      q.bind(1, id);
      if (!q.executeStep()) return NotFoundError(fmt::format("alert {} does not exist", id));
      ASSIGN_OR_RETURN(alert, sqlite_cases::AlertFromRow(q, path_));
    }
    if (alert.acknowledged_at) {
      return FailedPreconditionError(
          fmt::format("alert {} was already acknowledged by {}", id, alert.acknowledged_by));
    }
    alert.acknowledged_at = event.at;
    alert.acknowledged_by = event.actor;
    alert.note = std::string(note);
    SQLite::Statement upd(db_,
                          "UPDATE cluster_alerts SET acknowledged_at = ?, acknowledged_by = ?, "
                          "note = ? WHERE id = ?");
    upd.bind(1, Seconds(event.at));
    upd.bind(2, alert.acknowledged_by);
    upd.bind(3, alert.note);
    upd.bind(4, id);
    upd.exec();
    InsertEvent(db_, event);
    tx.commit();
    return alert;
  });
}

Result<bool> SqliteCaseStore::IsAutoActionPaused(cases::AlertSubject subject,
                                                 std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<bool> {
    SQLite::Statement q(db_,
                        "SELECT 1 FROM auto_action_pauses WHERE subject = ? AND subject_key = ?");
    q.bind(1, SubjectName(subject));
    q.bind(2, std::string(key));
    return q.executeStep();
  });
}

Result<std::vector<cases::AutoActionPause>> SqliteCaseStore::ListPauses() {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::vector<cases::AutoActionPause>> {
    SQLite::Statement q(db_,
                        "SELECT subject, subject_key, paused_at, alert_id FROM "
                        "auto_action_pauses ORDER BY alert_id");
    std::vector<cases::AutoActionPause> out;
    while (q.executeStep()) {
      const std::string subject = q.getColumn(0).getString();
      auto parsed = cases::ParseAlertSubject(subject);
      if (!parsed.ok()) {
        return DataLossError(
            fmt::format("{}: a pause has unknown subject '{}'", path_, subject.substr(0, 40)));
      }
      out.push_back({.subject = *parsed,
                     .key = q.getColumn(1).getString(),
                     .paused_at = FromSeconds(q.getColumn(2).getInt64()),
                     .alert_id = q.getColumn(3).getInt64()});
    }
    return out;
  });
}

Status SqliteCaseStore::ResumeAutoAction(cases::AlertSubject subject, std::string_view key,
                                         const cases::CaseEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Status {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement del(db_,
                          "DELETE FROM auto_action_pauses WHERE subject = ? AND subject_key = ?");
    del.bind(1, SubjectName(subject));
    del.bind(2, std::string(key));
    if (del.exec() == 0) {
      return NotFoundError(fmt::format("automatic action for {} {} is not paused",
                                       cases::AlertSubjectName(subject), key));
    }
    InsertEvent(db_, event);
    tx.commit();
    return Status::Ok();
  });
}

Status SqliteCaseStore::PutReviewerSettings(const cases::ReviewerSettings& settings,
                                            const cases::CaseEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Status {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement up(db_,
                         "INSERT INTO reviewer_settings (reviewer, blur_percent, greyscale, "
                         "daily_exposure_cap) VALUES (?, ?, ?, ?) ON CONFLICT (reviewer) DO "
                         "UPDATE SET blur_percent = excluded.blur_percent, greyscale = "
                         "excluded.greyscale, daily_exposure_cap = excluded.daily_exposure_cap");
    up.bind(1, settings.reviewer);
    up.bind(2, settings.blur_percent);
    up.bind(3, settings.greyscale ? 1 : 0);
    up.bind(4, settings.daily_exposure_cap);
    up.exec();
    InsertEvent(db_, event);
    tx.commit();
    return Status::Ok();
  });
}

Result<cases::ReviewerSettings> SqliteCaseStore::GetReviewerSettings(std::string_view reviewer) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<cases::ReviewerSettings> {
    SQLite::Statement q(db_,
                        "SELECT blur_percent, greyscale, daily_exposure_cap FROM "
                        "reviewer_settings WHERE reviewer = ?");
    q.bind(1, std::string(reviewer));
    if (!q.executeStep()) {
      return NotFoundError(fmt::format("reviewer {} has no stored settings", reviewer));
    }
    return cases::ReviewerSettings{.reviewer = std::string(reviewer),
                                   .blur_percent = q.getColumn(0).getInt(),
                                   .greyscale = q.getColumn(1).getInt() != 0,
                                   .daily_exposure_cap = q.getColumn(2).getInt()};
  });
}

Result<int64_t> SqliteCaseStore::GetExposure(std::string_view reviewer, int64_t day) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<int64_t> {
    SQLite::Statement q(db_, "SELECT items FROM reviewer_exposure WHERE reviewer = ? AND day = ?");
    q.bind(1, std::string(reviewer));
    q.bind(2, day);
    return q.executeStep() ? q.getColumn(0).getInt64() : int64_t{0};
  });
}

}  // namespace vigil::store
