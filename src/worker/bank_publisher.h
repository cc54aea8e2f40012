// PublishingBankStore: a bank::BankStore that, after each committed change that alters what
// matches (a bank created, entries added, entries retired), publishes a queue::BankEvent per bank
// or entry so that every worker's LiveMatcher applies it (docs/scaling.md). Reads and everything
// else go straight to the wrapped store.
//
// An entry added again (already present), or retired again, is published too: applying it is
// harmless, and it lets a repeated add, import or retirement repair workers that missed the first
// events. When publishing fails after the database committed, the call returns kUnavailable
// saying how many events were lost; the change stays (the database is the record), and workers
// see it at their next start or when the change is repeated. A caller that must act on the
// committed change even so (the CLI writes its audit record, issue 6) constructs the store with
// PublishFailures::kKeep: calls then return the store's result, and publish_failure() holds the
// first such kUnavailable.
//
// Cost: AddEntries looks up each row's entry id after the commit (the store's batch call does not
// return ids), one indexed query per row; a multi-million-row import is better followed by a
// rolling restart of the workers than by millions of events.
//
// Thread safety: as the wrapped store; BankEvents is thread-safe.
#ifndef VIGIL_WORKER_BANK_PUBLISHER_H_
#define VIGIL_WORKER_BANK_PUBLISHER_H_

#include "bank/bank_store.h"
#include "queue/queue.h"

namespace vigil::worker {

class PublishingBankStore final : public bank::BankStore {
 public:
  enum class PublishFailures { kReturn, kKeep };

  // Both must outlive this store.
  PublishingBankStore(bank::BankStore& inner, queue::BankEvents& events,
                      PublishFailures failures = PublishFailures::kReturn)
      : inner_(inner), events_(events), keep_failures_(failures == PublishFailures::kKeep) {}

  // With kKeep: the first publishing failure after a committed change, else OK.
  const Status& publish_failure() const { return publish_failure_; }

  // Publishes the bank's creation, so matchers that match every bank start matching it (its
  // first added entry's event would make them load it too).
  Result<bank::Bank> CreateBank(const bank::NewBank& bank) override;
  Result<bank::Bank> GetBank(std::string_view name) override { return inner_.GetBank(name); }
  Result<std::vector<bank::Bank>> ListBanks() override { return inner_.ListBanks(); }
  using bank::BankStore::AddEntries;
  Result<bank::AddEntriesResult> AddEntries(bank::BankId bank, const bank::EntryBatch& batch,
                                            const bank::ProgressCallback& progress) override;
  Result<bank::BankEntry> RetireEntry(bank::EntryId id, std::string_view reason) override;
  Result<bank::BankEntry> FlagForVerification(bank::EntryId id) override {
    return inner_.FlagForVerification(id);
  }
  Result<bank::BankEntry> GetEntry(bank::EntryId id) override { return inner_.GetEntry(id); }
  Result<bank::BankEntry> FindEntry(bank::BankId bank, bank::SignalType type,
                                    std::string_view value) override {
    return inner_.FindEntry(bank, type, value);
  }
  Status ForEachEntry(bank::BankId bank, const bank::EntryFilter& filter,
                      const std::function<Status(const bank::BankEntry&)>& fn) override {
    return inner_.ForEachEntry(bank, filter, fn);
  }
  Result<bank::BankStats> GetStats(bank::BankId bank) override { return inner_.GetStats(bank); }
  Result<uint64_t> GetChangeCount(bank::BankId bank) override {
    return inner_.GetChangeCount(bank);
  }

 private:
  // The committed result, or `failure` (the events lost after the commit) unless kept.
  template <typename T>
  Result<T> Settle(Result<T> committed, Status failure);

  bank::BankStore& inner_;
  queue::BankEvents& events_;
  const bool keep_failures_;
  Status publish_failure_ = Status::Ok();
};

}  // namespace vigil::worker

#endif  // VIGIL_WORKER_BANK_PUBLISHER_H_
