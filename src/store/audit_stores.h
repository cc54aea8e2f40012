// The audit log (audit::AuditStore) on SQLite and PostgreSQL: one row per record in audit_log.
// An append reads the head and inserts the next record in one transaction that holds the
// database's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory
// lock), so appends from several threads or processes never fork the chain.
//
// Thread safety: the SQLite store shares its database's mutex; the PostgreSQL one borrows pool
// connections.
#ifndef VIGIL_STORE_AUDIT_STORES_H_
#define VIGIL_STORE_AUDIT_STORES_H_

#include <memory>
#include <mutex>
#include <string>

#include "audit/audit.h"
#include "store/pg_pool.h"

namespace SQLite {
class Database;
}

namespace vigil::store {

class SqliteAuditStore final : public audit::AuditStore {
 public:
  SqliteAuditStore(SQLite::Database& db, std::mutex& mu, std::string path,
                   std::shared_ptr<const Clock> clock)
      : db_(db), mu_(mu), path_(std::move(path)), clock_(std::move(clock)) {}
  Result<audit::AuditRecord> Append(const audit::AuditEvent& event) override;
  Result<std::vector<audit::AuditRecord>> List(int64_t from_seq, size_t limit) override;
  Result<std::optional<audit::AuditCheckpoint>> LatestCheckpoint() override;
  Result<audit::AuditCheckpoint> PurgeThrough(int64_t through_seq, TimePoint at) override;

 private:
  SQLite::Database& db_;
  std::mutex& mu_;  // the database's; guards db_
  const std::string path_;
  const std::shared_ptr<const Clock> clock_;
};

class PostgresAuditStore final : public audit::AuditStore {
 public:
  PostgresAuditStore(PgPool& pool, std::shared_ptr<const Clock> clock)
      : pool_(pool), clock_(std::move(clock)) {}
  Result<audit::AuditRecord> Append(const audit::AuditEvent& event) override;
  Result<std::vector<audit::AuditRecord>> List(int64_t from_seq, size_t limit) override;
  Result<std::optional<audit::AuditCheckpoint>> LatestCheckpoint() override;
  Result<audit::AuditCheckpoint> PurgeThrough(int64_t through_seq, TimePoint at) override;

 private:
  PgPool& pool_;
  const std::shared_ptr<const Clock> clock_;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_AUDIT_STORES_H_
