#include "store/pg_case_rows.h"

#include <fmt/format.h>

#include <charconv>

#include "cases/case_store.h"

namespace vigil::store::pg_cases {
namespace {

using cases::Case;

constexpr char kCaseColumns[] =
    "id, version, account_id, surface, eu, priority, created_at, updated_at, state, "
    "lease_reviewer, lease_expires_at, outcome, decided_at, actioned_at, reported_at, qa_state, "
    "lease_items";

std::optional<TimePoint> OptionalTime(const PgResult& r, int row, int col) {
  if (r.IsNull(row, col)) return std::nullopt;
  return FromSeconds(r.Int(row, col));
}

// Parses an enum stored as text; an unknown name means the row was not written by vigil.
template <typename T>
Result<T> ParseStored(Result<T> (*parse)(std::string_view), std::string_view text,
                      std::string_view column, std::string_view name, std::string_view row) {
  Result<T> parsed = parse(text);
  if (!parsed.ok()) {
    return DataLossError(fmt::format("{}: {} has unknown {} '{}'", name, row, column,
                                     std::string(text.substr(0, 40))));
  }
  return parsed;
}

Result<Case> CaseFromRow(const PgResult& r, std::string_view name) {
  Case c;
  c.id = r.Int(0, 0);
  const std::string row = fmt::format("case {}", c.id);
  c.version = r.Int(0, 1);
  c.account_id = std::string(r.Text(0, 2));
  c.surface = std::string(r.Text(0, 3));
  c.eu = r.Bool(0, 4);
  c.priority = static_cast<int>(r.Int(0, 5));
  c.created_at = FromSeconds(r.Int(0, 6));
  cases::CaseProgress& p = c.progress;
  p.updated_at = FromSeconds(r.Int(0, 7));
  ASSIGN_OR_RETURN(p.state, ParseStored(&cases::ParseCaseState, r.Text(0, 8), "state", name, row));
  if (!r.IsNull(0, 9)) {
    p.lease = cases::Lease{.reviewer = std::string(r.Text(0, 9)),
                           .expires_at = FromSeconds(r.Int(0, 10)),
                           .items_shown = r.Int(0, 16)};
  }
  if (!r.IsNull(0, 11)) {
    ASSIGN_OR_RETURN(p.outcome,
                     ParseStored(&cases::ParseDecision, r.Text(0, 11), "outcome", name, row));
  }
  p.decided_at = OptionalTime(r, 0, 12);
  p.actioned_at = OptionalTime(r, 0, 13);
  p.reported_at = OptionalTime(r, 0, 14);
  ASSIGN_OR_RETURN(p.qa, ParseStored(&cases::ParseQaState, r.Text(0, 15), "qa_state", name, row));
  return c;
}

Status ReadItems(PgConnection& conn, Case& c) {
  ASSIGN_OR_RETURN(PgResult items,
                   conn.Exec("SELECT item_id, content_type, received_at, added_at FROM "
                             "case_items WHERE case_id = $1 ORDER BY position",
                             PgParams().Int(c.id)));
  for (int i = 0; i < items.rows(); ++i) {
    c.items.push_back({.item_id = std::string(items.Text(i, 0)),
                       .content_type = std::string(items.Text(i, 1)),
                       .received_at = FromSeconds(items.Int(i, 2)),
                       .added_at = FromSeconds(items.Int(i, 3))});
  }
  const std::string row = fmt::format("case {}", c.id);
  ASSIGN_OR_RETURN(PgResult hashes,
                   conn.Exec("SELECT item_position, algorithm, hex FROM case_item_hashes "
                             "WHERE case_id = $1 ORDER BY item_position, id",
                             PgParams().Int(c.id)));
  for (int i = 0; i < hashes.rows(); ++i) {
    const int64_t position = hashes.Int(i, 0);
    if (position < 0 || position >= static_cast<int64_t>(c.items.size())) {
      return DataLossError(
          fmt::format("{}: {} has a hash of missing item {}", conn.name(), row, position));
    }
    c.items[static_cast<size_t>(position)].hashes.push_back(
        {.algorithm = std::string(hashes.Text(i, 1)), .hex = std::string(hashes.Text(i, 2))});
  }
  ASSIGN_OR_RETURN(PgResult flags,
                   conn.Exec("SELECT item_position, technology, category, raw_value, "
                             "bank_entry_id, bank_name, bank_auto_action, evidence FROM case_flags "
                             "WHERE case_id = $1 ORDER BY id",
                             PgParams().Int(c.id)));
  for (int i = 0; i < flags.rows(); ++i) {
    const int64_t position = flags.Int(i, 0);
    if (position < 0 || position >= static_cast<int64_t>(c.items.size())) {
      return DataLossError(
          fmt::format("{}: {} has a flag of missing item {}", conn.name(), row, position));
    }
    cases::Flag f{.technology = std::string(flags.Text(i, 1)),
                  .bank_name = std::string(flags.Text(i, 5)),
                  .bank_auto_action = flags.Bool(i, 6),
                  .evidence = std::string(flags.Text(i, 7))};
    ASSIGN_OR_RETURN(f.raw_value, DoubleAt(flags, i, 3, conn.name()));
    ASSIGN_OR_RETURN(f.category, ParseStored(&cases::ParseFlagCategory, flags.Text(i, 2),
                                             "category", conn.name(), row));
    if (!flags.IsNull(i, 4)) f.bank_entry_id = flags.Int(i, 4);
    c.items[static_cast<size_t>(position)].flags.push_back(std::move(f));
  }
  return Status::Ok();
}

Status ReadReviews(PgConnection& conn, Case& c) {
  ASSIGN_OR_RETURN(PgResult r,
                   conn.Exec("SELECT kind, reviewer, decision, rationale, decided_at FROM "
                             "case_reviews WHERE case_id = $1 ORDER BY id",
                             PgParams().Int(c.id)));
  const std::string row = fmt::format("case {}", c.id);
  for (int i = 0; i < r.rows(); ++i) {
    cases::ReviewDecision d{.reviewer = std::string(r.Text(i, 1)),
                            .rationale = std::string(r.Text(i, 3)),
                            .decided_at = FromSeconds(r.Int(i, 4))};
    ASSIGN_OR_RETURN(d.kind,
                     ParseStored(&cases::ParseReviewKind, r.Text(i, 0), "kind", conn.name(), row));
    ASSIGN_OR_RETURN(
        d.decision, ParseStored(&cases::ParseDecision, r.Text(i, 2), "decision", conn.name(), row));
    c.reviews.push_back(std::move(d));
  }
  return Status::Ok();
}

}  // namespace

int64_t Seconds(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint FromSeconds(int64_t s) { return TimePoint(std::chrono::seconds(s)); }

std::optional<int64_t> OptionalSeconds(std::optional<TimePoint> t) {
  if (!t) return std::nullopt;
  return Seconds(*t);
}

std::string DoubleText(double value) { return fmt::format("{}", value); }

Result<double> DoubleAt(const PgResult& r, int row, int col, std::string_view name) {
  const std::string_view text = r.Text(row, col);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return DataLossError(
        fmt::format("{}: score '{}' is not a number", name, std::string(text.substr(0, 40))));
  }
  return value;
}

Result<Case> ReadCase(PgConnection& conn, cases::CaseId id) {
  Case c;
  {
    ASSIGN_OR_RETURN(PgResult r,
                     conn.Exec(fmt::format("SELECT {} FROM cases WHERE id = $1", kCaseColumns),
                               PgParams().Int(id)));
    if (r.rows() == 0) return cases::CaseNotFoundError(id);
    ASSIGN_OR_RETURN(c, CaseFromRow(r, conn.name()));
  }
  RETURN_IF_ERROR(ReadItems(conn, c));
  RETURN_IF_ERROR(ReadReviews(conn, c));
  return c;
}

Result<std::vector<Case>> ReadCases(PgConnection& conn, const PgResult& ids) {
  std::vector<Case> out;
  out.reserve(static_cast<size_t>(ids.rows()));
  for (int i = 0; i < ids.rows(); ++i) {
    ASSIGN_OR_RETURN(Case c, ReadCase(conn, ids.Int(i, 0)));
    out.push_back(std::move(c));
  }
  return out;
}

Status InsertEvent(PgConnection& conn, const cases::CaseEvent& event) {
  return conn
      .Exec(
          "INSERT INTO case_events (case_id, at, actor, action, details) "
          "VALUES ($1, $2, $3, $4, $5)",
          PgParams()
              .OptionalInt(event.case_id)
              .Int(Seconds(event.at))
              .Text(event.actor)
              .Text(event.action)
              .Text(event.details))
      .status();
}

cases::CaseEvent EventFromRow(const PgResult& r, int row) {
  cases::CaseEvent e{.id = r.Int(row, 0),
                     .at = FromSeconds(r.Int(row, 2)),
                     .actor = std::string(r.Text(row, 3)),
                     .action = std::string(r.Text(row, 4)),
                     .details = std::string(r.Text(row, 5))};
  if (!r.IsNull(row, 1)) e.case_id = r.Int(row, 1);
  return e;
}

Result<cases::ClusterAlert> AlertFromRow(const PgResult& r, int row, std::string_view name) {
  cases::ClusterAlert a{.id = r.Int(row, 0),
                        .key = std::string(r.Text(row, 2)),
                        .flag_count = r.Int(row, 3),
                        .threshold = r.Int(row, 4),
                        .window_seconds = r.Int(row, 5),
                        .raised_at = FromSeconds(r.Int(row, 6)),
                        .case_id = r.Int(row, 7),
                        .paused_auto_action = r.Bool(row, 8),
                        .acknowledged_at = OptionalTime(r, row, 9),
                        .acknowledged_by = std::string(r.Text(row, 10)),
                        .note = std::string(r.Text(row, 11))};
  ASSIGN_OR_RETURN(a.subject, ParseStored(&cases::ParseAlertSubject, r.Text(row, 1), "subject",
                                          name, fmt::format("alert {}", a.id)));
  return a;
}

}  // namespace vigil::store::pg_cases
