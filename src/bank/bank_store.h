// BankStore: where banks and their entries are kept.
//
// The `bank` module owns this interface; `store` implements it for SQLite (and later
// PostgreSQL), and InMemoryBankStore (in_memory_bank_store.h) implements it for unit tests. All
// implementations pass one contract test suite (tests/bank/bank_store_contract.h).
//
// Every call is atomic: it either completes or changes nothing. Times (created_at, added_at,
// retired_at) come from the Clock the store was built with.
//
// Thread safety: implementations are safe to call from several threads; calls are serialised
// per store. A ForEachEntry callback must not call back into the same store.
#ifndef VIGIL_BANK_BANK_STORE_H_
#define VIGIL_BANK_BANK_STORE_H_

#include <fmt/format.h>

#include <functional>
#include <string_view>
#include <vector>

#include "bank/entry_batch.h"
#include "bank/types.h"
#include "core/result.h"

namespace vigil::bank {

class BankStore {
 public:
  virtual ~BankStore() = default;

  // Creates a bank. kInvalidArgument for a bad name or field (ValidateNewBank); kAlreadyExists
  // when a bank of that name exists.
  virtual Result<Bank> CreateBank(const NewBank& bank) = 0;

  // The bank called `name`; kNotFound naming it when there is none.
  virtual Result<Bank> GetBank(std::string_view name) = 0;

  // Every bank, ordered by name.
  virtual Result<std::vector<Bank>> ListBanks() = 0;

  // Adds every row of `batch` to bank `bank` in one transaction. A row whose (type, value) is
  // already in the bank, active or retired, is left as it is and counted as already present, so
  // re-adding is idempotent and never revives a retired entry. Rows without added_at get the
  // clock's time. New entries get ids above every existing id; their order within one batch is
  // unspecified (SQLite inserts in value order, which is much faster for large batches).
  // `progress` (optional) is called with the number of rows processed; if it
  // returns an error the transaction is rolled back and that error returned. kNotFound when the
  // bank does not exist; on any error nothing is written.
  virtual Result<AddEntriesResult> AddEntries(BankId bank, const EntryBatch& batch,
                                              const ProgressCallback& progress) = 0;
  // AddEntries without progress reports.
  Result<AddEntriesResult> AddEntries(BankId bank, const EntryBatch& batch) {
    return AddEntries(bank, batch, ProgressCallback());
  }

  // Marks an entry retired with `reason` at the clock's time; it stays in the bank but no longer
  // matches. kNotFound for an unknown id, kInvalidArgument for an empty reason,
  // kFailedPrecondition when it is already retired (the first reason is kept).
  virtual Result<BankEntry> RetireEntry(EntryId id, std::string_view reason) = 0;

  // Sets the entry's needs_verification flag: a reviewer found one of its matches not to be
  // abusive material, so the entry must be checked before it is trusted again (the reason is
  // kept with the review decision). Idempotent; kNotFound for an unknown id. Every backend
  // overrides it; the default exists only so a backend under construction still compiles.
  virtual Result<BankEntry> FlagForVerification(EntryId id) {
    return UnimplementedError(fmt::format("flagging entry {} for verification", id));
  }

  // The entry with `id`; kNotFound when there is none.
  virtual Result<BankEntry> GetEntry(EntryId id) = 0;

  // The entry of `bank` with this type and value (any case); kNotFound when there is none,
  // kInvalidArgument for a malformed value.
  virtual Result<BankEntry> FindEntry(BankId bank, SignalType type, std::string_view value) = 0;

  // Calls `fn` for each entry of `bank` matching `filter`, in ascending id order, holding one
  // entry in memory at a time (10M-entry banks stream without being loaded). Stops at the first
  // error `fn` returns and returns it. kNotFound when the bank does not exist.
  virtual Status ForEachEntry(BankId bank, const EntryFilter& filter,
                              const std::function<Status(const BankEntry&)>& fn) = 0;

  // Counts of the bank's entries; kNotFound when the bank does not exist.
  virtual Result<BankStats> GetStats(BankId bank) = 0;
  // A change marker of the bank's entries, for readers that keep them in memory (the server's
  // matcher): it grows with every call that adds or retires entries of the bank, by exactly one
  // for a call that adds one active entry or retires one, and changes with nothing else (not
  // with verification flags). kNotFound when the bank does not exist. The database stores keep
  // a counter (one row read); this default counts the entries (GetStats).
  virtual Result<uint64_t> GetChangeCount(BankId bank) {
    ASSIGN_OR_RETURN(BankStats stats, GetStats(bank));
    return stats.total + stats.retired;
  }
};

// Adds one entry: validates it, then AddEntries with a batch of one.
Result<AddEntriesResult> AddEntry(BankStore& store, BankId bank, const NewEntry& entry);

}  // namespace vigil::bank

#endif  // VIGIL_BANK_BANK_STORE_H_
