// The report outbox (report::ReportOutboxStore) on SQLite and PostgreSQL: one row per delivery
// in report_deliveries (migration 9), copied from report_requests, which the case stores write
// in the same transaction as the decision that causes the report. Update is compare-and-set on
// the row's version.
//
// Thread safety: the SQLite store shares its database's mutex; the PostgreSQL one borrows pool
// connections.
#ifndef VIGIL_STORE_REPORT_STORES_H_
#define VIGIL_STORE_REPORT_STORES_H_

#include <mutex>
#include <string>

#include "report/outbox_store.h"
#include "store/pg_pool.h"

namespace SQLite {
class Database;
}

namespace vigil::store {

class SqliteReportOutboxStore final : public report::ReportOutboxStore {
 public:
  SqliteReportOutboxStore(SQLite::Database& db, std::mutex& mu, std::string path)
      : db_(db), mu_(mu), path_(std::move(path)) {}
  Status Enqueue(const cases::ReportRequest& request) override;
  Result<int64_t> LastRequestId() override;
  Result<report::Delivery> Get(int64_t request_id) override;
  Result<std::vector<report::Delivery>> ListDue(TimePoint now, size_t limit) override;
  Result<std::vector<report::Delivery>> List(const report::DeliveryFilter& filter) override;
  Result<bool> Update(const report::Delivery& d) override;

 private:
  SQLite::Database& db_;
  std::mutex& mu_;  // the database's; guards db_
  const std::string path_;
};

class PostgresReportOutboxStore final : public report::ReportOutboxStore {
 public:
  explicit PostgresReportOutboxStore(PgPool& pool) : pool_(pool) {}
  Status Enqueue(const cases::ReportRequest& request) override;
  Result<int64_t> LastRequestId() override;
  Result<report::Delivery> Get(int64_t request_id) override;
  Result<std::vector<report::Delivery>> ListDue(TimePoint now, size_t limit) override;
  Result<std::vector<report::Delivery>> List(const report::DeliveryFilter& filter) override;
  Result<bool> Update(const report::Delivery& d) override;

 private:
  PgPool& pool_;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_REPORT_STORES_H_
