#include <fmt/format.h>

#include <algorithm>

#include "exchange/share_queue.h"

namespace vigil::exchange {

std::string_view ShareStateName(ShareState state) {
  switch (state) {
    case ShareState::kPending:
      return "pending";
    case ShareState::kShared:
      return "shared";
    case ShareState::kRefused:
      return "refused";
  }
  return "pending";
}

Result<ShareState> ParseShareState(std::string_view name) {
  for (ShareState s : {ShareState::kPending, ShareState::kShared, ShareState::kRefused}) {
    if (ShareStateName(s) == name) return s;
  }
  return InvalidArgumentError(fmt::format("unknown share state '{}'", name));
}

Result<int64_t> InMemoryShareQueue::LastRequest() {
  std::lock_guard lock(mu_);
  return last_request_;
}

Result<bool> InMemoryShareQueue::Enqueue(int64_t expected_last, int64_t request_id,
                                         std::span<const SharedHash> hashes, TimePoint now) {
  // Read before taking mu_: the exchange store has its own lock.
  ASSIGN_OR_RETURN(std::vector<ExchangeRecord> exchanges, exchanges_.ListExchanges());
  std::lock_guard lock(mu_);
  if (last_request_ != expected_last) return false;
  for (const ExchangeRecord& x : exchanges) {
    if (!x.config.share) continue;
    for (const SharedHash& h : hashes) {
      const bool queued = std::any_of(shares_.begin(), shares_.end(), [&](const auto& kv) {
        const QueuedShare& q = kv.second;
        return q.exchange_id == x.config.id && q.hash.type == h.type && q.hash.value == h.value;
      });
      if (queued) continue;
      const int64_t id = next_id_++;
      shares_[id] = QueuedShare{.id = id,
                                .exchange_id = x.config.id,
                                .request_id = request_id,
                                .hash = h,
                                .next_attempt_at = now,
                                .created_at = now};
    }
  }
  last_request_ = request_id;
  return true;
}

Result<std::vector<QueuedShare>> InMemoryShareQueue::Due(ExchangeId id, TimePoint now,
                                                         size_t limit) {
  std::lock_guard lock(mu_);
  std::vector<QueuedShare> out;
  for (const auto& [_, q] : shares_) {
    if (q.exchange_id == id && q.state == ShareState::kPending && q.next_attempt_at <= now) {
      out.push_back(q);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const QueuedShare& a, const QueuedShare& b) {
    return a.next_attempt_at < b.next_attempt_at;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

Result<bool> InMemoryShareQueue::Settle(const QueuedShare& share, TimePoint now) {
  ExchangeId exchange = 0;
  {
    std::lock_guard lock(mu_);
    auto it = shares_.find(share.id);
    if (it == shares_.end()) return NotFoundError(fmt::format("no queued share {}", share.id));
    if (it->second.state != ShareState::kPending) return false;
    QueuedShare& q = it->second;
    q.state = share.state;
    q.attempts = share.attempts;
    q.next_attempt_at = share.next_attempt_at;
    q.last_error = share.last_error;
    q.shared_at = share.shared_at;
    if (share.state != ShareState::kShared) return true;
    exchange = q.exchange_id;
  }
  // Not atomic with the row here; the SQL stores do both in one transaction.
  RETURN_IF_ERROR(exchanges_.RecordShared(exchange, 1, now));
  return true;
}

Result<ShareCounts> InMemoryShareQueue::Counts(ExchangeId id) {
  std::lock_guard lock(mu_);
  ShareCounts c;
  std::optional<TimePoint> last_attempt;
  for (const auto& [_, q] : shares_) {
    if (q.exchange_id != id) continue;
    switch (q.state) {
      case ShareState::kPending:
        ++c.pending;
        if (!c.oldest_pending || q.created_at < *c.oldest_pending) c.oldest_pending = q.created_at;
        if (q.attempts > 0 && (!last_attempt || q.next_attempt_at >= *last_attempt)) {
          last_attempt = q.next_attempt_at;
          c.last_error = q.last_error;
        }
        break;
      case ShareState::kShared:
        ++c.shared;
        break;
      case ShareState::kRefused:
        ++c.refused;
        break;
    }
  }
  return c;
}

}  // namespace vigil::exchange
