// Exchanges (exchange::ExchangeStore) on SQLite and PostgreSQL (migration 11): one row per
// configured exchange in `exchanges`, holding its sync state, and per-day counts of hashes
// received from and shared with each organisation in `exchange_contacts` (Art 7 list).
// ApplyPage writes bank_entries and the exchange's cursor in one transaction.
//
// Thread safety: the SQLite store shares its database's mutex; the PostgreSQL one borrows pool
// connections and locks the exchange's row for the page's transaction.
#ifndef VIGIL_STORE_EXCHANGE_STORES_H_
#define VIGIL_STORE_EXCHANGE_STORES_H_

#include <mutex>
#include <string>

#include "exchange/exchange_store.h"
#include "store/pg_pool.h"

namespace SQLite {
class Database;
}

namespace vigil::store {

class SqliteExchangeStore final : public exchange::ExchangeStore {
 public:
  SqliteExchangeStore(SQLite::Database& db, std::mutex& mu, std::string path)
      : db_(db), mu_(mu), path_(std::move(path)) {}
  Result<exchange::ExchangeConfig> CreateExchange(const exchange::NewExchange& e,
                                                  TimePoint now) override;
  Result<exchange::ExchangeRecord> GetExchange(std::string_view name) override;
  Result<std::vector<exchange::ExchangeRecord>> ListExchanges() override;
  Result<exchange::PageApplied> ApplyPage(exchange::ExchangeId id, std::string_view expected_cursor,
                                          const exchange::FetchedPage& page,
                                          TimePoint now) override;
  Status RecordSyncResult(exchange::ExchangeId id, const Status& result, TimePoint now) override;
  Status RecordShared(exchange::ExchangeId id, uint64_t hashes, TimePoint now) override;
  Result<std::vector<exchange::OrganisationContact>> ListOrganisationContacts(
      TimePoint from, TimePoint to) override;

 private:
  Result<std::vector<exchange::ExchangeRecord>> Select(std::string_view where, int64_t id,
                                                       std::string_view name);
  SQLite::Database& db_;
  std::mutex& mu_;  // the database's; guards db_
  const std::string path_;
};

class PostgresExchangeStore final : public exchange::ExchangeStore {
 public:
  explicit PostgresExchangeStore(PgPool& pool) : pool_(pool) {}
  Result<exchange::ExchangeConfig> CreateExchange(const exchange::NewExchange& e,
                                                  TimePoint now) override;
  Result<exchange::ExchangeRecord> GetExchange(std::string_view name) override;
  Result<std::vector<exchange::ExchangeRecord>> ListExchanges() override;
  Result<exchange::PageApplied> ApplyPage(exchange::ExchangeId id, std::string_view expected_cursor,
                                          const exchange::FetchedPage& page,
                                          TimePoint now) override;
  Status RecordSyncResult(exchange::ExchangeId id, const Status& result, TimePoint now) override;
  Status RecordShared(exchange::ExchangeId id, uint64_t hashes, TimePoint now) override;
  Result<std::vector<exchange::OrganisationContact>> ListOrganisationContacts(
      TimePoint from, TimePoint to) override;

 private:
  PgPool& pool_;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_EXCHANGE_STORES_H_
