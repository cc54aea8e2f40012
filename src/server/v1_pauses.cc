// Automatic action paused by cluster alerts (docs/console.md): the pauses in force and resuming
// one. A flood of flags from one technology or bank entry often means a bad hash or a broken
// model, so the alert stops automatic action for that subject until a person who looked at it
// resumes it; the resume is a reviewer's decision, recorded as a case event by the store and in
// the audit log by the route table.
#include <fmt/format.h>

#include "server/routes.h"

namespace vigil::server::handlers {
namespace {

// Technology labels and bank entry ids are short; anything longer cannot name a pause.
constexpr size_t kMaxKeyBytes = 512;

Json PauseJson(const cases::AutoActionPause& p) {
  return {{"subject", cases::AlertSubjectName(p.subject)},
          {"key", p.key},
          {"paused_at", FormatUtc(p.paused_at)},
          {"alert_id", p.alert_id}};
}

}  // namespace

Result<Reply> V1ListPauses(Call& call) {
  ASSIGN_OR_RETURN(std::vector<cases::AutoActionPause> pauses, call.ctx.db->cases().ListPauses());
  Json out = Json::array();
  for (const auto& p : pauses) out.push_back(PauseJson(p));
  return JsonReply({{"pauses", out}});
}

Result<Reply> V1ResumeAutoAction(Call& call) {
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  RETURN_IF_ERROR(OnlyFields(body, {"subject", "key", "reason"}));
  ASSIGN_OR_RETURN(std::string subject_name, ReqString(body, "subject"));
  ASSIGN_OR_RETURN(std::string key, ReqString(body, "key"));
  ASSIGN_OR_RETURN(std::string reason, ReqString(body, "reason"));
  auto subject = cases::ParseAlertSubject(subject_name);
  if (!subject.ok()) return FieldError("subject", "expected technology or bank_entry");
  if (key.empty()) return FieldError("key", "required (the technology, or the bank entry id)");
  if (key.size() > kMaxKeyBytes) {
    return FieldError("key", fmt::format("longer than {} bytes: no such subject", kMaxKeyBytes));
  }
  if (reason.empty()) {
    return FieldError("reason", "say why automatic action is safe again (what was checked)");
  }
  if (Status s = cases::ValidateText("reason", reason, /*required=*/true); !s.ok()) {
    return FieldError("reason", s.message());
  }
  // The store lifts the pause and writes the case event in one transaction; kNotFound (404)
  // when the subject is not paused, so a second resume is refused rather than silently repeated.
  RETURN_IF_ERROR(call.ctx.review->ResumeAutoAction(*subject, key, call.actor(), reason));
  return JsonReply({{"subject", cases::AlertSubjectName(*subject)},
                    {"key", key},
                    {"resumed_by", call.actor()},
                    {"resumed_at", FormatUtc(call.ctx.clock->Now())},
                    {"reason", reason}});
}

}  // namespace vigil::server::handlers
