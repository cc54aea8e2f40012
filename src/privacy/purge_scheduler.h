// The scheduled purge of `vigil serve`: runs Purge and VerifyRetention every `interval` on a
// background thread until stopped, and hands each run's outcome to a callback (the server logs
// it). A failed run is retried at the next interval; since the purge is resumable, nothing is
// lost.
//
// Thread safety: Start and Stop from one thread; RunOnce may be called from any thread (runs are
// serialised).
#ifndef VIGIL_PRIVACY_PURGE_SCHEDULER_H_
#define VIGIL_PRIVACY_PURGE_SCHEDULER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/periodic_task.h"
#include "privacy/purge.h"

namespace vigil::privacy {

struct PurgeRun {
  Result<PurgeSummary> summary = PurgeSummary{};
  std::vector<std::string> violations{};  // what the verification found (empty: all clean)
};

class PurgeScheduler {
 public:
  // `store`, `evidence` (may be null) and `on_run` must outlive the scheduler.
  PurgeScheduler(PrivacyStore& store, const EvidenceStore* evidence,
                 std::shared_ptr<const Clock> clock, std::chrono::seconds interval,
                 std::function<void(const PurgeRun&)> on_run,
                 audit::AuditStore* audit_log = nullptr);
  ~PurgeScheduler();
  PurgeScheduler(const PurgeScheduler&) = delete;
  PurgeScheduler& operator=(const PurgeScheduler&) = delete;

  // Starts the thread; the first run is one interval after Start.
  void Start();
  // Wakes and joins the thread (a run in progress finishes first).
  void Stop();
  // One purge and verification now, reported to on_run as well.
  PurgeRun RunOnce();

 private:
  PrivacyStore& store_;
  const EvidenceStore* evidence_;
  std::shared_ptr<const Clock> clock_;
  const std::chrono::seconds interval_;
  std::function<void(const PurgeRun&)> on_run_;
  audit::AuditStore* audit_log_;  // purged and verified too when set
  std::mutex run_mu_;             // serialises runs
  PeriodicTask task_;
};

}  // namespace vigil::privacy

#endif  // VIGIL_PRIVACY_PURGE_SCHEDULER_H_
