#include "store/pg_case_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "store/pg_case_rows.h"
#include "store/pg_connection.h"

namespace vigil::store {
namespace {

using cases::Case;
using cases::CaseEvent;
using pg_cases::InsertEvent;
using pg_cases::OptionalSeconds;
using pg_cases::Seconds;

// The first key of the two-key advisory locks that serialise cluster-alert counting per
// subject (the second is the hash of the subject and key); chosen to stay clear of other users
// of advisory locks in the same database.
constexpr int kAlertLockClass = 0x76696731;  // "vig1"
constexpr char kSnapshot[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

std::string SubjectName(cases::AlertSubject subject) {
  return std::string(cases::AlertSubjectName(subject));
}

Result<cases::CaseId> InsertCaseRow(PgConnection& conn, const Case& c) {
  ASSIGN_OR_RETURN(PgResult r,
                   conn.Exec("INSERT INTO cases (version, account_id, surface, eu, priority, "
                             "created_at, updated_at, state, actioned_at, qa_state) "
                             "VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                             PgParams()
                                 .Text(c.account_id)
                                 .Text(c.surface)
                                 .Bool(c.eu)
                                 .Int(c.priority)
                                 .Int(Seconds(c.created_at))
                                 .Int(Seconds(c.progress.updated_at))
                                 .Text(cases::CaseStateName(c.progress.state))
                                 .OptionalInt(OptionalSeconds(c.progress.actioned_at))
                                 .Text(cases::QaStateName(c.progress.qa))));
  return r.Int(0, 0);
}

// Appends `items` to case `id` from position `first`, added (and flagged) at `at`.
Status InsertItems(PgConnection& conn, cases::CaseId id, int64_t first,
                   const std::vector<cases::Item>& items, TimePoint at) {
  for (size_t i = 0; i < items.size(); ++i) {
    const cases::Item& it = items[i];
    const int64_t position = first + static_cast<int64_t>(i);
    RETURN_IF_ERROR(
        conn.Exec("INSERT INTO case_items (case_id, position, item_id, content_type, "
                  "received_at, added_at) VALUES ($1, $2, $3, $4, $5, $6)",
                  PgParams()
                      .Int(id)
                      .Int(position)
                      .Text(it.item_id)
                      .Text(it.content_type)
                      .Int(Seconds(it.received_at))
                      .Int(Seconds(at))));
    for (const cases::ItemHash& h : it.hashes) {
      RETURN_IF_ERROR(
          conn.Exec("INSERT INTO case_item_hashes (case_id, item_position, algorithm, "
                    "hex) VALUES ($1, $2, $3, $4)",
                    PgParams().Int(id).Int(position).Text(h.algorithm).Text(h.hex)));
    }
    for (const cases::Flag& f : it.flags) {
      RETURN_IF_ERROR(
          conn.Exec("INSERT INTO case_flags (case_id, item_position, technology, category, "
                    "raw_value, bank_entry_id, bank_name, bank_auto_action, flagged_at, "
                    "evidence) VALUES ($1, $2, $3, $4, $5::float8, $6, $7, $8, $9, $10)",
                    PgParams()
                        .Int(id)
                        .Int(position)
                        .Text(f.technology)
                        .Text(cases::FlagCategoryName(f.category))
                        .Text(pg_cases::DoubleText(f.raw_value))
                        .OptionalInt(f.bank_entry_id)
                        .Text(f.bank_name)
                        .Bool(f.bank_auto_action)
                        .Int(Seconds(at))
                        .Text(f.evidence)));
    }
  }
  return Status::Ok();
}

// Holds the advisory locks of every checked subject until the transaction ends, taken in one
// order (sorted) so two openings checking the same subjects cannot deadlock.
Status LockAlertSubjects(PgConnection& conn, const std::vector<cases::AlertCheck>& checks) {
  std::vector<std::string> subjects;
  for (const cases::AlertCheck& check : checks) {
    subjects.push_back(fmt::format("{}:{}", cases::AlertSubjectName(check.subject), check.key));
  }
  std::sort(subjects.begin(), subjects.end());
  subjects.erase(std::unique(subjects.begin(), subjects.end()), subjects.end());
  for (const std::string& subject : subjects) {
    RETURN_IF_ERROR(
        conn.Exec(fmt::format("SELECT pg_advisory_xact_lock({}, hashtext($1))", kAlertLockClass),
                  PgParams().Text(subject)));
  }
  return Status::Ok();
}

// Counts the subject's flags inside the window. A bank-entry key that is not a number matches
// nothing (keys come from cases::AlertKey).
Result<int64_t> CountFlags(PgConnection& conn, const cases::AlertCheck& check) {
  if (check.subject == cases::AlertSubject::kTechnology) {
    ASSIGN_OR_RETURN(PgResult r,
                     conn.Exec("SELECT COUNT(*) FROM case_flags WHERE technology = "
                               "$1 AND flagged_at > $2",
                               PgParams().Text(check.key).Int(Seconds(check.window_start))));
    return r.Int(0, 0);
  }
  int64_t entry = 0;
  const auto [end, ec] =
      std::from_chars(check.key.data(), check.key.data() + check.key.size(), entry);
  if (ec != std::errc() || end != check.key.data() + check.key.size()) return int64_t{0};
  ASSIGN_OR_RETURN(PgResult r, conn.Exec("SELECT COUNT(*) FROM case_flags WHERE bank_entry_id = "
                                         "$1 AND flagged_at > $2",
                                         PgParams().Int(entry).Int(Seconds(check.window_start))));
  return r.Int(0, 0);
}

// Raises the alert for `check` if due, naming case `case_id` and time `at`.
Status RunAlertCheck(PgConnection& conn, const cases::AlertCheck& check, cases::CaseId case_id,
                     TimePoint at, std::vector<cases::ClusterAlert>& raised) {
  ASSIGN_OR_RETURN(const int64_t count, CountFlags(conn, check));
  if (count <= check.threshold) return Status::Ok();
  ASSIGN_OR_RETURN(PgResult open,
                   conn.Exec("SELECT 1 FROM cluster_alerts WHERE subject = $1 "
                             "AND subject_key = $2 AND acknowledged_at IS NULL",
                             PgParams().Text(SubjectName(check.subject)).Text(check.key)));
  if (open.rows() > 0) return Status::Ok();
  cases::ClusterAlert alert{.subject = check.subject,
                            .key = check.key,
                            .flag_count = count,
                            .threshold = check.threshold,
                            .window_seconds = check.window_seconds,
                            .raised_at = at,
                            .case_id = case_id,
                            .paused_auto_action = check.pause_auto_action};
  ASSIGN_OR_RETURN(PgResult ins,
                   conn.Exec("INSERT INTO cluster_alerts (subject, subject_key, flag_count, "
                             "threshold, window_seconds, raised_at, case_id, paused_auto_action) "
                             "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                             PgParams()
                                 .Text(SubjectName(alert.subject))
                                 .Text(alert.key)
                                 .Int(alert.flag_count)
                                 .Int(alert.threshold)
                                 .Int(alert.window_seconds)
                                 .Int(Seconds(alert.raised_at))
                                 .Int(alert.case_id)
                                 .Bool(alert.paused_auto_action)));
  alert.id = ins.Int(0, 0);
  if (check.pause_auto_action) {
    // A pause left in place after an earlier alert was acknowledged is kept as it is.
    RETURN_IF_ERROR(
        conn.Exec("INSERT INTO auto_action_pauses (subject, subject_key, paused_at, "
                  "alert_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                  PgParams()
                      .Text(SubjectName(alert.subject))
                      .Text(alert.key)
                      .Int(Seconds(alert.raised_at))
                      .Int(alert.id)));
  }
  RETURN_IF_ERROR(InsertEvent(conn, cases::AlertRaisedEvent(alert)));
  raised.push_back(std::move(alert));
  return Status::Ok();
}

// Creates the reviewer's row for the day if missing, then locks it: racing charges queue here,
// and each checks the cap against the total the previous one committed.
Status ChargeExposure(PgConnection& conn, const cases::ExposureCharge& charge) {
  RETURN_IF_ERROR(
      conn.Exec("INSERT INTO reviewer_exposure (reviewer, day, items) "
                "VALUES ($1, $2, 0) ON CONFLICT DO NOTHING",
                PgParams().Text(charge.reviewer).Int(charge.day)));
  ASSIGN_OR_RETURN(PgResult r, conn.Exec("SELECT items FROM reviewer_exposure WHERE reviewer = "
                                         "$1 AND day = $2 FOR UPDATE",
                                         PgParams().Text(charge.reviewer).Int(charge.day)));
  const int64_t current = r.Int(0, 0);
  if (current + charge.items > charge.cap) return cases::ExposureCapError(charge, current);
  return conn
      .Exec("UPDATE reviewer_exposure SET items = items + $3 WHERE reviewer = $1 AND day = $2",
            PgParams().Text(charge.reviewer).Int(charge.day).Int(charge.items))
      .status();
}

Status InsertChangeRows(PgConnection& conn, const cases::CaseChange& change) {
  for (const cases::ReviewDecision& r : change.new_reviews) {
    RETURN_IF_ERROR(
        conn.Exec("INSERT INTO case_reviews (case_id, kind, reviewer, decision, "
                  "rationale, decided_at) VALUES ($1, $2, $3, $4, $5, $6)",
                  PgParams()
                      .Int(change.id)
                      .Text(cases::ReviewKindName(r.kind))
                      .Text(r.reviewer)
                      .Text(cases::DecisionName(r.decision))
                      .Text(r.rationale)
                      .Int(Seconds(r.decided_at))));
  }
  for (const cases::FalsePositive& f : change.false_positives) {
    RETURN_IF_ERROR(
        conn.Exec("INSERT INTO false_positives (case_id, item_id, technology, "
                  "raw_value, bank_entry_id, reviewer, recorded_at) "
                  "VALUES ($1, $2, $3, $4::float8, $5, $6, $7)",
                  PgParams()
                      .Int(f.case_id)
                      .Text(f.item_id)
                      .Text(f.technology)
                      .Text(pg_cases::DoubleText(f.raw_value))
                      .OptionalInt(f.bank_entry_id)
                      .Text(f.reviewer)
                      .Int(Seconds(f.recorded_at))));
  }
  for (const cases::VerificationRequest& r : change.verification_requests) {
    RETURN_IF_ERROR(
        conn.Exec("INSERT INTO verification_requests (case_id, bank_entry_id, "
                  "bank_name, reason, created_at) VALUES ($1, $2, $3, $4, $5)",
                  PgParams()
                      .Int(r.case_id)
                      .Int(r.bank_entry_id)
                      .Text(r.bank_name)
                      .Text(r.reason)
                      .Int(Seconds(r.created_at))));
  }
  for (const cases::ReportRequest& r : change.report_requests) {
    RETURN_IF_ERROR(
        conn.Exec("INSERT INTO report_requests (case_id, destination, created_at) "
                  "VALUES ($1, $2, $3)",
                  PgParams().Int(r.case_id).Text(r.destination).Int(Seconds(r.created_at))));
  }
  for (const cases::ShareRequest& r : change.share_requests) {
    RETURN_IF_ERROR(conn.Exec("INSERT INTO share_requests (case_id, created_at) VALUES ($1, $2)",
                              PgParams().Int(r.case_id).Int(Seconds(r.created_at))));
  }
  // Nothing for a case without a share request (nothing of it was queued) or a second reversal.
  for (const cases::ShareWithdrawal& w : change.share_withdrawals) {
    RETURN_IF_ERROR(
        conn.Exec("INSERT INTO share_withdrawals (case_id, share_request_id, created_at) "
                  "SELECT case_id, id, $1 FROM share_requests WHERE case_id = $2 "
                  "ON CONFLICT (case_id) DO NOTHING",
                  PgParams().Int(Seconds(w.created_at)).Int(w.case_id)));
  }
  for (const CaseEvent& event : change.events) RETURN_IF_ERROR(InsertEvent(conn, event));
  return Status::Ok();
}

// The UPDATE of a change; the number of rows it changed (0 or 1).
Result<uint64_t> UpdateProgress(PgConnection& conn, const cases::CaseChange& change) {
  const cases::CaseProgress& p = change.progress;
  PgParams params;
  params.Int(Seconds(p.updated_at)).Text(cases::CaseStateName(p.state));
  if (p.lease) {
    params.Text(p.lease->reviewer).Int(Seconds(p.lease->expires_at)).Int(p.lease->items_shown);
  } else {
    params.Null().Null().Int(0);
  }
  if (p.outcome) {
    params.Text(cases::DecisionName(*p.outcome));
  } else {
    params.Null();
  }
  params.OptionalInt(OptionalSeconds(p.decided_at))
      .OptionalInt(OptionalSeconds(p.actioned_at))
      .OptionalInt(OptionalSeconds(p.reported_at))
      .Text(cases::QaStateName(p.qa))
      .Int(change.id)
      .Int(change.expected_version);
  ASSIGN_OR_RETURN(PgResult r,
                   conn.Exec("UPDATE cases SET version = version + 1, updated_at = $1, "
                             "state = $2, lease_reviewer = $3, lease_expires_at = $4, "
                             "lease_items = $5, outcome = $6, decided_at = $7, actioned_at = $8, "
                             "reported_at = $9, qa_state = $10 WHERE id = $11 AND version = $12",
                             params));
  return r.affected_rows();
}

}  // namespace

Result<bool> pg_cases::ApplyChange(PgConnection& conn, const cases::CaseChange& change) {
  ASSIGN_OR_RETURN(const uint64_t updated, UpdateProgress(conn, change));
  if (updated == 0) {
    ASSIGN_OR_RETURN(PgResult exists,
                     conn.Exec("SELECT 1 FROM cases WHERE id = $1", PgParams().Int(change.id)));
    if (exists.rows() == 0) return cases::CaseNotFoundError(change.id);
    return false;
  }
  if (change.exposure) RETURN_IF_ERROR(ChargeExposure(conn, *change.exposure));
  RETURN_IF_ERROR(InsertChangeRows(conn, change));
  return true;
}

PostgresCaseStore::PostgresCaseStore(PgPool& pool) : pool_(pool) {}

Result<cases::OpenedCase> PostgresCaseStore::CreateCase(const cases::CaseOpening& opening) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(*conn));
  Case c = cases::CaseFromOpening(opening);
  ASSIGN_OR_RETURN(c.id, InsertCaseRow(*conn, c));
  RETURN_IF_ERROR(InsertItems(*conn, c.id, 0, c.items, opening.at));
  CaseEvent event = opening.event;
  event.case_id = c.id;
  RETURN_IF_ERROR(InsertEvent(*conn, event));
  cases::OpenedCase out{.opened = c};
  // READ COMMITTED: each count after the lock sees every flag committed by the openings that
  // held it before, so two openings cannot both count without the other's flags.
  RETURN_IF_ERROR(LockAlertSubjects(*conn, opening.alert_checks));
  for (const cases::AlertCheck& check : opening.alert_checks) {
    RETURN_IF_ERROR(RunAlertCheck(*conn, check, c.id, opening.at, out.alerts));
  }
  RETURN_IF_ERROR(tx.Commit());
  return out;
}

Result<std::optional<Case>> PostgresCaseStore::LatestOpenCase(std::string_view account_id,
                                                              std::string_view surface) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgTransaction snapshot, PgTransaction::Begin(*conn, kSnapshot));
  ASSIGN_OR_RETURN(PgResult r, conn->Exec("SELECT id FROM cases WHERE account_id = $1 AND "
                                          "surface = $2 AND state IN ('new', 'in_review') "
                                          "ORDER BY id DESC LIMIT 1",
                                          PgParams().Text(account_id).Text(surface)));
  std::optional<Case> out;
  if (r.rows() > 0) {
    ASSIGN_OR_RETURN(out, pg_cases::ReadCase(*conn, r.Int(0, 0)));
  }
  RETURN_IF_ERROR(snapshot.Commit());
  return out;
}

Result<cases::ItemsAdded> PostgresCaseStore::AddItems(const cases::ItemAddition& addition) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  // As in CompareAndSet, the UPDATE holds the case's row lock to the end, so the positions read
  // below cannot be taken by a racing addition.
  ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(*conn));
  ASSIGN_OR_RETURN(PgResult upd, conn->Exec("UPDATE cases SET version = version + 1, priority = "
                                            "$1, updated_at = $2 WHERE id = $3 AND version = $4",
                                            PgParams()
                                                .Int(addition.priority)
                                                .Int(Seconds(addition.at))
                                                .Int(addition.id)
                                                .Int(addition.expected_version)));
  if (upd.affected_rows() == 0) {
    ASSIGN_OR_RETURN(PgResult exists,
                     conn->Exec("SELECT 1 FROM cases WHERE id = $1", PgParams().Int(addition.id)));
    if (exists.rows() == 0) return cases::CaseNotFoundError(addition.id);
    return cases::ItemsAdded{};
  }
  ASSIGN_OR_RETURN(PgResult next, conn->Exec("SELECT COALESCE(MAX(position) + 1, 0) FROM "
                                             "case_items WHERE case_id = $1",
                                             PgParams().Int(addition.id)));
  RETURN_IF_ERROR(InsertItems(*conn, addition.id, next.Int(0, 0), addition.items, addition.at));
  CaseEvent event = addition.event;
  event.case_id = addition.id;
  RETURN_IF_ERROR(InsertEvent(*conn, event));
  cases::ItemsAdded out{.applied = true};
  RETURN_IF_ERROR(LockAlertSubjects(*conn, addition.alert_checks));
  for (const cases::AlertCheck& check : addition.alert_checks) {
    RETURN_IF_ERROR(RunAlertCheck(*conn, check, addition.id, addition.at, out.alerts));
  }
  RETURN_IF_ERROR(tx.Commit());
  return out;
}

Result<Case> PostgresCaseStore::GetCase(cases::CaseId id) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgTransaction snapshot, PgTransaction::Begin(*conn, kSnapshot));
  ASSIGN_OR_RETURN(Case c, pg_cases::ReadCase(*conn, id));
  RETURN_IF_ERROR(snapshot.Commit());
  return c;
}

Result<bool> PostgresCaseStore::CompareAndSet(const cases::CaseChange& change) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  // The UPDATE holds the case's row lock to the end, so a racing change waits, re-checks the
  // version and updates nothing. Any early return rolls everything back.
  ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(*conn));
  ASSIGN_OR_RETURN(const bool applied, pg_cases::ApplyChange(*conn, change));
  if (applied) RETURN_IF_ERROR(tx.Commit());
  return applied;
}

Result<std::vector<Case>> PostgresCaseStore::ListQueue(const cases::QueueQuery& query) {
  const char* sql = query.kind == cases::QueueKind::kReview
                        ? "SELECT id FROM cases WHERE state = 'new' OR (state = 'in_review' AND "
                          "(lease_expires_at IS NULL OR lease_expires_at <= $1)) "
                          "ORDER BY priority DESC, created_at, id LIMIT $2"
                        : "SELECT id FROM cases WHERE qa_state = 'pending' AND "
                          "(lease_expires_at IS NULL OR lease_expires_at <= $1) "
                          "ORDER BY priority DESC, created_at, id LIMIT $2";
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgTransaction snapshot, PgTransaction::Begin(*conn, kSnapshot));
  ASSIGN_OR_RETURN(
      PgResult ids,
      conn->Exec(sql, PgParams().Int(Seconds(query.now)).Int(static_cast<int64_t>(query.limit))));
  ASSIGN_OR_RETURN(std::vector<Case> out, pg_cases::ReadCases(*conn, ids));
  RETURN_IF_ERROR(snapshot.Commit());
  return out;
}

Result<std::vector<Case>> PostgresCaseStore::ListCases(const cases::CaseFilter& filter) {
  PgParams params;
  params.Int(filter.after_id);
  std::string sql = "SELECT id FROM cases WHERE id > $1";
  int next = 2;
  if (filter.state) {
    sql += fmt::format(" AND state = ${}", next++);
    params.Text(cases::CaseStateName(*filter.state));
  }
  if (filter.qa) {
    sql += fmt::format(" AND qa_state = ${}", next++);
    params.Text(cases::QaStateName(*filter.qa));
  }
  sql += fmt::format(" ORDER BY id LIMIT ${}", next);
  params.Int(static_cast<int64_t>(filter.limit));
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgTransaction snapshot, PgTransaction::Begin(*conn, kSnapshot));
  ASSIGN_OR_RETURN(PgResult ids, conn->Exec(sql, params));
  ASSIGN_OR_RETURN(std::vector<Case> out, pg_cases::ReadCases(*conn, ids));
  RETURN_IF_ERROR(snapshot.Commit());
  return out;
}

}  // namespace vigil::store
