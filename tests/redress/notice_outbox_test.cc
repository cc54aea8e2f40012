// The notice outbox against a fake webhook on loopback that can fail on demand: delivery with
// the idempotency key and token, retries with backoff on 5xx, slowness and a server that is
// down, giving up after the most attempts, refusal, and the terminal state for a deleted
// account.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

#include "redress/redress_test_support.h"

namespace vigil::redress::testing {
namespace {

// Answers each POST with the next scripted status (200 once the script runs out), optionally
// after a delay; remembers what it received.
class FakeWebhook {
 public:
  FakeWebhook() {
    server_.Post("/notices", [this](const httplib::Request& req, httplib::Response& res) {
      int status = 200;
      int delay_ms = 0;
      {
        std::lock_guard<std::mutex> lock(mu_);
        bodies_.push_back(req.body);
        keys_.push_back(req.get_header_value("Idempotency-Key"));
        auth_ = req.get_header_value("Authorization");
        if (!script_.empty()) {
          status = script_.front();
          script_.pop_front();
        }
        delay_ms = delay_ms_;
      }
      if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      res.status = status;
      res.set_content("{}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeWebhook() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return fmt::format("http://127.0.0.1:{}/notices", port_); }
  void Script(std::deque<int> statuses) {
    std::lock_guard<std::mutex> lock(mu_);
    script_ = std::move(statuses);
  }
  void SetDelay(int ms) {
    std::lock_guard<std::mutex> lock(mu_);
    delay_ms_ = ms;
  }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }
  std::vector<std::string> keys() {
    std::lock_guard<std::mutex> lock(mu_);
    return keys_;
  }
  std::string auth() {
    std::lock_guard<std::mutex> lock(mu_);
    return auth_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::deque<int> script_;  // guarded by mu_
  int delay_ms_ = 0;        // guarded by mu_
  std::vector<std::string> bodies_, keys_;
  std::string auth_;
};

class NoticeOutboxTest : public RedressFixture {
 protected:
  WebhookConfig Webhook(const std::string& url) {
    return WebhookConfig{.url = url,
                         .bearer_token = "s3cret",
                         .timeout = std::chrono::milliseconds(300),
                         .max_attempts = 3,
                         .first_backoff = std::chrono::seconds(10),
                         .max_backoff = std::chrono::seconds(15)};
  }
  Notice OneNotice() {
    const cases::Case c = DecidedCase();
    Act(c.id, ActionKind::kRemoveContent, "item-1");
    return redress_.ListNotices(c.id)->front();
  }
  NoticeSendSummary Send(NoticeOutbox& outbox) {
    auto s = outbox.SendDue();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : NoticeSendSummary{};
  }

  FakeWebhook webhook_;
};

TEST_F(NoticeOutboxTest, DeliversTheBodyWithItsIdempotencyKeyAndToken) {
  const Notice n = OneNotice();
  auto sink = MakeWebhookSink(Webhook(webhook_.url()));
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  NoticeOutbox outbox(redress_, **sink, clock_, Webhook(webhook_.url()));
  const NoticeSendSummary s = Send(outbox);
  EXPECT_EQ(s.delivered, 1);
  EXPECT_EQ(webhook_.bodies(), std::vector<std::string>{n.body});
  EXPECT_EQ(webhook_.keys(), std::vector<std::string>{fmt::format("notice-{}", n.id)});
  EXPECT_EQ(webhook_.auth(), "Bearer s3cret");
  const Notice after = *redress_.GetNotice(n.id);
  EXPECT_EQ(after.state, NoticeState::kDelivered);
  EXPECT_EQ(after.attempts, 1);
  EXPECT_EQ(after.delivered_at, kStart);
  EXPECT_EQ(Send(outbox).delivered, 0);  // delivered once only
  EXPECT_EQ(webhook_.bodies().size(), 1u);
}

TEST_F(NoticeOutboxTest, ServerErrorsAreRetriedWithBackoff) {
  const Notice n = OneNotice();
  webhook_.Script({503, 500});
  auto sink = MakeWebhookSink(Webhook(webhook_.url()));
  NoticeOutbox outbox(redress_, **sink, clock_, Webhook(webhook_.url()));
  NoticeSendSummary s = Send(outbox);
  EXPECT_EQ(s.retrying, 1);
  EXPECT_EQ(s.errors, std::vector<std::string>{fmt::format(
                          "notice {} (case {}): webhook answered 503", n.id, n.case_id)});
  Notice after = *redress_.GetNotice(n.id);
  EXPECT_EQ(after.state, NoticeState::kPending);
  EXPECT_EQ(after.next_attempt_at, kStart + std::chrono::seconds(10));
  EXPECT_EQ(Send(outbox).retrying, 0);  // not due before the backoff
  clock_->Advance(std::chrono::seconds(10));
  EXPECT_EQ(Send(outbox).retrying, 1);
  EXPECT_EQ(redress_.GetNotice(n.id)->next_attempt_at,
            kStart + std::chrono::seconds(10 + 15));  // doubled, capped at max_backoff
  clock_->Advance(std::chrono::seconds(15));
  EXPECT_EQ(Send(outbox).delivered, 1);
  after = *redress_.GetNotice(n.id);
  EXPECT_EQ(after.state, NoticeState::kDelivered);
  EXPECT_EQ(after.attempts, 3);
  EXPECT_EQ(after.last_error, "");
}

TEST_F(NoticeOutboxTest, ASlowWebhookTimesOutAndIsRetried) {
  const Notice n = OneNotice();
  webhook_.SetDelay(1000);
  auto sink = MakeWebhookSink(Webhook(webhook_.url()));
  NoticeOutbox outbox(redress_, **sink, clock_, Webhook(webhook_.url()));
  EXPECT_EQ(Send(outbox).retrying, 1);
  const Notice after = *redress_.GetNotice(n.id);
  EXPECT_EQ(after.state, NoticeState::kPending);
  EXPECT_NE(after.last_error.find("failed: "), std::string::npos) << after.last_error;
  webhook_.SetDelay(0);
}

TEST_F(NoticeOutboxTest, AWebhookThatIsDownFailsAfterTheMostAttempts) {
  const Notice n = OneNotice();
  // A port nobody listens on: bind one and let it go.
  int port = 0;
  {
    httplib::Server probe;
    port = probe.bind_to_any_port("127.0.0.1");
  }
  const WebhookConfig down = Webhook(fmt::format("http://127.0.0.1:{}/notices", port));
  auto sink = MakeWebhookSink(down);
  NoticeOutbox outbox(redress_, **sink, clock_, down);
  for (int i = 0; i < 3; ++i) {
    Send(outbox);
    clock_->Advance(std::chrono::minutes(1));
  }
  const Notice after = *redress_.GetNotice(n.id);
  EXPECT_EQ(after.state, NoticeState::kFailed);
  EXPECT_EQ(after.attempts, 3);
  EXPECT_NE(after.last_error.find("(gave up after 3 attempts)"), std::string::npos)
      << after.last_error;
  EXPECT_EQ(Send(outbox).failed, 0);  // failed notices are no longer due
}

TEST_F(NoticeOutboxTest, ADeletedAccountIsATerminalStateAndRefusalsFail) {
  const cases::Case c = DecidedCase();
  Act(c.id, ActionKind::kRemoveContent, "item-1");
  Act(c.id, ActionKind::kSuspendAccount);
  webhook_.Script({410, 400});
  auto sink = MakeWebhookSink(Webhook(webhook_.url()));
  NoticeOutbox outbox(redress_, **sink, clock_, Webhook(webhook_.url()));
  const NoticeSendSummary s = Send(outbox);
  EXPECT_EQ(s.account_deleted, 1);
  EXPECT_EQ(s.failed, 1);
  auto notices = redress_.ListNotices(c.id);
  EXPECT_EQ((*notices)[0].state, NoticeState::kAccountDeleted);
  EXPECT_EQ((*notices)[0].last_error, "webhook answered 410: account deleted");
  EXPECT_EQ((*notices)[1].state, NoticeState::kFailed);
  EXPECT_EQ((*notices)[1].last_error, "webhook answered 400");
  clock_->Advance(std::chrono::hours(24));
  EXPECT_EQ(Send(outbox).delivered, 0);  // neither is sent again
  EXPECT_EQ(webhook_.bodies().size(), 2u);
}

TEST_F(NoticeOutboxTest, AWebhookNeedsAUrl) {
  EXPECT_EQ(MakeWebhookSink({}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeWebhookSink({.url = "http://"}).status().message(),
            "webhook URL http:// has no host");
}

}  // namespace
}  // namespace vigil::redress::testing
