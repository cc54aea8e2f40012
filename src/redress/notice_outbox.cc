#include "redress/notice_outbox.h"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>

namespace vigil::redress {
namespace {

class WebhookSink final : public NoticeSink {
 public:
  WebhookSink(const WebhookConfig& config, std::string origin, std::string path)
      : config_(config), http_(origin), path_(std::move(path)) {
    http_.set_connection_timeout(config.timeout);
    http_.set_read_timeout(config.timeout);
    http_.set_write_timeout(config.timeout);
    http_.set_keep_alive(false);
    http_.set_follow_location(false);
    if (!config.bearer_token.empty()) http_.set_bearer_token_auth(config.bearer_token);
  }

  SinkAnswer Deliver(const Notice& n) override {
    const httplib::Headers headers = {{"Idempotency-Key", fmt::format("notice-{}", n.id)}};
    httplib::Result r = http_.Post(path_, headers, n.body, "application/json");
    if (!r) {
      return {SinkAnswer::Kind::kRetry,
              fmt::format("webhook {} failed: {}", config_.url, httplib::to_string(r.error()))};
    }
    const int status = r->status;
    const std::string detail = fmt::format("webhook answered {}", status);
    if (status >= 200 && status < 300) return {SinkAnswer::Kind::kDelivered, detail};
    if (status == 410) return {SinkAnswer::Kind::kAccountDeleted, detail + ": account deleted"};
    if (status == 408 || status == 429 || status >= 500) return {SinkAnswer::Kind::kRetry, detail};
    return {SinkAnswer::Kind::kRefused, detail};
  }

 private:
  const WebhookConfig config_;
  httplib::Client http_;
  const std::string path_;
};

}  // namespace

Result<std::unique_ptr<NoticeSink>> MakeWebhookSink(const WebhookConfig& config) {
  const std::string& url = config.url;
  const size_t scheme = url.find("://");
  if (url.empty() || scheme == std::string::npos) {
    return InvalidArgumentError(
        "no webhook URL configured for user notices (\"webhook\": {\"url\": ...})");
  }
  const size_t slash = url.find('/', scheme + 3);
  std::string origin = slash == std::string::npos ? url : url.substr(0, slash);
  std::string path = slash == std::string::npos ? "/" : url.substr(slash);
  if (origin.size() <= scheme + 3) {
    return InvalidArgumentError(fmt::format("webhook URL {} has no host", url));
  }
  return std::unique_ptr<NoticeSink>(new WebhookSink(config, std::move(origin), std::move(path)));
}

NoticeOutbox::NoticeOutbox(RedressStore& store, NoticeSink& sink,
                           std::shared_ptr<const Clock> clock, WebhookConfig config)
    : store_(store), sink_(sink), clock_(std::move(clock)), config_(std::move(config)) {}

std::chrono::seconds NoticeOutbox::Backoff(int attempts) const {
  std::chrono::seconds wait = config_.first_backoff;
  for (int i = 1; i < attempts && wait < config_.max_backoff; ++i) wait *= 2;
  return std::min(wait, config_.max_backoff);
}

Status NoticeOutbox::SendOne(Notice n, NoticeSendSummary& summary) {
  // Claim: push the next attempt past the time a delivery can take, so another sender skips it.
  const TimePoint now = clock_->Now();
  n.next_attempt_at =
      now + std::chrono::ceil<std::chrono::seconds>(config_.timeout) * 3 + std::chrono::seconds(1);
  ASSIGN_OR_RETURN(bool claimed, store_.UpdateNotice(n));
  if (!claimed) return Status::Ok();  // another sender has it
  ++n.version;
  const SinkAnswer answer = sink_.Deliver(n);
  ++n.attempts;
  n.last_error = answer.kind == SinkAnswer::Kind::kDelivered ? "" : answer.detail;
  switch (answer.kind) {
    case SinkAnswer::Kind::kDelivered:
      n.state = NoticeState::kDelivered;
      n.delivered_at = clock_->Now();
      ++summary.delivered;
      break;
    case SinkAnswer::Kind::kAccountDeleted:
      n.state = NoticeState::kAccountDeleted;  // terminal: nobody left to notify
      ++summary.account_deleted;
      break;
    case SinkAnswer::Kind::kRefused:
      n.state = NoticeState::kFailed;
      ++summary.failed;
      break;
    case SinkAnswer::Kind::kRetry:
      if (n.attempts >= config_.max_attempts) {
        n.state = NoticeState::kFailed;
        n.last_error += fmt::format(" (gave up after {} attempts)", n.attempts);
        ++summary.failed;
      } else {
        n.next_attempt_at = clock_->Now() + Backoff(n.attempts);
        ++summary.retrying;
      }
      break;
  }
  if (answer.kind != SinkAnswer::Kind::kDelivered) {
    summary.errors.push_back(fmt::format("notice {} (case {}): {}", n.id, n.case_id, n.last_error));
  }
  ASSIGN_OR_RETURN(bool stored, store_.UpdateNotice(n));
  if (!stored) {
    return UnavailableError(fmt::format("notice {} changed while it was being sent", n.id));
  }
  return Status::Ok();
}

Result<NoticeSendSummary> NoticeOutbox::SendDue(size_t limit) {
  ASSIGN_OR_RETURN(std::vector<Notice> due, store_.ListDueNotices(clock_->Now(), limit));
  NoticeSendSummary summary;
  for (Notice& n : due) RETURN_IF_ERROR(SendOne(std::move(n), summary));
  return summary;
}

}  // namespace vigil::redress
