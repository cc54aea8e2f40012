#include "bank/in_memory_bank_store.h"

#include <fmt/format.h>

#include <vector>

namespace vigil::bank {

InMemoryBankStore::InMemoryBankStore(std::shared_ptr<const Clock> clock)
    : clock_(std::move(clock)) {}

Status InMemoryBankStore::CheckBankLocked(BankId bank) const {
  for (const auto& [name, b] : banks_) {
    if (b.id == bank) return Status::Ok();
  }
  return NotFoundError(fmt::format("bank id {} does not exist", bank));
}

Result<Bank> InMemoryBankStore::CreateBank(const NewBank& bank) {
  RETURN_IF_ERROR(ValidateNewBank(bank));
  std::lock_guard<std::mutex> lock(mu_);
  if (banks_.contains(bank.name)) {
    return AlreadyExistsError(fmt::format("bank '{}' already exists", bank.name));
  }
  Bank b{.id = next_bank_id_++,
         .name = bank.name,
         .owner = bank.owner,
         .description = bank.description,
         .source_list = bank.source_list,
         .policy = bank.policy,
         .created_at = clock_->Now()};
  banks_.emplace(b.name, b);
  return b;
}

Result<Bank> InMemoryBankStore::GetBank(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = banks_.find(name);
  if (it == banks_.end()) {
    return NotFoundError(fmt::format("bank '{}' does not exist", EscapeForMessage(name)));
  }
  return it->second;
}

Result<std::vector<Bank>> InMemoryBankStore::ListBanks() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Bank> out;
  for (const auto& [name, bank] : banks_) out.push_back(bank);
  return out;
}

Result<AddEntriesResult> InMemoryBankStore::AddEntries(BankId bank, const EntryBatch& batch,
                                                       const ProgressCallback& progress) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(CheckBankLocked(bank));
  // Staged first and applied only when every row succeeded, like a rolled-back transaction.
  std::vector<BankEntry> staged;
  std::map<ValueKey, EntryId> staged_keys;
  AddEntriesResult result;
  const TimePoint now = clock_->Now();
  EntryId next_id = next_entry_id_;
  for (size_t i = 0; i < batch.size(); ++i) {
    ValueKey key{bank, batch.signal_type(i), BytesToHex(batch.value_bytes(i))};
    if (entry_by_value_.contains(key) || staged_keys.contains(key)) {
      ++result.already_present;
    } else {
      const NewEntry e = batch.Get(i);
      BankEntry entry{.id = next_id++,
                      .bank_id = bank,
                      .signal_type = e.signal_type,
                      .value = e.value,
                      .added_at = e.added_at.value_or(now),
                      .source_ref = e.source_ref,
                      .verifications = e.verifications,
                      .needs_verification = e.needs_verification,
                      .retired = e.retired_at.has_value(),
                      .retired_reason = e.retired_reason,
                      .retired_at = e.retired_at.value_or(TimePoint{})};
      staged_keys.emplace(std::move(key), entry.id);
      staged.push_back(std::move(entry));
      ++result.added;
    }
    if (progress) RETURN_IF_ERROR(progress(i + 1));
  }
  next_entry_id_ = next_id;
  entry_by_value_.merge(staged_keys);
  for (BankEntry& e : staged) entries_.emplace(e.id, std::move(e));
  return result;
}

Result<BankEntry> InMemoryBankStore::RetireEntry(EntryId id, std::string_view reason) {
  RETURN_IF_ERROR(ValidateRetireReason(reason));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return NotFoundError(fmt::format("entry {} does not exist", id));
  BankEntry& e = it->second;
  if (e.retired) {
    return FailedPreconditionError(
        fmt::format("entry {} is already retired ({})", id, e.retired_reason));
  }
  e.retired = true;
  e.retired_reason = std::string(reason);
  e.retired_at = clock_->Now();
  return e;
}

Result<BankEntry> InMemoryBankStore::FlagForVerification(EntryId id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return NotFoundError(fmt::format("entry {} does not exist", id));
  it->second.needs_verification = true;
  return it->second;
}

Result<BankEntry> InMemoryBankStore::GetEntry(EntryId id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return NotFoundError(fmt::format("entry {} does not exist", id));
  return it->second;
}

Result<BankEntry> InMemoryBankStore::FindEntry(BankId bank, SignalType type,
                                               std::string_view value) {
  // Keyed like AddEntries: the hex of the raw value.
  ASSIGN_OR_RETURN(std::string bytes, SignalValueToBytes(type, value));
  const std::string key =
      BytesToHex({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(CheckBankLocked(bank));
  auto it = entry_by_value_.find(ValueKey{bank, type, key});
  if (it == entry_by_value_.end()) {
    return NotFoundError(fmt::format("no {} entry {} in bank id {}", SignalTypeName(type),
                                     EscapeForMessage(value, 100), bank));
  }
  return entries_.at(it->second);
}

Status InMemoryBankStore::ForEachEntry(BankId bank, const EntryFilter& filter,
                                       const std::function<Status(const BankEntry&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(CheckBankLocked(bank));
  for (const auto& [id, entry] : entries_) {
    if (entry.bank_id != bank || (entry.retired && !filter.include_retired)) continue;
    RETURN_IF_ERROR(fn(entry));
  }
  return Status::Ok();
}

Result<BankStats> InMemoryBankStore::GetStats(BankId bank) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(CheckBankLocked(bank));
  BankStats stats;
  for (const auto& [id, e] : entries_) {
    if (e.bank_id != bank) continue;
    ++stats.total;
    SignalTypeCounts& counts = stats.by_type[e.signal_type];
    if (e.retired) {
      ++stats.retired;
      ++counts.retired;
    } else {
      ++stats.active;
      ++counts.active;
      if (e.verifications > 0) ++stats.verified;
      if (e.needs_verification) ++stats.needs_verification;
    }
  }
  return stats;
}

}  // namespace vigil::bank
