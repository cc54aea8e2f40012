// ReviewService: what happens to a case after its decision (action, report, appeal,
// reinstatement), QA second reviews, and the helpers shared by the service's source files.
#include <fmt/format.h>

#include "cases/review_internal.h"
#include "cases/review_service.h"

namespace vigil::cases {

namespace internal {

CaseChange StartChange(const Case& c, TimePoint now) {
  CaseChange change{.id = c.id, .expected_version = c.version, .progress = c.progress};
  change.progress.updated_at = now;
  return change;
}

Status SetState(CaseChange& change, const Case& c, CaseState to) {
  RETURN_IF_ERROR(CheckTransition(c.id, c.progress.state, to));
  change.progress.state = to;
  return Status::Ok();
}

CaseEvent MakeEvent(const Case& c, TimePoint now, std::string_view actor, std::string action,
                    std::string details) {
  return CaseEvent{.case_id = c.id,
                   .at = now,
                   .actor = std::string(actor),
                   .action = std::move(action),
                   .details = std::move(details)};
}

Case Applied(Case c, const CaseChange& change) {
  ++c.version;
  c.progress = change.progress;
  c.reviews.insert(c.reviews.end(), change.new_reviews.begin(), change.new_reviews.end());
  return c;
}

bool Holds(const Case& c, std::string_view reviewer, TimePoint now) {
  const auto& lease = c.progress.lease;
  return lease && lease->reviewer == reviewer && lease->expires_at > now;
}

Status CheckHolder(const Case& c, std::string_view reviewer, TimePoint now) {
  const auto& lease = c.progress.lease;
  if (!lease) {
    return PermissionDeniedError(
        fmt::format("reviewer {} does not hold case {} (nobody has claimed it); claim it first",
                    reviewer, c.id));
  }
  if (lease->reviewer != reviewer) {
    return PermissionDeniedError(fmt::format("reviewer {} does not hold case {} (reviewer {} does)",
                                             reviewer, c.id, lease->reviewer));
  }
  if (lease->expires_at <= now) {
    return FailedPreconditionError(
        fmt::format("the lease of reviewer {} on case {} expired at {}; claim it again", reviewer,
                    c.id, FormatUtc(lease->expires_at)));
  }
  return Status::Ok();
}

Status ValidateDecisionInput(const DecisionInput& input) {
  RETURN_IF_ERROR(ValidateReviewerId(input.reviewer));
  return ValidateText("rationale", input.rationale, /*required=*/true);
}

Status ValidateActor(std::string_view actor) {
  return ValidateReviewerId(actor).WithContext("actor");
}

}  // namespace internal

namespace {

using internal::MakeEvent;

Status CheckConfirmedOutcome(const Case& c, std::string_view what) {
  if (c.progress.outcome && IsConfirmation(*c.progress.outcome)) return Status::Ok();
  return FailedPreconditionError(fmt::format(
      "case {} was decided {}; only a confirmed case can be {}", c.id,
      c.progress.outcome ? DecisionName(*c.progress.outcome) : "without an outcome", what));
}

// MarkActioned's condition beyond the state diagram.
Status CheckActionedAllowed(const Case& c) {
  RETURN_IF_ERROR(CheckConfirmedOutcome(c, "actioned"));
  if (c.progress.state == CaseState::kReported && c.progress.actioned_at) {
    return FailedPreconditionError(fmt::format("case {} was already actioned at {}", c.id,
                                               FormatUtc(*c.progress.actioned_at)));
  }
  return Status::Ok();
}

}  // namespace

Result<CaseChange> ReviewService::PlanAdvance(
    const Case& c, TimePoint now, std::string_view actor, std::string_view details, CaseState to,
    const std::function<Status(const Case&)>& check,
    const std::function<void(const Case&, TimePoint, CaseChange&)>& extend) const {
  CaseChange change = internal::StartChange(c, now);
  RETURN_IF_ERROR(internal::SetState(change, c, to));
  RETURN_IF_ERROR(check(c));
  if (to == CaseState::kActioned && !change.progress.actioned_at) {
    change.progress.actioned_at = now;
  }
  if (to == CaseState::kReported) change.progress.reported_at = now;
  if (extend) extend(c, now, change);
  change.events.push_back(
      MakeEvent(c, now, actor, std::string(CaseStateName(to)), std::string(details)));
  return change;
}

Result<Case> ReviewService::Advance(
    CaseId id, std::string_view actor, std::string_view details, CaseState to,
    const std::function<Status(const Case&)>& check,
    const std::function<void(const Case&, TimePoint, CaseChange&)>& extend) {
  RETURN_IF_ERROR(internal::ValidateActor(actor));
  RETURN_IF_ERROR(ValidateText("details", details, /*required=*/false));
  return Mutate(id, [&](const Case& c, TimePoint now) -> Result<CaseChange> {
    return PlanAdvance(c, now, actor, details, to, check, extend);
  });
}

Result<Case> ReviewService::MarkActioned(CaseId id, std::string_view actor,
                                         std::string_view details) {
  return Advance(id, actor, details, CaseState::kActioned, CheckActionedAllowed);
}

Result<CaseChange> ReviewService::PlanActioned(const Case& c, std::string_view actor,
                                               std::string_view details) const {
  RETURN_IF_ERROR(internal::ValidateActor(actor));
  RETURN_IF_ERROR(ValidateText("details", details, /*required=*/false));
  return PlanAdvance(c, clock_->Now(), actor, details, CaseState::kActioned, CheckActionedAllowed);
}

Result<Case> ReviewService::MarkReported(CaseId id, std::string_view actor,
                                         std::string_view details) {
  // Art 3(1)(g)(iii): the library, not the caller, refuses a report without the required
  // human confirmations.
  return Advance(id, actor, details, CaseState::kReported,
                 [this](const Case& c) { return cases::ReportEligibility(c, config_); });
}

Result<Case> ReviewService::MarkAppealed(CaseId id, std::string_view actor,
                                         std::string_view details) {
  // Art 3(1)(g)(iv): users complain about a removal or suspension, so only an action is appealed.
  return Advance(id, actor, details, CaseState::kAppealed, [](const Case& c) -> Status {
    if (!c.progress.actioned_at) {
      return FailedPreconditionError(
          fmt::format("case {} was not acted on, so there is nothing to appeal", c.id));
    }
    return Status::Ok();
  });
}

Result<Case> ReviewService::MarkReinstated(CaseId id, std::string_view actor,
                                           std::string_view details, bool content_reinstated) {
  const auto check = [](const Case& c) -> Status {
    if (c.progress.state != CaseState::kDecided) return Status::Ok();  // from appealed
    // Art 3(1)(e): an automatic action that review found wrong is rectified without delay.
    if (c.progress.outcome != Decision::kNotCsam || !c.progress.actioned_at) {
      return FailedPreconditionError(fmt::format(
          "case {} can be reinstated from decided only when it was acted on automatically and "
          "decided not_csam",
          c.id));
    }
    return Status::Ok();
  };
  // Art 7: hashes offered to partners as confirmed new material are withdrawn once the content
  // is reinstated; the store writes the withdrawal only when the case has a share request.
  const auto withdraw = [content_reinstated](const Case& c, TimePoint now, CaseChange& change) {
    if (content_reinstated && c.progress.outcome == Decision::kConfirmedNew) {
      change.share_withdrawals.push_back({.case_id = c.id, .created_at = now});
    }
  };
  return Advance(id, actor, details, CaseState::kReinstated, check, withdraw);
}

Result<Case> ReviewService::ReturnForConfirmation(CaseId id, std::string_view actor) {
  RETURN_IF_ERROR(internal::ValidateActor(actor));
  return Mutate(id, [&](const Case& c, TimePoint now) -> Result<CaseChange> {
    CaseChange change = internal::StartChange(c, now);
    RETURN_IF_ERROR(internal::SetState(change, c, CaseState::kNew));
    RETURN_IF_ERROR(CheckConfirmedOutcome(c, "returned for confirmation"));
    const Decision outcome = *c.progress.outcome;
    const int have = ConfirmationsOf(c, outcome);
    const int need = ConfirmationsNeeded(c, outcome, config_);
    if (have >= need) {
      return FailedPreconditionError(
          fmt::format("case {} has the {} confirmation(s) it needs; it stays decided", c.id, need));
    }
    change.progress.outcome.reset();
    change.progress.decided_at.reset();
    change.progress.lease.reset();
    change.progress.qa = QaState::kNotSampled;
    change.events.push_back(MakeEvent(
        c, now, actor, "returned_for_confirmation",
        fmt::format("{} has {} of {} independent confirmations; back in the queue for another "
                    "reviewer",
                    DecisionName(outcome), have, need)));
    return change;
  });
}

Status ReviewService::ReportEligibility(CaseId id) {
  ASSIGN_OR_RETURN(const Case c, store_.GetCase(id));
  return cases::ReportEligibility(c, config_);
}

Result<std::vector<Case>> ReviewService::QaQueue(size_t limit) {
  return store_.ListQueue({.kind = QueueKind::kQa, .now = clock_->Now(), .limit = limit});
}

Result<Case> ReviewService::ClaimForQa(CaseId id, std::string_view reviewer) {
  return ClaimAs(id, reviewer, ReviewKind::kQa, reviewer);
}

Result<Case> ReviewService::SubmitQaReview(CaseId id, const DecisionInput& input) {
  RETURN_IF_ERROR(internal::ValidateDecisionInput(input));
  if (input.decision == Decision::kNeedsSecondOpinion) {
    return InvalidArgumentError(
        "a QA review confirms or rejects the outcome; needs_second_opinion is not a QA decision");
  }
  return Mutate(id, [&](const Case& c, TimePoint now) -> Result<CaseChange> {
    if (c.progress.qa != QaState::kPending) {
      return FailedPreconditionError(fmt::format("case {} is not awaiting QA review (QA {})", c.id,
                                                 QaStateName(c.progress.qa)));
    }
    RETURN_IF_ERROR(internal::CheckHolder(c, input.reviewer, now));
    CaseChange change = internal::StartChange(c, now);
    change.new_reviews.push_back({.kind = ReviewKind::kQa,
                                  .reviewer = input.reviewer,
                                  .decision = input.decision,
                                  .rationale = input.rationale,
                                  .decided_at = now});
    change.progress.qa = QaState::kDone;
    change.progress.lease.reset();
    const bool agrees = c.progress.outcome == input.decision;
    change.events.push_back(MakeEvent(
        c, now, input.reviewer, "qa_reviewed",
        fmt::format("{} outcome {}: {}; rationale: {}", agrees ? "agrees with" : "disagrees with",
                    c.progress.outcome ? DecisionName(*c.progress.outcome) : "-",
                    DecisionName(input.decision), input.rationale)));
    return change;
  });
}

}  // namespace vigil::cases
