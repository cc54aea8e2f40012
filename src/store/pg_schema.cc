#include "store/pg_schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>

namespace vigil::store {
namespace {

// Mirrors SQLite's version 1 (sqlite_schema.cc). Times are Unix seconds (UTC) in BIGINT rather
// than timestamptz, so both backends store the same numbers and TimePoint round-trips exactly
// without time-zone rules; to_timestamp(added_at) shows them in psql. Hash values are raw bytes
// (bytea) compared bytewise by the unique index. Ids are identity columns, so they rise with
// insertion like SQLite's rowids. Entries are never deleted (retired_at marks them), hence
// RESTRICT.
constexpr std::string_view kV1Banks = R"sql(
CREATE TABLE banks (
  id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         TEXT    NOT NULL UNIQUE,
  owner        TEXT    NOT NULL DEFAULT '',
  description  TEXT    NOT NULL DEFAULT '',
  source_list  TEXT    NOT NULL DEFAULT '',
  auto_action  BOOLEAN NOT NULL DEFAULT FALSE,
  created_at   BIGINT  NOT NULL
);
CREATE TABLE bank_entries (
  id                  BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bank_id             BIGINT  NOT NULL REFERENCES banks (id) ON DELETE RESTRICT,
  signal_type         TEXT    NOT NULL,
  value               BYTEA   NOT NULL,
  added_at            BIGINT  NOT NULL,
  source_ref          TEXT    NOT NULL DEFAULT '',
  verifications       INTEGER NOT NULL DEFAULT 0 CHECK (verifications >= 0),
  needs_verification  BOOLEAN NOT NULL DEFAULT FALSE,
  retired_at          BIGINT,
  retired_reason      TEXT    NOT NULL DEFAULT '',
  UNIQUE (bank_id, signal_type, value)
);
-- Streams a bank's entries in id order (keyset pages) without sorting.
CREATE INDEX bank_entries_by_bank ON bank_entries (bank_id, id);
)sql";

constexpr PgMigration kMigrations[] = {
    {1, "banks and bank entries", kV1Banks},
};

// schema_migrations as vigil creates it, (column, type); a table of that name without these
// columns is not ours.
constexpr std::pair<std::string_view, std::string_view> kMigrationColumns[] = {
    {"version", "integer"}, {"name", "text"}, {"applied_at", "bigint"}};

// Names of the tables in the current schema, comma-separated ("" when there are none).
Result<std::string> TablesInSchema(PgConnection& conn) {
  ASSIGN_OR_RETURN(PgResult r, conn.Exec("SELECT COALESCE(string_agg(tablename, ', ' ORDER BY "
                                         "tablename), '') FROM pg_tables WHERE schemaname = "
                                         "current_schema()"));
  return std::string(r.Text(0, 0));
}

Status CheckMigrationTable(PgConnection& conn) {
  ASSIGN_OR_RETURN(PgResult r, conn.Exec("SELECT column_name, data_type FROM "
                                         "information_schema.columns WHERE table_schema = "
                                         "current_schema() AND table_name = 'schema_migrations'"));
  size_t matched = 0;
  for (int i = 0; i < r.rows(); ++i) {
    const std::pair<std::string_view, std::string_view> column(r.Text(i, 0), r.Text(i, 1));
    if (std::ranges::find(kMigrationColumns, column) != std::end(kMigrationColumns)) ++matched;
  }
  if (matched != std::size(kMigrationColumns)) {
    return DataLossError(fmt::format(
        "database {}: table schema_migrations is damaged or not vigil's (it lacks the integer "
        "version, text name and bigint applied_at columns); refusing to use it",
        conn.name()));
  }
  return Status::Ok();
}

}  // namespace

std::span<const PgMigration> PgMigrations() { return kMigrations; }

Status ApplyPgMigrations(PgConnection& conn, std::span<const PgMigration> migrations,
                         TimePoint now) {
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(conn));
  // Held until commit or rollback; a second opener waits here (up to lock_timeout), then sees
  // the first one's work.
  RETURN_IF_ERROR(
      conn.Exec("SELECT pg_advisory_xact_lock($1)", PgParams().Int(kPgMigrationLockKey)));
  ASSIGN_OR_RETURN(PgResult exists, conn.Exec("SELECT 1 FROM pg_tables WHERE schemaname = "
                                              "current_schema() AND tablename = "
                                              "'schema_migrations'"));
  if (exists.rows() == 0) {
    ASSIGN_OR_RETURN(std::string others, TablesInSchema(conn));
    if (!others.empty()) {
      return FailedPreconditionError(
          fmt::format("database {} belongs to another application (it has {}, but no "
                      "schema_migrations); refusing to modify it",
                      conn.name(), others));
    }
    RETURN_IF_ERROR(
        conn.ExecScript("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT "
                        "NOT NULL, applied_at BIGINT NOT NULL)"));
  } else {
    RETURN_IF_ERROR(CheckMigrationTable(conn));
  }
  ASSIGN_OR_RETURN(PgResult applied,
                   conn.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  const int64_t current = applied.Int(0, 0);
  if (current > latest) {
    return FailedPreconditionError(fmt::format(
        "database {} has schema version {}, newer than this vigil knows ({}); upgrade vigil to "
        "use it",
        conn.name(), current, latest));
  }
  for (const PgMigration& m : migrations) {
    if (m.version <= current) continue;
    RETURN_IF_ERROR(conn.ExecScript(m.sql));
    RETURN_IF_ERROR(
        conn.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                  PgParams().Int(m.version).Text(m.name).Int(now.time_since_epoch().count())));
  }
  return tx.Commit();
}

Result<std::vector<Migration>> ReadPgMigrations(PgConnection& conn) {
  ASSIGN_OR_RETURN(
      PgResult r,
      conn.Exec("SELECT version, name, applied_at FROM schema_migrations ORDER BY version"));
  std::vector<Migration> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({static_cast<int>(r.Int(i, 0)), std::string(r.Text(i, 1)),
                   TimePoint(std::chrono::seconds(r.Int(i, 2)))});
  }
  return out;
}

}  // namespace vigil::store
