// ReportOutbox: delivers the outbox's reports with retries and exponential backoff, and lists
// confirmed cases not reported in time.
//
// SendDue copies new report requests from the case store (Sync), then for each due delivery:
// takes a lease (pushes next_attempt_at ahead by compare-and-set, so two senders never work one
// delivery), asks the destination's Reporter to continue from the saved progress (saved after
// every step), and records the outcome: delivered (the destination's report id, the time; the
// case marked reported through ReviewService) or the error with the next attempt after a
// backoff. A crash at any point leaves the delivery pending with its last saved progress; once
// the lease lapses, the next SendDue continues it (the Reporter decides resume or restart).
//
// Art 3(1)(j): providers report without delay; ListOverdue names confirmed cases not reported
// within the limit (default 24 h), and each delivery keeps confirmed_at and delivered_at.
//
// Thread safety: one SendDue at a time per ReportOutbox; several outboxes (processes) may share
// a store.
#ifndef VIGIL_REPORT_OUTBOX_H_
#define VIGIL_REPORT_OUTBOX_H_

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "cases/case_store.h"
#include "cases/review_service.h"
#include "report/outbox_store.h"
#include "report/reporter.h"

namespace vigil::report {

struct OutboxOptions {
  int max_attempts = 20;
  std::chrono::seconds first_backoff{60};  // doubled after each failed attempt
  std::chrono::seconds max_backoff{std::chrono::hours(1)};
  std::chrono::seconds lease{std::chrono::minutes(10)};       // longer than one delivery takes
  std::chrono::seconds report_limit{std::chrono::hours(24)};  // Art 3(1)(j) overdue limit
  size_t batch = 100;
};

struct SendSummary {
  int delivered = 0;
  int retrying = 0;
  int failed = 0;
  int cancelled = 0;
  std::vector<std::string> errors{};  // one line per delivery that did not complete
};

// A confirmed case not reported within the limit.
struct OverdueCase {
  cases::CaseId case_id = 0;
  TimePoint confirmed_at{};
  std::chrono::seconds waiting{};
};

class ReportOutbox {
 public:
  // `reporters` by destination name; all references must outlive the outbox. `audit` may be
  // null.
  ReportOutbox(cases::CaseStore& cases, cases::ReviewService& review, ReportOutboxStore& store,
               std::map<std::string, Reporter*> reporters, audit::AuditStore* audit,
               std::shared_ptr<const Clock> clock, OutboxOptions options = {});

  // Copies report requests not yet in the outbox; idempotent.
  Status Sync();
  // Sync, then one attempt at every due delivery. Store errors stop it; delivery errors are
  // recorded on the delivery and summarised.
  Result<SendSummary> SendDue();
  // Confirmed cases (decided or actioned with a confirmed outcome) not reported although
  // confirmed more than options.report_limit ago, oldest first.
  Result<std::vector<OverdueCase>> ListOverdue();

 private:
  Status Attempt(Delivery d, SendSummary& summary);
  Status Finish(Delivery& d, int64_t remote_id, TimePoint now);
  std::chrono::seconds Backoff(int attempts) const;
  void Audit(const Delivery& d, const std::string& action, const std::string& details);

  cases::CaseStore& cases_;
  cases::ReviewService& review_;
  ReportOutboxStore& store_;
  std::map<std::string, Reporter*> reporters_;
  audit::AuditStore* audit_;
  std::shared_ptr<const Clock> clock_;
  OutboxOptions options_;
};

}  // namespace vigil::report

#endif  // VIGIL_REPORT_OUTBOX_H_
