// ReviewService: cluster alerts and automatic-action pauses, reviewer wellness and exposure,
// and the outbox of bank verification requests.
#include <fmt/format.h>

#include "cases/review_internal.h"
#include "cases/review_service.h"

namespace vigil::cases {
namespace {

CaseEvent SystemEvent(TimePoint at, std::string_view actor, std::string action,
                      std::string details) {
  return CaseEvent{.at = at,
                   .actor = std::string(actor),
                   .action = std::move(action),
                   .details = std::move(details)};
}

}  // namespace

Result<bool> ReviewService::IsAutoActionPaused(std::string_view technology,
                                               std::optional<BankEntryId> entry) {
  ASSIGN_OR_RETURN(const bool by_technology,
                   store_.IsAutoActionPaused(AlertSubject::kTechnology, technology));
  if (by_technology || !entry) return by_technology;
  return store_.IsAutoActionPaused(AlertSubject::kBankEntry, AlertKey(*entry));
}

Result<ClusterAlert> ReviewService::AcknowledgeAlert(AlertId id, std::string_view actor,
                                                     std::string_view note) {
  RETURN_IF_ERROR(internal::ValidateActor(actor));
  RETURN_IF_ERROR(ValidateText("note", note, /*required=*/false));
  return store_.AcknowledgeAlert(
      id, note,
      SystemEvent(clock_->Now(), actor, "alert_acknowledged",
                  fmt::format("alert {}{}{}", id, note.empty() ? "" : ": ", note)));
}

Status ReviewService::ResumeAutoAction(AlertSubject subject, std::string_view key,
                                       std::string_view actor, std::string_view reason) {
  RETURN_IF_ERROR(internal::ValidateActor(actor));
  RETURN_IF_ERROR(ValidateText("reason", reason, /*required=*/true));
  return store_.ResumeAutoAction(
      subject, key,
      SystemEvent(clock_->Now(), actor, "auto_action_resumed",
                  fmt::format("{} {}: {}", AlertSubjectName(subject), key, reason)));
}

Result<ReviewerSettings> ReviewService::Wellness(std::string_view reviewer) {
  RETURN_IF_ERROR(ValidateReviewerId(reviewer));
  Result<ReviewerSettings> stored = store_.GetReviewerSettings(reviewer);
  if (stored.ok() || stored.status().code() != StatusCode::kNotFound) return stored;
  ReviewerSettings defaults = config_.default_wellness;
  defaults.reviewer = std::string(reviewer);
  return defaults;
}

Status ReviewService::SetWellness(const ReviewerSettings& settings, std::string_view actor) {
  RETURN_IF_ERROR(internal::ValidateActor(actor));
  RETURN_IF_ERROR(ValidateReviewerSettings(settings));
  return store_.PutReviewerSettings(
      settings,
      SystemEvent(clock_->Now(), actor, "reviewer_settings",
                  fmt::format("reviewer {}: blur {}%, greyscale {}, daily cap {} items",
                              settings.reviewer, settings.blur_percent,
                              settings.greyscale ? "on" : "off", settings.daily_exposure_cap)));
}

Result<int64_t> ReviewService::ExposureToday(std::string_view reviewer) {
  RETURN_IF_ERROR(ValidateReviewerId(reviewer));
  return store_.GetExposure(reviewer, DayOf(clock_->Now()));
}

Status ReviewService::DeliverPendingVerifications() {
  ASSIGN_OR_RETURN(const std::vector<VerificationRequest> pending,
                   store_.ListPendingVerifications(std::nullopt));
  return Deliver(pending);
}

Status ReviewService::Deliver(const std::vector<VerificationRequest>& requests) {
  for (const VerificationRequest& r : requests) {
    RETURN_IF_ERROR(
        sink_.FlagForVerification(r.bank_entry_id, r.reason)
            .WithContext(fmt::format("verification of bank entry {}", r.bank_entry_id)));
    RETURN_IF_ERROR(store_.MarkVerificationDelivered(r.id, clock_->Now()));
  }
  return Status::Ok();
}

}  // namespace vigil::cases
