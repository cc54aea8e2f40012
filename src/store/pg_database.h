// PostgresDatabase: a store::Database on a PostgreSQL server, named by a postgresql:// URL.
//
// Opening validates the URL, connects once (so an unreachable server fails the open, not the
// first call) and applies pending migrations (pg_schema.h). The database itself must exist:
// vigil creates tables, never databases.
//
// Thread safety: safe from several threads. Calls borrow connections from a pool of at most
// DatabaseOptions::max_connections and run concurrently on the server.
#ifndef VIGIL_STORE_PG_DATABASE_H_
#define VIGIL_STORE_PG_DATABASE_H_

#include <memory>
#include <string>
#include <vector>

#include "store/pg_pool.h"
#include "store/store.h"

namespace vigil::store {

class PostgresBankStore;
class PostgresCaseStore;

class PostgresDatabase final : public Database {
 public:
  // Errors as OpenDatabase for PostgreSQL URLs.
  static Result<std::unique_ptr<PostgresDatabase>> Open(const std::string& url,
                                                        const DatabaseOptions& options);
  ~PostgresDatabase() override;

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
  // The URL without its password.
  const std::string& url() const override { return pool_.name(); }

 private:
  // Restricts construction to Open while letting it use make_unique.
  struct PassKey {
    explicit PassKey() = default;
  };

 public:
  PostgresDatabase(PassKey, PgConnectOptions options, int max_connections,
                   std::shared_ptr<const Clock> clock);

 private:
  PgPool pool_;
  std::unique_ptr<PostgresBankStore> banks_;
  std::unique_ptr<PostgresCaseStore> cases_;
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

#endif  // VIGIL_STORE_PG_DATABASE_H_
