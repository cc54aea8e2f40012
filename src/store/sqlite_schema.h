// The SQLite schema as an ordered list of migrations, and applying them on open.
//
// Migration policy: a migration is never edited once released; a change adds the next version.
// All pending migrations run in one IMMEDIATE transaction, so concurrent openers serialise and a
// failure leaves the previous version intact. A database whose newest applied version is above
// the newest this build knows is refused, because older code could corrupt data it does not
// understand.
//
// Thread safety: call with the connection's lock held.
#ifndef VIGIL_STORE_SQLITE_SCHEMA_H_
#define VIGIL_STORE_SQLITE_SCHEMA_H_

#include <span>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace SQLite {
class Database;
}

namespace vigil::store {

struct SqliteMigration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// Every migration, ascending by version from 1.
std::span<const SqliteMigration> SqliteMigrations();

// Brings `db` (named `path` in messages) up to the newest version, recording each step with
// `now`. May throw SQLite::Exception (the caller converts it).
Status MigrateSqlite(SQLite::Database& db, std::string_view path, TimePoint now);

// The applied migrations, ascending. May throw SQLite::Exception.
std::vector<Migration> ReadSqliteMigrations(SQLite::Database& db);

}  // namespace vigil::store

#endif  // VIGIL_STORE_SQLITE_SCHEMA_H_
