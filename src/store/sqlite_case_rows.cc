#include "store/sqlite_case_rows.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "cases/case_store.h"

namespace vigil::store::sqlite_cases {
namespace {

using cases::Case;

constexpr char kCaseColumns[] =
    "id, version, account_id, surface, eu, priority, created_at, updated_at, state, "
    "lease_reviewer, lease_expires_at, outcome, decided_at, actioned_at, reported_at, qa_state, "
    "lease_items";

std::optional<TimePoint> OptionalTime(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return FromSeconds(column.getInt64());
}

// Parses an enum stored as text; an unknown name means the row was not written by vigil.
template <typename T>
Result<T> ParseStored(Result<T> (*parse)(std::string_view), const SQLite::Column& column,
                      std::string_view path, std::string_view row) {
  const std::string text = column.getString();
  Result<T> parsed = parse(text);
  if (!parsed.ok()) {
    return DataLossError(
        fmt::format("{}: {} has unknown {} '{}'", path, row, column.getName(), text.substr(0, 40)));
  }
  return parsed;
}

Result<Case> CaseFromRow(SQLite::Statement& q, std::string_view path) {
  Case c;
  c.id = q.getColumn(0).getInt64();
  const std::string row = fmt::format("case {}", c.id);
  c.version = q.getColumn(1).getInt64();
  c.account_id = q.getColumn(2).getString();
  c.surface = q.getColumn(3).getString();
  c.eu = q.getColumn(4).getInt() != 0;
  c.priority = q.getColumn(5).getInt();
  c.created_at = FromSeconds(q.getColumn(6).getInt64());
  cases::CaseProgress& p = c.progress;
  p.updated_at = FromSeconds(q.getColumn(7).getInt64());
  ASSIGN_OR_RETURN(p.state, ParseStored(&cases::ParseCaseState, q.getColumn(8), path, row));
  if (!q.getColumn(9).isNull()) {
    p.lease = cases::Lease{.reviewer = q.getColumn(9).getString(),
                           .expires_at = FromSeconds(q.getColumn(10).getInt64()),
                           .items_shown = q.getColumn(16).getInt64()};
  }
  if (!q.getColumn(11).isNull()) {
    ASSIGN_OR_RETURN(p.outcome, ParseStored(&cases::ParseDecision, q.getColumn(11), path, row));
  }
  p.decided_at = OptionalTime(q.getColumn(12));
  p.actioned_at = OptionalTime(q.getColumn(13));
  p.reported_at = OptionalTime(q.getColumn(14));
  ASSIGN_OR_RETURN(p.qa, ParseStored(&cases::ParseQaState, q.getColumn(15), path, row));
  return c;
}

Status ReadItems(SQLite::Database& db, Case& c, std::string_view path) {
  SQLite::Statement items(db,
                          "SELECT item_id, content_type, received_at, added_at FROM case_items "
                          "WHERE case_id = ? ORDER BY position");
  items.bind(1, c.id);
  while (items.executeStep()) {
    c.items.push_back({.item_id = items.getColumn(0).getString(),
                       .content_type = items.getColumn(1).getString(),
                       .received_at = FromSeconds(items.getColumn(2).getInt64()),
                       .added_at = FromSeconds(items.getColumn(3).getInt64())});
  }
  const std::string row = fmt::format("case {}", c.id);
  SQLite::Statement hashes(db,
                           "SELECT item_position, algorithm, hex FROM case_item_hashes "
                           "WHERE case_id = ? ORDER BY item_position, rowid");
  hashes.bind(1, c.id);
  while (hashes.executeStep()) {
    const int64_t position = hashes.getColumn(0).getInt64();
    if (position < 0 || position >= static_cast<int64_t>(c.items.size())) {
      return DataLossError(
          fmt::format("{}: {} has a hash of missing item {}", path, row, position));
    }
    c.items[static_cast<size_t>(position)].hashes.push_back(
        {.algorithm = hashes.getColumn(1).getString(), .hex = hashes.getColumn(2).getString()});
  }
  SQLite::Statement flags(db,
                          "SELECT item_position, technology, category, raw_value, bank_entry_id, "
                          "bank_name, bank_auto_action, evidence FROM case_flags WHERE case_id = ? "
                          "ORDER BY id");
  flags.bind(1, c.id);
  while (flags.executeStep()) {
    const int64_t position = flags.getColumn(0).getInt64();
    if (position < 0 || position >= static_cast<int64_t>(c.items.size())) {
      return DataLossError(
          fmt::format("{}: {} has a flag of missing item {}", path, row, position));
    }
    cases::Flag f{.technology = flags.getColumn(1).getString(),
                  .raw_value = flags.getColumn(3).getDouble(),
                  .bank_name = flags.getColumn(5).getString(),
                  .bank_auto_action = flags.getColumn(6).getInt() != 0,
                  .evidence = flags.getColumn(7).getString()};
    ASSIGN_OR_RETURN(f.category,
                     ParseStored(&cases::ParseFlagCategory, flags.getColumn(2), path, row));
    if (!flags.getColumn(4).isNull()) f.bank_entry_id = flags.getColumn(4).getInt64();
    c.items[static_cast<size_t>(position)].flags.push_back(std::move(f));
  }
  return Status::Ok();
}

Status ReadReviews(SQLite::Database& db, Case& c, std::string_view path) {
  SQLite::Statement q(db,
                      "SELECT kind, reviewer, decision, rationale, decided_at FROM case_reviews "
                      "WHERE case_id = ? ORDER BY id");
  q.bind(1, c.id);
  const std::string row = fmt::format("case {}", c.id);
  while (q.executeStep()) {
    cases::ReviewDecision r{.reviewer = q.getColumn(1).getString(),
                            .rationale = q.getColumn(3).getString(),
                            .decided_at = FromSeconds(q.getColumn(4).getInt64())};
    ASSIGN_OR_RETURN(r.kind, ParseStored(&cases::ParseReviewKind, q.getColumn(0), path, row));
    ASSIGN_OR_RETURN(r.decision, ParseStored(&cases::ParseDecision, q.getColumn(2), path, row));
    c.reviews.push_back(std::move(r));
  }
  return Status::Ok();
}

}  // namespace

int64_t Seconds(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint FromSeconds(int64_t s) { return TimePoint(std::chrono::seconds(s)); }

void BindTime(SQLite::Statement& q, int index, std::optional<TimePoint> t) {
  if (t) {
    q.bind(index, Seconds(*t));
  } else {
    q.bind(index);
  }
}

Result<Case> ReadCase(SQLite::Database& db, cases::CaseId id, std::string_view path) {
  Case c;
  {
    SQLite::Statement q(db, fmt::format("SELECT {} FROM cases WHERE id = ?", kCaseColumns));
    q.bind(1, id);
    if (!q.executeStep()) return cases::CaseNotFoundError(id);
    ASSIGN_OR_RETURN(c, CaseFromRow(q, path));
  }
  RETURN_IF_ERROR(ReadItems(db, c, path));
  RETURN_IF_ERROR(ReadReviews(db, c, path));
  return c;
}

Result<std::vector<Case>> ReadCases(SQLite::Database& db, SQLite::Statement& ids,
                                    std::string_view path) {
  std::vector<cases::CaseId> found;
  while (ids.executeStep()) found.push_back(ids.getColumn(0).getInt64());
  ids.reset();
  std::vector<Case> out;
  out.reserve(found.size());
  for (cases::CaseId id : found) {
    ASSIGN_OR_RETURN(Case c, ReadCase(db, id, path));
    out.push_back(std::move(c));
  }
  return out;
}

void InsertEvent(SQLite::Database& db, const cases::CaseEvent& event) {
  SQLite::Statement ins(
      db, "INSERT INTO case_events (case_id, at, actor, action, details) VALUES (?, ?, ?, ?, ?)");
  if (event.case_id) {
    ins.bind(1, *event.case_id);
  } else {
    ins.bind(1);
  }
  ins.bind(2, Seconds(event.at));
  ins.bind(3, event.actor);
  ins.bind(4, event.action);
  ins.bind(5, event.details);
  ins.exec();
}

cases::CaseEvent EventFromRow(SQLite::Statement& q) {
  cases::CaseEvent e{.id = q.getColumn(0).getInt64(),
                     .at = FromSeconds(q.getColumn(2).getInt64()),
                     .actor = q.getColumn(3).getString(),
                     .action = q.getColumn(4).getString(),
                     .details = q.getColumn(5).getString()};
  if (!q.getColumn(1).isNull()) e.case_id = q.getColumn(1).getInt64();
  return e;
}

Result<cases::ClusterAlert> AlertFromRow(SQLite::Statement& q, std::string_view path) {
  cases::ClusterAlert a{.id = q.getColumn(0).getInt64(),
                        .key = q.getColumn(2).getString(),
                        .flag_count = q.getColumn(3).getInt64(),
                        .threshold = q.getColumn(4).getInt64(),
                        .window_seconds = q.getColumn(5).getInt64(),
                        .raised_at = FromSeconds(q.getColumn(6).getInt64()),
                        .case_id = q.getColumn(7).getInt64(),
                        .paused_auto_action = q.getColumn(8).getInt() != 0,
                        .acknowledged_at = OptionalTime(q.getColumn(9)),
                        .acknowledged_by = q.getColumn(10).getString(),
                        .note = q.getColumn(11).getString()};
  ASSIGN_OR_RETURN(a.subject, ParseStored(&cases::ParseAlertSubject, q.getColumn(1), path,
                                          fmt::format("alert {}", a.id)));
  return a;
}

}  // namespace vigil::store::sqlite_cases
