// LiveMatcher: a match::Matcher kept current with the bank events of every node.
//
// Start reads the event stream's last sequence S, THEN loads the matcher from the database, then
// subscribes from S + 1. Every event up to S describes a change committed before the load began
// (events are published after the commit), so the load includes it; every later change arrives
// as an event. An event may also describe a change the load already saw; applying it is
// harmless because the applier reads the entry's current state from the database and adds or
// removes it accordingly (an entry already indexed stays indexed once).
//
// The subscription resumes after a reconnect where it was (queue/nats.h), so a worker that loses
// the server for a while catches up on the events it missed.
//
// A bank created after the start (its kBankCreated event, or the first event for an entry of a
// bank the matcher does not know, should the creation's event have been lost) joins the matcher
// when it matches every bank: Matcher::AddBank loads the bank's entries as they are then, and
// the events after this one bring the rest, by the same argument as at the start. Events are
// applied one at a time on the subscription's thread, so no entry event of that bank is applied
// while its entries load; an entry committed after the load read the bank was committed after
// this event was published, so its own event comes later in the stream.
//
// Thread safety: matcher() is safe from any thread while events are applied; Apply from one
// thread at a time (the subscription's).
#ifndef VIGIL_WORKER_LIVE_MATCHER_H_
#define VIGIL_WORKER_LIVE_MATCHER_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "bank/bank_store.h"
#include "match/matcher.h"
#include "queue/queue.h"

namespace vigil::worker {

class LiveMatcher {
 public:
  // `store` and `events` must outlive the LiveMatcher. Errors from the event stream, the load
  // and the subscription.
  static Result<std::unique_ptr<LiveMatcher>> Start(bank::BankStore& store,
                                                    const match::MatcherOptions& options,
                                                    queue::BankEvents& events);
  ~LiveMatcher();

  const match::Matcher& matcher() const { return *matcher_; }
  // The sequence of the newest event applied (or S at start), and how many failed to apply.
  uint64_t applied_sequence() const { return applied_.load(); }
  uint64_t failed_events() const { return failed_.load(); }

  // Applies one event (what the subscription calls); public for tests.
  Status Apply(uint64_t sequence, const queue::BankEvent& event);
  // Bank changes this matcher applied (entries indexed or removed, banks added); an event that
  // repeats what the matcher holds changes nothing and is not counted.
  uint64_t changes() const { return changes_.load(); }

  LiveMatcher(bank::BankStore& store, std::unique_ptr<match::Matcher> matcher, uint64_t start)
      : store_(store), matcher_(std::move(matcher)), applied_(start) {}

 private:
  bank::BankStore& store_;
  std::unique_ptr<match::Matcher> matcher_;
  std::atomic<uint64_t> applied_;
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> changes_{0};
  std::unique_ptr<queue::EventSubscription> subscription_;  // ends first (declared last)
};

}  // namespace vigil::worker

#endif  // VIGIL_WORKER_LIVE_MATCHER_H_
