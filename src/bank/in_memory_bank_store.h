// InMemoryBankStore: a BankStore kept in process memory, for unit tests of modules that use
// banks. It follows the same contract as the database stores (the contract tests run against
// it) but keeps nothing across restarts.
//
// Thread safety: every method locks one mutex.
#ifndef VIGIL_BANK_IN_MEMORY_BANK_STORE_H_
#define VIGIL_BANK_IN_MEMORY_BANK_STORE_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "bank/bank_store.h"
#include "core/clock.h"

namespace vigil::bank {

class InMemoryBankStore final : public BankStore {
 public:
  using BankStore::AddEntries;

  explicit InMemoryBankStore(std::shared_ptr<const Clock> clock = std::make_shared<SystemClock>());

  Result<Bank> CreateBank(const NewBank& bank) override;
  Result<Bank> GetBank(std::string_view name) override;
  Result<std::vector<Bank>> ListBanks() override;
  Result<AddEntriesResult> AddEntries(BankId bank, const EntryBatch& batch,
                                      const ProgressCallback& progress) override;
  Result<BankEntry> RetireEntry(EntryId id, std::string_view reason) override;
  Result<BankEntry> FlagForVerification(EntryId id) override;
  Result<BankEntry> GetEntry(EntryId id) override;
  Result<BankEntry> FindEntry(BankId bank, SignalType type, std::string_view value) override;
  Status ForEachEntry(BankId bank, const EntryFilter& filter,
                      const std::function<Status(const BankEntry&)>& fn) override;
  Result<BankStats> GetStats(BankId bank) override;

 private:
  using ValueKey = std::tuple<BankId, SignalType, std::string>;
  Status CheckBankLocked(BankId bank) const;

  const std::shared_ptr<const Clock> clock_;
  std::mutex mu_;
  BankId next_bank_id_ = 1;                         // guarded by mu_
  EntryId next_entry_id_ = 1;                       // guarded by mu_
  std::map<std::string, Bank, std::less<>> banks_;  // by name; guarded by mu_
  std::map<EntryId, BankEntry> entries_;            // guarded by mu_
  std::map<ValueKey, EntryId> entry_by_value_;      // guarded by mu_
};

}  // namespace vigil::bank

#endif  // VIGIL_BANK_IN_MEMORY_BANK_STORE_H_
