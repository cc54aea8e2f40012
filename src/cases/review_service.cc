// ReviewService: construction, the compare-and-set loop, opening cases, the review queue and
// decisions. Lifecycle after the decision and QA are in review_lifecycle.cc; alerts, wellness
// and the verification outbox in review_admin.cc.
#include "cases/review_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "cases/review_internal.h"

namespace vigil::cases {
namespace {

using internal::CheckHolder;
using internal::MakeEvent;
using internal::SetState;
using internal::StartChange;

// A change that keeps losing the race is retried this often before giving up; each retry
// re-checks the rules, so losing usually ends in a clear precondition error much sooner.
constexpr int kMaxAttempts = 16;
// How far down the queue ClaimNext looks for a case the reviewer may take.
constexpr size_t kClaimNextWindow = 200;

std::string OpenedDetails(const NewCase& n) {
  size_t flags = 0;
  for (const Item& item : n.items) flags += item.flags.size();
  return fmt::format("{} item(s), {} flag(s), priority {}, surface {}, {}{}", n.items.size(), flags,
                     n.priority, n.surface, n.eu ? "EU" : "non-EU",
                     n.auto_actioned ? "; the pipeline acted automatically" : "");
}

Status CheckClaimable(const Case& c, std::string_view reviewer, TimePoint now) {
  const CaseProgress& p = c.progress;
  if (p.state == CaseState::kInReview && p.lease && p.lease->expires_at > now) {
    return FailedPreconditionError(fmt::format("case {} is held by reviewer {} until {}", c.id,
                                               p.lease->reviewer, FormatUtc(p.lease->expires_at)));
  }
  if (p.state != CaseState::kNew && p.state != CaseState::kInReview) {
    return FailedPreconditionError(
        fmt::format("case {} is {}; only new or in_review cases can be claimed for review", c.id,
                    CaseStateName(p.state)));
  }
  if (c.ReviewedBy(reviewer, ReviewKind::kPrimary)) {
    return FailedPreconditionError(fmt::format(
        "reviewer {} already reviewed case {}; its next review must be by another reviewer",
        reviewer, c.id));
  }
  return Status::Ok();
}

Status CheckQaClaimable(const Case& c, std::string_view reviewer, TimePoint now) {
  const CaseProgress& p = c.progress;
  if (p.qa != QaState::kPending) {
    return FailedPreconditionError(
        fmt::format("case {} is not awaiting QA review (QA {})", c.id, QaStateName(p.qa)));
  }
  if (p.lease && p.lease->expires_at > now) {
    return FailedPreconditionError(fmt::format("case {} is held by reviewer {} until {}", c.id,
                                               p.lease->reviewer, FormatUtc(p.lease->expires_at)));
  }
  if (c.ReviewedBy(reviewer, ReviewKind::kPrimary)) {
    return FailedPreconditionError(fmt::format(
        "reviewer {} reviewed case {} and cannot also give its QA review", reviewer, c.id));
  }
  return Status::Ok();
}

std::string ClaimDetails(const Case& c, TimePoint until, TimePoint now) {
  std::string details = fmt::format("lease until {}", FormatUtc(until));
  const auto& lease = c.progress.lease;
  if (lease && lease->expires_at <= now) {
    details += fmt::format("; the lease of reviewer {} had expired at {}", lease->reviewer,
                           FormatUtc(lease->expires_at));
  }
  return details;
}

// Art 3(1)(e): errors are counted per technology and, for bank matches, rectified by the bank
// owner; one false positive per flag keeps per-technology error rates exact.
void RecordFalsePositives(const Case& c, std::string_view reviewer, TimePoint now,
                          CaseChange& change) {
  std::map<BankEntryId, std::pair<std::string, std::set<std::string>>> entries;
  for (const Item& item : c.items) {
    for (const Flag& f : item.flags) {
      change.false_positives.push_back({.case_id = c.id,
                                        .item_id = item.item_id,
                                        .technology = f.technology,
                                        .raw_value = f.raw_value,
                                        .bank_entry_id = f.bank_entry_id,
                                        .reviewer = std::string(reviewer),
                                        .recorded_at = now});
      if (f.bank_entry_id) {
        auto& [bank, technologies] = entries[*f.bank_entry_id];
        bank = f.bank_name;
        technologies.insert(f.technology);
      }
    }
  }
  for (const auto& [entry, info] : entries) {
    change.verification_requests.push_back(
        {.case_id = c.id,
         .bank_entry_id = entry,
         .bank_name = info.first,
         .reason = fmt::format("case {}: reviewer {} decided the match is not CSAM ({})", c.id,
                               reviewer, fmt::join(info.second, ", ")),
         .created_at = now});
  }
}

std::string PendingAction(const Case& c, Decision decision) {
  if (decision == Decision::kNeedsSecondOpinion) return "second_opinion_requested";
  const bool disputed = std::any_of(c.reviews.begin(), c.reviews.end(), [&](const auto& r) {
    return r.kind == ReviewKind::kPrimary && r.decision != decision &&
           r.decision != Decision::kNeedsSecondOpinion;
  });
  return disputed ? "disputed" : "awaiting_confirmation";
}

// The event of a review that leaves the case undecided; `with` includes the review.
CaseEvent PendingReviewEvent(const Case& before, const Case& with, const DecisionInput& input,
                             const ReviewConfig& config, TimePoint now) {
  std::string details = fmt::format("{} by {}", DecisionName(input.decision), input.reviewer);
  if (input.decision != Decision::kNeedsSecondOpinion) {
    details +=
        fmt::format(": {} of {} independent reviews agree", ConfirmationsOf(with, input.decision),
                    ConfirmationsNeeded(with, input.decision, config));
  }
  return MakeEvent(before, now, input.reviewer, PendingAction(before, input.decision),
                   details + "; rationale: " + input.rationale);
}

}  // namespace

ReviewService::ReviewService(PassKey, CaseStore& store, EntryVerificationSink& sink,
                             std::shared_ptr<const Clock> clock, ReviewConfig config)
    : store_(store), sink_(sink), clock_(std::move(clock)), config_(std::move(config)) {}

Result<std::unique_ptr<ReviewService>> ReviewService::Create(CaseStore& store,
                                                             EntryVerificationSink& sink,
                                                             std::shared_ptr<const Clock> clock,
                                                             ReviewConfig config) {
  RETURN_IF_ERROR(ValidateReviewConfig(config));
  if (!clock) clock = std::make_shared<SystemClock>();
  return std::make_unique<ReviewService>(PassKey(), store, sink, std::move(clock),
                                         std::move(config));
}

Result<Case> ReviewService::Mutate(CaseId id, const Planner& plan) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    ASSIGN_OR_RETURN(Case c, store_.GetCase(id));
    ASSIGN_OR_RETURN(CaseChange change, plan(c, clock_->Now()));
    ASSIGN_OR_RETURN(bool applied, store_.CompareAndSet(change));
    if (applied) return internal::Applied(std::move(c), change);
  }
  return UnavailableError(
      fmt::format("case {} was changed by others {} times while this change was attempted; retry",
                  id, kMaxAttempts));
}

Result<OpenedCase> ReviewService::OpenCase(const NewCase& new_case) {
  RETURN_IF_ERROR(ValidateNewCase(new_case));
  const TimePoint now = clock_->Now();
  CaseOpening opening{.new_case = new_case,
                      .at = now,
                      .event = {.at = now,
                                .actor = internal::kSystemActor,
                                .action = "opened",
                                .details = OpenedDetails(new_case)}};
  opening.alert_checks = internal::AlertChecksFor(new_case.items, now, config_);
  return store_.CreateCase(opening);
}

Result<std::vector<Case>> ReviewService::Queue(size_t limit) {
  return store_.ListQueue({.kind = QueueKind::kReview, .now = clock_->Now(), .limit = limit});
}

Result<Case> ReviewService::Claim(CaseId id, std::string_view reviewer) {
  return ClaimAs(id, reviewer, ReviewKind::kPrimary, reviewer);
}

Result<Case> ReviewService::Assign(CaseId id, std::string_view reviewer, std::string_view actor) {
  RETURN_IF_ERROR(internal::ValidateActor(actor));
  return ClaimAs(id, reviewer, ReviewKind::kPrimary, actor);
}

Result<Case> ReviewService::ClaimAs(CaseId id, std::string_view reviewer, ReviewKind kind,
                                    std::string_view actor) {
  RETURN_IF_ERROR(ValidateReviewerId(reviewer));
  ASSIGN_OR_RETURN(const ReviewerSettings wellness, Wellness(reviewer));
  return Mutate(id, [&](const Case& c, TimePoint now) -> Result<CaseChange> {
    const bool primary = kind == ReviewKind::kPrimary;
    // Holding the right kind of lease already makes this a renewal, without a new charge.
    const bool renewal = internal::Holds(c, reviewer, now) &&
                         (primary == (c.progress.state == CaseState::kInReview));
    CaseChange change = StartChange(c, now);
    if (!renewal) {
      RETURN_IF_ERROR(primary ? CheckClaimable(c, reviewer, now)
                              : CheckQaClaimable(c, reviewer, now));
    }
    // Reviewer wellness: exposure is counted per item shown, per UTC day; a renewal shows (and
    // charges) only the items grouped into the case since the holder last saw it.
    const auto items = static_cast<int64_t>(c.items.size());
    const int64_t shown = renewal ? c.progress.lease->items_shown : 0;
    if (items > shown) {
      change.exposure = ExposureCharge{.reviewer = std::string(reviewer),
                                       .day = DayOf(now),
                                       .items = items - shown,
                                       .cap = wellness.daily_exposure_cap};
    }
    if (primary && c.progress.state == CaseState::kNew) {
      RETURN_IF_ERROR(SetState(change, c, CaseState::kInReview));
    }
    const TimePoint until = now + config_.lease;
    change.progress.lease =
        Lease{.reviewer = std::string(reviewer), .expires_at = until, .items_shown = items};
    const bool assigned = actor != reviewer;
    const char* action = renewal    ? "lease_renewed"
                         : !primary ? "qa_claimed"
                         : assigned ? "assigned"
                                    : "claimed";
    std::string details = ClaimDetails(c, until, now);
    if (assigned) details = fmt::format("to reviewer {}; {}", reviewer, details);
    if (renewal && items > shown) details += fmt::format("; {} new item(s) shown", items - shown);
    change.events.push_back(MakeEvent(c, now, actor, action, std::move(details)));
    return change;
  });
}

Result<Case> ReviewService::ClaimNext(std::string_view reviewer) {
  RETURN_IF_ERROR(ValidateReviewerId(reviewer));
  ASSIGN_OR_RETURN(const ReviewerSettings wellness, Wellness(reviewer));
  ASSIGN_OR_RETURN(const int64_t seen, ExposureToday(reviewer));
  ASSIGN_OR_RETURN(std::vector<Case> queue, Queue(kClaimNextWindow));
  std::optional<ExposureCharge> over_cap;
  for (const Case& c : queue) {
    if (c.ReviewedBy(reviewer, ReviewKind::kPrimary)) continue;
    const auto items = static_cast<int64_t>(c.items.size());
    if (seen + items > wellness.daily_exposure_cap) {
      // A smaller case further down may still fit under the cap.
      if (!over_cap) {
        over_cap = ExposureCharge{.reviewer = std::string(reviewer),
                                  .day = DayOf(clock_->Now()),
                                  .items = items,
                                  .cap = wellness.daily_exposure_cap};
      }
      continue;
    }
    Result<Case> claimed = Claim(c.id, reviewer);
    // Losing a race for one case is no reason to stop; a store failure is.
    const StatusCode code = claimed.status().code();
    if (claimed.ok() ||
        (code != StatusCode::kFailedPrecondition && code != StatusCode::kPermissionDenied)) {
      return claimed;
    }
  }
  if (over_cap) return ExposureCapError(*over_cap, seen);
  return NotFoundError(
      fmt::format("no case in the review queue can be claimed by reviewer {}", reviewer));
}

Result<Case> ReviewService::Release(CaseId id, std::string_view reviewer) {
  RETURN_IF_ERROR(ValidateReviewerId(reviewer));
  return Mutate(id, [&](const Case& c, TimePoint now) -> Result<CaseChange> {
    const auto& lease = c.progress.lease;
    if (!lease || lease->reviewer != reviewer) {
      return PermissionDeniedError(
          fmt::format("reviewer {} does not hold case {} and cannot release it", reviewer, c.id));
    }
    CaseChange change = StartChange(c, now);
    change.progress.lease.reset();
    const bool primary = c.progress.state == CaseState::kInReview;
    if (primary) RETURN_IF_ERROR(SetState(change, c, CaseState::kNew));
    change.events.push_back(MakeEvent(c, now, reviewer, primary ? "released" : "qa_released", ""));
    return change;
  });
}

Result<DecisionResult> ReviewService::Decide(CaseId id, const DecisionInput& input) {
  RETURN_IF_ERROR(internal::ValidateDecisionInput(input));
  ASSIGN_OR_RETURN(Case after, Mutate(id, [&](const Case& c, TimePoint now) {
                     return PlanDecision(c, input, now);
                   }));
  DecisionResult result{.after = std::move(after)};
  if (result.after.progress.outcome == Decision::kNotCsam) {
    // The decision is committed; delivery problems are reported, not turned into its failure.
    auto pending = store_.ListPendingVerifications(id);
    result.verification = pending.ok() ? Deliver(*pending) : pending.status();
  }
  return result;
}

Result<CaseChange> ReviewService::PlanDecision(const Case& c, const DecisionInput& input,
                                               TimePoint now) {
  const CaseProgress& p = c.progress;
  if (p.state != CaseState::kNew && p.state != CaseState::kInReview) {
    return FailedPreconditionError(fmt::format("case {} is already decided ({}, now {})", c.id,
                                               p.outcome ? DecisionName(*p.outcome) : "-",
                                               CaseStateName(p.state)));
  }
  RETURN_IF_ERROR(CheckHolder(c, input.reviewer, now));
  const auto items = static_cast<int64_t>(c.items.size());
  if (c.progress.lease->items_shown < items) {
    // A decision applies to every item of the case, so it must not cover items its reviewer
    // never saw (Art 3(1)(g)(ii) human oversight).
    return FailedPreconditionError(fmt::format(
        "case {} received {} item(s) after reviewer {} claimed it; claim it again to see them "
        "before deciding",
        c.id, items - c.progress.lease->items_shown, input.reviewer));
  }
  if (input.decision == Decision::kConfirmedKnown && !c.HasFlag(FlagCategory::kKnown)) {
    return InvalidArgumentError(fmt::format(
        "case {} has no bank match, so it cannot be confirmed_known (use confirmed_new)", c.id));
  }
  const ReviewDecision review{.kind = ReviewKind::kPrimary,
                              .reviewer = input.reviewer,
                              .decision = input.decision,
                              .rationale = input.rationale,
                              .decided_at = now};
  Case with = c;
  with.reviews.push_back(review);
  CaseChange change = StartChange(c, now);
  change.new_reviews.push_back(review);
  change.progress.lease.reset();
  const std::optional<Decision> outcome = ResolveOutcome(with, config_);
  if (!outcome) {
    // Not decided yet: back to the queue for another, independent reviewer.
    RETURN_IF_ERROR(SetState(change, c, CaseState::kNew));
    change.events.push_back(PendingReviewEvent(c, with, input, config_, now));
    return change;
  }
  RETURN_IF_ERROR(SetState(change, c, CaseState::kDecided));
  RecordOutcome(with, *outcome, input, now, change);
  return change;
}

void ReviewService::RecordOutcome(const Case& with, Decision outcome, const DecisionInput& input,
                                  TimePoint now, CaseChange& change) const {
  change.progress.outcome = outcome;
  change.progress.decided_at = now;
  change.progress.qa = SampledForQa(config_.qa, with.id) ? QaState::kPending : QaState::kNotSampled;
  if (outcome == Decision::kNotCsam) RecordFalsePositives(with, input.reviewer, now, change);
  // Art 3(1)(j): a confirmed case is reported without delay, so its report is queued in the
  // same transaction as the decision, never lost between the two.
  Case decided = with;
  decided.progress = change.progress;
  decided.progress.state = CaseState::kDecided;
  if (IsConfirmation(outcome) && cases::ReportEligibility(decided, config_).ok()) {
    for (const std::string& destination : config_.report_destinations) {
      change.report_requests.push_back(
          {.case_id = with.id, .destination = destination, .created_at = now});
    }
  }
  // Art 7: newly confirmed material's hashes are offered to the organisations that agreed to
  // receive them; known material came from those lists and is not sent back. The request is
  // written with the decision; the exchange outbox decides who gets it.
  if (outcome == Decision::kConfirmedNew) {
    change.share_requests.push_back({.case_id = with.id, .created_at = now});
  }
  std::string details =
      fmt::format("outcome {} by {} ({} agreeing review(s))", DecisionName(outcome), input.reviewer,
                  ConfirmationsOf(with, outcome));
  if (change.progress.qa == QaState::kPending) details += "; sampled for QA";
  if (!change.false_positives.empty()) {
    details += fmt::format("; {} false positive(s); {} bank entr(y/ies) sent for verification",
                           change.false_positives.size(), change.verification_requests.size());
  }
  change.events.push_back(
      MakeEvent(with, now, input.reviewer, "decided", details + "; rationale: " + input.rationale));
}

}  // namespace vigil::cases
