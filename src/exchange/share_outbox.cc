#include "exchange/share_outbox.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "bank/signal.h"

namespace vigil::exchange {

ShareOutbox::ShareOutbox(cases::CaseStore& cases, ExchangeStore& exchanges, ShareQueue& queue,
                         std::shared_ptr<const Clock> clock, ShareOutboxOptions options)
    : cases_(cases),
      exchanges_(exchanges),
      queue_(queue),
      clock_(std::move(clock)),
      options_(options) {}

std::chrono::seconds ShareOutbox::Backoff(int attempts) const {
  std::chrono::seconds wait = options_.first_backoff;
  for (int i = 1; i < attempts && wait < options_.max_backoff; ++i) wait *= 2;
  return std::min(wait, options_.max_backoff);
}

// The case's item hashes that partners know (pdq, md5, sha256), normalised and each once. An
// erased case has none left and shares nothing.
Result<std::vector<SharedHash>> ShareOutbox::HashesOf(cases::CaseId id) {
  ASSIGN_OR_RETURN(cases::Case c, cases_.GetCase(id));
  std::set<std::pair<bank::SignalType, std::string>> seen;
  std::vector<SharedHash> out;
  for (const cases::Item& item : c.items) {
    for (const cases::ItemHash& h : item.hashes) {
      auto type = bank::ParseSignalType(h.algorithm);
      if (!type.ok()) continue;  // a hash kind no exchange takes
      auto value = bank::NormalizeSignalValue(*type, h.hex);
      if (!value.ok()) {
        return value.status().WithContext(
            fmt::format("case {} item {}: {} hash", id, item.item_id, h.algorithm));
      }
      if (!seen.emplace(*type, *value).second) continue;
      out.push_back({.type = *type, .value = *value, .source_ref = fmt::format("case {}", id)});
    }
  }
  return out;
}

// What a partner is told when a hash is withdrawn: no case or complaint details.
constexpr char kWithdrawReason[] =
    "withdrawn by the provider: the decision confirming the material was reversed";

Result<uint64_t> ShareOutbox::Collect() {
  ASSIGN_OR_RETURN(uint64_t copied, CollectRequests());
  RETURN_IF_ERROR(CollectWithdrawals().status());
  return copied;
}

Result<uint64_t> ShareOutbox::CollectRequests() {
  uint64_t copied = 0;
  while (true) {
    ASSIGN_OR_RETURN(int64_t last, queue_.LastRequest());
    ASSIGN_OR_RETURN(std::vector<cases::ShareRequest> requests,
                     cases_.ListShareRequests(last, options_.batch));
    for (const cases::ShareRequest& r : requests) {
      ASSIGN_OR_RETURN(std::vector<SharedHash> hashes, HashesOf(r.case_id));
      ASSIGN_OR_RETURN(bool moved, queue_.Enqueue(last, r.id, hashes, clock_->Now()));
      if (!moved) return copied;  // another outbox is copying; it will finish the job
      last = r.id;
      ++copied;
    }
    if (requests.size() < options_.batch) return copied;
  }
}

Result<uint64_t> ShareOutbox::CollectWithdrawals() {
  uint64_t applied = 0;
  while (true) {
    ASSIGN_OR_RETURN(int64_t last, queue_.LastWithdrawal());
    ASSIGN_OR_RETURN(int64_t copied_to, queue_.LastRequest());
    ASSIGN_OR_RETURN(std::vector<cases::ShareWithdrawal> withdrawals,
                     cases_.ListShareWithdrawals(last, options_.batch));
    for (const cases::ShareWithdrawal& w : withdrawals) {
      // Its share request came after the last copy: withdrawing now would miss its rows.
      if (w.share_request_id > copied_to) return applied;
      ASSIGN_OR_RETURN(bool moved, queue_.Withdraw(last, w.id, w.share_request_id, clock_->Now()));
      if (!moved) return applied;  // another outbox is applying them
      last = w.id;
      ++applied;
    }
    if (withdrawals.size() < options_.batch) return applied;
  }
}

// Sends one batch and settles its rows. An error return means "stop sending to this exchange
// for now" (the rows are settled for a retry already).
Status ShareOutbox::SendBatch(std::vector<QueuedShare> batch, Exchange& exchange, bool withdrawing,
                              ShareRun& run) {
  Result<uint64_t> sent = uint64_t{0};
  if (withdrawing) {
    std::vector<WithdrawnHash> hashes;
    for (const QueuedShare& q : batch) {
      hashes.push_back({.hash = q.hash,
                        .remote_id = q.remote_id,
                        .reason = kWithdrawReason,
                        .at = q.withdrawn_at.value_or(q.next_attempt_at)});
    }
    sent = exchange.Withdraw(hashes);
  } else {
    std::vector<SharedHash> hashes;
    for (const QueuedShare& q : batch) hashes.push_back(q.hash);
    sent = exchange.Share(hashes);
  }
  const TimePoint now = clock_->Now();
  if (!sent.ok() && sent.status().code() == StatusCode::kInvalidArgument && batch.size() > 1) {
    // One hash the partner cannot take must not hold back the others: each on its own.
    for (QueuedShare& q : batch) RETURN_IF_ERROR(SendBatch({q}, exchange, withdrawing, run));
    return Status::Ok();
  }
  const std::vector<std::string> ids =
      sent.ok() && !withdrawing ? exchange.shared_ids() : std::vector<std::string>{};
  for (size_t i = 0; i < batch.size(); ++i) {
    QueuedShare& q = batch[i];
    ++q.attempts;
    if (sent.ok()) {
      q.last_error.clear();
      if (withdrawing) {
        q.state = ShareState::kWithdrawn;
        ++run.withdrawn;
      } else {
        q.state = ShareState::kShared;
        q.shared_at = now;
        if (i < ids.size()) q.remote_id = ids[i];
        ++run.shared;
      }
    } else if (sent.status().code() == StatusCode::kInvalidArgument) {
      // The partner will never take it: retrying cannot help.
      q.state = withdrawing ? ShareState::kWithdrawRefused : ShareState::kRefused;
      q.last_error = sent.status().message();
      ++(withdrawing ? run.withdraw_refused : run.refused);
    } else {
      q.last_error = sent.status().message();
      q.next_attempt_at = now + Backoff(q.attempts);
      if (auto after = exchange.retry_after(); after && now + *after > q.next_attempt_at) {
        q.next_attempt_at = now + *after;
      }
      ++run.failed;
    }
    RETURN_IF_ERROR(queue_.Settle(q, now).status());
  }
  if (!sent.ok() && sent.status().code() != StatusCode::kInvalidArgument) return sent.status();
  return Status::Ok();
}

Result<ShareRun> ShareOutbox::SendRows(const ExchangeRecord& record, Exchange& exchange,
                                       std::vector<QueuedShare> due, bool withdrawing) {
  ShareRun run;
  const size_t size = std::max<size_t>(1, exchange.max_share_batch());
  for (size_t from = 0; from < due.size(); from += size) {
    std::vector<QueuedShare> batch(
        due.begin() + static_cast<std::ptrdiff_t>(from),
        due.begin() + static_cast<std::ptrdiff_t>(std::min(due.size(), from + size)));
    Status s = SendBatch(std::move(batch), exchange, withdrawing, run);
    if (!s.ok()) {
      run.errors.push_back(fmt::format("exchange {}: {}{}", record.config.name,
                                       withdrawing ? "withdrawing: " : "", s.message()));
      break;  // the partner is failing: the rest wait for their next attempt
    }
  }
  return run;
}

Result<ShareRun> ShareOutbox::SendDue(const ExchangeRecord& record, Exchange& exchange) {
  // Art 7: consent can be withdrawn after hashes were queued; they wait rather than go.
  if (!record.config.share || !exchange.CanShare()) return ShareRun{};
  ASSIGN_OR_RETURN(std::vector<QueuedShare> due,
                   queue_.Due(record.config.id, clock_->Now(), options_.batch));
  return SendRows(record, exchange, std::move(due), /*withdrawing=*/false);
}

Result<ShareRun> ShareOutbox::SendWithdrawals(const ExchangeRecord& record, Exchange& exchange) {
  if (!exchange.CanWithdraw()) return ShareRun{};
  ASSIGN_OR_RETURN(std::vector<QueuedShare> due,
                   queue_.DueWithdrawals(record.config.id, clock_->Now(), options_.batch));
  return SendRows(record, exchange, std::move(due), /*withdrawing=*/true);
}

namespace {

void Add(ShareRun& to, const ShareRun& one) {
  to.shared += one.shared;
  to.refused += one.refused;
  to.failed += one.failed;
  to.withdrawn += one.withdrawn;
  to.withdraw_refused += one.withdraw_refused;
  to.errors.insert(to.errors.end(), one.errors.begin(), one.errors.end());
}

}  // namespace

Result<ShareRun> ShareOutbox::Run(const OpenOptions& open) {
  ShareRun run;
  ASSIGN_OR_RETURN(run.requests, CollectRequests());
  ASSIGN_OR_RETURN(run.withdrawals, CollectWithdrawals());
  ASSIGN_OR_RETURN(std::vector<ExchangeRecord> all, exchanges_.ListExchanges());
  for (const ExchangeRecord& record : all) {
    ASSIGN_OR_RETURN(std::vector<QueuedShare> withdrawing,
                     queue_.DueWithdrawals(record.config.id, clock_->Now(), 1));
    if (!record.config.share && withdrawing.empty()) continue;
    auto exchange = OpenExchange(record.config, open);
    if (!exchange.ok()) {
      run.errors.push_back(
          fmt::format("exchange {}: {}", record.config.name, exchange.status().message()));
      continue;
    }
    ASSIGN_OR_RETURN(ShareRun withdrawn, SendWithdrawals(record, **exchange));
    Add(run, withdrawn);
    ASSIGN_OR_RETURN(ShareRun shared, SendDue(record, **exchange));
    Add(run, shared);
  }
  return run;
}

}  // namespace vigil::exchange
