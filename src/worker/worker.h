// Worker: one scale-out worker process's loop (`vigil worker`). Threads pull scan jobs from a
// queue::JobSource, run each through the detection pipeline inside JobLedger::RunOnce (so the
// item's case, flags, counters and ledger row commit together, once), and settle the delivery
// only after that commit:
//
//   processed (now or before) -> Ack      a redelivery of a committed job changes nothing
//   error, attempt < max      -> Retry    delivered again after retry_delay
//   error, attempt = max      -> DeadLetter with the error
//   attempt > max             -> DeadLetter unprocessed: it was delivered that often without being
//                                settled, i.e. it crashes or stalls every worker that takes it
//   not allowed by the legal basis (privacy/legal_basis.h) -> Ack, counted as refused
//
// In-flight work is bounded: each of `threads` threads holds at most `batch` deliveries.
//
// Bank changes reach the matcher through LiveMatcher (live_matcher.h).
//
// Account ids (docs/privacy.md, "Scale-out"; Art 3(1)(h)-(i)): with AccountKeys the worker
// stores only pseudonyms and keeps the clear id sealed (privacy::KeepClearAccountId) for each case
// it opens or adds to, inside the ledger transaction, so a crash leaves neither a case without its
// sealed id nor a sealed id without its case:
//
//   pseudonym + sealed id  -> the sealed id is opened and checked against the pseudonym
//   pseudonym alone        -> stored as given (the publisher pseudonymised; reports carry it)
//   clear id alone         -> pseudonymised here, the clear id kept sealed (it crossed the queue
//                             in clear: the publisher should pseudonymise, but nothing clear is
//                             stored)
//   clear id + sealed id   -> refused (contradictory)
//
// Without keys a job is taken as given, except one carrying a sealed id, which is refused: its
// clear id could not be kept for a report. Refused and unopenable jobs fail with an error naming
// the job, are retried (another worker may have the keys) and then dead-lettered.
//
// Thread safety: Run blocks its caller; Handle and Metrics may be called from any thread.
#ifndef VIGIL_WORKER_WORKER_H_
#define VIGIL_WORKER_WORKER_H_

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "detect/pipeline.h"
#include "privacy/evidence_cipher.h"
#include "privacy/privacy_store.h"
#include "privacy/pseudonym.h"
#include "queue/job.h"
#include "queue/ledger.h"
#include "queue/queue.h"

namespace vigil::worker {

// The technologies a hash-only job runs, as recorded in the ledger.
inline constexpr char kHashJobTechnologies[] = "pdq@1+md5@1+sha256@1";

struct WorkerOptions {
  std::string name = "worker";
  int threads = 2;
  int batch = 4;  // deliveries fetched at once per thread
  int max_deliver = 5;
  std::chrono::milliseconds retry_delay{1000};
  std::chrono::milliseconds fetch_wait{500};
  std::string technology_version = kHashJobTechnologies;
};

// Upper bounds of the latency histogram's buckets, in milliseconds (plus +Inf).
inline constexpr std::array<int64_t, 10> kLatencyBucketsMs = {5,   10,  25,   50,   100,
                                                              250, 500, 1000, 2500, 10000};

struct WorkerMetrics {
  uint64_t processed = 0;      // jobs whose results this worker committed
  uint64_t duplicates = 0;     // jobs found already processed (a redelivery), acked
  uint64_t refused = 0;        // jobs the legal basis did not allow to scan, acked
  uint64_t retried = 0;        // failed deliveries handed back for another try
  uint64_t dead_lettered = 0;  // jobs sent to the dead-letter stream
  uint64_t redeliveries = 0;   // deliveries with attempt > 1
  uint64_t flagged = 0;        // processed jobs that were flagged
  uint64_t fetch_errors = 0;   // failed fetches (engine unreachable)
  uint64_t lag = 0;            // jobs waiting behind the newest delivery
  // End-to-end latency (enqueue to commit) of processed jobs: count per bucket, then +Inf.
  std::array<uint64_t, kLatencyBucketsMs.size() + 1> latency_buckets{};
  double latency_sum_seconds = 0;
  double started_unix_seconds = 0;
};

// The keys for pseudonymising account ids (see above); all three set, or none.
struct AccountKeys {
  const privacy::Pseudonymiser* pseudonyms = nullptr;
  const privacy::EvidenceCipher* cipher = nullptr;  // seals and opens clear ids
  privacy::PrivacyStore* store = nullptr;           // where sealed ids are kept (case_accounts)
};

class Worker {
 public:
  // A source for one thread (e.g. NatsQueue::OpenJobSource).
  using SourceFactory = std::function<Result<std::unique_ptr<queue::JobSource>>()>;

  // `ledger`, `pipeline`, `clock` and what `keys` points to must outlive the worker.
  Worker(WorkerOptions options, SourceFactory sources, queue::JobLedger& ledger,
         const detect::Pipeline& pipeline, std::shared_ptr<const Clock> clock,
         AccountKeys keys = {});

  // Runs the threads until `stop` is set; returns after they finish their current deliveries.
  // An error only if no thread could open its source.
  Status Run(const std::atomic<bool>& stop);

  // Processes and settles one delivery (what each thread does per delivery). The returned
  // status is the settle call's; processing errors are settled, not returned.
  Status Handle(queue::Delivery& delivery);

  WorkerMetrics Metrics() const;
  // The metrics in Prometheus text format, labelled worker="<name>".
  std::string PrometheusText() const;

  const WorkerOptions& options() const { return options_; }

 private:
  void Loop(queue::JobSource& source, const std::atomic<bool>& stop);
  struct JobAccountIds {
    std::string stored;  // what the case records
    std::string clear;   // to keep sealed; empty when none
  };
  Result<JobAccountIds> AccountOf(const queue::ScanJob& job, std::string_view where) const;
  Result<queue::LedgerOutcome> Process(const queue::ScanJob& job, std::string_view where) const;
  Status Fail(queue::Delivery& delivery, const Status& error);
  void ObserveLatency(int64_t enqueued_ns);

  const WorkerOptions options_;
  SourceFactory sources_;
  queue::JobLedger& ledger_;
  const detect::Pipeline& pipeline_;
  std::shared_ptr<const Clock> clock_;
  const AccountKeys keys_;

  mutable std::mutex mu_;
  WorkerMetrics metrics_;  // guarded by mu_
};

// The pipeline's view of a job: its input and hashes. kInvalidArgument for bad hex.
Result<detect::MediaHashes> HashesOfJob(const queue::ScanJob& job);

}  // namespace vigil::worker

#endif  // VIGIL_WORKER_WORKER_H_
