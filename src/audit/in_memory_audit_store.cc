#include <fmt/format.h>

#include <algorithm>

#include "audit/audit.h"

namespace vigil::audit {

InMemoryAuditStore::InMemoryAuditStore(std::shared_ptr<const Clock> clock)
    : clock_(clock ? std::move(clock) : std::make_shared<SystemClock>()) {}

Result<AuditRecord> InMemoryAuditStore::Append(const AuditEvent& event) {
  RETURN_IF_ERROR(ValidateEvent(event));
  std::lock_guard<std::mutex> lock(mu_);
  AuditRecord r;
  r.seq = records_.empty() ? 1 : records_.back().seq + 1;
  r.at = clock_->Now();
  r.event = event;
  r.prev_hash = records_.empty() ? std::string(kGenesisHash) : records_.back().hash;
  r.hash = ChainHash(r.prev_hash, r.seq, r.at, r.event);
  records_.push_back(r);
  return r;
}

Result<std::vector<AuditRecord>> InMemoryAuditStore::List(int64_t from_seq, size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<AuditRecord> out;
  auto it = std::lower_bound(records_.begin(), records_.end(), from_seq,
                             [](const AuditRecord& r, int64_t seq) { return r.seq < seq; });
  for (; it != records_.end() && out.size() < limit; ++it) out.push_back(*it);
  return out;
}

Result<std::optional<AuditCheckpoint>> InMemoryAuditStore::LatestCheckpoint() {
  std::lock_guard<std::mutex> lock(mu_);
  if (checkpoints_.empty()) return std::optional<AuditCheckpoint>();
  return std::optional<AuditCheckpoint>(checkpoints_.back());
}

Result<AuditCheckpoint> InMemoryAuditStore::PurgeThrough(int64_t through_seq, TimePoint at) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = std::ranges::find(records_, through_seq, &AuditRecord::seq);
  if (it == records_.end()) {
    return NotFoundError(fmt::format("audit record {} is not stored", through_seq));
  }
  if (it + 1 == records_.end()) {
    return FailedPreconditionError(
        fmt::format("audit record {} is the head of the chain; it is never purged", through_seq));
  }
  AuditCheckpoint cp{.through_seq = through_seq,
                     .hash = it->hash,
                     .records = static_cast<int64_t>(it - records_.begin()) + 1,
                     .purged_at = at};
  records_.erase(records_.begin(), it + 1);
  checkpoints_.push_back(cp);
  return cp;
}

void InMemoryAuditStore::TamperForTest(int64_t seq, const AuditEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  for (AuditRecord& r : records_) {
    if (r.seq == seq) r.event = event;
  }
}

void InMemoryAuditStore::EraseForTest(int64_t seq) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(records_, [seq](const AuditRecord& r) { return r.seq == seq; });
}

}  // namespace vigil::audit
