// Public face of the `store` module: a database holding the domain modules' data, behind the
// store interfaces those modules own (bank::BankStore, cases::CaseStore, later reports, ...).
//
// A database is named by a URL: a file path or "sqlite:PATH" for SQLite (the embedded default),
// "postgresql://..." for PostgreSQL (docs/storage.md). Opening applies any schema migrations the
// database lacks, in one transaction, and refuses a database written by a newer vigil. Both
// backends pass the same contract tests.
//
// Thread safety: a Database and the stores it hands out may be used from several threads. SQLite
// serialises calls on its one connection; PostgreSQL lends each call a connection from a small
// pool, so calls run concurrently. Open one Database per process and share it.
#ifndef VIGIL_STORE_STORE_H_
#define VIGIL_STORE_STORE_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "auth/auth.h"
#include "bank/bank_store.h"
#include "cases/case_store.h"
#include "classify/retry_store.h"
#include "core/clock.h"
#include "core/result.h"
#include "exchange/exchange_store.h"
#include "exchange/share_queue.h"
#include "privacy/privacy_store.h"
#include "queue/ledger.h"
#include "redress/redress_store.h"
#include "report/outbox_store.h"
#include "stats/volume.h"

namespace vigil::store {

// The database URL used when none is given (flag or VIGIL_DATABASE_URL).
inline constexpr char kDefaultDatabaseUrl[] = "vigil.db";

struct DatabaseOptions {
  // Where stores get the time (created_at, added_at, retired_at). SystemClock when null.
  std::shared_ptr<const Clock> clock{};
  // Create an SQLite file that does not exist yet; when false a missing file is kNotFound.
  // PostgreSQL databases are never created (a missing one is kNotFound); an empty one gets the
  // schema either way.
  bool create_if_missing = true;
  // How long a call waits for another process's lock before failing with kUnavailable (SQLite's
  // busy timeout, PostgreSQL's lock_timeout; also bounds the wait for another opener's
  // migration).
  std::chrono::milliseconds busy_timeout{5000};
  // PostgreSQL: the most connections the Database holds; further concurrent calls wait.
  int max_connections = 4;
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

  // Cases and human review. Valid as long as the Database.
  virtual cases::CaseStore& cases() = 0;

  // Per-day volume counters of the detection pipeline. Valid as long as the Database.
  virtual stats::VolumeCounterSink& volume() = 0;

  // The hash-chained audit log. Valid as long as the Database.
  virtual audit::AuditStore& audit() = 0;
  // API keys of the HTTP service. Valid as long as the Database.
  virtual auth::ApiKeyStore& api_keys() = 0;

  // The hotline report outbox. Valid as long as the Database.
  virtual report::ReportOutboxStore& report_outbox() = 0;

  // Actions, user notices, complaints and judicial complaints. Valid as long as the Database.
  virtual redress::RedressStore& redress() = 0;
  // The scale-out workers' job ledger (queue/ledger.h). Valid as long as the Database. Its
  // RunOnce needs PostgreSQL (kUnimplemented on SQLite).
  virtual queue::JobLedger& job_ledger() = 0;
  // Hash exchanges and their sync state. Valid as long as the Database.
  virtual exchange::ExchangeStore& exchanges() = 0;
  // Confirmed hashes waiting to be shared with each exchange (migration 19). Valid as long as
  // the Database.
  virtual exchange::ShareQueue& share_queue() = 0;
  // Retention policy, legal holds, DPIA records, evidence index and erasure (migration 8).
  // Valid as long as the Database.
  virtual privacy::PrivacyStore& privacy() = 0;
  // Items whose classifier failed, kept for a retry (migration 21). Valid as long as the
  // Database.
  virtual classify::RetryStore& classify_retries() = 0;

  // The migrations applied to this database, ascending by version.
  virtual Result<std::vector<Migration>> AppliedMigrations() = 0;

  // The URL it was opened with, for messages.
  virtual const std::string& url() const = 0;
};

// The newest schema version this build knows.
int LatestSchemaVersion();

// Opens (and migrates) the database at `url`:
//   "vigil.db", "/var/lib/vigil/vigil.db", "sqlite:vigil.db", "sqlite:///abs/path.db" -> SQLite
//   "postgresql://user:password@host:5432/dbname?sslmode=require", "postgres://..." -> PostgreSQL
//     (a libpq connection URI; PG* environment variables and ~/.pgpass fill what it omits)
// Errors name the URL or file, never a password: kInvalidArgument for an empty, unsupported or
// malformed URL; kNotFound when the file (create_if_missing off), its directory or the
// PostgreSQL database does not exist; kDataLoss when the file is not a database or is corrupt
// (or schema_migrations is not vigil's); kFailedPrecondition when it is another application's
// database or its schema is newer than this build; kPermissionDenied when PostgreSQL refuses the
// credentials; kUnavailable when it is locked, cannot be opened or the server cannot be reached.
Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url,
                                               const DatabaseOptions& options = {});

}  // namespace vigil::store

#endif  // VIGIL_STORE_STORE_H_
