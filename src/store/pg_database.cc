#include "store/pg_database.h"

#include <fmt/format.h>

#include "store/api_key_stores.h"
#include "store/audit_stores.h"
#include "store/classify_retry_stores.h"
#include "store/exchange_stores.h"
#include "store/share_queue_store.h"
#include "store/job_ledger_stores.h"
#include "store/pg_bank_store.h"
#include "store/pg_case_store.h"
#include "store/pg_schema.h"
#include "store/pg_url.h"
#include "store/privacy_stores.h"
#include "store/redress_stores.h"
#include "store/report_stores.h"
#include "store/volume_stores.h"

namespace vigil::store {

PostgresDatabase::PostgresDatabase(PassKey, PgConnectOptions options, int max_connections,
                                   std::shared_ptr<const Clock> clock)
    : pool_(std::move(options), max_connections),
      banks_(std::make_unique<PostgresBankStore>(pool_, clock)),
      cases_(std::make_unique<PostgresCaseStore>(pool_)),
      volume_(std::make_unique<PostgresVolumeCounters>(pool_)),
      audit_(std::make_unique<PostgresAuditStore>(pool_, std::move(clock))),
      report_outbox_(std::make_unique<PostgresReportOutboxStore>(pool_)),
      redress_(MakePostgresRedressStore(pool_)),
      api_keys_(std::make_unique<PostgresApiKeyStore>(pool_)),
      job_ledger_(std::make_unique<PostgresJobLedger>(pool_)),
      exchanges_(std::make_unique<PostgresExchangeStore>(pool_)),
      share_queue_(std::make_unique<SqlShareQueue>(MakePostgresTransactor(pool_))),
      privacy_(SqlPrivacyStore::ForPostgres(pool_)),
      classify_retries_(std::make_unique<SqlRetryStore>(MakePostgresTransactor(pool_))) {}

PostgresDatabase::~PostgresDatabase() = default;

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(const std::string& url,
                                                                 const DatabaseOptions& options) {
  ASSIGN_OR_RETURN(PgUrl parsed, ParsePgUrl(url));
  if (options.max_connections < 1) {
    return InvalidArgumentError(
        fmt::format("max_connections must be at least 1, got {}", options.max_connections));
  }
  std::shared_ptr<const Clock> clock =
      options.clock ? options.clock : std::make_shared<SystemClock>();
  const TimePoint now = clock->Now();
  auto db = std::make_unique<PostgresDatabase>(
      PassKey(), PgConnectOptions{.url = std::move(parsed), .lock_timeout = options.busy_timeout},
      options.max_connections, std::move(clock));
  {
    ASSIGN_OR_RETURN(PgPool::Lease conn, db->pool_.Acquire());
    RETURN_IF_ERROR(ApplyPgMigrations(*conn, PgMigrations(), now));
  }
  return db;
}

bank::BankStore& PostgresDatabase::banks() { return *banks_; }

cases::CaseStore& PostgresDatabase::cases() { return *cases_; }

stats::VolumeCounterSink& PostgresDatabase::volume() { return *volume_; }
queue::JobLedger& PostgresDatabase::job_ledger() { return *job_ledger_; }

audit::AuditStore& PostgresDatabase::audit() { return *audit_; }
report::ReportOutboxStore& PostgresDatabase::report_outbox() { return *report_outbox_; }
redress::RedressStore& PostgresDatabase::redress() { return *redress_; }
exchange::ExchangeStore& PostgresDatabase::exchanges() { return *exchanges_; }
exchange::ShareQueue& PostgresDatabase::share_queue() { return *share_queue_; }
privacy::PrivacyStore& PostgresDatabase::privacy() { return *privacy_; }
classify::RetryStore& PostgresDatabase::classify_retries() { return *classify_retries_; }
auth::ApiKeyStore& PostgresDatabase::api_keys() { return *api_keys_; }

Result<std::vector<Migration>> PostgresDatabase::AppliedMigrations() {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  return ReadPgMigrations(*conn);
}

}  // namespace vigil::store
