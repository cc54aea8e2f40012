// RedressService: complaints against actions (Art 3(1)(g)(iv)) and their second review, and
// what reinstatement undoes.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "redress/service.h"

namespace vigil::redress {
namespace {

bool Matches(ComplaintOutcome outcome, ActionKind kind) {
  return (IsContentAction(kind) && ReinstatesContent(outcome)) ||
         (IsAccountAction(kind) && ReinstatesAccount(outcome));
}

}  // namespace

// The second review must be independent of the first: nobody who decided or confirmed the
// case, nor the person who took the action, reviews the complaint about it.
Status CheckSecondReviewer(const cases::Case& c, const Action& action, std::string_view reviewer) {
  if (c.ReviewedBy(reviewer, cases::ReviewKind::kPrimary)) {
    return PermissionDeniedError(fmt::format(
        "reviewer {} made the original decision on case {}; a complaint needs a second reviewer",
        reviewer, c.id));
  }
  if (action.actor == reviewer) {
    return PermissionDeniedError(fmt::format(
        "reviewer {} took action {}; a complaint needs a second reviewer", reviewer, action.id));
  }
  return Status::Ok();
}

Result<Complaint> RedressService::FileComplaint(const ComplaintRequest& r) {
  RETURN_IF_ERROR(cases::ValidateText("complaint", r.text, /*required=*/true));
  RETURN_IF_ERROR(cases::ValidateReviewerId(r.filed_by));
  ASSIGN_OR_RETURN(Action action, stores_.redress->GetAction(r.action_id));
  if (!NeedsUserNotice(action.kind)) {
    return FailedPreconditionError(fmt::format(
        "action {} ({}) is not an action on the user; only removal, blocking, suspension and "
        "closure can be complained about",
        action.id, ActionKindName(action.kind)));
  }
  if (action.reversed_at) {
    return FailedPreconditionError(fmt::format("action {} was already reversed at {}", action.id,
                                               FormatUtc(*action.reversed_at)));
  }
  const TimePoint now = clock_->Now();
  const TimePoint deadline = action.taken_at + config_.complaint_deadline;
  if (now > deadline) {
    return FailedPreconditionError(
        fmt::format("the complaint deadline for action {} passed at {} ({} days after the action)",
                    action.id, FormatUtc(deadline), config_.complaint_deadline.count()));
  }
  ASSIGN_OR_RETURN(cases::Case c, stores_.cases->GetCase(action.case_id));
  Complaint complaint{.action_id = action.id,
                      .case_id = action.case_id,
                      .account_id = action.account_id,
                      .filed_by = r.filed_by,
                      .text = r.text,
                      .filed_at = now,
                      .purpose = std::string(privacy::PurposeName(privacy::Purpose::kRedress))};
  ASSIGN_OR_RETURN(complaint.expires_at, Expiry(privacy::Purpose::kRedress, now));
  ASSIGN_OR_RETURN(Complaint stored, stores_.redress->FileComplaint(complaint));
  if (c.progress.state == cases::CaseState::kActioned ||
      c.progress.state == cases::CaseState::kReported) {
    RETURN_IF_ERROR(
        review_
            .MarkAppealed(c.id, r.filed_by,
                          fmt::format("complaint {} against action {}", stored.id, action.id))
            .status());
  }
  return stored;
}

Result<std::string> RedressService::FollowUpReports(cases::CaseId case_id, ComplaintId complaint) {
  if (stores_.report_outbox == nullptr) return std::string("no hotline report outbox configured");
  ASSIGN_OR_RETURN(std::vector<report::Delivery> deliveries,
                   stores_.report_outbox->List({.case_id = case_id}));
  if (deliveries.empty()) return std::string("no hotline report");
  std::vector<std::string> lines;
  for (const report::Delivery& d : deliveries) {
    switch (d.state) {
      case report::DeliveryState::kPending:
        // The outbox finds the case no longer reportable and withdraws (retracts) it.
        lines.push_back(
            fmt::format("report to {}: not finished; retraction requested", d.destination));
        break;
      case report::DeliveryState::kDelivered:
        lines.push_back(fmt::format(
            "report to {} (id {}): finished before reinstatement; annotation: content or account "
            "reinstated on complaint {}",
            d.destination, d.remote_id.value_or(0), complaint));
        break;
      default:
        lines.push_back(fmt::format("report to {}: {}, nothing to follow up", d.destination,
                                    report::DeliveryStateName(d.state)));
    }
  }
  return fmt::format("{}", fmt::join(lines, "; "));
}

Result<std::string> RedressService::Reinstate(const Complaint& complaint,
                                              const ComplaintDecision& d, TimePoint now) {
  ASSIGN_OR_RETURN(std::vector<Action> actions, stores_.redress->ListActions(complaint.case_id));
  int matched = 0;
  for (const Action& a : actions) {
    if (!Matches(d.outcome, a.kind)) continue;
    ++matched;
    if (a.reversed_at) continue;  // a repeated decision after a crash
    RETURN_IF_ERROR(stores_.redress
                        ->ReverseAction(a.id, {.at = now,
                                               .by = d.reviewer,
                                               .reason = fmt::format("complaint {}: {}",
                                                                     complaint.id, d.rationale)})
                        .status());
  }
  if (matched == 0) {
    return FailedPreconditionError(fmt::format("case {} has no action that {} would reverse",
                                               complaint.case_id, ComplaintOutcomeName(d.outcome)));
  }
  ASSIGN_OR_RETURN(std::string followup, FollowUpReports(complaint.case_id, complaint.id));
  ASSIGN_OR_RETURN(cases::Case c, stores_.cases->GetCase(complaint.case_id));
  if (c.progress.state == cases::CaseState::kAppealed) {
    // The annual report counts this reinstatement, and a reversal against every technology
    // that flagged the case, from the appealed -> reinstated events (Art 3(1)(g)(vii)).
    RETURN_IF_ERROR(review_
                        .MarkReinstated(c.id, d.reviewer,
                                        fmt::format("complaint {}: {}", complaint.id,
                                                    ComplaintOutcomeName(d.outcome)),
                                        ReinstatesContent(d.outcome))
                        .status());
  }
  if (stores_.banks != nullptr) {
    for (cases::BankEntryId entry : c.BankEntries()) {
      Result<bank::BankEntry> flagged = stores_.banks->FlagForVerification(entry);
      if (!flagged.ok()) {
        followup +=
            fmt::format("; bank entry {} not flagged: {}", entry, flagged.status().message());
      }
    }
  }
  return followup;
}

Result<Complaint> RedressService::DecideComplaint(const ComplaintDecision& d) {
  RETURN_IF_ERROR(cases::ValidateReviewerId(d.reviewer));
  RETURN_IF_ERROR(cases::ValidateText("rationale", d.rationale, /*required=*/true));
  ASSIGN_OR_RETURN(Complaint complaint, stores_.redress->GetComplaint(d.complaint_id));
  if (complaint.state != ComplaintState::kOpen) {
    return FailedPreconditionError(fmt::format(
        "complaint {} was already decided ({}) by {}", complaint.id,
        complaint.outcome ? ComplaintOutcomeName(*complaint.outcome) : "?", complaint.reviewer));
  }
  ASSIGN_OR_RETURN(Action action, stores_.redress->GetAction(complaint.action_id));
  ASSIGN_OR_RETURN(cases::Case c, stores_.cases->GetCase(complaint.case_id));
  RETURN_IF_ERROR(CheckSecondReviewer(c, action, d.reviewer));
  const TimePoint now = clock_->Now();
  if (d.outcome == ComplaintOutcome::kActionUpheld) {
    if (c.progress.state == cases::CaseState::kAppealed) {
      RETURN_IF_ERROR(review_
                          .MarkActioned(c.id, d.reviewer,
                                        fmt::format("complaint {}: action upheld", complaint.id))
                          .status());
    }
  } else {
    ASSIGN_OR_RETURN(complaint.report_followup, Reinstate(complaint, d, now));
  }
  complaint.state = ComplaintState::kDecided;
  complaint.outcome = d.outcome;
  complaint.reviewer = d.reviewer;
  complaint.rationale = d.rationale;
  complaint.decided_at = now;
  ASSIGN_OR_RETURN(bool stored, stores_.redress->UpdateComplaint(complaint));
  if (!stored) {
    return UnavailableError(
        fmt::format("complaint {} was decided by someone else meanwhile", complaint.id));
  }
  ++complaint.version;
  return complaint;
}

}  // namespace vigil::redress
