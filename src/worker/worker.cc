#include "worker/worker.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <thread>
#include <vector>

#include "core/text.h"
#include "hash/hash256.h"
#include "privacy/account_identity.h"

namespace vigil::worker {
namespace {

template <size_t N>
Result<std::array<uint8_t, N>> DigestFromHex(std::string_view hex, std::string_view what) {
  std::array<uint8_t, N> out{};
  if (hex.size() != 2 * N) {
    return InvalidArgumentError(fmt::format("{} must be {} hex digits", what, 2 * N));
  }
  if (!HexToBytes(hex, out).ok()) {
    return InvalidArgumentError(fmt::format("{} is not hex", what));
  }
  return out;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<detect::MediaHashes> HashesOfJob(const queue::ScanJob& job) {
  detect::MediaHashes h;
  h.type = media::MediaType::kUnknown;
  if (job.pdq) {
    ASSIGN_OR_RETURN(h.pdq, hash::Hash256::FromHex(*job.pdq));
    h.pdq_quality = job.pdq_quality;
  }
  // Without a PDQ hash the item is matched by its digests only: quality 0 keeps the all-zero
  // hash from being matched (the matcher refuses low quality).
  ASSIGN_OR_RETURN(h.md5, DigestFromHex<16>(job.md5, "md5"));
  ASSIGN_OR_RETURN(h.sha256, DigestFromHex<32>(job.sha256, "sha256"));
  return h;
}

Worker::Worker(WorkerOptions options, SourceFactory sources, queue::JobLedger& ledger,
               const detect::Pipeline& pipeline, std::shared_ptr<const Clock> clock,
               AccountKeys keys)
    : options_(std::move(options)),
      sources_(std::move(sources)),
      ledger_(ledger),
      pipeline_(pipeline),
      clock_(std::move(clock)),
      keys_(keys) {
  metrics_.started_unix_seconds = static_cast<double>(NowNs()) / 1e9;
}

Result<Worker::JobAccountIds> Worker::AccountOf(const queue::ScanJob& job,
                                                std::string_view where) const {
  const bool pseudonym = privacy::Pseudonymiser::LooksPseudonymised(job.account_id);
  if (keys_.pseudonyms == nullptr || keys_.cipher == nullptr || keys_.store == nullptr) {
    if (job.sealed_account_id) {
      return InvalidArgumentError(fmt::format(
          "{}: carries a sealed account id, but this worker has no pseudonymisation and evidence "
          "keys (pseudonym_keys, evidence_keys) to keep it for reports; configure them and "
          "requeue the job",
          where));
    }
    return JobAccountIds{job.account_id, ""};
  }
  if (job.sealed_account_id) {
    ASSIGN_OR_RETURN(std::string clear,
                     privacy::OpenJobAccount(*keys_.pseudonyms, *keys_.cipher, job.account_id,
                                             *job.sealed_account_id, where));
    return JobAccountIds{job.account_id, std::move(clear)};
  }
  if (pseudonym) return JobAccountIds{job.account_id, ""};
  if (job.account_id.size() > privacy::kMaxAccountIdBytes) {
    return InvalidArgumentError(
        fmt::format("{}: account_id is longer than {} bytes", where, privacy::kMaxAccountIdBytes));
  }
  return JobAccountIds{keys_.pseudonyms->Pseudonymise(job.account_id), job.account_id};
}

Result<queue::LedgerOutcome> Worker::Process(const queue::ScanJob& job,
                                             std::string_view where) const {
  ASSIGN_OR_RETURN(JobAccountIds account, AccountOf(job, where));
  ASSIGN_OR_RETURN(detect::MediaHashes hashes, HashesOfJob(job));
  ASSIGN_OR_RETURN(stats::Region region, stats::ParseRegion(job.region));
  detect::ItemInput input{job.item_id, account.stored,          job.surface, region,
                          {},          job.end_to_end_encrypted};
  ASSIGN_OR_RETURN(detect::ItemOutcome out, pipeline_.ProcessHashed(input, std::move(hashes)));
  queue::LedgerOutcome outcome;
  outcome.flagged = !out.decision.flags.empty();
  if (out.opened) {
    outcome.case_id = out.opened->opened.id;
    // In the ledger's transaction: the case and its sealed clear id commit together.
    if (!account.clear.empty()) {
      RETURN_IF_ERROR(privacy::KeepClearAccountId(*keys_.store, *keys_.cipher, *outcome.case_id,
                                                  account.clear, clock_->Now()));
    }
  }
  return outcome;
}

Status Worker::Fail(queue::Delivery& delivery, const Status& error) {
  if (delivery.attempt() >= static_cast<uint64_t>(options_.max_deliver)) {
    spdlog::warn("{}: job {} dead-lettered after {} deliveries: {}", options_.name, delivery.id(),
                 delivery.attempt(), error.ToString());
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++metrics_.dead_lettered;
    }
    return delivery.DeadLetter(error.ToString());
  }
  spdlog::info("{}: job {} delivery {} failed, retrying: {}", options_.name, delivery.id(),
               delivery.attempt(), error.ToString());
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++metrics_.retried;
  }
  return delivery.Retry(options_.retry_delay);
}

void Worker::ObserveLatency(int64_t enqueued_ns) {
  const double seconds =
      enqueued_ns > 0 ? std::max<double>(0, static_cast<double>(NowNs() - enqueued_ns) / 1e9) : 0;
  size_t bucket = 0;
  while (bucket < kLatencyBucketsMs.size() &&
         seconds * 1000 > static_cast<double>(kLatencyBucketsMs[bucket])) {
    ++bucket;
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++metrics_.latency_buckets[bucket];
  metrics_.latency_sum_seconds += seconds;
}

Status Worker::Handle(queue::Delivery& delivery) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (delivery.attempt() > 1) ++metrics_.redeliveries;
    metrics_.lag = delivery.pending();
  }
  if (delivery.attempt() > static_cast<uint64_t>(options_.max_deliver)) {
    return Fail(delivery, FailedPreconditionError(fmt::format(
                              "delivered {} times without being settled (it crashed or stalled "
                              "every worker that took it)",
                              delivery.attempt())));
  }
  auto job = queue::DecodeJob(delivery.data(), fmt::format("job {}", delivery.id()));
  if (!job.ok()) return Fail(delivery, job.status());
  queue::LedgerRecord claim{.key = {queue::ItemKeyOf(job->item_id), options_.technology_version},
                            .job_id = delivery.id(),
                            .worker = options_.name,
                            .outcome = {},
                            .processed_at = clock_->Now()};
  const std::string where = fmt::format("job {}", delivery.id());
  auto done = ledger_.RunOnce(claim, [&] { return Process(*job, where); });
  if (!done.ok()) {
    if (done.status().code() == StatusCode::kFailedPrecondition) {
      // The legal basis does not allow scanning it (nothing was hashed, counted or kept).
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++metrics_.refused;
      }
      return delivery.Ack();
    }
    return Fail(delivery, done.status());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (done->ran) {
      ++metrics_.processed;
      metrics_.flagged += done->record.outcome.flagged;
    } else {
      ++metrics_.duplicates;
    }
  }
  // The commit is done: acknowledging now can at worst lose the ack, and the redelivery then
  // finds the ledger row.
  Status acked = delivery.Ack();
  if (done->ran) ObserveLatency(delivery.enqueued_ns());
  return acked;
}

void Worker::Loop(queue::JobSource& source, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    auto batch = source.Fetch(options_.batch, options_.fetch_wait);
    if (!batch.ok()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++metrics_.fetch_errors;
      }
      spdlog::debug("{}: {}", options_.name, batch.status().ToString());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the engine is away
      continue;
    }
    for (auto& delivery : *batch) {
      Status settled = Handle(*delivery);
      // An unsettled delivery is delivered again after the ack wait; the ledger absorbs it.
      if (!settled.ok()) spdlog::warn("{}: {}", options_.name, settled.ToString());
    }
  }
}

Status Worker::Run(const std::atomic<bool>& stop) {
  std::vector<std::unique_ptr<queue::JobSource>> sources;
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    ASSIGN_OR_RETURN(auto source, sources_());
    sources.push_back(std::move(source));
  }
  std::vector<std::thread> threads;
  for (auto& source : sources) {
    threads.emplace_back([this, &source, &stop] { Loop(*source, stop); });
  }
  for (std::thread& t : threads) t.join();
  return Status::Ok();
}

WorkerMetrics Worker::Metrics() const {
  std::lock_guard<std::mutex> lock(mu_);
  return metrics_;
}

}  // namespace vigil::worker
