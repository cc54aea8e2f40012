#include "worker/bank_publisher.h"

#include <fmt/format.h>

namespace vigil::worker {

template <typename T>
Result<T> PublishingBankStore::Settle(Result<T> committed, Status failure) {
  if (failure.ok()) return committed;
  if (!keep_failures_) return failure;
  if (publish_failure_.ok()) publish_failure_ = std::move(failure);
  return committed;
}

Result<bank::Bank> PublishingBankStore::CreateBank(const bank::NewBank& nb) {
  ASSIGN_OR_RETURN(bank::Bank created, inner_.CreateBank(nb));
  Status s = events_.Publish({.kind = queue::BankEvent::Kind::kBankCreated, .bank_id = created.id});
  if (!s.ok()) {
    return Settle<bank::Bank>(
        created,
        UnavailableError(fmt::format(
            "bank {} created (the database has it), but its bank event was not published, so "
            "running "
            "workers do not match it yet; they load it at the first entry added to it with events, "
            "or when restarted: {}",
            created.name, s.message())));
  }
  return created;
}

Result<bank::AddEntriesResult> PublishingBankStore::AddEntries(
    bank::BankId bank, const bank::EntryBatch& batch, const bank::ProgressCallback& progress) {
  ASSIGN_OR_RETURN(bank::AddEntriesResult added, inner_.AddEntries(bank, batch, progress));
  uint64_t lost = 0;
  Status first = Status::Ok();
  for (size_t i = 0; i < batch.size(); ++i) {
    const bank::NewEntry row = batch.Get(i);
    auto entry = inner_.FindEntry(bank, row.signal_type, row.value);
    Status s =
        entry.ok() ? events_.Publish({queue::BankEvent::Kind::kAdded, entry->id}) : entry.status();
    if (!s.ok()) {
      ++lost;
      if (first.ok()) first = s;
    }
  }
  if (lost > 0) {
    return Settle<bank::AddEntriesResult>(
        added,
        UnavailableError(fmt::format("{} entries added to bank {} (the database has them), but {} "
                                     "of {} bank events were not "
                                     "published, so running workers do not match them yet; repeat "
                                     "the same add or import once "
                                     "NATS is back (it publishes again) or restart the workers: {}",
                                     added.added, bank, lost, batch.size(), first.message())));
  }
  return added;
}

Result<bank::BankEntry> PublishingBankStore::RetireEntry(bank::EntryId id,
                                                         std::string_view reason) {
  Result<bank::BankEntry> retired = inner_.RetireEntry(id, reason);
  // Already retired: publish again anyway, so repeating a retirement whose event was lost
  // repairs the workers; the caller still gets the store's answer.
  if (!retired.ok() && retired.status().code() != StatusCode::kFailedPrecondition) return retired;
  Status s = events_.Publish({queue::BankEvent::Kind::kRetired, id});
  if (!s.ok() && retired.ok()) {
    return Settle(
        std::move(retired),
        UnavailableError(fmt::format(
            "entry {} retired (the database has it), but its bank event was not published, so "
            "running workers still match it; repeat the retirement once NATS is back (it publishes "
            "again) or restart the workers: {}",
            id, s.message())));
  }
  return retired;
}

}  // namespace vigil::worker
