// Meta HMA's hashing (/h), matching (/m) and curation (/c) routes, with HMA's paths and JSON
// shapes (../shared/specs/hma-api.md), so HMA clients work unchanged. Where vigil's model
// differs the route says so clearly instead of pretending (docs/server.md, "HMA compatibility").
#include <fmt/format.h>

#include "bank/signal.h"
#include "hash/digest.h"
#include "server/routes.h"

namespace vigil::server::handlers {
namespace {

// vigil has no gradual rollout: every bank matches everything it holds.
constexpr double kEnabledRatio = 1.0;

Status NoRemoteFetch() {
  return UnimplementedError(
      "fetching media from a URL is not supported (vigil never fetches remote content); POST the "
      "file as multipart/form-data instead");
}

Json HmaBankJson(const bank::Bank& b) {
  return {{"name", b.name}, {"matching_enabled_ratio", kEnabledRatio}};
}

// The signals of hashed media under threatexchange's names, filtered by the `types` query.
Result<std::vector<std::pair<bank::SignalType, std::string>>> MediaSignals(
    const Call& call, const detect::MediaHashes& h) {
  std::vector<std::pair<bank::SignalType, std::string>> all;
  if (!h.video) all.emplace_back(bank::SignalType::kPdq, h.pdq.ToHex());
  all.emplace_back(bank::SignalType::kMd5, hash::DigestToHex(h.md5));
  all.emplace_back(bank::SignalType::kSha256, hash::DigestToHex(h.sha256));
  const std::vector<std::string> types = ListQuery(call, "types");
  if (types.empty()) return all;
  std::vector<std::pair<bank::SignalType, std::string>> out;
  for (const std::string& t : types) {
    auto parsed = bank::ParseSignalType(t);
    if (!parsed.ok()) return FieldError("types", parsed.status().message());
    for (const auto& s : all) {
      if (s.first == *parsed) out.push_back(s);
    }
  }
  return out;
}

Result<detect::MediaHashes> HashHmaUpload(Call& call) {
  ASSIGN_OR_RETURN(Upload upload, SingleUpload(call));
  if (upload.field != "photo" && upload.field != "video") {
    return FieldError(upload.field,
                      "the form field name is the content type and must be photo or video");
  }
  return HashUpload(call, upload);
}

// {"BANK": [{"bank_content_id": id, "distance": "d"}]}, only banks in the `banks` query.
Json MatchesByBank(const Call& call, const std::vector<match::MatchRef>& matches) {
  const std::vector<std::string> only = ListQuery(call, "banks");
  Json out = Json::object();
  for (const auto& m : matches) {
    const std::string& bank = m.bank->name;
    if (!only.empty() && std::find(only.begin(), only.end(), bank) == only.end()) continue;
    out[bank].push_back(
        {{"bank_content_id", m.entry_id}, {"distance", std::to_string(m.distance)}});
  }
  return out;
}

// Media hashes matched per signal type; a PDQ hash too low in quality matches nothing.
Result<Json> MatchMedia(Call& call, const detect::MediaHashes& h) {
  ASSIGN_OR_RETURN(auto signals, MediaSignals(call, h));
  const std::shared_ptr<const Detection> d = call.ctx.detection();
  Json out = Json::object();
  for (const auto& [type, value] : signals) {
    Result<std::vector<match::MatchRef>> m = std::vector<match::MatchRef>();
    if (type == bank::SignalType::kPdq) {
      m = d->matcher->LookupPdq(h.pdq, h.pdq_quality);
      if (!m.ok() && m.status().code() == StatusCode::kFailedPrecondition)
        m = std::vector<match::MatchRef>();
    } else {
      m = LookupSignal(*d, {type, value});
    }
    if (!m.ok()) return m.status();
    out[std::string(bank::ThreatExchangeName(type))] = MatchesByBank(call, *m);
  }
  return out;
}

// The entry {content_id} of bank {bank_name}; kNotFound when either is missing or they differ.
Result<std::pair<bank::Bank, bank::BankEntry>> ContentOfBank(const Call& call) {
  ASSIGN_OR_RETURN(bank::Bank b, call.ctx.db->banks().GetBank(call.params.at("bank_name")));
  ASSIGN_OR_RETURN(int64_t id, IdParam(call, "content_id"));
  auto entry = call.ctx.db->banks().GetEntry(id);
  if (!entry.ok() || entry->bank_id != b.id) {
    return NotFoundError(fmt::format("content {} is not in bank '{}'", id, b.name));
  }
  return std::make_pair(std::move(b), std::move(*entry));
}

Result<Json> ContentJson(const Call& call, const bank::Bank& b, const bank::BankEntry& e) {
  ASSIGN_OR_RETURN(bool signals, BoolQuery(call, "include_signals", false));
  ASSIGN_OR_RETURN(bool metadata, BoolQuery(call, "include_metadata", true));
  // disable_until_ts: 0 = disabled for good (a retired entry), 1 = enabled.
  Json j = {{"id", e.id},
            {"disable_until_ts", e.retired ? 0 : 1},
            {"original_media_uri", nullptr},
            {"bank", HmaBankJson(b)}};
  if (signals) j["signals"] = {{bank::ThreatExchangeName(e.signal_type), e.value}};
  if (metadata) {
    j["metadata"] = {{"content_id", e.source_ref}, {"content_uri", nullptr}, {"json", nullptr}};
  }
  j["note"] = e.retired ? e.retired_reason : e.source_ref;
  return j;
}

}  // namespace

Result<Reply> HmaHashUrl(Call& call) {
  RETURN_IF_ERROR(ReqQuery(call, "url").status());
  return NoRemoteFetch();
}

Result<Reply> HmaHashUpload(Call& call) {
  ASSIGN_OR_RETURN(detect::MediaHashes h, HashHmaUpload(call));
  ASSIGN_OR_RETURN(auto signals, MediaSignals(call, h));
  Json out = Json::object();
  for (const auto& [type, value] : signals) out[bank::ThreatExchangeName(type)] = value;
  return JsonReply(out);
}

Result<Reply> HmaRawLookup(Call& call) {
  ASSIGN_OR_RETURN(std::string type, ReqQuery(call, "signal_type"));
  ASSIGN_OR_RETURN(std::string value, ReqQuery(call, "signal"));
  ASSIGN_OR_RETURN(bool with_distance, BoolQuery(call, "include_distance", false));
  ASSIGN_OR_RETURN(ParsedSignal signal, ParseSignal(type, value, "signal_type", "signal"));
  const std::shared_ptr<const Detection> d = call.ctx.detection();
  ASSIGN_OR_RETURN(auto matches, LookupSignal(*d, signal));
  const std::vector<std::string> only = ListQuery(call, "banks");
  Json ids = Json::array();
  for (const auto& m : matches) {
    if (!only.empty() && std::find(only.begin(), only.end(), m.bank->name) == only.end()) continue;
    if (with_distance) {
      ids.push_back({{"bank_content_id", m.entry_id}, {"distance", std::to_string(m.distance)}});
    } else {
      ids.push_back(m.entry_id);
    }
  }
  return JsonReply({{"matches", ids}});
}

Result<Reply> HmaLookup(Call& call) {
  if (OptQuery(call, "url")) return NoRemoteFetch();
  ASSIGN_OR_RETURN(std::string type, ReqQuery(call, "signal_type"));
  ASSIGN_OR_RETURN(std::string value, ReqQuery(call, "signal"));
  // seed and bypass_coinflip steer HMA's gradual rollout, which vigil does not have.
  RETURN_IF_ERROR(BoolQuery(call, "bypass_coinflip", false).status());
  ASSIGN_OR_RETURN(ParsedSignal signal, ParseSignal(type, value, "signal_type", "signal"));
  // From the matcher's memory: a match costs no store read (docs/performance-server.md).
  const std::shared_ptr<const Detection> d = call.ctx.detection();
  ASSIGN_OR_RETURN(auto matches, LookupSignal(*d, signal));
  return JsonReply(MatchesByBank(call, matches));
}

Result<Reply> HmaLookupUpload(Call& call) {
  ASSIGN_OR_RETURN(detect::MediaHashes h, HashHmaUpload(call));
  ASSIGN_OR_RETURN(Json out, MatchMedia(call, h));
  return JsonReply(out);
}

Result<Reply> HmaCompare(Call& call) {
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  Json out = Json::object();
  for (const auto& [name, pair] : body.items()) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
      return FieldError(name, "expected a list of exactly two hash strings");
    }
    ASSIGN_OR_RETURN(ParsedSignal a, ParseSignal(name, pair[0].get<std::string>(), name, name));
    ASSIGN_OR_RETURN(ParsedSignal b, ParseSignal(name, pair[1].get<std::string>(), name, name));
    if (a.type != bank::SignalType::kPdq) {
      out[name] = Json::array({a.value == b.value, Json::object()});
      continue;
    }
    ASSIGN_OR_RETURN(hash::Hash256 ha, hash::Hash256::FromHex(a.value));
    ASSIGN_OR_RETURN(hash::Hash256 hb, hash::Hash256::FromHex(b.value));
    const int d = hash::HammingDistance(ha, hb);
    out[name] = Json::array({d <= call.ctx.config.pdq_radius, {{"distance", d}}});
  }
  return JsonReply(out);
}

Result<Reply> HmaIndexStatus(Call& call) {
  const std::shared_ptr<const Detection> d = call.ctx.detection();
  const match::MatcherStats s = d->matcher->GetStats();
  const int64_t built = d->loaded_at.time_since_epoch().count();
  const std::pair<bank::SignalType, size_t> sizes[] = {
      {bank::SignalType::kPdq, s.pdq_entries},
      {bank::SignalType::kMd5, s.md5_entries},
      {bank::SignalType::kSha256, s.sha256_entries}};
  std::optional<bank::SignalType> only;
  if (auto t = OptQuery(call, "signal_type")) {
    auto parsed = bank::ParseSignalType(*t);
    if (!parsed.ok()) return FieldError("signal_type", parsed.status().message());
    only = *parsed;
  }
  Json out = Json::object();
  for (const auto& [type, size] : sizes) {
    if (only && *only != type) continue;
    out[bank::ThreatExchangeName(type)] = {{"present", true}, {"built_to", built}, {"size", size}};
  }
  return JsonReply(out);
}

Result<Reply> HmaListBanks(Call& call) {
  ASSIGN_OR_RETURN(std::vector<bank::Bank> banks, call.ctx.db->banks().ListBanks());
  Json out = Json::array();
  for (const auto& b : banks) out.push_back(HmaBankJson(b));
  return JsonReply(out);
}

Result<Reply> HmaCreateBank(Call& call) {
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  RETURN_IF_ERROR(OnlyFields(body, {"name", "enabled_ratio", "enabled"}));
  ASSIGN_OR_RETURN(std::string name, ReqString(body, "name"));
  if (body.contains("enabled_ratio") && body["enabled_ratio"] != 1.0 &&
      body["enabled_ratio"] != 1) {
    return FieldError("enabled_ratio",
                      "vigil banks always match (1.0); gradual rollout is not supported");
  }
  if (body.contains("enabled") && body["enabled"] != true) {
    return FieldError("enabled", "vigil banks cannot be disabled; retire their entries instead");
  }
  ASSIGN_OR_RETURN(bank::Bank created, CreateBank(call.ctx, bank::NewBank{.name = name}));
  return JsonReply(HmaBankJson(created), 201);
}

Result<Reply> HmaGetBank(Call& call) {
  ASSIGN_OR_RETURN(bank::Bank b, call.ctx.db->banks().GetBank(call.params.at("bank_name")));
  return JsonReply(HmaBankJson(b));
}

Result<Reply> HmaUpdateBank(Call& call) {
  ASSIGN_OR_RETURN(bank::Bank b, call.ctx.db->banks().GetBank(call.params.at("bank_name")));
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  RETURN_IF_ERROR(OnlyFields(body, {"name", "enabled_ratio", "enabled"}));
  ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(body, "name"));
  if (name && *name != b.name) return FieldError("name", "banks cannot be renamed");
  if (body.contains("enabled_ratio") && body["enabled_ratio"] != 1.0 &&
      body["enabled_ratio"] != 1) {
    return FieldError("enabled_ratio", "vigil banks always match (1.0)");
  }
  if (body.contains("enabled") && body["enabled"] != true) {
    return FieldError("enabled", "vigil banks cannot be disabled; retire their entries instead");
  }
  return JsonReply(HmaBankJson(b));
}

Result<Reply> HmaDeleteBank(Call& call) {
  ASSIGN_OR_RETURN(bank::Bank b, call.ctx.db->banks().GetBank(call.params.at("bank_name")));
  return FailedPreconditionError(fmt::format(
      "bank '{}' cannot be deleted: vigil keeps banks and retires entries instead (DELETE "
      "/c/bank/{}/content/<id>)",
      b.name, b.name));
}

Result<Reply> HmaAddSignal(Call& call) {
  ASSIGN_OR_RETURN(bank::Bank b, call.ctx.db->banks().GetBank(call.params.at("bank_name")));
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  ASSIGN_OR_RETURN(std::optional<std::string> note, OptString(body, "note"));
  body.erase("note");
  if (body.size() != 1) {
    return FieldError("body", "expected exactly one \"<signal_type>\": \"<hash>\" member");
  }
  const std::string type = body.begin().key();
  if (!body.begin()->is_string()) return FieldError(type, "expected a hash string");
  ASSIGN_OR_RETURN(ParsedSignal s, ParseSignal(type, body.begin()->get<std::string>(), type, type));
  bank::NewEntry entry{.signal_type = s.type, .value = s.value, .source_ref = note.value_or("")};
  ASSIGN_OR_RETURN(bank::BankEntry e, AddBankEntry(call.ctx, b, entry));
  return JsonReply({{"id", e.id}, {"signals", {{bank::ThreatExchangeName(s.type), e.value}}}});
}

Result<Reply> HmaAddContent(Call& call) {
  ASSIGN_OR_RETURN(bank::Bank b, call.ctx.db->banks().GetBank(call.params.at("bank_name")));
  if (OptQuery(call, "url")) return NoRemoteFetch();
  ASSIGN_OR_RETURN(detect::MediaHashes h, HashHmaUpload(call));
  ASSIGN_OR_RETURN(auto signals, MediaSignals(call, h));
  const std::string note = call.req.has_file("note") ? call.req.get_file_value("note").content : "";
  Json out = {{"id", nullptr}, {"signals", Json::object()}};
  for (const auto& [type, value] : signals) {
    bank::NewEntry entry{.signal_type = type, .value = value, .source_ref = note};
    ASSIGN_OR_RETURN(bank::BankEntry e, AddBankEntry(call.ctx, b, entry));
    if (out["id"].is_null()) out["id"] = e.id;  // each signal is its own vigil entry
    out["signals"][bank::ThreatExchangeName(type)] = value;
  }
  return JsonReply(out);
}

Result<Reply> HmaGetContent(Call& call) {
  ASSIGN_OR_RETURN(auto found, ContentOfBank(call));
  ASSIGN_OR_RETURN(Json j, ContentJson(call, found.first, found.second));
  return JsonReply(j);
}

Result<Reply> HmaUpdateContent(Call& call) {
  ASSIGN_OR_RETURN(auto found, ContentOfBank(call));
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  RETURN_IF_ERROR(OnlyFields(body, {"disable_until_ts", "note"}));
  ASSIGN_OR_RETURN(std::optional<int64_t> ts, OptInt(body, "disable_until_ts"));
  ASSIGN_OR_RETURN(std::optional<std::string> note, OptString(body, "note"));
  if (ts && *ts == 0 && !found.second.retired) {
    ASSIGN_OR_RETURN(found.second, RetireBankEntry(call.ctx, found.second.id,
                                                   note.value_or("disabled through the HMA API")));
  } else if (ts && *ts == 1 && found.second.retired) {
    return FailedPreconditionError(fmt::format(
        "content {} is retired; retired entries are never re-enabled", found.second.id));
  } else if (ts && *ts != 0 && *ts != 1) {
    return FieldError("disable_until_ts",
                      "only 0 (retire for good) or 1 (enabled) are supported; vigil has no "
                      "temporary disabling");
  }
  ASSIGN_OR_RETURN(Json j, ContentJson(call, found.first, found.second));
  return JsonReply(j);
}

Result<Reply> HmaDeleteContent(Call& call) {
  ASSIGN_OR_RETURN(auto found, ContentOfBank(call));
  // Entries are never deleted (docs/banks.md): DELETE retires it, and a retired one stays as is.
  if (found.second.retired) return JsonReply({{"deleted", 0}, {"retired", true}});
  RETURN_IF_ERROR(
      RetireBankEntry(call.ctx, found.second.id, "deleted through the HMA API").status());
  return JsonReply({{"deleted", 1}, {"retired", true}});
}

}  // namespace vigil::server::handlers
