// ShareQueue: confirmed hashes waiting to be shared with each exchange's organisation (Art 7).
//
// Decisions confirming new material write a share request with the decision (the case store's
// cases::ShareRequest, in the decision's transaction); the share outbox (share_outbox.h) copies
// each request's hashes here, one row per exchange whose organisation agreed to receive hashes,
// moving its mark in the same transaction, then sends the due rows and settles them. A hash is
// queued once per exchange however often it is confirmed.
//
// A reversal that reinstates a case's content writes a share withdrawal (cases::ShareWithdrawal,
// in the reversal's transaction); the outbox applies it here with Withdraw: the rows its share
// request queued that were not sent yet are cancelled (never sent), those sent become
// withdrawing and are withdrawn at the partner like shares are sent (due rows, backoff, final
// states). A hash confirmed again by another case after it was cancelled or withdrawn is queued
// again.
//
// The `exchange` module owns this interface; `store` implements it for SQLite and PostgreSQL
// (migration 19) and InMemoryShareQueue implements it over an ExchangeStore for unit tests. All
// pass one contract suite (tests/store/share_queue_test.cc).
//
// Thread safety: implementations are safe to call from several threads.
#ifndef VIGIL_EXCHANGE_SHARE_QUEUE_H_
#define VIGIL_EXCHANGE_SHARE_QUEUE_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exchange/exchange_store.h"
#include "exchange/source.h"

namespace vigil::exchange {

// The names are stable: stores persist "pending", "shared", "refused", "cancelled",
// "withdrawing", "withdrawn", "withdraw_refused".
enum class ShareState : uint8_t {
  kPending = 0,          // waiting for its next attempt
  kShared = 1,           // the partner accepted it
  kRefused = 2,          // the partner cannot take it (e.g. a type it has no indicator for): final
  kCancelled = 3,        // withdrawn before it was sent: never sent
  kWithdrawing = 4,      // shared, then withdrawn: the withdrawal waits for its next attempt
  kWithdrawn = 5,        // the partner accepted the withdrawal
  kWithdrawRefused = 6,  // the partner cannot take the withdrawal: final, a person must look
};
std::string_view ShareStateName(ShareState state);
Result<ShareState> ParseShareState(std::string_view name);

struct QueuedShare {
  int64_t id = 0;  // assigned by the store
  ExchangeId exchange_id = 0;
  int64_t request_id = 0;  // the share request it came from
  SharedHash hash{};
  ShareState state = ShareState::kPending;
  int attempts = 0;
  TimePoint next_attempt_at{};
  std::string last_error{};
  TimePoint created_at{};
  std::optional<TimePoint> shared_at{};
  std::string remote_id{};  // the partner's id of the shared record ("" when it gave none)
  // When the provider withdrew it (the reversal was applied, or the partner accepted a share
  // already cancelled); kept while the withdrawal is retried, so a retry sends the same thing.
  std::optional<TimePoint> withdrawn_at{};
};

struct ShareCounts {
  uint64_t pending = 0, shared = 0, refused = 0;
  uint64_t cancelled = 0, withdrawing = 0, withdrawn = 0, withdraw_refused = 0;
  std::optional<TimePoint> oldest_pending{};  // created_at of the oldest pending row
  std::string last_error{};  // of the pending or withdrawing row attempted most recently
  friend bool operator==(const ShareCounts&, const ShareCounts&) = default;
};

class ShareQueue {
 public:
  virtual ~ShareQueue() = default;

  // The id of the last share request queued; 0 before the first.
  virtual Result<int64_t> LastRequest() = 0;

  // Queues `hashes` (normalised values) of request `request_id` for every exchange whose
  // organisation agreed to receive hashes, skipping hashes already queued for that exchange,
  // records that the request carries each of them (for Withdraw), and moves the mark from
  // `expected_last` to `request_id`, in one transaction. false (nothing written) when the mark is
  // not `expected_last` (another outbox moved it).
  virtual Result<bool> Enqueue(int64_t expected_last, int64_t request_id,
                               std::span<const SharedHash> hashes, TimePoint now) = 0;

  // Pending rows of exchange `id` with next_attempt_at <= now, oldest first, at most `limit`.
  virtual Result<std::vector<QueuedShare>> Due(ExchangeId id, TimePoint now, size_t limit) = 0;

  // Stores an attempt's outcome (state, attempts, next_attempt_at, last_error, shared_at,
  // remote_id, withdrawn_at): a share's (kPending again, kShared, kRefused) on a pending row, a
  // withdrawal's (kWithdrawing again, kWithdrawn, kWithdrawRefused) on a withdrawing row. A row
  // moving to kShared counts one hash shared with the exchange's organisation on `now`'s day
  // (Art 7) in the same transaction. A share the partner accepted while the row was cancelled
  // (the reversal came while it was being sent) makes the row withdrawing, due at `now`,
  // counted as shared: the partner has it and must be told. false when the row was in neither
  // state expected. kNotFound for an unknown id.
  virtual Result<bool> Settle(const QueuedShare& share, TimePoint now) = 0;

  // The id of the last share withdrawal applied; 0 before the first.
  virtual Result<int64_t> LastWithdrawal() = 0;

  // Applies withdrawal `withdrawal_id` of share request `share_request_id` (which must have been
  // queued) and moves the withdrawal mark from `expected_last` to it, in one transaction: the
  // request's pending rows become kCancelled, its shared rows kWithdrawing (attempts 0, due at
  // `now`); refused rows stay. A pending or shared row whose hash another queued request that
  // was not withdrawn also carries (another confirmed case, not reversed) is neither: it stays
  // as it is and moves to the lowest such request, whose own withdrawal will then withdraw it
  // (Art 7: partners drop a hash only when no confirmation of it stands). false (nothing
  // written) when the mark is not `expected_last`.
  virtual Result<bool> Withdraw(int64_t expected_last, int64_t withdrawal_id,
                                int64_t share_request_id, TimePoint now) = 0;

  // Withdrawing rows of exchange `id` with next_attempt_at <= now, oldest first, at most
  // `limit`.
  virtual Result<std::vector<QueuedShare>> DueWithdrawals(ExchangeId id, TimePoint now,
                                                          size_t limit) = 0;

  // Rows of exchange `id` by state.
  virtual Result<ShareCounts> Counts(ExchangeId id) = 0;
};

// A ShareQueue in process memory over `exchanges` (which must outlive it), for unit tests.
class InMemoryShareQueue final : public ShareQueue {
 public:
  explicit InMemoryShareQueue(ExchangeStore& exchanges) : exchanges_(exchanges) {}

  Result<int64_t> LastRequest() override;
  Result<bool> Enqueue(int64_t expected_last, int64_t request_id,
                       std::span<const SharedHash> hashes, TimePoint now) override;
  Result<std::vector<QueuedShare>> Due(ExchangeId id, TimePoint now, size_t limit) override;
  Result<bool> Settle(const QueuedShare& share, TimePoint now) override;
  Result<int64_t> LastWithdrawal() override;
  Result<bool> Withdraw(int64_t expected_last, int64_t withdrawal_id, int64_t share_request_id,
                        TimePoint now) override;
  Result<std::vector<QueuedShare>> DueWithdrawals(ExchangeId id, TimePoint now,
                                                  size_t limit) override;
  Result<ShareCounts> Counts(ExchangeId id) override;

 private:
  Result<std::vector<QueuedShare>> DueIn(ShareState state, ExchangeId id, TimePoint now,
                                         size_t limit);

  ExchangeStore& exchanges_;
  std::mutex mu_;
  int64_t last_request_ = 0;               // guarded by mu_
  int64_t last_withdrawal_ = 0;            // guarded by mu_
  std::map<int64_t, QueuedShare> shares_;  // by id; guarded by mu_
  int64_t next_id_ = 1;                    // guarded by mu_
  // The requests that queued each hash (whether or not a row was created for them), and the
  // requests withdrawn; guarded by mu_.
  std::map<std::pair<bank::SignalType, std::string>, std::set<int64_t>> claims_;
  std::set<int64_t> withdrawn_requests_;
};

}  // namespace vigil::exchange

#endif  // VIGIL_EXCHANGE_SHARE_QUEUE_H_
