#include "store/sqlite_database.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <filesystem>

#include "store/api_key_stores.h"
#include "store/audit_stores.h"
#include "store/classify_retry_stores.h"
#include "store/exchange_stores.h"
#include "store/share_queue_store.h"
#include "store/job_ledger_stores.h"
#include "store/privacy_stores.h"
#include "store/redress_stores.h"
#include "store/report_stores.h"
#include "store/sqlite_bank_store.h"
#include "store/sqlite_case_store.h"
#include "store/sqlite_errors.h"
#include "store/sqlite_schema.h"
#include "store/volume_stores.h"

namespace vigil::store {
namespace {

namespace fs = std::filesystem;

// Pages of the unique index are touched at random during a large import; a 64 MiB cache
// (instead of SQLite's 2 MiB default) keeps most of them in memory (docs/performance-bank.md).
constexpr int kCacheKib = 64 * 1024;

Status CheckPath(const std::string& path, bool create_if_missing) {
  if (path == ":memory:") return Status::Ok();
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (fs::exists(st)) {
    if (!fs::is_regular_file(st)) {
      return InvalidArgumentError(fmt::format("database {} is not a regular file", path));
    }
    return Status::Ok();
  }
  if (!create_if_missing) {
    return NotFoundError(fmt::format("database {} does not exist", path));
  }
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    return NotFoundError(fmt::format("cannot create database {}: directory {} does not exist", path,
                                     parent.string()));
  }
  return Status::Ok();
}

}  // namespace

SqliteDatabase::SqliteDatabase(PassKey, std::unique_ptr<SQLite::Database> db, std::string path,
                               std::string url, std::shared_ptr<const Clock> clock)
    : db_(std::move(db)),
      path_(std::move(path)),
      url_(std::move(url)),
      banks_(std::make_unique<SqliteBankStore>(*db_, mu_, path_, clock)),
      cases_(std::make_unique<SqliteCaseStore>(*db_, mu_, path_)),
      volume_(std::make_unique<SqliteVolumeCounters>(*db_, mu_, path_)),
      audit_(std::make_unique<SqliteAuditStore>(*db_, mu_, path_, std::move(clock))),
      report_outbox_(std::make_unique<SqliteReportOutboxStore>(*db_, mu_, path_)),
      redress_(MakeSqliteRedressStore(*db_, mu_, path_)),
      api_keys_(std::make_unique<SqliteApiKeyStore>(*db_, mu_, path_)),
      job_ledger_(std::make_unique<SqliteJobLedger>(*db_, mu_, path_)),
      exchanges_(std::make_unique<SqliteExchangeStore>(*db_, mu_, path_)),
      share_queue_(std::make_unique<SqlShareQueue>(MakeSqliteTransactor(*db_, mu_, path_))),
      privacy_(SqlPrivacyStore::ForSqlite(*db_, mu_, path_)),
      classify_retries_(
          std::make_unique<SqlRetryStore>(MakeSqliteTransactor(*db_, mu_, path_))) {}

SqliteDatabase::~SqliteDatabase() = default;

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path,
                                                             const std::string& url,
                                                             const DatabaseOptions& options) {
  RETURN_IF_ERROR(CheckPath(path, options.create_if_missing));
  std::shared_ptr<const Clock> clock =
      options.clock ? options.clock : std::make_shared<SystemClock>();
  return CatchSqlite(path, [&]() -> Result<std::unique_ptr<SqliteDatabase>> {
    const int flags =
        SQLite::OPEN_READWRITE | (options.create_if_missing ? SQLite::OPEN_CREATE : 0);
    auto db = std::make_unique<SQLite::Database>(path, flags,
                                                 static_cast<int>(options.busy_timeout.count()));
    // The first statement that reads the file: a non-database fails here with SQLITE_NOTADB.
    {
      SQLite::Statement wal(*db, "PRAGMA journal_mode = WAL");
      wal.executeStep();
    }
    db->exec("PRAGMA foreign_keys = ON");
    db->exec(fmt::format("PRAGMA cache_size = -{}", kCacheKib));
    RETURN_IF_ERROR(MigrateSqlite(*db, path, clock->Now()));
    return std::make_unique<SqliteDatabase>(PassKey(), std::move(db), path, url, std::move(clock));
  });
}

bank::BankStore& SqliteDatabase::banks() { return *banks_; }

cases::CaseStore& SqliteDatabase::cases() { return *cases_; }

stats::VolumeCounterSink& SqliteDatabase::volume() { return *volume_; }
queue::JobLedger& SqliteDatabase::job_ledger() { return *job_ledger_; }

audit::AuditStore& SqliteDatabase::audit() { return *audit_; }
report::ReportOutboxStore& SqliteDatabase::report_outbox() { return *report_outbox_; }
redress::RedressStore& SqliteDatabase::redress() { return *redress_; }
privacy::PrivacyStore& SqliteDatabase::privacy() { return *privacy_; }
classify::RetryStore& SqliteDatabase::classify_retries() { return *classify_retries_; }
auth::ApiKeyStore& SqliteDatabase::api_keys() { return *api_keys_; }
exchange::ExchangeStore& SqliteDatabase::exchanges() { return *exchanges_; }
exchange::ShareQueue& SqliteDatabase::share_queue() { return *share_queue_; }

Result<std::vector<Migration>> SqliteDatabase::AppliedMigrations() {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(
      path_, [&]() -> Result<std::vector<Migration>> { return ReadSqliteMigrations(*db_); });
}

}  // namespace vigil::store
