#include "queue/in_memory_events.h"

#include <fmt/format.h>

namespace vigil::queue {

struct InMemoryBankEvents::Subscriber {
  std::function<void(uint64_t, const BankEvent&)> fn;
  uint64_t delivered = 0;  // the sequence of the last event handed over
  bool ended = false;      // guarded by the fake's mutex
};

namespace {

class InMemorySubscription final : public EventSubscription {
 public:
  InMemorySubscription(std::mutex& mu, std::shared_ptr<InMemoryBankEvents::Subscriber> s)
      : mu_(mu), subscriber_(std::move(s)) {}
  ~InMemorySubscription() override {
    std::lock_guard<std::mutex> lock(mu_);
    subscriber_->ended = true;
  }

 private:
  std::mutex& mu_;
  std::shared_ptr<InMemoryBankEvents::Subscriber> subscriber_;
};

}  // namespace

Status InMemoryBankEvents::Publish(const BankEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  if (unavailable_) {
    return UnavailableError(fmt::format("publishing bank event for {}: the event stream is down",
                                        BankEventSubject(event)));
  }
  events_.push_back(event);
  return Status::Ok();
}

Result<uint64_t> InMemoryBankEvents::LastSequence() {
  std::lock_guard<std::mutex> lock(mu_);
  if (unavailable_) return UnavailableError("reading the bank event stream: it is down");
  return events_.size();
}

Result<std::unique_ptr<EventSubscription>> InMemoryBankEvents::Subscribe(
    uint64_t after, std::function<void(uint64_t, const BankEvent&)> fn) {
  auto s = std::make_shared<Subscriber>();
  s->fn = std::move(fn);
  s->delivered = after;
  std::lock_guard<std::mutex> lock(mu_);
  if (unavailable_) return UnavailableError("subscribing to bank events: the stream is down");
  subscribers_.push_back(s);
  return std::unique_ptr<EventSubscription>(std::make_unique<InMemorySubscription>(mu_, s));
}

size_t InMemoryBankEvents::Deliver() {
  size_t calls = 0;
  for (bool more = true; more;) {
    more = false;
    std::vector<std::shared_ptr<Subscriber>> subscribers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      subscribers = subscribers_;
    }
    for (const auto& s : subscribers) {
      // One event at a time, outside the lock, so the callback may publish.
      for (;;) {
        BankEvent event;
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (s->ended || s->delivered >= events_.size()) break;
          event = events_[s->delivered];
        }
        s->fn(++s->delivered, event);
        ++calls;
        more = true;
      }
    }
  }
  return calls;
}

void InMemoryBankEvents::SetUnavailable(bool unavailable) {
  std::lock_guard<std::mutex> lock(mu_);
  unavailable_ = unavailable;
}

}  // namespace vigil::queue
