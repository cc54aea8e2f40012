#include "queue/ledger.h"

#include <fmt/format.h>

#include "hash/digest.h"

namespace vigil::queue {

std::string ItemKeyOf(std::string_view item_id) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(item_id.data());
  return hash::DigestToHex(hash::Sha256({bytes, item_id.size()}));
}

Status ValidateLedgerKey(const LedgerKey& key) {
  if (key.item_key.empty()) return InvalidArgumentError("ledger key: the item key is empty");
  if (key.technology_version.empty()) {
    return InvalidArgumentError(
        fmt::format("ledger key {}: the technology version is empty", key.item_key));
  }
  return Status::Ok();
}

Result<RunOnceResult> InMemoryJobLedger::RunOnce(
    const LedgerRecord& claim, const std::function<Result<LedgerOutcome>()>& work) {
  RETURN_IF_ERROR(ValidateLedgerKey(claim.key));
  {
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [&] { return !in_progress_.contains(claim.key); });
    if (auto it = records_.find(claim.key); it != records_.end()) {
      return RunOnceResult{.ran = false, .record = it->second};
    }
    in_progress_.insert(claim.key);
  }
  Result<LedgerOutcome> outcome = work();
  std::lock_guard<std::mutex> lock(mu_);
  in_progress_.erase(claim.key);
  done_.notify_all();
  if (!outcome.ok()) return outcome.status();
  LedgerRecord record = claim;
  record.outcome = *outcome;
  records_[claim.key] = record;
  return RunOnceResult{.ran = true, .record = std::move(record)};
}

Result<std::optional<LedgerRecord>> InMemoryJobLedger::Get(const LedgerKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find(key);
  if (it == records_.end()) return std::optional<LedgerRecord>();
  return std::optional<LedgerRecord>(it->second);
}

Result<int64_t> InMemoryJobLedger::Count() {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(records_.size());
}

Result<int64_t> InMemoryJobLedger::PurgeBefore(TimePoint before) {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(
      std::erase_if(records_, [&](const auto& r) { return r.second.processed_at < before; }));
}

}  // namespace vigil::queue
