#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "exchange/share_queue.h"

namespace vigil::exchange {
namespace {

constexpr std::array<std::pair<ShareState, std::string_view>, 7> kStateNames = {{
    {ShareState::kPending, "pending"},
    {ShareState::kShared, "shared"},
    {ShareState::kRefused, "refused"},
    {ShareState::kCancelled, "cancelled"},
    {ShareState::kWithdrawing, "withdrawing"},
    {ShareState::kWithdrawn, "withdrawn"},
    {ShareState::kWithdrawRefused, "withdraw_refused"},
}};

bool IsShareOutcome(ShareState s) {
  return s == ShareState::kPending || s == ShareState::kShared || s == ShareState::kRefused;
}

}  // namespace

std::string_view ShareStateName(ShareState state) {
  for (const auto& [s, name] : kStateNames) {
    if (s == state) return name;
  }
  return "pending";
}

Result<ShareState> ParseShareState(std::string_view name) {
  for (const auto& [s, n] : kStateNames) {
    if (n == name) return s;
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
  for (const SharedHash& h : hashes) claims_[{h.type, h.value}].insert(request_id);
  for (const ExchangeRecord& x : exchanges) {
    if (!x.config.share) continue;
    for (const SharedHash& h : hashes) {
      auto queued = std::find_if(shares_.begin(), shares_.end(), [&](const auto& kv) {
        const QueuedShare& q = kv.second;
        return q.exchange_id == x.config.id && q.hash.type == h.type && q.hash.value == h.value;
      });
      if (queued != shares_.end()) {
        // Confirmed again by another case after it was withdrawn: queued (or kept) again.
        QueuedShare& q = queued->second;
        if (q.state == ShareState::kCancelled || q.state == ShareState::kWithdrawn) {
          q.state = ShareState::kPending;
        } else if (q.state == ShareState::kWithdrawing || q.state == ShareState::kWithdrawRefused) {
          q.state = ShareState::kShared;
        } else {
          continue;
        }
        q.request_id = request_id;
        q.withdrawn_at.reset();
        q.attempts = 0;
        q.next_attempt_at = now;
        q.last_error.clear();
        continue;
      }
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

Result<std::vector<QueuedShare>> InMemoryShareQueue::DueIn(ShareState state, ExchangeId id,
                                                           TimePoint now, size_t limit) {
  std::lock_guard lock(mu_);
  std::vector<QueuedShare> out;
  for (const auto& [_, q] : shares_) {
    if (q.exchange_id == id && q.state == state && q.next_attempt_at <= now) out.push_back(q);
  }
  std::stable_sort(out.begin(), out.end(), [](const QueuedShare& a, const QueuedShare& b) {
    return a.next_attempt_at < b.next_attempt_at;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

Result<std::vector<QueuedShare>> InMemoryShareQueue::Due(ExchangeId id, TimePoint now,
                                                         size_t limit) {
  return DueIn(ShareState::kPending, id, now, limit);
}

Result<std::vector<QueuedShare>> InMemoryShareQueue::DueWithdrawals(ExchangeId id, TimePoint now,
                                                                    size_t limit) {
  return DueIn(ShareState::kWithdrawing, id, now, limit);
}

Result<bool> InMemoryShareQueue::Settle(const QueuedShare& share, TimePoint now) {
  ExchangeId exchange = 0;
  {
    std::lock_guard lock(mu_);
    auto it = shares_.find(share.id);
    if (it == shares_.end()) return NotFoundError(fmt::format("no queued share {}", share.id));
    QueuedShare& q = it->second;
    const bool sharing = IsShareOutcome(share.state);
    if (sharing && q.state == ShareState::kCancelled && share.state == ShareState::kShared) {
      // Accepted while a reversal cancelled it: the partner has it, so it must be withdrawn.
      q.state = ShareState::kWithdrawing;
      q.attempts = 0;
      q.next_attempt_at = now;
      q.last_error.clear();
      q.withdrawn_at = now;
    } else if (q.state == (sharing ? ShareState::kPending : ShareState::kWithdrawing)) {
      q.state = share.state;
      q.attempts = share.attempts;
      q.next_attempt_at = share.next_attempt_at;
      q.last_error = share.last_error;
      if (share.withdrawn_at) q.withdrawn_at = share.withdrawn_at;
    } else {
      return false;
    }
    if (share.state != ShareState::kShared) return true;
    q.shared_at = share.shared_at;
    q.remote_id = share.remote_id;
    exchange = q.exchange_id;
  }
  // Not atomic with the row here; the SQL stores do both in one transaction.
  RETURN_IF_ERROR(exchanges_.RecordShared(exchange, 1, now));
  return true;
}

Result<int64_t> InMemoryShareQueue::LastWithdrawal() {
  std::lock_guard lock(mu_);
  return last_withdrawal_;
}

Result<bool> InMemoryShareQueue::Withdraw(int64_t expected_last, int64_t withdrawal_id,
                                          int64_t share_request_id, TimePoint now) {
  std::lock_guard lock(mu_);
  if (last_withdrawal_ != expected_last) return false;
  withdrawn_requests_.insert(share_request_id);
  for (auto& [_, q] : shares_) {
    if (q.request_id != share_request_id) continue;
    if (q.state == ShareState::kPending || q.state == ShareState::kShared) {
      // Another confirmed case not reversed still claims the hash: it stays, under that case.
      const auto claims = claims_.find({q.hash.type, q.hash.value});
      if (claims != claims_.end()) {
        auto other = std::find_if(claims->second.begin(), claims->second.end(),
                                  [&](int64_t r) { return !withdrawn_requests_.contains(r); });
        if (other != claims->second.end()) {
          q.request_id = *other;
          continue;
        }
      }
    }
    if (q.state == ShareState::kPending) {
      q.state = ShareState::kCancelled;
      q.withdrawn_at = now;
    } else if (q.state == ShareState::kShared) {
      q.state = ShareState::kWithdrawing;
      q.attempts = 0;
      q.next_attempt_at = now;
      q.last_error.clear();
      q.withdrawn_at = now;
    }
  }
  last_withdrawal_ = withdrawal_id;
  return true;
}

Result<ShareCounts> InMemoryShareQueue::Counts(ExchangeId id) {
  std::lock_guard lock(mu_);
  ShareCounts c;
  std::optional<TimePoint> last_attempt;
  for (const auto& [_, q] : shares_) {
    if (q.exchange_id != id) continue;
    const bool waiting = q.state == ShareState::kPending || q.state == ShareState::kWithdrawing;
    if (waiting && q.attempts > 0 && (!last_attempt || q.next_attempt_at >= *last_attempt)) {
      last_attempt = q.next_attempt_at;
      c.last_error = q.last_error;
    }
    switch (q.state) {
      case ShareState::kPending:
        ++c.pending;
        if (!c.oldest_pending || q.created_at < *c.oldest_pending) c.oldest_pending = q.created_at;
        break;
      case ShareState::kShared:
        ++c.shared;
        break;
      case ShareState::kRefused:
        ++c.refused;
        break;
      case ShareState::kCancelled:
        ++c.cancelled;
        break;
      case ShareState::kWithdrawing:
        ++c.withdrawing;
        break;
      case ShareState::kWithdrawn:
        ++c.withdrawn;
        break;
      case ShareState::kWithdrawRefused:
        ++c.withdraw_refused;
        break;
    }
  }
  return c;
}

}  // namespace vigil::exchange
