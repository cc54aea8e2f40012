#include "privacy/purge_scheduler.h"

namespace vigil::privacy {

PurgeScheduler::PurgeScheduler(PrivacyStore& store, const EvidenceStore* evidence,
                               std::shared_ptr<const Clock> clock, std::chrono::seconds interval,
                               std::function<void(const PurgeRun&)> on_run,
                               audit::AuditStore* audit_log)
    : store_(store),
      evidence_(evidence),
      clock_(clock ? std::move(clock) : std::make_shared<SystemClock>()),
      interval_(interval),
      on_run_(std::move(on_run)),
      audit_log_(audit_log) {}

PurgeScheduler::~PurgeScheduler() { Stop(); }

void PurgeScheduler::Start() {
  task_.Start(interval_, PeriodicTask::FirstRun::kAfterInterval, [this] { RunOnce(); });
}

void PurgeScheduler::Stop() { task_.Stop(); }

PurgeRun PurgeScheduler::RunOnce() {
  std::lock_guard<std::mutex> lock(run_mu_);
  const TimePoint now = clock_->Now();
  PurgeRun run{.summary = Purge(store_, evidence_, now, {.audit_log = audit_log_})};
  if (run.summary.ok()) {
    auto violations = VerifyRetention(store_, evidence_, now, audit_log_);
    if (violations.ok()) {
      run.violations = *std::move(violations);
    } else {
      run.summary = violations.status();
    }
  }
  if (on_run_) on_run_(run);
  return run;
}

}  // namespace vigil::privacy
