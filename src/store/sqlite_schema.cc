#include "store/sqlite_schema.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

namespace vigil::store {
namespace {

// Times are Unix seconds (UTC); hash values are raw bytes, half the size of hex and compared
// bytewise by the unique index. signal_type holds vigil's type name so the file is readable
// with the sqlite3 shell. Entries are never deleted (retired_at marks them), hence RESTRICT.
constexpr std::string_view kV1Banks = R"sql(
CREATE TABLE banks (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL UNIQUE,
  owner        TEXT    NOT NULL DEFAULT '',
  description  TEXT    NOT NULL DEFAULT '',
  source_list  TEXT    NOT NULL DEFAULT '',
  auto_action  INTEGER NOT NULL DEFAULT 0 CHECK (auto_action IN (0, 1)),
  created_at   INTEGER NOT NULL
);
CREATE TABLE bank_entries (
  id                  INTEGER PRIMARY KEY,
  bank_id             INTEGER NOT NULL REFERENCES banks (id) ON DELETE RESTRICT,
  signal_type         TEXT    NOT NULL,
  value               BLOB    NOT NULL,
  added_at            INTEGER NOT NULL,
  source_ref          TEXT    NOT NULL DEFAULT '',
  verifications       INTEGER NOT NULL DEFAULT 0 CHECK (verifications >= 0),
  needs_verification  INTEGER NOT NULL DEFAULT 0 CHECK (needs_verification IN (0, 1)),
  retired_at          INTEGER,
  retired_reason      TEXT    NOT NULL DEFAULT '',
  UNIQUE (bank_id, signal_type, value)
);
-- Streams a bank's entries in id order without sorting (the rowid is implicitly in the index).
CREATE INDEX bank_entries_by_bank ON bank_entries (bank_id);
)sql";

constexpr SqliteMigration kMigrations[] = {
    {1, "banks and bank entries", kV1Banks},
};

bool TableExists(SQLite::Database& db, const char* name) {
  SQLite::Statement q(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  q.bind(1, name);
  return q.executeStep();
}

std::string OtherTables(SQLite::Database& db) {
  SQLite::Statement q(
      db, "SELECT group_concat(name, ', ') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'");
  q.executeStep();
  return q.getColumn(0).isNull() ? std::string() : q.getColumn(0).getString();
}

int AppliedVersion(SQLite::Database& db) {
  SQLite::Statement q(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  q.executeStep();
  return q.getColumn(0).getInt();
}

}  // namespace

std::span<const SqliteMigration> SqliteMigrations() { return kMigrations; }

int LatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

Status MigrateSqlite(SQLite::Database& db, std::string_view path, TimePoint now) {
  // IMMEDIATE takes the write lock up front, so two processes opening a new file do not both
  // try to create the tables.
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  if (!TableExists(db, "schema_migrations")) {
    // A statement still stepping blocks the commit, so queries live in helpers that end them.
    const std::string others = OtherTables(db);
    if (!others.empty()) {
      return FailedPreconditionError(
          fmt::format("{} is an SQLite database of another application (it has {}, but no "
                      "schema_migrations); refusing to modify it",
                      path, others));
    }
    db.exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at INTEGER NOT NULL)");
  }
  const int current = AppliedVersion(db);
  if (current > LatestSchemaVersion()) {
    return FailedPreconditionError(fmt::format(
        "{} has schema version {}, newer than this vigil knows ({}); upgrade vigil to use it", path,
        current, LatestSchemaVersion()));
  }
  for (const SqliteMigration& m : kMigrations) {
    if (m.version <= current) continue;
    db.exec(std::string(m.sql));
    SQLite::Statement record(
        db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
    record.bind(1, m.version);
    record.bind(2, std::string(m.name));
    record.bind(3, static_cast<int64_t>(now.time_since_epoch().count()));
    record.exec();
  }
  tx.commit();
  return Status::Ok();
}

std::vector<Migration> ReadSqliteMigrations(SQLite::Database& db) {
  SQLite::Statement q(db,
                      "SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
  std::vector<Migration> out;
  while (q.executeStep()) {
    out.push_back({q.getColumn(0).getInt(), q.getColumn(1).getString(),
                   TimePoint(std::chrono::seconds(q.getColumn(2).getInt64()))});
  }
  return out;
}

}  // namespace vigil::store
