// HookedBankStore: a bank::BankStore for tests that forwards every call to another store and can
// run a hook after ForEachEntry has read a bank (to commit a change between a snapshot's read and
// what follows it) or make that read fail.
#ifndef VIGIL_TESTS_BANK_HOOKED_BANK_STORE_H_
#define VIGIL_TESTS_BANK_HOOKED_BANK_STORE_H_

#include <functional>

#include "bank/bank_store.h"

namespace vigil::bank::testing {

class HookedBankStore final : public BankStore {
 public:
  explicit HookedBankStore(BankStore& inner) : inner_(inner) {}

  // Runs after each ForEachEntry has read the entries of `bank`; its status is
  // ForEachEntry's.
  std::function<Status(BankId bank)> after_read;
  // While set, ForEachEntry fails with it before reading.
  Status read_error = Status::Ok();

  Result<Bank> CreateBank(const NewBank& bank) override { return inner_.CreateBank(bank); }
  Result<Bank> GetBank(std::string_view name) override { return inner_.GetBank(name); }
  Result<std::vector<Bank>> ListBanks() override { return inner_.ListBanks(); }
  using BankStore::AddEntries;
  Result<AddEntriesResult> AddEntries(BankId bank, const EntryBatch& batch,
                                      const ProgressCallback& progress) override {
    return inner_.AddEntries(bank, batch, progress);
  }
  Result<BankEntry> RetireEntry(EntryId id, std::string_view reason) override {
    return inner_.RetireEntry(id, reason);
  }
  Result<BankEntry> FlagForVerification(EntryId id) override {
    return inner_.FlagForVerification(id);
  }
  Result<BankEntry> GetEntry(EntryId id) override { return inner_.GetEntry(id); }
  Result<BankEntry> FindEntry(BankId bank, SignalType type, std::string_view value) override {
    return inner_.FindEntry(bank, type, value);
  }
  Status ForEachEntry(BankId bank, const EntryFilter& filter,
                      const std::function<Status(const BankEntry&)>& fn) override {
    if (!read_error.ok()) return read_error;
    Status s = inner_.ForEachEntry(bank, filter, fn);
    if (!s.ok() || !after_read) return s;
    return after_read(bank);
  }
  Result<BankStats> GetStats(BankId bank) override { return inner_.GetStats(bank); }
  Result<uint64_t> GetChangeCount(BankId bank) override { return inner_.GetChangeCount(bank); }

 private:
  BankStore& inner_;
};

}  // namespace vigil::bank::testing

#endif  // VIGIL_TESTS_BANK_HOOKED_BANK_STORE_H_
