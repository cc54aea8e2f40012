// vigil's /v1 API for ingest and banks: hash, match, submit items to the pipeline, banks and
// their entries.
#include <fmt/format.h>

#include "bank/signal.h"
#include "server/routes.h"

namespace vigil::server::handlers {
namespace {

Json MatchJson(const match::BankMatch& m) {
  return {{"bank", m.bank.name},
          {"entry_id", m.entry.id},
          {"signal_type", bank::SignalTypeName(m.entry.signal_type)},
          {"distance", m.distance},
          {"auto_action", m.bank.auto_action()},
          {"verifications", m.entry.verifications},
          {"needs_verification", m.entry.needs_verification}};
}

Json V1BankJson(const bank::Bank& b) {
  return {{"id", b.id},
          {"name", b.name},
          {"owner", b.owner},
          {"description", b.description},
          {"source_list", b.source_list},
          {"policy", bank::ActionPolicyName(b.policy)},
          {"created_at", FormatUtc(b.created_at)}};
}

// A form field of a multipart request (not a file), or "" when absent.
std::string FormField(const Call& call, const char* name) {
  return call.req.has_file(name) ? call.req.get_file_value(name).content : "";
}

// The name of bank `id`, or "" if it vanished (banks are never deleted, so it does not).
Result<std::string> BankNameOf(const Call& call, bank::BankId id) {
  ASSIGN_OR_RETURN(std::vector<bank::Bank> banks, call.ctx.db->banks().ListBanks());
  for (const auto& b : banks) {
    if (b.id == id) return b.name;
  }
  return std::string();
}

}  // namespace

Result<Reply> V1Hash(Call& call) {
  ASSIGN_OR_RETURN(Upload upload, SingleUpload(call));
  ASSIGN_OR_RETURN(detect::MediaHashes h, HashUpload(call, upload));
  return JsonReply(HashesJson(h));
}

Result<Reply> V1Match(Call& call) {
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  RETURN_IF_ERROR(OnlyFields(body, {"signal_type", "signal", "quality"}));
  ASSIGN_OR_RETURN(std::string type, ReqString(body, "signal_type"));
  ASSIGN_OR_RETURN(std::string value, ReqString(body, "signal"));
  ASSIGN_OR_RETURN(std::optional<int64_t> quality, OptInt(body, "quality"));
  if (quality && (*quality < 0 || *quality > 100)) return FieldError("quality", "must be 0 to 100");
  ASSIGN_OR_RETURN(ParsedSignal s, ParseSignal(type, value, "signal_type", "signal"));
  Result<std::vector<match::BankMatch>> matches = std::vector<match::BankMatch>();
  if (s.type == bank::SignalType::kPdq && quality) {
    ASSIGN_OR_RETURN(hash::Hash256 h, hash::Hash256::FromHex(s.value));
    matches = call.ctx.detection()->matcher->MatchPdq(h, static_cast<int>(*quality));
    if (!matches.ok() && matches.status().code() == StatusCode::kFailedPrecondition) {
      return JsonReply({{"matches", Json::array()}, {"pdq_low_quality", true}});
    }
  } else {
    matches = MatchSignal(call.ctx, s);
  }
  if (!matches.ok()) return matches.status();
  Json out = Json::array();
  for (const auto& m : *matches) out.push_back(MatchJson(m));
  return JsonReply({{"matches", out}});
}

Result<Reply> V1SubmitItem(Call& call) {
  ASSIGN_OR_RETURN(Upload upload, SingleUpload(call));
  ASSIGN_OR_RETURN(stats::Region region, [&]() -> Result<stats::Region> {
    const std::string r = FormField(call, "region");
    if (r.empty()) return stats::Region::kUnknown;
    auto parsed = stats::ParseRegion(r);
    if (!parsed.ok()) return FieldError("region", parsed.status().message());
    return parsed;
  }());
  detect::ItemInput item{FormField(call, "item_id"),
                         FormField(call, "account_id"),
                         FormField(call, "surface"),
                         region,
                         {}};
  if (item.item_id.empty()) return FieldError("item_id", "form field is required");
  if (item.account_id.empty()) return FieldError("account_id", "form field is required");
  if (item.surface.empty()) item.surface = "api";
  // With keys, the account id is stored only as its pseudonym; the clear id is kept sealed.
  const std::string clear_account = item.account_id;
  if (call.ctx.pseudonyms) item.account_id = call.ctx.pseudonyms->Pseudonymise(clear_account);
  ASSIGN_OR_RETURN(detect::MediaHashes h, HashUpload(call, upload));
  // Before anything is counted or filed, as in the scan: an item whose classifier failed leaves
  // no trace but the kept item.
  ASSIGN_OR_RETURN(ItemClassification classified,
                   ClassifyUpload(call.ctx, upload, item, clear_account));
  if (classified.kept) {
    // Accepted, not yet decided: the retry classifies, matches and files it; sending it again
    // is not needed (it would only count another attempt of the same kept item).
    return JsonReply({{"item_id", item.item_id},
                      {"kept_for_retry", true},
                      {"attempts", classified.attempts},
                      {"message", classified.error}},
                     202);
  }
  const auto* data = reinterpret_cast<const uint8_t*>(upload.bytes->data());
  ASSIGN_OR_RETURN(detect::ItemOutcome out,
                   FileClassifiedItem(call.ctx, item, std::move(h), classified.scores,
                                      {data, upload.bytes->size()}, clear_account));
  const auto& d = out.decision;
  Json j = {{"item_id", item.item_id},
            {"flagged", !d.flags.empty()},
            {"action", detect::ActionName(d.action)},
            {"priority", d.priority},
            {"technologies", Json::array()},
            {"pdq_low_quality", out.pdq_low_quality}};
  bool needs_confirmation = false;
  for (const auto& f : d.flags) {
    j["technologies"].push_back(f.technology);
    // Art 3(1)(g)(iii): a classifier's flag (new material) is a suspicion until a human confirms.
    needs_confirmation |= f.signal.category == detect::Category::kNew;
  }
  if (call.ctx.media_classifier != nullptr) {
    j["classifier_scores"] = Json::array();
    for (const classify::Score& s : classified.scores) {
      j["classifier_scores"].push_back(
          {{"technology", fmt::format("classifier:{}@{}", s.model, s.version)},
           {"score", s.value}});
    }
  }
  if (needs_confirmation) j["needs_human_confirmation"] = true;
  if (out.opened) j["case_id"] = out.opened->opened.id;
  return JsonReply(j);
}

Result<Reply> V1ListBanks(Call& call) {
  ASSIGN_OR_RETURN(std::vector<bank::Bank> banks, call.ctx.db->banks().ListBanks());
  Json out = Json::array();
  for (const auto& b : banks) out.push_back(V1BankJson(b));
  return JsonReply({{"banks", out}});
}

Result<Reply> V1CreateBank(Call& call) {
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  RETURN_IF_ERROR(OnlyFields(body, {"name", "owner", "description", "source_list", "policy"}));
  bank::NewBank nb;
  ASSIGN_OR_RETURN(nb.name, ReqString(body, "name"));
  ASSIGN_OR_RETURN(auto owner, OptString(body, "owner"));
  ASSIGN_OR_RETURN(auto description, OptString(body, "description"));
  ASSIGN_OR_RETURN(auto source_list, OptString(body, "source_list"));
  ASSIGN_OR_RETURN(auto policy, OptString(body, "policy"));
  nb.owner = owner.value_or("");
  nb.description = description.value_or("");
  nb.source_list = source_list.value_or("");
  if (policy) {
    auto p = bank::ParseActionPolicy(*policy);
    if (!p.ok()) return FieldError("policy", p.status().message());
    nb.policy = *p;
  }
  ASSIGN_OR_RETURN(bank::Bank created, CreateBank(call.ctx, nb));
  return JsonReply(V1BankJson(created), 201);
}

Result<Reply> V1GetBank(Call& call) {
  ASSIGN_OR_RETURN(bank::Bank b, call.ctx.db->banks().GetBank(call.params.at("bank")));
  ASSIGN_OR_RETURN(bank::BankStats s, call.ctx.db->banks().GetStats(b.id));
  Json j = V1BankJson(b);
  j["entries"] = {{"total", s.total},
                  {"active", s.active},
                  {"retired", s.retired},
                  {"verified", s.verified},
                  {"needs_verification", s.needs_verification}};
  return JsonReply(j);
}

Result<Reply> V1ListEntries(Call& call) {
  ASSIGN_OR_RETURN(bank::Bank b, call.ctx.db->banks().GetBank(call.params.at("bank")));
  const auto max = static_cast<int64_t>(call.ctx.config.limits.max_list);
  ASSIGN_OR_RETURN(int64_t limit, IntQuery(call, "limit", std::min<int64_t>(100, max), 1, max));
  ASSIGN_OR_RETURN(int64_t after, IntQuery(call, "after_id", 0, 0, INT64_MAX));
  ASSIGN_OR_RETURN(bool retired, BoolQuery(call, "include_retired", false));
  Json out = Json::array();
  Status s = call.ctx.db->banks().ForEachEntry(b.id, {.include_retired = retired},
                                               [&](const bank::BankEntry& e) -> Status {
                                                 if (e.id <= after) return Status::Ok();
                                                 if (static_cast<int64_t>(out.size()) >= limit)
                                                   return UnavailableError("page full");
                                                 out.push_back(BankEntryJson(e, b.name));
                                                 return Status::Ok();
                                               });
  if (!s.ok() && s.message() != "page full") return s;
  Json j = {{"entries", out}};
  if (static_cast<int64_t>(out.size()) == limit) j["next_after_id"] = out.back()["id"];
  return JsonReply(j);
}

Result<Reply> V1AddEntry(Call& call) {
  ASSIGN_OR_RETURN(bank::Bank b, call.ctx.db->banks().GetBank(call.params.at("bank")));
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  RETURN_IF_ERROR(OnlyFields(body, {"signal_type", "signal", "source_ref"}));
  ASSIGN_OR_RETURN(std::string type, ReqString(body, "signal_type"));
  ASSIGN_OR_RETURN(std::string value, ReqString(body, "signal"));
  ASSIGN_OR_RETURN(auto source_ref, OptString(body, "source_ref"));
  ASSIGN_OR_RETURN(ParsedSignal s, ParseSignal(type, value, "signal_type", "signal"));
  bank::NewEntry entry{
      .signal_type = s.type, .value = s.value, .source_ref = source_ref.value_or("")};
  auto added = AddBankEntry(call.ctx, b, entry);
  if (!added.ok() && added.status().code() == StatusCode::kInvalidArgument) {
    return FieldError("source_ref", added.status().message());
  }
  if (!added.ok()) return added.status();
  return JsonReply(BankEntryJson(*added, b.name), 201);
}

Result<Reply> V1GetEntry(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(call, "id"));
  ASSIGN_OR_RETURN(bank::BankEntry e, call.ctx.db->banks().GetEntry(id));
  ASSIGN_OR_RETURN(std::string bank_name, BankNameOf(call, e.bank_id));
  return JsonReply(BankEntryJson(e, bank_name));
}

Result<Reply> V1RetireEntry(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(call, "id"));
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  RETURN_IF_ERROR(OnlyFields(body, {"reason"}));
  ASSIGN_OR_RETURN(std::string reason, ReqString(body, "reason"));
  RETURN_IF_ERROR(call.ctx.db->banks().GetEntry(id).status());
  if (Status s = bank::ValidateRetireReason(reason); !s.ok()) {
    return FieldError("reason", s.message());
  }
  ASSIGN_OR_RETURN(bank::BankEntry e, RetireBankEntry(call.ctx, id, reason));
  ASSIGN_OR_RETURN(std::string bank_name, BankNameOf(call, e.bank_id));
  return JsonReply(BankEntryJson(e, bank_name));
}

}  // namespace vigil::server::handlers
