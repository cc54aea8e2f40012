// Private: the per-update rules of ExchangeStore::ApplyPage, shared by the SQLite and
// PostgreSQL stores, over a small interface each backend implements with its SQL inside the
// page's transaction.
#ifndef VIGIL_STORE_EXCHANGE_APPLY_H_
#define VIGIL_STORE_EXCHANGE_APPLY_H_

#include <optional>
#include <string>
#include <vector>

#include "exchange/exchange_store.h"

namespace vigil::store {

// An entry of the exchange's bank, as far as the rules need it.
struct ExistingEntry {
  int64_t id = 0;
  bool needs_verification = false;
  bool retired = false;
  int64_t added_at = 0;
  std::string source_ref{};
  int verifications = 0;
};

class EntryWriter {
 public:
  virtual ~EntryWriter() = default;
  // The entry with this type and raw value, if any.
  virtual Result<std::optional<ExistingEntry>> Find(bank::SignalType type,
                                                    const std::string& raw) = 0;
  // Inserts an active entry; its id.
  virtual Result<int64_t> Insert(bank::SignalType type, const std::string& raw,
                                 const exchange::HashUpdate& u, bool needs_verification,
                                 int64_t now) = 0;
  // The active entries with this source_ref (for withdrawals by_source_ref).
  virtual Result<std::vector<bank::BankEntry>> ActiveBySourceRef(const std::string& ref) = 0;
  virtual Status Flag(int64_t id) = 0;
  virtual Status Retire(int64_t id, const std::string& reason, int64_t now) = 0;
  // Adds `changes` (> 0) to the bank's change counter (BankStore::GetChangeCount), once per page
  // rather than once per entry: one added or retired entry counts one, as in the bank stores.
  virtual Status CountChanges(int64_t changes) = 0;
};

// Applies `updates` (already checked by exchange::ValidatePage) to bank `bank`.
Result<exchange::PageApplied> ApplyUpdates(EntryWriter& w, bank::BankId bank,
                                           std::string_view exchange_name,
                                           const std::vector<exchange::HashUpdate>& updates,
                                           TimePoint now);

}  // namespace vigil::store

#endif  // VIGIL_STORE_EXCHANGE_APPLY_H_
