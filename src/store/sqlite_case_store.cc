#include "store/sqlite_case_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <charconv>

#include "store/sqlite_case_rows.h"
#include "store/sqlite_errors.h"

namespace vigil::store {
namespace {

using cases::Case;
using cases::CaseEvent;
using sqlite_cases::BindTime;
using sqlite_cases::InsertEvent;
using sqlite_cases::Seconds;

constexpr char kQueueOrder[] = "ORDER BY priority DESC, created_at, id LIMIT ?";

std::string SubjectName(cases::AlertSubject subject) {
  return std::string(cases::AlertSubjectName(subject));
}

void InsertCaseRow(SQLite::Database& db, const Case& c) {
  SQLite::Statement ins(db,
                        "INSERT INTO cases (version, account_id, surface, eu, priority, "
                        "created_at, updated_at, state, actioned_at, qa_state) "
                        "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, c.account_id);
  ins.bind(2, c.surface);
  ins.bind(3, c.eu ? 1 : 0);
  ins.bind(4, c.priority);
  ins.bind(5, Seconds(c.created_at));
  ins.bind(6, Seconds(c.progress.updated_at));
  ins.bind(7, std::string(cases::CaseStateName(c.progress.state)));
  BindTime(ins, 8, c.progress.actioned_at);
  ins.bind(9, std::string(cases::QaStateName(c.progress.qa)));
  ins.exec();
}

// Appends `items` to case `id` from position `first`, added (and flagged) at `at`.
void InsertItems(SQLite::Database& db, cases::CaseId id, int64_t first,
                 const std::vector<cases::Item>& items, TimePoint at) {
  SQLite::Statement item(db,
                         "INSERT INTO case_items (case_id, position, item_id, content_type, "
                         "received_at, added_at) VALUES (?, ?, ?, ?, ?, ?)");
  SQLite::Statement hash(db,
                         "INSERT INTO case_item_hashes (case_id, item_position, algorithm, hex) "
                         "VALUES (?, ?, ?, ?)");
  SQLite::Statement flag(db,
                         "INSERT INTO case_flags (case_id, item_position, technology, category, "
                         "raw_value, bank_entry_id, bank_name, bank_auto_action, flagged_at, "
                         "evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (size_t i = 0; i < items.size(); ++i) {
    const cases::Item& it = items[i];
    const int64_t position = first + static_cast<int64_t>(i);
    item.bind(1, id);
    item.bind(2, position);
    item.bind(3, it.item_id);
    item.bind(4, it.content_type);
    item.bind(5, Seconds(it.received_at));
    item.bind(6, Seconds(at));
    item.exec();
    item.reset();
    for (const cases::ItemHash& h : it.hashes) {
      hash.bind(1, id);
      hash.bind(2, position);
      hash.bind(3, h.algorithm);
      hash.bind(4, h.hex);
      hash.exec();
      hash.reset();
    }
    for (const cases::Flag& f : it.flags) {
      flag.bind(1, id);
      flag.bind(2, position);
      flag.bind(3, f.technology);
      flag.bind(4, std::string(cases::FlagCategoryName(f.category)));
      flag.bind(5, f.raw_value);
      if (f.bank_entry_id) {
        flag.bind(6, *f.bank_entry_id);
      } else {
        flag.bind(6);
      }
      flag.bind(7, f.bank_name);
      flag.bind(8, f.bank_auto_action ? 1 : 0);
      flag.bind(9, Seconds(at));
      flag.bind(10, f.evidence);
      flag.exec();
      flag.reset();
    }
  }
}

// Counts the subject's flags inside the window. A bank-entry key that is not a number matches
// nothing (keys come from cases::AlertKey).
int64_t CountFlags(SQLite::Database& db, const cases::AlertCheck& check) {
  const bool technology = check.subject == cases::AlertSubject::kTechnology;
  SQLite::Statement q(db, technology ? "SELECT COUNT(*) FROM case_flags WHERE technology = ? AND "
                                       "flagged_at > ?"
                                     : "SELECT COUNT(*) FROM case_flags WHERE bank_entry_id = ? "
                                       "AND flagged_at > ?");
  if (technology) {
    q.bind(1, check.key);
  } else {
    int64_t entry = 0;
    const auto [end, ec] =
        std::from_chars(check.key.data(), check.key.data() + check.key.size(), entry);
    if (ec != std::errc() || end != check.key.data() + check.key.size()) return 0;
    q.bind(1, entry);
  }
  q.bind(2, Seconds(check.window_start));
  q.executeStep();
  return q.getColumn(0).getInt64();
}

bool HasOpenAlert(SQLite::Database& db, const cases::AlertCheck& check) {
  SQLite::Statement q(db,
                      "SELECT 1 FROM cluster_alerts WHERE subject = ? AND subject_key = ? AND "
                      "acknowledged_at IS NULL");
  q.bind(1, SubjectName(check.subject));
  q.bind(2, check.key);
  return q.executeStep();
}

}  // namespace

SqliteCaseStore::SqliteCaseStore(SQLite::Database& db, std::mutex& mu, std::string path)
    : db_(db), mu_(mu), path_(std::move(path)) {}

Status SqliteCaseStore::RunAlertCheck(const cases::AlertCheck& check, cases::CaseId case_id,
                                      TimePoint at, std::vector<cases::ClusterAlert>& raised) {
  const int64_t count = CountFlags(db_, check);
  if (count <= check.threshold || HasOpenAlert(db_, check)) return Status::Ok();
  cases::ClusterAlert alert{.subject = check.subject,
                            .key = check.key,
                            .flag_count = count,
                            .threshold = check.threshold,
                            .window_seconds = check.window_seconds,
                            .raised_at = at,
                            .case_id = case_id,
                            .paused_auto_action = check.pause_auto_action};
  SQLite::Statement ins(db_,
                        "INSERT INTO cluster_alerts (subject, subject_key, flag_count, threshold, "
                        "window_seconds, raised_at, case_id, paused_auto_action) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, SubjectName(alert.subject));
  ins.bind(2, alert.key);
  ins.bind(3, alert.flag_count);
  ins.bind(4, alert.threshold);
  ins.bind(5, alert.window_seconds);
  ins.bind(6, Seconds(alert.raised_at));
  ins.bind(7, alert.case_id);
  ins.bind(8, alert.paused_auto_action ? 1 : 0);
  ins.exec();
  alert.id = db_.getLastInsertRowid();
  if (check.pause_auto_action) {
    // A pause left in place after an earlier alert was acknowledged is kept as it is.
    SQLite::Statement pause(db_,
                            "INSERT INTO auto_action_pauses (subject, subject_key, paused_at, "
                            "alert_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
    pause.bind(1, SubjectName(alert.subject));
    pause.bind(2, alert.key);
    pause.bind(3, Seconds(alert.raised_at));
    pause.bind(4, alert.id);
    pause.exec();
  }
  InsertEvent(db_, cases::AlertRaisedEvent(alert));
  raised.push_back(std::move(alert));
  return Status::Ok();
}

Result<cases::OpenedCase> SqliteCaseStore::CreateCase(const cases::CaseOpening& opening) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<cases::OpenedCase> {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    Case c = cases::CaseFromOpening(opening);
    InsertCaseRow(db_, c);
    c.id = db_.getLastInsertRowid();
    InsertItems(db_, c.id, 0, c.items, opening.at);
    CaseEvent event = opening.event;
    event.case_id = c.id;
    InsertEvent(db_, event);
    cases::OpenedCase out{.opened = c};
    for (const cases::AlertCheck& check : opening.alert_checks) {
      RETURN_IF_ERROR(RunAlertCheck(check, c.id, opening.at, out.alerts));
    }
    tx.commit();
    return out;
  });
}

Result<std::optional<Case>> SqliteCaseStore::LatestOpenCase(std::string_view account_id,
                                                            std::string_view surface) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::optional<Case>> {
    SQLite::Transaction snapshot(db_);
    cases::CaseId id = 0;
    {
      SQLite::Statement q(db_,
                          "SELECT id FROM cases WHERE account_id = ? AND surface = ? AND "
                          "state IN ('new', 'in_review') ORDER BY id DESC LIMIT 1");
      q.bind(1, std::string(account_id));
      q.bind(2, std::string(surface));
      if (!q.executeStep()) return std::optional<Case>();
      id = q.getColumn(0).getInt64();
    }
    ASSIGN_OR_RETURN(Case c, sqlite_cases::ReadCase(db_, id, path_));
    return std::optional<Case>(std::move(c));
  });
}

Result<cases::ItemsAdded> SqliteCaseStore::AddItems(const cases::ItemAddition& addition) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<cases::ItemsAdded> {
    // IMMEDIATE, as for CompareAndSet: the version check and the appends share the write lock.
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement upd(db_,
                          "UPDATE cases SET version = version + 1, priority = ?, updated_at = ? "
                          "WHERE id = ? AND version = ?");
    upd.bind(1, addition.priority);
    upd.bind(2, Seconds(addition.at));
    upd.bind(3, addition.id);
    upd.bind(4, addition.expected_version);
    if (upd.exec() == 0) {
      SQLite::Statement exists(db_, "SELECT 1 FROM cases WHERE id = ?");
      exists.bind(1, addition.id);
      if (!exists.executeStep()) return cases::CaseNotFoundError(addition.id);
      return cases::ItemsAdded{};
    }
    int64_t first = 0;
    {
      SQLite::Statement next(db_,
                             "SELECT COALESCE(MAX(position) + 1, 0) FROM case_items WHERE "
                             "case_id = ?");
      next.bind(1, addition.id);
      next.executeStep();
      first = next.getColumn(0).getInt64();
    }
    InsertItems(db_, addition.id, first, addition.items, addition.at);
    CaseEvent event = addition.event;
    event.case_id = addition.id;
    InsertEvent(db_, event);
    cases::ItemsAdded out{.applied = true};
    for (const cases::AlertCheck& check : addition.alert_checks) {
      RETURN_IF_ERROR(RunAlertCheck(check, addition.id, addition.at, out.alerts));
    }
    tx.commit();
    return out;
  });
}

Result<Case> SqliteCaseStore::GetCase(cases::CaseId id) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<Case> {
    SQLite::Transaction snapshot(db_);
    return sqlite_cases::ReadCase(db_, id, path_);
  });
}

namespace {

Status ChargeExposure(SQLite::Database& db, const cases::ExposureCharge& charge) {
  SQLite::Statement q(db, "SELECT items FROM reviewer_exposure WHERE reviewer = ? AND day = ?");
  q.bind(1, charge.reviewer);
  q.bind(2, charge.day);
  const int64_t current = q.executeStep() ? q.getColumn(0).getInt64() : 0;
  if (current + charge.items > charge.cap) return cases::ExposureCapError(charge, current);
  SQLite::Statement up(db,
                       "INSERT INTO reviewer_exposure (reviewer, day, items) VALUES (?, ?, ?) "
                       "ON CONFLICT (reviewer, day) DO UPDATE SET items = items + excluded.items");
  up.bind(1, charge.reviewer);
  up.bind(2, charge.day);
  up.bind(3, charge.items);
  up.exec();
  return Status::Ok();
}

void InsertChangeRows(SQLite::Database& db, const cases::CaseChange& change) {
  SQLite::Statement review(db,
                           "INSERT INTO case_reviews (case_id, kind, reviewer, decision, "
                           "rationale, decided_at) VALUES (?, ?, ?, ?, ?, ?)");
  for (const cases::ReviewDecision& r : change.new_reviews) {
    review.bind(1, change.id);
    review.bind(2, std::string(cases::ReviewKindName(r.kind)));
    review.bind(3, r.reviewer);
    review.bind(4, std::string(cases::DecisionName(r.decision)));
    review.bind(5, r.rationale);
    review.bind(6, Seconds(r.decided_at));
    review.exec();
    review.reset();
  }
  SQLite::Statement fp(db,
                       "INSERT INTO false_positives (case_id, item_id, technology, raw_value, "
                       "bank_entry_id, reviewer, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  for (const cases::FalsePositive& f : change.false_positives) {
    fp.bind(1, f.case_id);
    fp.bind(2, f.item_id);
    fp.bind(3, f.technology);
    fp.bind(4, f.raw_value);
    if (f.bank_entry_id) {
      fp.bind(5, *f.bank_entry_id);
    } else {
      fp.bind(5);
    }
    fp.bind(6, f.reviewer);
    fp.bind(7, Seconds(f.recorded_at));
    fp.exec();
    fp.reset();
  }
  SQLite::Statement vr(db,
                       "INSERT INTO verification_requests (case_id, bank_entry_id, bank_name, "
                       "reason, created_at) VALUES (?, ?, ?, ?, ?)");
  for (const cases::VerificationRequest& r : change.verification_requests) {
    vr.bind(1, r.case_id);
    vr.bind(2, r.bank_entry_id);
    vr.bind(3, r.bank_name);
    vr.bind(4, r.reason);
    vr.bind(5, Seconds(r.created_at));
    vr.exec();
    vr.reset();
  }
  SQLite::Statement rr(db,
                       "INSERT INTO report_requests (case_id, destination, created_at) VALUES "
                       "(?, ?, ?)");
  for (const cases::ReportRequest& r : change.report_requests) {
    rr.bind(1, r.case_id);
    rr.bind(2, r.destination);
    rr.bind(3, Seconds(r.created_at));
    rr.exec();
    rr.reset();
  }
  if (!change.share_requests.empty()) {
    SQLite::Statement sr(db, "INSERT INTO share_requests (case_id, created_at) VALUES (?, ?)");
    for (const cases::ShareRequest& r : change.share_requests) {
      sr.bind(1, r.case_id);
      sr.bind(2, Seconds(r.created_at));
      sr.exec();
      sr.reset();
    }
  }
  // Nothing for a case without a share request (nothing of it was queued) or a second reversal.
  for (const cases::ShareWithdrawal& w : change.share_withdrawals) {
    SQLite::Statement sw(db,
                         "INSERT INTO share_withdrawals (case_id, share_request_id, created_at) "
                         "SELECT case_id, id, ? FROM share_requests WHERE case_id = ? "
                         "ON CONFLICT (case_id) DO NOTHING");
    sw.bind(1, Seconds(w.created_at));
    sw.bind(2, w.case_id);
    sw.exec();
  }
  for (const CaseEvent& event : change.events) InsertEvent(db, event);
}

}  // namespace

Result<bool> sqlite_cases::ApplyChange(SQLite::Database& db, const cases::CaseChange& change) {
  const cases::CaseProgress& p = change.progress;
  SQLite::Statement upd(db,
                        "UPDATE cases SET version = version + 1, updated_at = ?, state = ?, "
                        "lease_reviewer = ?, lease_expires_at = ?, lease_items = ?, outcome = ?, "
                        "decided_at = ?, actioned_at = ?, reported_at = ?, qa_state = ? "
                        "WHERE id = ? AND version = ?");
  upd.bind(1, Seconds(p.updated_at));
  upd.bind(2, std::string(cases::CaseStateName(p.state)));
  if (p.lease) {
    upd.bind(3, p.lease->reviewer);
  } else {
    upd.bind(3);
  }
  BindTime(upd, 4, p.lease ? std::optional(p.lease->expires_at) : std::nullopt);
  upd.bind(5, p.lease ? p.lease->items_shown : int64_t{0});
  if (p.outcome) {
    upd.bind(6, std::string(cases::DecisionName(*p.outcome)));
  } else {
    upd.bind(6);
  }
  BindTime(upd, 7, p.decided_at);
  BindTime(upd, 8, p.actioned_at);
  BindTime(upd, 9, p.reported_at);
  upd.bind(10, std::string(cases::QaStateName(p.qa)));
  upd.bind(11, change.id);
  upd.bind(12, change.expected_version);
  if (upd.exec() == 0) {
    SQLite::Statement exists(db, "SELECT 1 FROM cases WHERE id = ?");
    exists.bind(1, change.id);
    if (!exists.executeStep()) return cases::CaseNotFoundError(change.id);
    return false;
  }
  if (change.exposure) RETURN_IF_ERROR(ChargeExposure(db, *change.exposure));
  InsertChangeRows(db, change);
  return true;
}

Result<bool> SqliteCaseStore::CompareAndSet(const cases::CaseChange& change) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<bool> {
    // IMMEDIATE: the version check and the update happen under the write lock, so another
    // process cannot slip a change in between. Any early return rolls everything back.
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    ASSIGN_OR_RETURN(const bool applied, sqlite_cases::ApplyChange(db_, change));
    if (applied) tx.commit();
    return applied;
  });
}

Result<std::vector<Case>> SqliteCaseStore::ListQueue(const cases::QueueQuery& query) {
  const std::string sql =
      query.kind == cases::QueueKind::kReview
          ? fmt::format(
                "SELECT id FROM cases WHERE state = 'new' OR (state = 'in_review' AND "
                "(lease_expires_at IS NULL OR lease_expires_at <= ?1)) {}",
                kQueueOrder)
          : fmt::format(
                "SELECT id FROM cases WHERE qa_state = 'pending' AND "
                "(lease_expires_at IS NULL OR lease_expires_at <= ?1) {}",
                kQueueOrder);
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::vector<Case>> {
    SQLite::Transaction snapshot(db_);
    SQLite::Statement ids(db_, sql);
    ids.bind(1, Seconds(query.now));
    ids.bind(2, static_cast<int64_t>(query.limit));
    return sqlite_cases::ReadCases(db_, ids, path_);
  });
}

Result<std::vector<Case>> SqliteCaseStore::ListCases(const cases::CaseFilter& filter) {
  std::string sql = "SELECT id FROM cases WHERE id > ?";
  if (filter.state) sql += fmt::format(" AND state = '{}'", cases::CaseStateName(*filter.state));
  if (filter.qa) sql += fmt::format(" AND qa_state = '{}'", cases::QaStateName(*filter.qa));
  sql += " ORDER BY id LIMIT ?";
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::vector<Case>> {
    SQLite::Transaction snapshot(db_);
    SQLite::Statement ids(db_, sql);
    ids.bind(1, filter.after_id);
    ids.bind(2, static_cast<int64_t>(filter.limit));
    return sqlite_cases::ReadCases(db_, ids, path_);
  });
}

}  // namespace vigil::store
