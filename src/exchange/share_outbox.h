// ShareOutbox: confirmed hashes from review decisions to the organisations that agreed to
// receive them (Art 7), without losing one to a crash.
//
// Collect copies the case store's share requests (written with each confirmed_new decision)
// into the ShareQueue: the hashes of the case's items, once per consenting exchange, the mark
// moved in the same transaction, so a crash repeats at most a copy the queue ignores. SendDue
// sends an exchange's due rows through its client in batches of max_share_batch(): accepted
// rows are settled as shared (and counted for the annual report's list of organisations), a
// hash the partner cannot take is refused for good, any other failure is retried with
// exponential backoff. A partner that accepted a batch just before a crash gets it again: the
// delivery is at least once, as the hotline outbox's.
//
// Collect also applies the case store's share withdrawals (written with a reversal that
// reinstates content): the request's unsent rows are cancelled, its sent rows are withdrawn at
// the partner by SendWithdrawals (Exchange::Withdraw), with the same batches, backoff and
// final refusal, each withdrawal counted once (the row's compare-and-set). Withdrawals go even
// when the organisation has since withdrawn its consent to receive hashes: they only take data
// back.
//
// Thread safety: one Collect or SendDue at a time per outbox; two processes cannot both copy a
// request (the mark is compared-and-set) but may both send a due row before either settles it.
#ifndef VIGIL_EXCHANGE_SHARE_OUTBOX_H_
#define VIGIL_EXCHANGE_SHARE_OUTBOX_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cases/case_store.h"
#include "core/clock.h"
#include "exchange/exchange_store.h"
#include "exchange/share_queue.h"
#include "exchange/source.h"

namespace vigil::exchange {

struct ShareOutboxOptions {
  size_t batch = 200;  // share requests copied per store call, rows sent per exchange per run
  std::chrono::seconds first_backoff{60};
  std::chrono::seconds max_backoff{6 * 3600};
};

struct ShareRun {
  uint64_t requests = 0;                         // share requests copied into the queue
  uint64_t withdrawals = 0;                      // share withdrawals applied to the queue
  uint64_t shared = 0, refused = 0, failed = 0;  // failed: attempts to retry, shares or not
  uint64_t withdrawn = 0, withdraw_refused = 0;
  std::vector<std::string> errors{};  // one per exchange that failed, naming it
};

class ShareOutbox {
 public:
  // References must outlive the outbox.
  ShareOutbox(cases::CaseStore& cases, ExchangeStore& exchanges, ShareQueue& queue,
              std::shared_ptr<const Clock> clock, ShareOutboxOptions options = {});

  // Copies every share request after the queue's mark, then applies every share withdrawal
  // after its mark whose share request is copied (see the top); the requests copied.
  Result<uint64_t> Collect();

  // Applies the share withdrawals after the queue's withdrawal mark; the number applied. One
  // whose share request is not copied yet waits for the next call.
  Result<uint64_t> CollectWithdrawals();

  // Sends the due rows of `record`'s exchange through `exchange` (see the top). Nothing is sent
  // when the organisation's consent is off (the rows wait) or the client cannot share.
  Result<ShareRun> SendDue(const ExchangeRecord& record, Exchange& exchange);

  // Sends the due withdrawals of `record`'s exchange through `exchange` (see the top). Nothing
  // is sent when the client cannot withdraw (the rows wait).
  Result<ShareRun> SendWithdrawals(const ExchangeRecord& record, Exchange& exchange);

  // Collect, then for every exchange with consent or withdrawals due, SendWithdrawals and (with
  // consent) SendDue, each opened with `open`; an exchange that cannot be opened is named in
  // errors and the others still run.
  Result<ShareRun> Run(const OpenOptions& open);

  // The wait after `attempts` failed attempts: first_backoff doubling, capped at max_backoff.
  std::chrono::seconds Backoff(int attempts) const;

 private:
  Result<std::vector<SharedHash>> HashesOf(cases::CaseId id);
  Result<uint64_t> CollectRequests();
  // Sends one batch (a share, or a withdrawal when `withdrawing`) and settles its rows.
  Status SendBatch(std::vector<QueuedShare> batch, Exchange& exchange, bool withdrawing,
                   ShareRun& run);
  Result<ShareRun> SendRows(const ExchangeRecord& record, Exchange& exchange,
                            std::vector<QueuedShare> due, bool withdrawing);

  cases::CaseStore& cases_;
  ExchangeStore& exchanges_;
  ShareQueue& queue_;
  const std::shared_ptr<const Clock> clock_;
  const ShareOutboxOptions options_;
};

}  // namespace vigil::exchange

#endif  // VIGIL_EXCHANGE_SHARE_OUTBOX_H_
