// The /v1 routes the reviewer console needs beyond the review API (docs/console.md): who the
// caller is with their wellness settings and exposure, case history, cluster alerts, the QA
// queue, item media and its audited reveal, the audit log and the detection rules.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <span>

#include "core/file.h"
#include "hash/digest.h"
#include "media/media.h"
#include "server/item_media.h"
#include "server/routes.h"

namespace vigil::server::handlers {
namespace {

Json WellnessJson(const cases::ReviewerSettings& s) {
  return {{"blur_percent", s.blur_percent},
          {"greyscale", s.greyscale},
          {"daily_exposure_cap", s.daily_exposure_cap}};
}

Result<size_t> ListLimit(const Call& call) {
  const auto max = static_cast<int64_t>(call.ctx.config.limits.max_list);
  ASSIGN_OR_RETURN(int64_t limit, IntQuery(call, "limit", std::min<int64_t>(50, max), 1, max));
  return static_cast<size_t>(limit);
}

// Reads {"blur_percent"?, "greyscale"?, "daily_exposure_cap"?} over `s`; `allow_cap` is false
// for reviewers changing their own settings (the cap protects them and is set by an admin).
Status ApplyWellness(const nlohmann::json& body, bool allow_cap, cases::ReviewerSettings& s) {
  if (allow_cap) {
    RETURN_IF_ERROR(OnlyFields(body, {"blur_percent", "greyscale", "daily_exposure_cap"}));
  } else {
    RETURN_IF_ERROR(OnlyFields(body, {"blur_percent", "greyscale"}));
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> blur, OptInt(body, "blur_percent"));
  if (blur && (*blur < 0 || *blur > 100)) return FieldError("blur_percent", "expected 0 to 100");
  if (blur) s.blur_percent = static_cast<int>(*blur);
  if (auto g = body.find("greyscale"); g != body.end()) {
    if (!g->is_boolean()) return FieldError("greyscale", "expected true or false");
    s.greyscale = g->get<bool>();
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> cap, OptInt(body, "daily_exposure_cap"));
  if (cap && (*cap < 1 || *cap > cases::kMaxExposureCap)) {
    return FieldError("daily_exposure_cap",
                      fmt::format("expected 1 to {}", cases::kMaxExposureCap));
  }
  if (cap) s.daily_exposure_cap = static_cast<int>(*cap);
  return Status::Ok();
}

Json MeJson(Call& call, const cases::ReviewerSettings& s, int64_t exposure) {
  Json roles = Json::array();
  for (auth::Role r : call.key->roles) roles.push_back(auth::RoleName(r));
  return {{"name", call.key->name},
          {"roles", roles},
          {"now", FormatUtc(call.ctx.clock->Now())},
          {"wellness", WellnessJson(s)},
          {"exposure_today", exposure},
          {"media", call.ctx.evidence != nullptr}};
}

// The content type of media a browser can show: the images browsers decode, and the two video
// containers they play (MP4 with its "ftyp" box, WebM/Matroska with its EBML magic); "" for
// anything else (TIFF, HEIF, AVI, ...), which is reviewed by its hashes and matches.
std::string_view BrowserContentType(std::span<const uint8_t> bytes) {
  switch (media::SniffMediaType(bytes)) {
    case media::MediaType::kJpeg:
      return "image/jpeg";
    case media::MediaType::kPng:
      return "image/png";
    case media::MediaType::kGif:
      return "image/gif";
    case media::MediaType::kWebp:
      return "image/webp";
    case media::MediaType::kBmp:
      return "image/bmp";
    case media::MediaType::kVideo: {
      constexpr uint8_t kEbml[] = {0x1A, 0x45, 0xDF, 0xA3};
      if (bytes.size() >= 4 && std::equal(kEbml, kEbml + 4, bytes.begin())) return "video/webm";
      if (bytes.size() >= 8 &&
          std::string_view(reinterpret_cast<const char*>(&bytes[4]), 4) == "ftyp") {
        return "video/mp4";
      }
      return "";
    }
    default:
      return "";
  }
}

Json AlertJson(const cases::ClusterAlert& a) {
  Json j = {{"id", a.id},
            {"subject", cases::AlertSubjectName(a.subject)},
            {"key", a.key},
            {"flag_count", a.flag_count},
            {"threshold", a.threshold},
            {"window_seconds", a.window_seconds},
            {"raised_at", FormatUtc(a.raised_at)},
            {"case_id", a.case_id},
            {"paused_auto_action", a.paused_auto_action}};
  if (a.acknowledged_at) {
    j["acknowledged_at"] = FormatUtc(*a.acknowledged_at);
    j["acknowledged_by"] = a.acknowledged_by;
    j["note"] = a.note;
  }
  return j;
}

// The newest record's seq. The audit store lists ascending from a seq and has no "last" query,
// and seqs are dense from 1, so the end is found by doubling and then bisecting: about
// 2 log2(n) one-row reads on the primary key.
Result<int64_t> LastAuditSeq(audit::AuditStore& store) {
  auto exists = [&](int64_t seq) -> Result<bool> {
    ASSIGN_OR_RETURN(std::vector<audit::AuditRecord> r, store.List(seq, 1));
    return !r.empty();
  };
  ASSIGN_OR_RETURN(bool any, exists(1));
  if (!any) return int64_t{0};
  int64_t lo = 1, hi = 2;  // exists(lo); hi is probed next
  for (;;) {
    ASSIGN_OR_RETURN(bool more, exists(hi));
    if (!more) break;
    lo = hi;
    if (hi > INT64_MAX / 2) return lo;
    hi *= 2;
  }
  while (hi - lo > 1) {  // exists(lo), !exists(hi)
    const int64_t mid = lo + (hi - lo) / 2;
    ASSIGN_OR_RETURN(bool more, exists(mid));
    (more ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace

// The case and its item `n` (0-based), checking that a reviewer holds the case: media is shown
// only to whoever is reviewing it (and to auditors and admins, who review the reviewers).
Result<std::pair<cases::Case, size_t>> HeldItem(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(call, "id"));
  const std::string& n_text = call.params.at("n");
  int64_t n = -1;
  auto [end, ec] = std::from_chars(n_text.data(), n_text.data() + n_text.size(), n);
  if (ec != std::errc() || end != n_text.data() + n_text.size() || n < 0) {
    return FieldError("n", "expected an item index from 0");
  }
  ASSIGN_OR_RETURN(cases::Case c, call.ctx.db->cases().GetCase(id));
  if (static_cast<size_t>(n) >= c.items.size()) {
    return NotFoundError(fmt::format("case {} has no item {} (it has {})", id, n, c.items.size()));
  }
  const bool oversight = call.key->Has(auth::Role::kAdmin) || call.key->Has(auth::Role::kAuditor);
  const auto& lease = c.progress.lease;
  const bool holds =
      lease && lease->reviewer == call.actor() && call.ctx.clock->Now() < lease->expires_at;
  if (!oversight && !holds) {
    return PermissionDeniedError(fmt::format(
        "reviewer '{}' does not hold case {}: claim it to see its media", call.actor(), id));
  }
  return std::make_pair(std::move(c), static_cast<size_t>(n));
}

Result<std::vector<uint8_t>> ReadItemMedia(Call& call, const cases::Item& item, int64_t case_id,
                                           size_t position) {
  if (!call.ctx.evidence) return NotFoundError(kNoMediaStore);
  // Item n's media is the evidence file of position n: items join a case in order, and the
  // evidence is written for the position the item took (POST /v1/items, vigil scan).
  auto bytes = call.ctx.evidence->Read(case_id, static_cast<int64_t>(position));
  if (!bytes.ok() && bytes.status().code() == StatusCode::kNotFound) {
    // Never kept (filed without an evidence store), or erased with its case.
    return NotFoundError(fmt::format("the media of item '{}' is not available", item.item_id));
  }
  if (!bytes.ok()) return bytes.status();
  // The file opened for this item's evidence id; it must also be the item that was flagged.
  for (const auto& h : item.hashes) {
    if (h.algorithm == "sha256" && hash::DigestToHex(hash::Sha256(*bytes)) != h.hex) {
      return DataLossError(
          fmt::format("the media of item '{}' does not match its SHA-256 ({})", item.item_id,
                      (call.ctx.evidence->dir() /
                       privacy::EvidenceStore::FileFor(case_id, static_cast<int64_t>(position)))
                          .string()));
    }
  }
  return std::move(*bytes);
}

Result<Reply> V1Me(Call& call) {
  ASSIGN_OR_RETURN(cases::ReviewerSettings s, call.ctx.review->Wellness(call.actor()));
  ASSIGN_OR_RETURN(int64_t exposure, call.ctx.review->ExposureToday(call.actor()));
  return JsonReply(MeJson(call, s, exposure));
}

Result<Reply> V1SetMyWellness(Call& call) {
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  ASSIGN_OR_RETURN(cases::ReviewerSettings s, call.ctx.review->Wellness(call.actor()));
  RETURN_IF_ERROR(ApplyWellness(body, /*allow_cap=*/call.key->Has(auth::Role::kAdmin), s));
  RETURN_IF_ERROR(call.ctx.review->SetWellness(s, call.actor()));
  ASSIGN_OR_RETURN(int64_t exposure, call.ctx.review->ExposureToday(call.actor()));
  return JsonReply(MeJson(call, s, exposure));
}

Result<Reply> V1SetReviewerWellness(Call& call) {
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  const std::string& name = call.params.at("name");
  if (Status s = cases::ValidateReviewerId(name); !s.ok()) return FieldError("name", s.message());
  ASSIGN_OR_RETURN(cases::ReviewerSettings s, call.ctx.review->Wellness(name));
  RETURN_IF_ERROR(ApplyWellness(body, /*allow_cap=*/true, s));
  RETURN_IF_ERROR(call.ctx.review->SetWellness(s, call.actor()));
  Json j = WellnessJson(s);
  j["reviewer"] = name;
  return JsonReply(j);
}

Result<Reply> V1CaseEvents(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(call, "id"));
  ASSIGN_OR_RETURN(cases::Case c, call.ctx.db->cases().GetCase(id));  // 404 for a missing case
  cases::EventFilter filter;
  filter.case_id = c.id;
  ASSIGN_OR_RETURN(filter.limit, ListLimit(call));
  ASSIGN_OR_RETURN(filter.after_id, IntQuery(call, "after_id", 0, 0, INT64_MAX));
  ASSIGN_OR_RETURN(std::vector<cases::CaseEvent> events, call.ctx.db->cases().ListEvents(filter));
  Json out = Json::array();
  for (const auto& e : events) {
    out.push_back({{"id", e.id},
                   {"at", FormatUtc(e.at)},
                   {"actor", e.actor},
                   {"action", e.action},
                   {"details", e.details}});
  }
  return JsonReply({{"events", out}});
}

Result<Reply> V1Alerts(Call& call) {
  ASSIGN_OR_RETURN(bool open_only, BoolQuery(call, "open", true));
  ASSIGN_OR_RETURN(std::vector<cases::ClusterAlert> alerts,
                   call.ctx.db->cases().ListAlerts(open_only));
  Json out = Json::array();
  for (const auto& a : alerts) out.push_back(AlertJson(a));
  return JsonReply({{"alerts", out}});
}

Result<Reply> V1AcknowledgeAlert(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(call, "id"));
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  RETURN_IF_ERROR(OnlyFields(body, {"note"}));
  ASSIGN_OR_RETURN(std::string note, ReqString(body, "note"));
  if (note.empty()) return FieldError("note", "say what was checked (a bad hash, a broken model)");
  ASSIGN_OR_RETURN(cases::ClusterAlert a,
                   call.ctx.review->AcknowledgeAlert(id, call.actor(), note));
  return JsonReply(AlertJson(a));
}

Result<Reply> V1QaQueue(Call& call) {
  ASSIGN_OR_RETURN(size_t limit, ListLimit(call));
  ASSIGN_OR_RETURN(std::vector<cases::Case> queue, call.ctx.review->QaQueue(limit));
  Json out = Json::array();
  for (const auto& c : queue) out.push_back(CaseSummaryJson(c));
  return JsonReply({{"cases", out}});
}

Result<Reply> V1QaClaim(Call& call) {
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  RETURN_IF_ERROR(OnlyFields(body, {"case_id"}));
  ASSIGN_OR_RETURN(std::optional<int64_t> id, OptInt(body, "case_id"));
  if (!id) return FieldError("case_id", "required");
  ASSIGN_OR_RETURN(cases::Case c, call.ctx.review->ClaimForQa(*id, call.actor()));
  return JsonReply(CaseJson(c));
}

Result<Reply> V1QaReview(Call& call) {
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
  ASSIGN_OR_RETURN(cases::Case c,
                   call.ctx.review->SubmitQaReview(id, {call.actor(), *parsed, rationale}));
  return JsonReply(CaseJson(c));
}

Result<Reply> V1ItemMedia(Call& call) {
  if (!call.ctx.evidence) return NotFoundError(kNoMediaStore);
  ASSIGN_OR_RETURN(auto held, HeldItem(call));
  const cases::Item& item = held.first.items[held.second];
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                   ReadItemMedia(call, item, held.first.id, held.second));
  const std::string_view type = BrowserContentType(bytes);
  if (type.empty()) {
    return UnimplementedError(
        fmt::format("item '{}' is not an image or video the browser can show", item.item_id));
  }
  return Reply{200,
               std::string(bytes.begin(), bytes.end()),
               std::string(type),
               {{"Cache-Control", "no-store"}, {"X-Content-Type-Options", "nosniff"}}};
}

Result<Reply> V1RevealItem(Call& call) {
  ASSIGN_OR_RETURN(auto held, HeldItem(call));
  // The reply is nothing but the acknowledgement: the value of this route is its audit record.
  return JsonReply({{"case_id", held.first.id},
                    {"item", held.second},
                    {"item_id", held.first.items[held.second].item_id},
                    {"revealed_at", FormatUtc(call.ctx.clock->Now())}});
}

Result<Reply> V1AuditLog(Call& call) {
  ASSIGN_OR_RETURN(size_t limit, ListLimit(call));
  const std::string order = OptQuery(call, "order").value_or("asc");
  if (order != "asc" && order != "desc") return FieldError("order", "expected asc or desc");
  std::vector<audit::AuditRecord> records;
  Json j;
  if (order == "asc") {
    ASSIGN_OR_RETURN(int64_t from, IntQuery(call, "from_seq", 1, 1, INT64_MAX));
    ASSIGN_OR_RETURN(records, call.ctx.db->audit().List(from, limit));
    if (records.size() == limit) j["next_from_seq"] = records.back().seq + 1;
  } else {
    // Newest first: the page of records before `before_seq` (default: after the newest).
    ASSIGN_OR_RETURN(int64_t last, LastAuditSeq(call.ctx.db->audit()));
    ASSIGN_OR_RETURN(int64_t before, IntQuery(call, "before_seq", last + 1, 1, INT64_MAX));
    const int64_t to = std::min(before - 1, last);
    const int64_t from = std::max<int64_t>(1, to - static_cast<int64_t>(limit) + 1);
    if (to >= 1) {
      ASSIGN_OR_RETURN(records,
                       call.ctx.db->audit().List(from, static_cast<size_t>(to - from + 1)));
    }
    std::reverse(records.begin(), records.end());
    if (from > 1 && to >= 1) j["next_before_seq"] = from;
    j["last_seq"] = last;
  }
  Json out = Json::array();
  for (const auto& r : records) {
    out.push_back({{"seq", r.seq},
                   {"at", FormatUtc(r.at)},
                   {"actor", r.event.actor},
                   {"action", r.event.action},
                   {"target", r.event.target},
                   {"origin", r.event.origin},
                   {"details", r.event.details},
                   {"hash", r.hash}});
  }
  j["records"] = out;
  return JsonReply(j);
}

Result<Reply> V1Rules(Call& call) {
  Json rules = Json::array();
  for (const detect::Rule& r : call.ctx.rules.rules()) {
    Json j = {{"detector", r.detector},
              {"action", detect::ActionName(r.action)},
              {"priority", r.priority}};
    j["max_distance"] = r.max_distance ? Json(*r.max_distance) : Json(nullptr);
    j["min_score"] = r.min_score ? Json(*r.min_score) : Json(nullptr);
    rules.push_back(std::move(j));
  }
  const cases::ReviewConfig& rc = call.ctx.review->config();
  return JsonReply({{"auto_action_enabled", call.ctx.rules.auto_action_enabled()},
                    {"rules", rules},
                    {"pdq_radius", call.ctx.config.pdq_radius},
                    {"min_pdq_quality", call.ctx.config.min_pdq_quality},
                    {"review",
                     {{"lease_seconds", rc.lease.count()},
                      {"confirmations_required", rc.confirmations_required},
                      {"qa_fraction", rc.qa.fraction},
                      {"default_wellness", WellnessJson(rc.default_wellness)}}}});
}

}  // namespace vigil::server::handlers
