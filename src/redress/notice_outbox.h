// The notice outbox sender (Art 3(1)(g)(vi)): delivers the user notices the redress store holds
// to the operator's webhook, which tells the user. A sender claims a due notice by pushing its
// next attempt ahead (compare-and-set, so two senders never both send it), posts it with an
// idempotency key ("notice-<id>") so a resend after a crash can be recognised, and records the
// answer: delivered; account deleted (410 Gone: a clear terminal state, nobody to notify);
// retried with exponential backoff (connection failure, timeout, 408, 429, 5xx); failed for good
// (other answers, or out of attempts) for a person to look at.
//
// Thread safety: one NoticeOutbox per thread; several may run against one store.
#ifndef VIGIL_REDRESS_NOTICE_OUTBOX_H_
#define VIGIL_REDRESS_NOTICE_OUTBOX_H_

#include <memory>
#include <string>
#include <vector>

#include "redress/config.h"
#include "redress/redress_store.h"

namespace vigil::redress {

// What the destination answered to one notice.
struct SinkAnswer {
  enum class Kind { kDelivered, kAccountDeleted, kRetry, kRefused };
  Kind kind = Kind::kRetry;
  std::string detail{};  // e.g. "webhook answered 503"
};

class NoticeSink {
 public:
  virtual ~NoticeSink() = default;
  // Delivers `notice` once; never throws, every failure is an answer.
  virtual SinkAnswer Deliver(const Notice& notice) = 0;
};

// POSTs the notice body as JSON to the configured URL (cpp-httplib, timeouts from the config).
// kInvalidArgument for a config without a URL or with a malformed one.
Result<std::unique_ptr<NoticeSink>> MakeWebhookSink(const WebhookConfig& config);

struct NoticeSendSummary {
  int delivered = 0;
  int account_deleted = 0;
  int retrying = 0;
  int failed = 0;
  std::vector<std::string> errors{};  // one line per notice not delivered
};

class NoticeOutbox {
 public:
  // `store` and `sink` must outlive the outbox. Backoff and attempts come from `config`.
  NoticeOutbox(RedressStore& store, NoticeSink& sink, std::shared_ptr<const Clock> clock,
               WebhookConfig config);

  // Delivers every notice due now (at most `limit`), once each.
  Result<NoticeSendSummary> SendDue(size_t limit = 100);

 private:
  Status SendOne(Notice n, NoticeSendSummary& summary);
  std::chrono::seconds Backoff(int attempts) const;

  RedressStore& store_;
  NoticeSink& sink_;
  std::shared_ptr<const Clock> clock_;
  const WebhookConfig config_;
};

}  // namespace vigil::redress

#endif  // VIGIL_REDRESS_NOTICE_OUTBOX_H_
