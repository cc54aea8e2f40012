// The queue on NATS JetStream (libnats, the C client): scan jobs in a work-queue stream that one
// durable pull consumer shares among all workers, poison jobs in a dead-letter stream, and bank
// events in a limits stream that every worker reads from its own position.
//
//   stream     subject             retention   what
//   VIGIL_JOBS vigil.jobs          work queue  scan jobs; DiscardNew at max_jobs (back-pressure),
//                                              de-duplicated by item id (Nats-Msg-Id)
//   VIGIL_DEAD vigil.dead          limits      jobs given up after max_deliver deliveries
//   VIGIL_BANK vigil.bank.events   limits      bank entry added / retired
//
// Streams and the consumer are created on first use with `options` (an existing stream is used
// as it is). The connection reconnects on its own, without limit; calls made while it is down
// fail with kUnavailable, and the jobs a lost worker held are delivered again after ack_wait.
//
// Thread safety: NatsQueue and its publisher, dead letters and bank events are safe from any
// thread; each JobSource (OpenJobSource) belongs to one thread.
#ifndef VIGIL_QUEUE_NATS_H_
#define VIGIL_QUEUE_NATS_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "queue/queue.h"

namespace vigil::queue {

struct NatsOptions {
  std::string url = "nats://127.0.0.1:4222";
  std::string client_name = "vigil";
  std::string jobs_stream = "VIGIL_JOBS";
  std::string jobs_subject = "vigil.jobs";
  std::string dead_stream = "VIGIL_DEAD";
  std::string dead_subject = "vigil.dead";
  std::string events_stream = "VIGIL_BANK";
  std::string events_subject = "vigil.bank.events";
  std::string consumer = "vigil-workers";  // the durable consumer all workers share
  // The job stream's limit: publishing beyond it is refused (back-pressure).
  int64_t max_jobs = 1'000'000;
  // Deliveries of a failing job before it goes to the dead-letter stream.
  int max_deliver = 5;
  // A delivery not settled within this is delivered again (the worker is presumed dead).
  std::chrono::milliseconds ack_wait{30'000};
  // Deliveries unsettled at once across all workers.
  int64_t max_ack_pending = 10'000;
  // Re-publishes of one item id within this window are dropped.
  std::chrono::seconds dedup_window{120};
  // Stream storage: files under the server's store directory (survives restarts) or memory.
  bool file_storage = true;
};

class NatsQueue : public JobPublisher, public DeadLetters, public BankEvents {
 public:
  // Connects (retrying while the server is not yet up, up to about 5 s) and creates what is
  // missing. kInvalidArgument for bad options; kUnavailable when the server cannot be reached or
  // has no JetStream.
  static Result<std::unique_ptr<NatsQueue>> Connect(const NatsOptions& options);
  ~NatsQueue() override;

  // A pull source on the shared consumer, for one worker thread.
  Result<std::unique_ptr<JobSource>> OpenJobSource();

  // JobPublisher.
  Status Publish(std::string_view dedup_id, std::string_view data) override;
  Result<QueueDepth> Depth() override;

  // DeadLetters.
  Result<std::vector<DeadLetter>> List(uint64_t after, size_t limit) override;
  Result<uint64_t> Count() override;
  Result<DeadLetter> Get(uint64_t sequence) override;
  Status Requeue(uint64_t sequence) override;
  Status Discard(uint64_t sequence) override;

  // BankEvents.
  Status Publish(const BankEvent& event) override;
  Result<uint64_t> LastSequence() override;
  Result<std::unique_ptr<EventSubscription>> Subscribe(
      uint64_t after, std::function<void(uint64_t, const BankEvent&)> fn) override;

  // Jobs the shared consumer has not yet delivered, and deliveries not yet settled.
  struct ConsumerState {
    uint64_t pending = 0;
    int64_t ack_pending = 0;
    int64_t redelivered = 0;
  };
  Result<ConsumerState> Consumer();

  const NatsOptions& options() const { return options_; }

  struct Impl;  // libnats handles (nats.cc)

 private:
  explicit NatsQueue(NatsOptions options, std::unique_ptr<Impl> impl);

  const NatsOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::queue

#endif  // VIGIL_QUEUE_NATS_H_
