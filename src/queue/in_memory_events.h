// InMemoryBankEvents: the BankEvents fake for unit tests. Events are numbered from 1 in the order
// published; a subscriber gets them only when the test calls Deliver(), on the test's thread, so
// a test decides exactly when an event reaches a subscriber (for instance, while a subscriber is
// loading a snapshot). Like the NATS stream it never forgets an event.
//
// Thread safety: Publish, LastSequence and Subscribe from any thread; Deliver and the end of a
// subscription from one thread (the test's).
#ifndef VIGIL_QUEUE_IN_MEMORY_EVENTS_H_
#define VIGIL_QUEUE_IN_MEMORY_EVENTS_H_

#include <memory>
#include <mutex>
#include <vector>

#include "queue/queue.h"

namespace vigil::queue {

class InMemoryBankEvents final : public BankEvents {
 public:
  // kUnavailable while SetUnavailable(true) (the engine is down); nothing is kept then.
  Status Publish(const BankEvent& event) override;
  Result<uint64_t> LastSequence() override;
  Result<std::unique_ptr<EventSubscription>> Subscribe(
      uint64_t after, std::function<void(uint64_t sequence, const BankEvent&)> fn) override;

  // Hands each live subscriber every event it has not had, in order, including events published
  // by the subscribers meanwhile; returns how many calls it made.
  size_t Deliver();
  void SetUnavailable(bool unavailable);

  struct Subscriber;  // internal (in_memory_events.cc)

 private:
  std::mutex mu_;
  std::vector<BankEvent> events_;                         // guarded by mu_; sequence = index + 1
  std::vector<std::shared_ptr<Subscriber>> subscribers_;  // guarded by mu_
  bool unavailable_ = false;                              // guarded by mu_
};

}  // namespace vigil::queue

#endif  // VIGIL_QUEUE_IN_MEMORY_EVENTS_H_
