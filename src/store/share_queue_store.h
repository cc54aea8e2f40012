// The share queue (exchange::ShareQueue) on SQLite and PostgreSQL, in the tables of migrations 19
// and 22 (exchange_shares, exchange_share_progress). The SQL is written once with "?" placeholders
// and run through the backends' SqlSession (redress_stores.h), each call one transaction.
//
// Thread safety: as the transactor: the SQLite one holds the database's mutex, the PostgreSQL one
// borrows a pool connection per call.
#ifndef VIGIL_STORE_SHARE_QUEUE_STORE_H_
#define VIGIL_STORE_SHARE_QUEUE_STORE_H_

#include "exchange/share_queue.h"
#include "store/redress_stores.h"

namespace vigil::store {

class SqlShareQueue final : public exchange::ShareQueue {
 public:
  explicit SqlShareQueue(SqlTransactor transact) : transact_(std::move(transact)) {}

  Result<int64_t> LastRequest() override;
  Result<bool> Enqueue(int64_t expected_last, int64_t request_id,
                       std::span<const exchange::SharedHash> hashes, TimePoint now) override;
  Result<std::vector<exchange::QueuedShare>> Due(exchange::ExchangeId id, TimePoint now,
                                                 size_t limit) override;
  Result<bool> Settle(const exchange::QueuedShare& share, TimePoint now) override;
  Result<int64_t> LastWithdrawal() override;
  Result<bool> Withdraw(int64_t expected_last, int64_t withdrawal_id, int64_t share_request_id,
                        TimePoint now) override;
  Result<std::vector<exchange::QueuedShare>> DueWithdrawals(exchange::ExchangeId id, TimePoint now,
                                                            size_t limit) override;
  Result<exchange::ShareCounts> Counts(exchange::ExchangeId id) override;

 private:
  Result<std::vector<exchange::QueuedShare>> DueIn(std::string_view state, exchange::ExchangeId id,
                                                   TimePoint now, size_t limit);

  SqlTransactor transact_;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_SHARE_QUEUE_STORE_H_
