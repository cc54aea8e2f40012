// Public face of the `store` module: a database holding the domain modules' data, behind the
// store interfaces those modules own (bank::BankStore, later cases, reports, ...).
//
// A database is named by a URL: a file path or "sqlite:PATH" for SQLite (the embedded default),
// later "postgresql://..." for PostgreSQL. Opening applies any schema migrations the database
// lacks, in one transaction, and refuses a database written by a newer vigil.
//
// Thread safety: a Database and the stores it hands out may be used from several threads; calls
// are serialised on its one connection. Open one Database per process and share it.
#ifndef VIGIL_STORE_STORE_H_
#define VIGIL_STORE_STORE_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "bank/bank_store.h"
#include "core/clock.h"
#include "core/result.h"

namespace vigil::store {

// The database URL used when none is given (flag or VIGIL_DATABASE_URL).
inline constexpr char kDefaultDatabaseUrl[] = "vigil.db";

struct DatabaseOptions {
  // Where stores get the time (created_at, added_at, retired_at). SystemClock when null.
  std::shared_ptr<const Clock> clock{};
  // Create an SQLite file that does not exist yet; when false a missing file is kNotFound.
  bool create_if_missing = true;
  // How long a call waits for another process's write lock before failing with kUnavailable.
  std::chrono::milliseconds busy_timeout{5000};
};

// One applied schema migration.
struct Migration {
  int version = 0;
  std::string name{};
  TimePoint applied_at{};
};

class Database {
 public:
  virtual ~Database() = default;

  // Banks and their entries. Valid as long as the Database.
  virtual bank::BankStore& banks() = 0;

  // The migrations applied to this database, ascending by version.
  virtual Result<std::vector<Migration>> AppliedMigrations() = 0;

  // The URL it was opened with, for messages.
  virtual const std::string& url() const = 0;
};

// The newest schema version this build knows.
int LatestSchemaVersion();

// Opens (and migrates) the database at `url`:
//   "vigil.db", "/var/lib/vigil/vigil.db", "sqlite:vigil.db", "sqlite:///abs/path.db" -> SQLite
//   "postgresql://..." / "postgres://..." -> kUnimplemented (not in this build yet)
// Errors name the URL or file: kInvalidArgument for an empty or unsupported URL; kNotFound when
// the file (create_if_missing off) or its directory does not exist; kDataLoss when the file is
// not a database or is corrupt; kFailedPrecondition when it is another application's database
// or its schema is newer than this build; kUnavailable when it is locked or cannot be opened.
Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url,
                                               const DatabaseOptions& options = {});

}  // namespace vigil::store

#endif  // VIGIL_STORE_STORE_H_
