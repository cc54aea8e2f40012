// vigil's /v1 API for human review (queue, claim, release, decide, cases) and API keys. The
// reviewer is always the calling key's name, so nobody can act under another reviewer's name.
#include <fmt/format.h>

#include "privacy/purge.h"
#include "server/routes.h"

namespace vigil::server::handlers {
namespace {

Json KeyJson(const auth::ApiKey& k) {
  Json roles = Json::array();
  for (auth::Role r : k.roles) roles.push_back(auth::RoleName(r));
  Json j = {
      {"id", k.id}, {"name", k.name}, {"roles", roles}, {"created_at", FormatUtc(k.created_at)}};
  j["revoked_at"] = k.revoked_at ? Json(FormatUtc(*k.revoked_at)) : Json(nullptr);
  return j;
}

Result<size_t> Limit(const Call& call) {
  const auto max = static_cast<int64_t>(call.ctx.config.limits.max_list);
  ASSIGN_OR_RETURN(int64_t limit, IntQuery(call, "limit", std::min<int64_t>(50, max), 1, max));
  return static_cast<size_t>(limit);
}

Json CaseList(const std::vector<cases::Case>& list) {
  Json out = Json::array();
  for (const auto& c : list) out.push_back(CaseSummaryJson(c));
  return out;
}

}  // namespace

Result<Reply> V1Queue(Call& call) {
  ASSIGN_OR_RETURN(size_t limit, Limit(call));
  ASSIGN_OR_RETURN(std::vector<cases::Case> queue, call.ctx.review->Queue(limit));
  return JsonReply({{"cases", CaseList(queue)}});
}

Result<Reply> V1Claim(Call& call) {
  std::optional<int64_t> id;
  if (!call.req.body.empty()) {
    ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
    RETURN_IF_ERROR(OnlyFields(body, {"case_id"}));
    ASSIGN_OR_RETURN(id, OptInt(body, "case_id"));
  }
  ASSIGN_OR_RETURN(cases::Case c, id ? call.ctx.review->Claim(*id, call.actor())
                                     : call.ctx.review->ClaimNext(call.actor()));
  return JsonReply(CaseJson(c));
}

Result<Reply> V1Release(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(call, "id"));
  ASSIGN_OR_RETURN(cases::Case c, call.ctx.review->Release(id, call.actor()));
  return JsonReply(CaseJson(c));
}

Result<Reply> V1Decide(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(call, "id"));
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  RETURN_IF_ERROR(OnlyFields(body, {"decision", "rationale"}));
  ASSIGN_OR_RETURN(std::string decision, ReqString(body, "decision"));
  ASSIGN_OR_RETURN(std::string rationale, ReqString(body, "rationale"));
  auto parsed = cases::ParseDecision(decision);
  if (!parsed.ok()) return FieldError("decision", parsed.status().message());
  if (Status s = cases::ValidateText("rationale", rationale, true); !s.ok()) {
    return FieldError("rationale", s.message());
  }
  ASSIGN_OR_RETURN(cases::DecisionResult r,
                   call.ctx.review->Decide(id, {call.actor(), *parsed, rationale}));
  if (r.after.progress.outcome == cases::Decision::kNotCsam) {
    // Art 3(1)(h): a flag found wrong leaves only what error accounting needs, at once.
    RETURN_IF_ERROR(privacy::EraseNotCsam(call.ctx.db->privacy(), call.ctx.evidence.get(), id,
                                          call.ctx.clock->Now())
                        .status());
    ASSIGN_OR_RETURN(r.after, call.ctx.db->cases().GetCase(id));
  }
  Json j = CaseJson(r.after);
  if (!r.verification.ok()) j["verification_pending"] = r.verification.message();
  return JsonReply(j);
}

Result<Reply> V1ListCases(Call& call) {
  cases::CaseFilter filter;
  ASSIGN_OR_RETURN(filter.limit, Limit(call));
  ASSIGN_OR_RETURN(filter.after_id, IntQuery(call, "after_id", 0, 0, INT64_MAX));
  if (auto state = OptQuery(call, "state")) {
    auto parsed = cases::ParseCaseState(*state);
    if (!parsed.ok()) return FieldError("state", parsed.status().message());
    filter.state = *parsed;
  }
  ASSIGN_OR_RETURN(std::vector<cases::Case> list, call.ctx.db->cases().ListCases(filter));
  return JsonReply({{"cases", CaseList(list)}});
}

Result<Reply> V1GetCase(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(call, "id"));
  ASSIGN_OR_RETURN(cases::Case c, call.ctx.db->cases().GetCase(id));
  return JsonReply(CaseJson(c));
}

Result<Reply> V1ListKeys(Call& call) {
  ASSIGN_OR_RETURN(std::vector<auth::ApiKey> keys, call.ctx.db->api_keys().ListKeys());
  Json out = Json::array();
  for (const auto& k : keys) out.push_back(KeyJson(k));
  return JsonReply({{"keys", out}});
}

Result<Reply> V1CreateKey(Call& call) {
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  RETURN_IF_ERROR(OnlyFields(body, {"name", "roles"}));
  auth::NewApiKey nk;
  ASSIGN_OR_RETURN(nk.name, ReqString(body, "name"));
  if (Status s = auth::ValidateKeyName(nk.name); !s.ok()) return FieldError("name", s.message());
  auto roles = body.find("roles");
  if (roles == body.end() || !roles->is_array() || roles->empty()) {
    return FieldError("roles", "expected a non-empty list of role names");
  }
  for (const auto& r : *roles) {
    auto parsed = r.is_string() ? auth::ParseRole(r.get<std::string>())
                                : Result<auth::Role>(InvalidArgumentError("expected a role name"));
    if (!parsed.ok()) return FieldError("roles", parsed.status().message());
    nk.roles.insert(*parsed);
  }
  ASSIGN_OR_RETURN(std::string secret, auth::GenerateSecret());
  nk.secret_hash = auth::HashSecret(secret);
  ASSIGN_OR_RETURN(auth::ApiKey k,
                   auth::CreateApiKey(call.ctx.db->api_keys(), nk, call.ctx.clock->Now()));
  Json j = KeyJson(k);
  j["secret"] = secret;  // shown once; only its hash is stored
  return JsonReply(j, 201);
}

Result<Reply> V1RevokeKey(Call& call) {
  ASSIGN_OR_RETURN(auth::ApiKey k, call.ctx.db->api_keys().RevokeKey(call.params.at("name"),
                                                                     call.ctx.clock->Now()));
  call.ctx.key_cache->Clear();  // effective at once for this server
  return JsonReply(KeyJson(k));
}

}  // namespace vigil::server::handlers
