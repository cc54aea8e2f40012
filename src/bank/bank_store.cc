#include "bank/bank_store.h"

namespace vigil::bank {

Result<AddEntriesResult> AddEntry(BankStore& store, BankId bank, const NewEntry& entry) {
  EntryBatch batch;
  RETURN_IF_ERROR(batch.Add(entry));
  return store.AddEntries(bank, batch);
}

}  // namespace vigil::bank
