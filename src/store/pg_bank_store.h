// PostgresBankStore: bank::BankStore on a PostgreSQL database, through the PgPool owned by
// PostgresDatabase. Holds the bank-specific SQL; libpq stays in pg_connection.cc.
//
// Thread safety: safe from several threads. Each call borrows its own connection from the pool,
// so calls run concurrently and the server's transactions keep each one atomic. ForEachEntry
// holds no connection while its callback runs.
#ifndef VIGIL_STORE_PG_BANK_STORE_H_
#define VIGIL_STORE_PG_BANK_STORE_H_

#include <memory>

#include "bank/bank_store.h"
#include "core/clock.h"
#include "store/pg_pool.h"

namespace vigil::store {

class PostgresBankStore final : public bank::BankStore {
 public:
  // `pool` must outlive the store.
  PostgresBankStore(PgPool& pool, std::shared_ptr<const Clock> clock);

  using BankStore::AddEntries;

  Result<bank::Bank> CreateBank(const bank::NewBank& bank) override;
  Result<bank::Bank> GetBank(std::string_view name) override;
  Result<std::vector<bank::Bank>> ListBanks() override;
  // Streams the batch with binary COPY into a temporary table in chunks, moving each chunk into
  // bank_entries with INSERT ... ON CONFLICT DO NOTHING; one transaction for the whole batch.
  Result<bank::AddEntriesResult> AddEntries(bank::BankId bank, const bank::EntryBatch& batch,
                                            const bank::ProgressCallback& progress) override;
  Result<bank::BankEntry> RetireEntry(bank::EntryId id, std::string_view reason) override;
  Result<bank::BankEntry> FlagForVerification(bank::EntryId id) override;
  Result<bank::BankEntry> GetEntry(bank::EntryId id) override;
  Result<bank::BankEntry> FindEntry(bank::BankId bank, bank::SignalType type,
                                    std::string_view value) override;
  // Keyset pages by id, each on a briefly borrowed connection, so memory stays bounded and
  // neither a connection nor a snapshot is held while `fn` runs.
  Status ForEachEntry(bank::BankId bank, const bank::EntryFilter& filter,
                      const std::function<Status(const bank::BankEntry&)>& fn) override;
  Result<bank::BankStats> GetStats(bank::BankId bank) override;
  Result<uint64_t> GetChangeCount(bank::BankId bank) override;

 private:
  PgPool& pool_;
  const std::shared_ptr<const Clock> clock_;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_PG_BANK_STORE_H_
