// The scale-out workers' job ledger (queue::JobLedger) on PostgreSQL and SQLite: table
// processed_items (migration 13), keyed by (item_key, technology_version).
//
// PostgreSQL: RunOnce pins a pooled connection to the calling thread (PgPool::PinToThread), opens
// a READ COMMITTED transaction and inserts the row first (ON CONFLICT DO NOTHING): a second
// RunOnce of the same key waits on the uncommitted row and, once the first commits, finds it and
// does nothing. `work` then runs on the same thread, so every store call it makes borrows the
// pinned connection and its transactions become savepoints of this one; the row's outcome is
// written last and one COMMIT makes it all visible together.
//
// SQLite: one serialised connection cannot hold a transaction open across other stores' calls,
// so RunOnce is kUnimplemented there (vigil worker requires PostgreSQL); the reads work.
//
// Thread safety: as the other stores of each backend.
#ifndef VIGIL_STORE_JOB_LEDGER_STORES_H_
#define VIGIL_STORE_JOB_LEDGER_STORES_H_

#include <mutex>
#include <string>

#include "queue/ledger.h"
#include "store/pg_pool.h"

namespace SQLite {
class Database;
}

namespace vigil::store {

class PostgresJobLedger final : public queue::JobLedger {
 public:
  explicit PostgresJobLedger(PgPool& pool) : pool_(pool) {}
  Result<queue::RunOnceResult> RunOnce(
      const queue::LedgerRecord& claim,
      const std::function<Result<queue::LedgerOutcome>()>& work) override;
  Result<std::optional<queue::LedgerRecord>> Get(const queue::LedgerKey& key) override;
  Result<int64_t> Count() override;
  Result<int64_t> PurgeBefore(TimePoint before) override;

 private:
  PgPool& pool_;
};

class SqliteJobLedger final : public queue::JobLedger {
 public:
  SqliteJobLedger(SQLite::Database& db, std::mutex& mu, std::string path)
      : db_(db), mu_(mu), path_(std::move(path)) {}
  Result<queue::RunOnceResult> RunOnce(
      const queue::LedgerRecord& claim,
      const std::function<Result<queue::LedgerOutcome>()>& work) override;
  Result<std::optional<queue::LedgerRecord>> Get(const queue::LedgerKey& key) override;
  Result<int64_t> Count() override;
  Result<int64_t> PurgeBefore(TimePoint before) override;

 private:
  SQLite::Database& db_;
  std::mutex& mu_;  // the database's; guards db_
  const std::string path_;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_JOB_LEDGER_STORES_H_
