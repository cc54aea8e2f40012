// ShareQueue: confirmed hashes waiting to be shared with each exchange's organisation (Art 7).
//
// Decisions confirming new material write a share request with the decision (the case store's
// cases::ShareRequest, in the decision's transaction); the share outbox (share_outbox.h) copies
// each request's hashes here, one row per exchange whose organisation agreed to receive hashes,
// moving its mark in the same transaction, then sends the due rows and settles them. A hash is
// queued once per exchange however often it is confirmed.
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
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "exchange/exchange_store.h"
#include "exchange/source.h"

namespace vigil::exchange {

// The names are stable: stores persist "pending", "shared", "refused".
enum class ShareState : uint8_t {
  kPending = 0,  // waiting for its next attempt
  kShared = 1,   // the partner accepted it
  kRefused = 2,  // the partner cannot take it (e.g. a type it has no indicator for): final
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
};

struct ShareCounts {
  uint64_t pending = 0, shared = 0, refused = 0;
  std::optional<TimePoint> oldest_pending{};  // created_at of the oldest pending row
  std::string last_error{};                   // of the pending row attempted most recently
  friend bool operator==(const ShareCounts&, const ShareCounts&) = default;
};

class ShareQueue {
 public:
  virtual ~ShareQueue() = default;

  // The id of the last share request queued; 0 before the first.
  virtual Result<int64_t> LastRequest() = 0;

  // Queues `hashes` (normalised values) of request `request_id` for every exchange whose
  // organisation agreed to receive hashes, skipping hashes already queued for that exchange,
  // and moves the mark from `expected_last` to `request_id`, in one transaction. false (nothing
  // written) when the mark is not `expected_last` (another outbox moved it).
  virtual Result<bool> Enqueue(int64_t expected_last, int64_t request_id,
                               std::span<const SharedHash> hashes, TimePoint now) = 0;

  // Pending rows of exchange `id` with next_attempt_at <= now, oldest first, at most `limit`.
  virtual Result<std::vector<QueuedShare>> Due(ExchangeId id, TimePoint now, size_t limit) = 0;

  // Stores an attempt's outcome (state, attempts, next_attempt_at, last_error, shared_at) on a
  // pending row; one moving to kShared counts one hash shared with the exchange's organisation
  // on `now`'s day (Art 7) in the same transaction. false when the row was no longer pending.
  // kNotFound for an unknown id.
  virtual Result<bool> Settle(const QueuedShare& share, TimePoint now) = 0;

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
  Result<ShareCounts> Counts(ExchangeId id) override;

 private:
  ExchangeStore& exchanges_;
  std::mutex mu_;
  int64_t last_request_ = 0;               // guarded by mu_
  std::map<int64_t, QueuedShare> shares_;  // by id; guarded by mu_
  int64_t next_id_ = 1;                    // guarded by mu_
};

}  // namespace vigil::exchange

#endif  // VIGIL_EXCHANGE_SHARE_QUEUE_H_
