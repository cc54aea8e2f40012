// Worker::PrometheusText: the worker's counters in Prometheus text format.
#include <fmt/format.h>

#include "worker/worker.h"

namespace vigil::worker {

std::string Worker::PrometheusText() const {
  const WorkerMetrics m = Metrics();
  const std::string label = fmt::format("worker=\"{}\"", options_.name);
  std::string out;
  auto counter = [&](const char* name, const char* help, uint64_t value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} counter\n{0}{{{2}}} {3}\n", name, help, label,
                       value);
  };
  counter("vigil_worker_jobs_processed_total", "Jobs whose results this worker committed.",
          m.processed);
  counter("vigil_worker_jobs_duplicate_total",
          "Redelivered jobs found already processed (acked, nothing written).", m.duplicates);
  counter("vigil_worker_jobs_refused_total", "Jobs the legal basis did not allow to scan.",
          m.refused);
  counter("vigil_worker_jobs_flagged_total", "Processed jobs that were flagged.", m.flagged);
  counter("vigil_worker_jobs_retried_total", "Failed deliveries handed back for another try.",
          m.retried);
  counter("vigil_worker_jobs_dead_lettered_total", "Jobs sent to the dead-letter stream.",
          m.dead_lettered);
  counter("vigil_worker_redeliveries_total", "Deliveries of a job after its first.",
          m.redeliveries);
  counter("vigil_worker_fetch_errors_total", "Failed fetches (queue unreachable).", m.fetch_errors);
  out += fmt::format(
      "# HELP vigil_worker_lag_jobs Jobs waiting behind the newest delivery.\n# TYPE "
      "vigil_worker_lag_jobs gauge\nvigil_worker_lag_jobs{{{}}} {}\n",
      label, m.lag);
  out += fmt::format(
      "# HELP vigil_worker_start_time_seconds Start time (jobs/s = rate of processed).\n# TYPE "
      "vigil_worker_start_time_seconds gauge\nvigil_worker_start_time_seconds{{{}}} {:.3f}\n",
      label, m.started_unix_seconds);
  out +=
      "# HELP vigil_worker_job_latency_seconds Enqueue to commit, per processed job.\n"
      "# TYPE vigil_worker_job_latency_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kLatencyBucketsMs.size(); ++i) {
    cumulative += m.latency_buckets[i];
    out += fmt::format("vigil_worker_job_latency_seconds_bucket{{{},le=\"{}\"}} {}\n", label,
                       static_cast<double>(kLatencyBucketsMs[i]) / 1000.0, cumulative);
  }
  cumulative += m.latency_buckets.back();
  out += fmt::format("vigil_worker_job_latency_seconds_bucket{{{},le=\"+Inf\"}} {}\n", label,
                     cumulative);
  out += fmt::format("vigil_worker_job_latency_seconds_sum{{{}}} {:.6f}\n", label,
                     m.latency_sum_seconds);
  out += fmt::format("vigil_worker_job_latency_seconds_count{{{}}} {}\n", label, cumulative);
  return out;
}

}  // namespace vigil::worker
