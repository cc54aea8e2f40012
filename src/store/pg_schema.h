// The PostgreSQL schema as an ordered list of migrations, and the runner that applies them on
// open.
//
// Migration policy (as for SQLite, sqlite_schema.h): a released migration is never edited; a
// change adds the next version, with the same number and name as the SQLite migration it
// mirrors. All pending migrations run in one transaction that first takes a transaction-scoped
// advisory lock, so two processes opening a fresh database at once serialise: the second waits,
// then finds nothing left to do. DDL is transactional in PostgreSQL, so a failed migration
// leaves the previous version intact. A database whose newest applied version is above the
// newest this build knows is refused, because older code could damage data it does not
// understand. Tables live in the connection's current schema (the first of its search_path).
//
// Thread safety: call with a connection no other thread is using.
#ifndef VIGIL_STORE_PG_SCHEMA_H_
#define VIGIL_STORE_PG_SCHEMA_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/pg_connection.h"
#include "store/store.h"

namespace vigil::store {

struct PgMigration {
  int version;
  std::string_view name;
  std::string_view sql;  // may hold several statements
};

// The key of the advisory lock held while migrating ("vigilmig" in ASCII). Advisory locks are
// per database, so unrelated databases on one server do not wait for each other.
inline constexpr int64_t kPgMigrationLockKey = 0x7669'6769'6c6d'6967;

// vigil's migrations, ascending by version from 1.
std::span<const PgMigration> PgMigrations();

// Brings the database behind `conn` up to the last of `migrations` (ascending from 1),
// recording each step with `now`. kFailedPrecondition when the schema holds other tables but
// no schema_migrations (another application's) or is newer than `migrations`; kDataLoss when
// schema_migrations is not vigil's shape; kUnavailable when another process holds the
// migration lock past the connection's lock_timeout.
Status ApplyPgMigrations(PgConnection& conn, std::span<const PgMigration> migrations,
                         TimePoint now);

// The applied migrations, ascending.
Result<std::vector<Migration>> ReadPgMigrations(PgConnection& conn);

}  // namespace vigil::store

#endif  // VIGIL_STORE_PG_SCHEMA_H_
