// Public face of the `queue` module: how scan jobs and bank events move between the ingest side
// (vigil serve, an ingest client) and the scale-out workers (vigil worker), independent of the
// engine that moves them. nats.h implements it on NATS JetStream; docs/scaling.md says what an
// implementation on Redis Streams or Kafka would map each call to.
//
// Delivery is at-least-once: a job is delivered again when a worker dies or is too slow before it
// settles it. Workers make processing exactly-once with the JobLedger (ledger.h), written in the
// same transaction as the results, and settle a delivery only after that commit.
//
// Thread safety: a JobSource belongs to one thread (open one per worker thread); a Delivery to the
// thread that fetched it; JobPublisher, DeadLetters and BankEvents are safe from any thread.
#ifndef VIGIL_QUEUE_QUEUE_H_
#define VIGIL_QUEUE_QUEUE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::queue {

// One delivery of a job. Settle it exactly once: Ack, Retry or DeadLetter.
class Delivery {
 public:
  virtual ~Delivery() = default;

  virtual std::string_view data() const = 0;
  // The engine's id of the job ("VIGIL_JOBS:17"), the same on every delivery of it.
  virtual const std::string& id() const = 0;
  // 1 on the first delivery, 2 on the first redelivery, ...
  virtual uint64_t attempt() const = 0;
  // When the job entered the queue (nanoseconds since the epoch), for end-to-end latency.
  virtual int64_t enqueued_ns() const = 0;
  // Jobs still waiting behind this one for the worker group when it was delivered (the lag).
  virtual uint64_t pending() const = 0;

  // Processed: it is not delivered again.
  virtual Status Ack() = 0;
  // Not processed: delivered again after `delay` (to this or another worker).
  virtual Status Retry(std::chrono::milliseconds delay) = 0;
  // A poison job: copied to the dead-letter stream with `reason`, then never delivered again.
  virtual Status DeadLetter(std::string_view reason) = 0;
};

class JobSource {
 public:
  virtual ~JobSource() = default;
  // Up to `max` deliveries, waiting at most `wait` for the first; empty when none came.
  // kUnavailable while the engine cannot be reached (the caller waits and tries again).
  virtual Result<std::vector<std::unique_ptr<Delivery>>> Fetch(int max,
                                                               std::chrono::milliseconds wait) = 0;
};

// How full the job stream is, for back-pressure.
struct QueueDepth {
  uint64_t jobs = 0;      // jobs in the stream (waiting or being processed)
  uint64_t max_jobs = 0;  // the stream's limit (0: none)
};

class JobPublisher {
 public:
  virtual ~JobPublisher() = default;
  // Adds a job. `dedup_id` (the item id) makes a re-publish of the same job within the engine's
  // de-duplication window a no-op. kResourceExhausted when the stream is at its limit (retry
  // later: back-pressure); kUnavailable when the engine cannot be reached.
  virtual Status Publish(std::string_view dedup_id, std::string_view data) = 0;
  virtual Result<QueueDepth> Depth() = 0;
};

// A job the workers gave up on.
struct DeadLetter {
  uint64_t sequence = 0;    // in the dead-letter stream
  std::string job_id;       // Delivery::id of the job
  uint64_t deliveries = 0;  // how often it was tried
  std::string reason;       // the last error
  std::string data;         // the job as published
  int64_t at_ns = 0;        // when it was dead-lettered
};

class DeadLetters {
 public:
  virtual ~DeadLetters() = default;
  // Up to `limit` dead letters, oldest first, starting after sequence `after`.
  virtual Result<std::vector<DeadLetter>> List(uint64_t after, size_t limit) = 0;
  virtual Result<uint64_t> Count() = 0;
  // The dead letter `sequence`; kNotFound when there is none (never was, or settled).
  virtual Result<DeadLetter> Get(uint64_t sequence) = 0;
  // Settles a dead letter by publishing its job again as a new job (delivered from attempt 1;
  // the job ledger still makes it run at most once), then removing the dead letter. Repeating a
  // re-queue whose removal failed does not queue the job twice within the de-duplication window.
  // kNotFound when there is no such dead letter; kResourceExhausted when the job stream is full.
  virtual Status Requeue(uint64_t sequence) = 0;
  // Settles a dead letter by removing it without running its job. kNotFound as above.
  virtual Status Discard(uint64_t sequence) = 0;
};

// A change to the banks, made in the database before the event is published: an entry added or
// retired (entry_id), or a bank created (bank_id; matchers that match every bank start matching
// it). Workers read the entry's or bank's current state from the database when they apply it, so
// applying an event twice or late is harmless.
struct BankEvent {
  enum class Kind { kAdded, kRetired, kBankCreated };
  Kind kind = Kind::kAdded;
  int64_t entry_id = 0;  // kAdded, kRetired
  int64_t bank_id = 0;   // kBankCreated
  bool operator==(const BankEvent&) const = default;
};

// "entry 7" or "bank 3", for messages.
std::string BankEventSubject(const BankEvent& event);
std::string EncodeBankEvent(const BankEvent& event);
// kInvalidArgument naming `where` for anything but an encoded event.
Result<BankEvent> DecodeBankEvent(std::string_view data, std::string_view where);

// A live subscription; events stop when it is destroyed.
class EventSubscription {
 public:
  virtual ~EventSubscription() = default;
};

class BankEvents {
 public:
  virtual ~BankEvents() = default;
  virtual Status Publish(const BankEvent& event) = 0;
  // The sequence number of the newest event (0 when there is none).
  virtual Result<uint64_t> LastSequence() = 0;
  // Calls `fn` with every event after `after` in order, then with each new one, on a library
  // thread, until the subscription ends; it resumes where it was after a reconnect.
  virtual Result<std::unique_ptr<EventSubscription>> Subscribe(
      uint64_t after, std::function<void(uint64_t sequence, const BankEvent&)> fn) = 0;
};

}  // namespace vigil::queue

#endif  // VIGIL_QUEUE_QUEUE_H_
