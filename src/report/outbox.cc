#include "report/outbox.h"

#include <fmt/format.h>

#include <algorithm>

namespace vigil::report {

ReportOutbox::ReportOutbox(cases::CaseStore& cases, cases::ReviewService& review,
                           ReportOutboxStore& store, std::map<std::string, Reporter*> reporters,
                           audit::AuditStore* audit, std::shared_ptr<const Clock> clock,
                           OutboxOptions options)
    : cases_(cases),
      review_(review),
      store_(store),
      reporters_(std::move(reporters)),
      audit_(audit),
      clock_(std::move(clock)),
      options_(options) {}

Status ReportOutbox::Sync() {
  while (true) {
    ASSIGN_OR_RETURN(int64_t last, store_.LastRequestId());
    ASSIGN_OR_RETURN(std::vector<cases::ReportRequest> requests,
                     cases_.ListReportRequests(last, options_.batch));
    for (const auto& r : requests) RETURN_IF_ERROR(store_.Enqueue(r));
    if (requests.size() < options_.batch) return Status::Ok();
  }
}

std::chrono::seconds ReportOutbox::Backoff(int attempts) const {
  std::chrono::seconds wait = options_.first_backoff;
  for (int i = 1; i < attempts && wait < options_.max_backoff; ++i) wait *= 2;
  return std::min(wait, options_.max_backoff);
}

void ReportOutbox::Audit(const Delivery& d, const std::string& action, const std::string& details) {
  if (audit_ == nullptr) return;
  // The delivery is recorded on the case either way; an audit failure must not undo it.
  audit_
      ->Append({.actor = "system",
                .action = action,
                .target = fmt::format("case:{}", d.case_id),
                .origin = "report-outbox",
                .details = details})
      .status()
      .IgnoreError();
}

Status ReportOutbox::Finish(Delivery& d, int64_t remote_id, TimePoint now) {
  const std::string details = fmt::format("{} report {} delivered {} s after confirmation",
                                          d.destination, remote_id, (now - d.confirmed_at).count());
  // The hotline holds the report now. The case is marked reported before the delivery is
  // closed: a crash between the two leaves the delivery pending, and the next sender closes it
  // from the reporter's saved progress (nothing is sent twice). The other order could leave a
  // delivered report whose case never says so.
  ASSIGN_OR_RETURN(cases::Case c, cases_.GetCase(d.case_id));
  Status marked = Status::Ok();
  if (!c.progress.reported_at) marked = review_.MarkReported(d.case_id, "system", details).status();
  // A case that may no longer be marked (e.g. appealed meanwhile) still has its report at the
  // hotline: the delivery is recorded and the refusal returned. Other errors leave it pending.
  if (!marked.ok() && marked.code() != StatusCode::kFailedPrecondition) return marked;
  d.state = DeliveryState::kDelivered;
  d.remote_id = remote_id;
  d.delivered_at = now;
  d.last_error.clear();
  ASSIGN_OR_RETURN(bool stored, store_.Update(d));
  if (!stored)
    return UnavailableError(
        fmt::format("report delivery {} changed under the sender", d.request_id));
  ++d.version;
  Audit(d, "report.delivered", details);
  return marked;
}

Status ReportOutbox::Attempt(Delivery d, SendSummary& summary) {
  const TimePoint now = clock_->Now();
  auto reporter = reporters_.find(d.destination);
  if (reporter == reporters_.end()) {
    summary.errors.push_back(fmt::format("case {}: no reporter configured for destination {}",
                                         d.case_id, d.destination));
    return Status::Ok();  // left pending for a sender that has one
  }
  // The lease: nobody else works this delivery until it lapses.
  d.next_attempt_at = now + options_.lease;
  ++d.attempts;
  ASSIGN_OR_RETURN(bool leased, store_.Update(d));
  if (!leased) return Status::Ok();  // another sender took it
  ++d.version;
  ASSIGN_OR_RETURN(cases::Case c, cases_.GetCase(d.case_id));
  const SaveProgress save = [&](const DeliveryProgress& p) -> Status {
    d.progress = p;
    ASSIGN_OR_RETURN(bool saved, store_.Update(d));
    if (!saved)
      return UnavailableError(
          fmt::format("report delivery {} changed under the sender", d.request_id));
    ++d.version;
    return Status::Ok();
  };
  DeliveryProgress progress = d.progress;
  Result<int64_t> sent = reporter->second->Deliver(c, progress, save);
  if (sent.ok()) {
    RETURN_IF_ERROR(Finish(d, *sent, clock_->Now()));
    ++summary.delivered;
    return Status::Ok();
  }
  d.last_error = sent.status().ToString();
  summary.errors.push_back(
      fmt::format("case {} to {}: {}", d.case_id, d.destination, d.last_error));
  const StatusCode code = sent.status().code();
  if (code == StatusCode::kFailedPrecondition) {
    // The case may no longer be reported (reinstated, appealed): withdraw what was opened.
    reporter->second->Withdraw(d.progress).IgnoreError();
    d.state = DeliveryState::kCancelled;
    ++summary.cancelled;
  } else if (d.attempts >= options_.max_attempts || code == StatusCode::kInvalidArgument) {
    d.state = DeliveryState::kFailed;  // a person must look: retrying will not help
    ++summary.failed;
  } else {
    d.next_attempt_at = clock_->Now() + Backoff(d.attempts);
    ++summary.retrying;
  }
  ASSIGN_OR_RETURN(bool stored, store_.Update(d));
  if (stored && d.state != DeliveryState::kPending) {
    Audit(d, fmt::format("report.{}", DeliveryStateName(d.state)), d.last_error);
  }
  return Status::Ok();
}

Result<SendSummary> ReportOutbox::SendDue() {
  RETURN_IF_ERROR(Sync());
  ASSIGN_OR_RETURN(std::vector<Delivery> due, store_.ListDue(clock_->Now(), options_.batch));
  SendSummary summary;
  for (Delivery& d : due) RETURN_IF_ERROR(Attempt(std::move(d), summary));
  return summary;
}

Result<std::vector<OverdueCase>> ReportOutbox::ListOverdue() {
  const TimePoint now = clock_->Now();
  std::vector<OverdueCase> out;
  for (cases::CaseState state : {cases::CaseState::kDecided, cases::CaseState::kActioned}) {
    cases::CaseFilter filter{.state = state, .limit = 1000};
    while (true) {
      ASSIGN_OR_RETURN(std::vector<cases::Case> page, cases_.ListCases(filter));
      for (const cases::Case& c : page) {
        if (!c.progress.outcome || !cases::IsConfirmation(*c.progress.outcome)) continue;
        if (c.progress.reported_at || !c.progress.decided_at) continue;
        const auto waiting = now - *c.progress.decided_at;
        if (waiting > options_.report_limit) {
          out.push_back(
              {.case_id = c.id, .confirmed_at = *c.progress.decided_at, .waiting = waiting});
        }
      }
      if (page.size() < filter.limit) break;
      filter.after_id = page.back().id;
    }
  }
  std::sort(out.begin(), out.end(), [](const OverdueCase& a, const OverdueCase& b) {
    return a.confirmed_at != b.confirmed_at ? a.confirmed_at < b.confirmed_at
                                            : a.case_id < b.case_id;
  });
  return out;
}

}  // namespace vigil::report
