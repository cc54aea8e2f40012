// vigil's /v1 API for redress (docs/redress.md): actions on decided cases and complaints. The
// actor, the complaint's filer and the second reviewer are always the calling key's name, so
// nobody acts under another's name and the independence check sees who really decides.
#include <fmt/format.h>

#include <algorithm>

#include "redress/redress.h"
#include "server/routes.h"

namespace vigil::server::handlers {
namespace {

Result<redress::RedressService*> Service(const Call& call) {
  if (!call.ctx.redress) {
    return UnavailableError(
        "redress is not configured on this server (\"redress_config\" in the server config)");
  }
  return call.ctx.redress.get();
}

Json ActionJson(const redress::Action& a) {
  Json j = {{"id", a.id},
            {"case_id", a.case_id},
            {"kind", redress::ActionKindName(a.kind)},
            {"item_id", a.item_id},
            {"reason", a.reason},
            {"technologies", a.technologies},
            {"actor", a.actor},
            {"taken_at", FormatUtc(a.taken_at)}};
  j["reversed_at"] = a.reversed_at ? Json(FormatUtc(*a.reversed_at)) : Json(nullptr);
  return j;
}

Json ComplaintJson(const redress::Complaint& c) {
  Json j = {{"id", c.id},
            {"action_id", c.action_id},
            {"case_id", c.case_id},
            {"state", redress::ComplaintStateName(c.state)},
            {"filed_at", FormatUtc(c.filed_at)}};
  j["outcome"] = c.outcome ? Json(redress::ComplaintOutcomeName(*c.outcome)) : Json(nullptr);
  j["reviewer"] = c.reviewer;
  j["report_followup"] = c.report_followup;
  return j;
}

// A complaint as the review queue shows it: the action complained about, when the operator's
// target says it should be decided, and whether the calling key may decide it (the second
// review must be independent, Art 3(1)(g)(iv)), so nobody is handed a complaint about their
// own decision.
Result<Json> QueueEntry(const Call& call, const redress::RedressService& service,
                        const redress::Complaint& c, bool with_text) {
  ASSIGN_OR_RETURN(redress::Action action, call.ctx.db->redress().GetAction(c.action_id));
  ASSIGN_OR_RETURN(cases::Case kase, call.ctx.db->cases().GetCase(c.case_id));
  Json j = ComplaintJson(c);
  const TimePoint decide_by = c.filed_at + service.config().complaint_decision_target;
  j["decide_by"] = FormatUtc(decide_by);
  j["overdue"] = c.state == redress::ComplaintState::kOpen && call.ctx.clock->Now() > decide_by;
  j["action"] = ActionJson(action);
  if (c.decided_at) j["decided_at"] = FormatUtc(*c.decided_at);
  if (with_text) {
    j["text"] = c.text;
    j["filed_by"] = c.filed_by;
    j["rationale"] = c.rationale;
  }
  const Status independent = redress::CheckSecondReviewer(kase, action, call.actor());
  const bool decides = call.key->Has(auth::Role::kReviewer) || call.key->Has(auth::Role::kAdmin);
  j["may_decide"] = decides && independent.ok();
  if (!independent.ok()) j["conflict"] = independent.message();
  return j;
}

}  // namespace

Result<Reply> V1ListComplaints(Call& call) {
  ASSIGN_OR_RETURN(redress::RedressService * service, Service(call));
  ASSIGN_OR_RETURN(bool open_only, BoolQuery(call, "open", true));
  ASSIGN_OR_RETURN(int64_t limit, IntQuery(call, "limit", 100, 1, 1000));
  ASSIGN_OR_RETURN(std::vector<redress::Complaint> complaints,
                   call.ctx.db->redress().ListComplaints(
                       {.open_only = open_only, .limit = static_cast<size_t>(limit)}));
  // Oldest first: the first to reach its decision target.
  std::stable_sort(complaints.begin(), complaints.end(),
                   [](const auto& a, const auto& b) { return a.filed_at < b.filed_at; });
  Json out = Json::array();
  for (const redress::Complaint& c : complaints) {
    ASSIGN_OR_RETURN(Json j, QueueEntry(call, *service, c, /*with_text=*/false));
    out.push_back(std::move(j));
  }
  return JsonReply({{"complaints", out},
                    {"decision_target_days", service->config().complaint_decision_target.count()}});
}

Result<Reply> V1GetComplaint(Call& call) {
  ASSIGN_OR_RETURN(redress::RedressService * service, Service(call));
  ASSIGN_OR_RETURN(int64_t id, IdParam(call, "id"));
  ASSIGN_OR_RETURN(redress::Complaint c, call.ctx.db->redress().GetComplaint(id));
  ASSIGN_OR_RETURN(Json j, QueueEntry(call, *service, c, /*with_text=*/true));
  return JsonReply(j);
}

Result<Reply> V1TakeAction(Call& call) {
  ASSIGN_OR_RETURN(redress::RedressService * service, Service(call));
  ASSIGN_OR_RETURN(int64_t id, IdParam(call, "id"));
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  RETURN_IF_ERROR(OnlyFields(body, {"kind", "item_id", "reason", "language"}));
  ASSIGN_OR_RETURN(std::string kind_name, ReqString(body, "kind"));
  auto kind = redress::ParseActionKind(kind_name);
  if (!kind.ok()) return FieldError("kind", kind.status().message());
  ASSIGN_OR_RETURN(std::string reason, ReqString(body, "reason"));
  ASSIGN_OR_RETURN(std::optional<std::string> item, OptString(body, "item_id"));
  ASSIGN_OR_RETURN(std::optional<std::string> language, OptString(body, "language"));
  ASSIGN_OR_RETURN(redress::Action a, service->TakeAction({.case_id = id,
                                                           .kind = *kind,
                                                           .item_id = item.value_or(""),
                                                           .reason = reason,
                                                           .actor = call.actor(),
                                                           .language = language.value_or("")}));
  return JsonReply(ActionJson(a), 201);
}

Result<Reply> V1FileComplaint(Call& call) {
  ASSIGN_OR_RETURN(redress::RedressService * service, Service(call));
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  RETURN_IF_ERROR(OnlyFields(body, {"action_id", "text"}));
  ASSIGN_OR_RETURN(std::optional<int64_t> action, OptInt(body, "action_id"));
  if (!action || *action <= 0) return FieldError("action_id", "a positive action id is required");
  ASSIGN_OR_RETURN(std::string text, ReqString(body, "text"));
  ASSIGN_OR_RETURN(
      redress::Complaint c,
      service->FileComplaint({.action_id = *action, .text = text, .filed_by = call.actor()}));
  return JsonReply(ComplaintJson(c), 201);
}

Result<Reply> V1DecideComplaint(Call& call) {
  ASSIGN_OR_RETURN(redress::RedressService * service, Service(call));
  ASSIGN_OR_RETURN(int64_t id, IdParam(call, "id"));
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  RETURN_IF_ERROR(OnlyFields(body, {"outcome", "rationale"}));
  ASSIGN_OR_RETURN(std::string outcome_name, ReqString(body, "outcome"));
  auto outcome = redress::ParseComplaintOutcome(outcome_name);
  if (!outcome.ok()) return FieldError("outcome", outcome.status().message());
  ASSIGN_OR_RETURN(std::string rationale, ReqString(body, "rationale"));
  ASSIGN_OR_RETURN(redress::Complaint c, service->DecideComplaint({.complaint_id = id,
                                                                   .reviewer = call.actor(),
                                                                   .outcome = *outcome,
                                                                   .rationale = rationale}));
  return JsonReply(ComplaintJson(c));
}

Result<Reply> V1CaseRedress(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(call, "id"));
  RETURN_IF_ERROR(call.ctx.db->cases().GetCase(id).status());
  ASSIGN_OR_RETURN(std::vector<redress::Action> actions, call.ctx.db->redress().ListActions(id));
  ASSIGN_OR_RETURN(std::vector<redress::Complaint> complaints,
                   call.ctx.db->redress().ListComplaints({.case_id = id}));
  ASSIGN_OR_RETURN(std::vector<redress::Notice> notices, call.ctx.db->redress().ListNotices(id));
  Json a = Json::array(), c = Json::array(), n = Json::array();
  for (const auto& x : actions) a.push_back(ActionJson(x));
  for (const auto& x : complaints) c.push_back(ComplaintJson(x));
  for (const auto& x : notices) {
    n.push_back({{"id", x.id},
                 {"action_id", x.action_id},
                 {"language", x.language},
                 {"state", redress::NoticeStateName(x.state)},
                 {"attempts", x.attempts}});
  }
  return JsonReply({{"case_id", id}, {"actions", a}, {"complaints", c}, {"notices", n}});
}

}  // namespace vigil::server::handlers
