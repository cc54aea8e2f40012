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
  uint64_t requests = 0;  // share requests copied into the queue
  uint64_t shared = 0, refused = 0, failed = 0;
  std::vector<std::string> errors{};  // one per exchange that failed, naming it
};

class ShareOutbox {
 public:
  // References must outlive the outbox.
  ShareOutbox(cases::CaseStore& cases, ExchangeStore& exchanges, ShareQueue& queue,
              std::shared_ptr<const Clock> clock, ShareOutboxOptions options = {});

  // Copies every share request after the queue's mark (see the top).
  Result<uint64_t> Collect();

  // Sends the due rows of `record`'s exchange through `exchange` (see the top). Nothing is sent
  // when the organisation's consent is off (the rows wait) or the client cannot share.
  Result<ShareRun> SendDue(const ExchangeRecord& record, Exchange& exchange);

  // Collect, then SendDue for every exchange with consent, each opened with `open`; an exchange
  // that cannot be opened is named in errors and the others still run.
  Result<ShareRun> Run(const OpenOptions& open);

  // The wait after `attempts` failed attempts: first_backoff doubling, capped at max_backoff.
  std::chrono::seconds Backoff(int attempts) const;

 private:
  Result<std::vector<SharedHash>> HashesOf(cases::CaseId id);
  Status SendBatch(std::vector<QueuedShare> batch, Exchange& exchange, ShareRun& run);

  cases::CaseStore& cases_;
  ExchangeStore& exchanges_;
  ShareQueue& queue_;
  const std::shared_ptr<const Clock> clock_;
  const ShareOutboxOptions options_;
};

}  // namespace vigil::exchange

#endif  // VIGIL_EXCHANGE_SHARE_OUTBOX_H_
