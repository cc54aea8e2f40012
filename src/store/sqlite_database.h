// SqliteDatabase: the SQLite backend of Database. One connection in WAL mode (readers do not
// block the writer across processes), foreign keys enforced, a busy timeout instead of instant
// "database is locked" failures, and the schema migrated on open.
//
// Thread safety: one mutex serialises use of the connection by all its stores.
#ifndef VIGIL_STORE_SQLITE_DATABASE_H_
#define VIGIL_STORE_SQLITE_DATABASE_H_

#include <memory>
#include <mutex>
#include <string>

#include "store/store.h"

namespace SQLite {
class Database;
}

namespace vigil::store {

class SqliteBankStore;
class SqliteCaseStore;

class SqliteDatabase final : public Database {
 public:
  // Opens the file at `path` (":memory:" for a private in-memory database); `url` is kept for
  // messages. Errors as OpenDatabase.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path,
                                                      const std::string& url,
                                                      const DatabaseOptions& options);
  ~SqliteDatabase() override;

  bank::BankStore& banks() override;
  cases::CaseStore& cases() override;
  stats::VolumeCounterSink& volume() override;
  audit::AuditStore& audit() override;
  report::ReportOutboxStore& report_outbox() override;
  redress::RedressStore& redress() override;
  auth::ApiKeyStore& api_keys() override;
  queue::JobLedger& job_ledger() override;
  exchange::ExchangeStore& exchanges() override;
  exchange::ShareQueue& share_queue() override;
  privacy::PrivacyStore& privacy() override;
  classify::RetryStore& classify_retries() override;
  Result<std::vector<Migration>> AppliedMigrations() override;
  const std::string& url() const override { return url_; }

 private:
  // Restricts construction to Open while letting it use make_unique.
  struct PassKey {
    explicit PassKey() = default;
  };

 public:
  SqliteDatabase(PassKey, std::unique_ptr<SQLite::Database> db, std::string path, std::string url,
                 std::shared_ptr<const Clock> clock);

 private:
  std::mutex mu_;  // guards db_ (shared with the stores)
  std::unique_ptr<SQLite::Database> db_;
  const std::string path_;
  const std::string url_;
  std::unique_ptr<SqliteBankStore> banks_;
  std::unique_ptr<SqliteCaseStore> cases_;
  std::unique_ptr<stats::VolumeCounterSink> volume_;
  std::unique_ptr<audit::AuditStore> audit_;
  std::unique_ptr<report::ReportOutboxStore> report_outbox_;
  std::unique_ptr<redress::RedressStore> redress_;
  std::unique_ptr<auth::ApiKeyStore> api_keys_;
  std::unique_ptr<queue::JobLedger> job_ledger_;
  std::unique_ptr<exchange::ExchangeStore> exchanges_;
  std::unique_ptr<exchange::ShareQueue> share_queue_;
  std::unique_ptr<privacy::PrivacyStore> privacy_;
  std::unique_ptr<classify::RetryStore> classify_retries_;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_SQLITE_DATABASE_H_
