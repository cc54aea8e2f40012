// RedressService: configuration, actions and judicial complaints (complaints.cc holds the
// complaint flow).
#include "redress/service.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>

namespace vigil::redress {
namespace {

bool IsConfirmedOutcome(const cases::Case& c) {
  return c.progress.outcome && cases::IsConfirmation(*c.progress.outcome);
}

// The states from which a confirmed case may be acted on.
Status CheckActionable(const cases::Case& c) {
  using S = cases::CaseState;
  const S state = c.progress.state;
  if (!IsConfirmedOutcome(c)) {
    return FailedPreconditionError(fmt::format(
        "case {} is {}{}; only a case decided as confirmed abuse can be acted on", c.id,
        cases::CaseStateName(state),
        c.progress.outcome ? fmt::format(" ({})", cases::DecisionName(*c.progress.outcome)) : ""));
  }
  if (state == S::kDecided || state == S::kActioned || state == S::kReported) return Status::Ok();
  return FailedPreconditionError(
      fmt::format("case {} is {}; it cannot be acted on now", c.id, cases::CaseStateName(state)));
}

Status CheckTarget(const cases::Case& c, const ActionRequest& r) {
  if (IsAccountAction(r.kind)) {
    if (!r.item_id.empty()) {
      return InvalidArgumentError(
          fmt::format("{} concerns the account; give no item", ActionKindName(r.kind)));
    }
    return Status::Ok();
  }
  if (r.item_id.empty()) {
    if (r.kind == ActionKind::kPreserveEvidence) return Status::Ok();  // the whole case
    return InvalidArgumentError(
        fmt::format("{} needs the item it concerns", ActionKindName(r.kind)));
  }
  const bool found = std::any_of(c.items.begin(), c.items.end(),
                                 [&](const cases::Item& i) { return i.item_id == r.item_id; });
  if (!found) {
    return NotFoundError(
        fmt::format("case {} has no item {}", c.id, r.item_id.substr(0, cases::kMaxIdBytes)));
  }
  return Status::Ok();
}

}  // namespace

Status ValidateRedressConfig(const RedressConfig& config) {
  if (config.complaint_deadline < std::chrono::days(1) ||
      config.complaint_deadline > std::chrono::days(3650)) {
    return InvalidArgumentError(fmt::format("complaint_deadline must be 1 to 3650 days, not {}",
                                            config.complaint_deadline.count()));
  }
  if (config.complaint_decision_target < std::chrono::days(1) ||
      config.complaint_decision_target > std::chrono::days(365)) {
    return InvalidArgumentError(
        fmt::format("complaint_decision_target must be 1 to 365 days, not {}",
                    config.complaint_decision_target.count()));
  }
  if (config.supervisory_authority.empty()) {
    return InvalidArgumentError(
        "supervisory_authority is required: Art 3(1)(g)(vi) notices must name it");
  }
  if (config.service_name.empty()) return InvalidArgumentError("service_name is empty");
  if (config.default_language.empty()) return InvalidArgumentError("default_language is empty");
  return privacy::ValidateRetentionPolicy(config.retention);
}

RedressService::RedressService(cases::ReviewService& review, RedressStores stores,
                               NoticeTemplates templates, std::shared_ptr<const Clock> clock,
                               RedressConfig config)
    : review_(review),
      stores_(stores),
      templates_(std::move(templates)),
      clock_(std::move(clock)),
      config_(std::move(config)) {}

Result<std::unique_ptr<RedressService>> RedressService::Create(cases::ReviewService& review,
                                                               RedressStores stores,
                                                               NoticeTemplates templates,
                                                               std::shared_ptr<const Clock> clock,
                                                               RedressConfig config) {
  RETURN_IF_ERROR(ValidateRedressConfig(config));
  if (stores.cases == nullptr || stores.redress == nullptr) {
    return InvalidArgumentError("the redress service needs a case store and a redress store");
  }
  RETURN_IF_ERROR(templates.For(config.default_language).status());
  if (!clock) clock = std::make_shared<SystemClock>();
  return std::unique_ptr<RedressService>(new RedressService(review, stores, std::move(templates),
                                                            std::move(clock), std::move(config)));
}

Result<TimePoint> RedressService::Expiry(privacy::Purpose purpose, TimePoint created) const {
  const std::array<privacy::Purpose, 1> purposes = {purpose};
  return privacy::ExpiryFor(config_.retention, purposes, created);
}

Result<std::optional<Notice>> RedressService::MakeNotice(const Action& stored,
                                                         std::string_view language) {
  if (!NeedsUserNotice(stored.kind)) return std::optional<Notice>();
  ASSIGN_OR_RETURN(NoticeTemplate t, templates_.For(language));
  const NoticeFacts facts{.service = config_.service_name,
                          .authority = config_.supervisory_authority,
                          .complaint_deadline = stored.taken_at + config_.complaint_deadline};
  ASSIGN_OR_RETURN(RenderedNotice rendered, RenderUserNotice(t, stored, facts));
  Notice n{.case_id = stored.case_id,
           .account_id = stored.account_id,
           .language = t.language,
           .template_version = t.version,
           .body = rendered.json,
           .created_at = stored.taken_at,
           .next_attempt_at = stored.taken_at,
           .purpose = std::string(privacy::PurposeName(privacy::Purpose::kRedress))};
  ASSIGN_OR_RETURN(n.expires_at, Expiry(privacy::Purpose::kRedress, stored.taken_at));
  return std::optional<Notice>(std::move(n));
}

Result<Action> RedressService::TakeAction(const ActionRequest& r) {
  RETURN_IF_ERROR(cases::ValidateReviewerId(r.actor));
  RETURN_IF_ERROR(cases::ValidateText("reason", r.reason, /*required=*/true));
  RETURN_IF_ERROR(cases::ValidateText("item", r.item_id, /*required=*/false));
  const std::string language = r.language.empty() ? config_.default_language : r.language;
  ASSIGN_OR_RETURN(cases::Case c, stores_.cases->GetCase(r.case_id));
  RETURN_IF_ERROR(CheckActionable(c));
  RETURN_IF_ERROR(CheckTarget(c, r));
  if (NeedsUserNotice(r.kind)) {
    RETURN_IF_ERROR(templates_.For(language).status());
  }
  const TimePoint now = clock_->Now();
  const privacy::Purpose purpose = r.kind == ActionKind::kPreserveEvidence
                                       ? privacy::Purpose::kLawEnforcement
                                       : privacy::Purpose::kBlocking;
  Action action{.case_id = c.id,
                .kind = r.kind,
                .item_id = r.item_id,
                .account_id = c.account_id,
                .reason = r.reason,
                .technologies = fmt::format("{}", fmt::join(c.Technologies(), "; ")),
                .actor = r.actor,
                .taken_at = now,
                .purpose = std::string(privacy::PurposeName(purpose))};
  ASSIGN_OR_RETURN(action.expires_at, Expiry(purpose, now));
  // Preserving evidence is not an action on the user; the case moves when content or the
  // account is acted on, in the action's own transaction (a crash leaves both or neither).
  const bool marks = r.kind != ActionKind::kPreserveEvidence &&
                     (c.progress.state == cases::CaseState::kDecided ||
                      (c.progress.state == cases::CaseState::kReported && !c.progress.actioned_at));
  const auto make_case_change = [&](const Action& a) -> Result<std::optional<cases::CaseChange>> {
    if (!marks) return std::optional<cases::CaseChange>();
    const std::string details = fmt::format("action {}: {} {}", a.id, ActionKindName(a.kind),
                                            a.item_id.empty() ? "account" : a.item_id);
    ASSIGN_OR_RETURN(cases::CaseChange change, review_.PlanActioned(c, r.actor, details));
    return std::optional<cases::CaseChange>(std::move(change));
  };
  Result<Action> stored = stores_.redress->RecordAction(
      action, [&](const Action& a) { return MakeNotice(a, language); }, make_case_change);
  if (marks && stored.status().code() == StatusCode::kAlreadyExists) {
    // A repeated request finds the action already recorded, e.g. by a version of vigil that
    // moved the case in a second transaction and crashed in between: the case still moves.
    RETURN_IF_ERROR(
        review_.MarkActioned(c.id, r.actor, fmt::format("{} {}", ActionKindName(r.kind), r.item_id))
            .status());
  }
  return stored;
}

Result<JudicialComplaint> RedressService::RecordJudicial(const JudicialRequest& r) {
  RETURN_IF_ERROR(cases::ValidateText("authority", r.authority, /*required=*/true));
  RETURN_IF_ERROR(cases::ValidateText("reference", r.reference, /*required=*/true));
  RETURN_IF_ERROR(cases::ValidateReviewerId(r.recorded_by));
  if (r.action_id) {
    ASSIGN_OR_RETURN(Action a, stores_.redress->GetAction(*r.action_id));
    if (a.case_id != r.case_id) {
      return InvalidArgumentError(
          fmt::format("action {} belongs to case {}, not case {}", a.id, a.case_id, r.case_id));
    }
  }
  const TimePoint now = clock_->Now();
  JudicialComplaint j{.case_id = r.case_id,
                      .action_id = r.action_id,
                      .authority = r.authority,
                      .reference = r.reference,
                      .filed_at = r.filed_at == TimePoint{} ? now : r.filed_at,
                      .recorded_by = r.recorded_by,
                      .purpose = std::string(privacy::PurposeName(privacy::Purpose::kRedress))};
  ASSIGN_OR_RETURN(j.expires_at, Expiry(privacy::Purpose::kRedress, now));
  return stores_.redress->RecordJudicial(j);
}

Result<JudicialComplaint> RedressService::RecordJudicialOutcome(JudicialId id,
                                                                std::string_view outcome,
                                                                std::string_view actor) {
  RETURN_IF_ERROR(cases::ValidateText("outcome", outcome, /*required=*/true));
  RETURN_IF_ERROR(cases::ValidateReviewerId(actor));
  ASSIGN_OR_RETURN(JudicialComplaint j, stores_.redress->GetJudicial(id));
  if (j.outcome_at) {
    return FailedPreconditionError(
        fmt::format("judicial complaint {} already has an outcome: {}", id, j.outcome));
  }
  j.outcome = std::string(outcome);
  j.outcome_at = clock_->Now();
  ASSIGN_OR_RETURN(bool stored, stores_.redress->UpdateJudicial(j));
  if (!stored) {
    return UnavailableError(fmt::format("judicial complaint {} changed meanwhile; retry", id));
  }
  ++j.version;
  return j;
}

}  // namespace vigil::redress
