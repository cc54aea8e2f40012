// SqliteBankStore: bank::BankStore on an SQLite connection owned by SqliteDatabase.
//
// Thread safety: every call takes the connection mutex shared with the owning database.
#ifndef VIGIL_STORE_SQLITE_BANK_STORE_H_
#define VIGIL_STORE_SQLITE_BANK_STORE_H_

#include <memory>
#include <mutex>
#include <string>

#include "bank/bank_store.h"
#include "core/clock.h"

namespace SQLite {
class Database;
}

namespace vigil::store {

class SqliteBankStore final : public bank::BankStore {
 public:
  // `db` and `mu` must outlive the store; `path` names the file in messages.
  SqliteBankStore(SQLite::Database& db, std::mutex& mu, std::string path,
                  std::shared_ptr<const Clock> clock);

  using BankStore::AddEntries;

  Result<bank::Bank> CreateBank(const bank::NewBank& bank) override;
  Result<bank::Bank> GetBank(std::string_view name) override;
  Result<std::vector<bank::Bank>> ListBanks() override;
  Result<bank::AddEntriesResult> AddEntries(bank::BankId bank, const bank::EntryBatch& batch,
                                            const bank::ProgressCallback& progress) override;
  Result<bank::BankEntry> RetireEntry(bank::EntryId id, std::string_view reason) override;
  Result<bank::BankEntry> FlagForVerification(bank::EntryId id) override;
  Result<bank::BankEntry> GetEntry(bank::EntryId id) override;
  Result<bank::BankEntry> FindEntry(bank::BankId bank, bank::SignalType type,
                                    std::string_view value) override;
  Status ForEachEntry(bank::BankId bank, const bank::EntryFilter& filter,
                      const std::function<Status(const bank::BankEntry&)>& fn) override;
  Result<bank::BankStats> GetStats(bank::BankId bank) override;
  Result<uint64_t> GetChangeCount(bank::BankId bank) override;

 private:
  Status CheckBankExists(bank::BankId bank);
  // Counts one change of the bank's entries (GetChangeCount); inside the caller's transaction.
  void BumpChangeCount(bank::BankId bank);
  Result<bank::BankEntry> GetEntryLocked(bank::EntryId id);

  SQLite::Database& db_;
  std::mutex& mu_;  // guards db_
  const std::string path_;
  const std::shared_ptr<const Clock> clock_;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_SQLITE_BANK_STORE_H_
