#include "server/api.h"

#include <fmt/format.h>

#include <charconv>
#include <set>
#include <thread>

#include "bank/signal.h"
#include "core/text.h"
#include "hash/digest.h"

namespace vigil::server {
namespace {

constexpr std::string_view kFieldPrefix = "field '";

std::string Shown(std::string_view s) { return bank::EscapeForMessage(s, 64); }

std::string_view JsonTypeName(const nlohmann::json& v) { return v.type_name(); }

}  // namespace

HasherPool::Lease::~Lease() {
  if (h_ == nullptr) return;
  std::lock_guard<std::mutex> lock(pool_->mu_);
  pool_->idle_.push_back(std::move(h_));
}

HasherPool::Lease HasherPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      auto h = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(h));
    }
  }
  return Lease(this, std::make_unique<detect::MediaHasher>(options_));
}

Reply JsonReply(const Json& j, int status) {
  return Reply{status,
               j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
               "application/json",
               {}};
}

Reply ErrorReply(const Status& status) {
  return Reply{HttpStatusFor(status.code()), ErrorBody(status), "application/json", {}};
}

std::shared_ptr<const auth::ApiKey> KeyCache::Get(const std::string& secret_hash, TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(secret_hash);
  if (it == keys_.end()) return nullptr;
  if (now >= it->second.second) {
    keys_.erase(it);
    return nullptr;
  }
  return it->second.first;
}

void KeyCache::Put(const std::string& secret_hash, std::shared_ptr<const auth::ApiKey> key,
                   TimePoint now) {
  if (ttl_.count() == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  keys_[secret_hash] = {std::move(key), now + ttl_};
}

void KeyCache::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  keys_.clear();
}

Reply TextReply(std::string text, int status, std::string content_type) {
  return Reply{status, std::move(text), std::move(content_type), {}};
}

Status FieldError(std::string_view field, std::string_view problem) {
  return InvalidArgumentError(fmt::format("{}{}': {}", kFieldPrefix, field, problem));
}

std::string FieldOf(const Status& status) {
  const std::string& m = status.message();
  if (status.code() != StatusCode::kInvalidArgument || m.rfind(kFieldPrefix, 0) != 0) return "";
  const size_t end = m.find("': ", kFieldPrefix.size());
  return end == std::string::npos ? "" : m.substr(kFieldPrefix.size(), end - kFieldPrefix.size());
}

std::string ErrorBody(const Status& status) {
  Json j;
  j["message"] =
      status.message().empty() ? std::string(StatusCodeName(status.code())) : status.message();
  if (std::string field = FieldOf(status); !field.empty()) j["field"] = field;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<nlohmann::json> JsonObjectBody(const Call& call) {
  if (call.req.body.empty()) return FieldError("body", "a JSON object is required");
  nlohmann::json j = nlohmann::json::parse(call.req.body, nullptr, false);
  if (j.is_discarded()) return FieldError("body", "not valid JSON");
  if (!j.is_object()) {
    return FieldError("body", fmt::format("expected a JSON object, got {}", JsonTypeName(j)));
  }
  return j;
}

Result<std::optional<std::string>> OptString(const nlohmann::json& j, std::string_view field) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return FieldError(field, fmt::format("expected a string, got {}", JsonTypeName(*it)));
  }
  std::string s = it->get<std::string>();
  if (!IsValidUtf8(s)) return FieldError(field, "not valid UTF-8");
  return std::optional<std::string>(std::move(s));
}

Result<std::string> ReqString(const nlohmann::json& j, std::string_view field) {
  ASSIGN_OR_RETURN(std::optional<std::string> s, OptString(j, field));
  if (!s) return FieldError(field, "is required");
  return std::move(*s);
}

Result<std::optional<int64_t>> OptInt(const nlohmann::json& j, std::string_view field) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number_integer()) {
    return FieldError(field, fmt::format("expected an integer, got {}", JsonTypeName(*it)));
  }
  return std::optional<int64_t>(it->get<int64_t>());
}

Status OnlyFields(const nlohmann::json& j, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (std::string_view a : allowed) known |= key == a;
    if (!known) return FieldError(Shown(key), "unknown field");
  }
  return Status::Ok();
}

Result<std::string> ReqQuery(const Call& call, std::string_view name) {
  auto v = OptQuery(call, name);
  if (!v || v->empty()) return FieldError(name, "query parameter is required");
  return std::move(*v);
}

std::optional<std::string> OptQuery(const Call& call, std::string_view name) {
  const std::string key(name);
  if (!call.req.has_param(key)) return std::nullopt;
  return call.req.get_param_value(key);
}

Result<bool> BoolQuery(const Call& call, std::string_view name, bool default_value) {
  auto v = OptQuery(call, name);
  if (!v) return default_value;
  if (*v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  return FieldError(name, fmt::format("expected true or false, got '{}'", Shown(*v)));
}

Result<int64_t> IntQuery(const Call& call, std::string_view name, int64_t default_value,
                         int64_t min, int64_t max) {
  auto v = OptQuery(call, name);
  if (!v) return default_value;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size() || n < min || n > max) {
    return FieldError(
        name, fmt::format("expected an integer from {} to {}, got '{}'", min, max, Shown(*v)));
  }
  return n;
}

std::vector<std::string> ListQuery(const Call& call, std::string_view name) {
  std::vector<std::string> out;
  auto v = OptQuery(call, name);
  if (!v) return out;
  std::string_view rest = *v;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    if (std::string_view item = rest.substr(0, comma); !item.empty()) out.emplace_back(item);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return out;
}

Result<int64_t> IdParam(const Call& call, std::string_view name) {
  const std::string& v = call.params.at(std::string(name));
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < 1) {
    return FieldError(name, fmt::format("expected a positive integer id, got '{}'", Shown(v)));
  }
  return n;
}

Result<Upload> SingleUpload(const Call& call) {
  if (!call.req.is_multipart_form_data()) {
    return FieldError("body", "expected multipart/form-data with one file");
  }
  const Upload* found = nullptr;
  Upload upload;
  for (const auto& [name, file] : call.req.files) {
    if (file.filename.empty()) continue;  // a plain form field
    if (found != nullptr) {
      return FieldError(name, "only one file may be uploaded per request");
    }
    upload = Upload{name, &file.content};
    found = &upload;
  }
  if (found == nullptr) return FieldError("file", "no file was uploaded");
  if (upload.bytes->empty()) return FieldError(upload.field, "the uploaded file is empty");
  return upload;
}

Result<detect::MediaHashes> HashUpload(Call& call, const Upload& upload) {
  HasherPool::Lease hasher = call.ctx.hashers->Acquire();
  const auto* data = reinterpret_cast<const uint8_t*>(upload.bytes->data());
  auto hashes = (*hasher).HashBytes({data, upload.bytes->size()});
  if (!hashes.ok() && hashes.status().code() == StatusCode::kInvalidArgument) {
    return FieldError(upload.field, hashes.status().message());
  }
  if (!hashes.ok()) return hashes.status().WithContext(fmt::format("upload '{}'", upload.field));
  return hashes;
}

Result<ParsedSignal> ParseSignal(std::string_view type, std::string_view value,
                                 std::string_view type_field, std::string_view value_field) {
  auto t = bank::ParseSignalType(type);
  if (!t.ok()) return FieldError(type_field, t.status().message());
  auto v = bank::NormalizeSignalValue(*t, value);
  if (!v.ok()) return FieldError(value_field, v.status().message());
  return ParsedSignal{*t, std::move(*v)};
}

std::shared_ptr<const Detection> ServerContext::detection() const {
  std::lock_guard<std::mutex> lock(detection_mu);
  return detection_;
}

Result<std::map<bank::BankId, uint64_t>> ServerContext::ReadBankMarkers() {
  bank::BankStore& store = db->banks();
  std::vector<bank::Bank> banks;
  if (config.banks.empty()) {
    ASSIGN_OR_RETURN(banks, store.ListBanks());
  } else {
    for (const std::string& name : config.banks) {
      ASSIGN_OR_RETURN(bank::Bank b, store.GetBank(name));
      banks.push_back(std::move(b));
    }
  }
  std::map<bank::BankId, uint64_t> out;
  for (const bank::Bank& b : banks) {
    ASSIGN_OR_RETURN(out[b.id], store.GetChangeCount(b.id));
  }
  return out;
}

Result<bool> ServerContext::TakeUpBank(bank::BankId bank) {
  if (!config.banks.empty()) return false;  // named banks: all loaded at the start
  const auto d = detection();
  if (d->matcher->HasBank(bank)) return false;
  // Read before loading, as in ReloadDetection.
  ASSIGN_OR_RETURN(const uint64_t marker, db->banks().GetChangeCount(bank));
  ASSIGN_OR_RETURN(const bool added, d->matcher->AddBank(bank));
  if (added) bank_markers[bank] = marker;
  return added;
}

namespace {

// True when a bank's change count the previous poll read has not been reached by the changes
// applied since (the events that would have brought them were lost), or that bank is missing.
bool Behind(const std::map<bank::BankId, uint64_t>& applied,
            const std::map<bank::BankId, uint64_t>& polled) {
  for (const auto& [bank, count] : polled) {
    auto a = applied.find(bank);
    if (a == applied.end() || a->second < count) return true;
  }
  return false;
}

}  // namespace

Result<bool> ServerContext::PollBanks() {
  std::lock_guard<std::mutex> lock(changes_mu);
  ASSIGN_OR_RETURN(auto markers, ReadBankMarkers());
  if (markers == bank_markers) {
    polled_markers.clear();
    return false;
  }
  if (bank_events != nullptr && !Behind(bank_markers, polled_markers)) {
    // Following the events: a difference may be an event still on its way (they arrive within a
    // second). Reload only for what the previous poll saw and no event has brought since.
    polled_markers = std::move(markers);
    return false;
  }
  RETURN_IF_ERROR(ReloadDetection());
  polled_markers.clear();
  return true;
}

Status ServerContext::ReloadDetection() {
  // Read before loading: a change landing in between is both loaded and, on the next poll,
  // seen as a change (one needless reload), never missed.
  ASSIGN_OR_RETURN(auto markers, ReadBankMarkers());
  match::MatcherOptions mo;
  mo.banks = config.banks;
  mo.pdq_radius = config.pdq_radius;
  mo.min_pdq_quality = config.min_pdq_quality;
  mo.build_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto d = std::make_shared<Detection>();
  ASSIGN_OR_RETURN(d->matcher, match::Matcher::Load(db->banks(), mo));
  d->pipeline = std::make_unique<detect::Pipeline>(d->matcher.get(), &rules, review.get(),
                                                   counters.get(), clock);
  d->loaded_at = clock->Now();
  bank_markers = std::move(markers);
  std::lock_guard<std::mutex> lock(detection_mu);
  detection_ = std::move(d);
  return Status::Ok();
}

Result<std::vector<match::BankMatch>> MatchSignal(const ServerContext& ctx,
                                                  const ParsedSignal& signal) {
  const std::shared_ptr<const Detection> d = ctx.detection();
  switch (signal.type) {
    case bank::SignalType::kPdq: {
      ASSIGN_OR_RETURN(hash::Hash256 h, hash::Hash256::FromHex(signal.value));
      return d->matcher->MatchPdq(h, std::nullopt);
    }
    case bank::SignalType::kMd5: {
      hash::Md5Digest md5{};
      RETURN_IF_ERROR(HexToBytes(signal.value, md5));
      return d->matcher->MatchMd5(md5);
    }
    case bank::SignalType::kSha256: {
      hash::Sha256Digest sha{};
      RETURN_IF_ERROR(HexToBytes(signal.value, sha));
      return d->matcher->MatchSha256(sha);
    }
    case bank::SignalType::kVpdq:
      return UnimplementedError(
          "vpdq signals are matched by uploading the video (POST /m/lookup or /v1/items), not "
          "as a single signal");
  }
  return InternalError("unknown signal type");
}

Result<std::vector<match::MatchRef>> LookupSignal(const Detection& d, const ParsedSignal& signal) {
  switch (signal.type) {
    case bank::SignalType::kPdq: {
      ASSIGN_OR_RETURN(hash::Hash256 h, hash::Hash256::FromHex(signal.value));
      return d.matcher->LookupPdq(h, std::nullopt);
    }
    case bank::SignalType::kMd5: {
      hash::Md5Digest md5{};
      RETURN_IF_ERROR(HexToBytes(signal.value, md5));
      return d.matcher->LookupMd5(md5);
    }
    case bank::SignalType::kSha256: {
      hash::Sha256Digest sha{};
      RETURN_IF_ERROR(HexToBytes(signal.value, sha));
      return d.matcher->LookupSha256(sha);
    }
    case bank::SignalType::kVpdq:
      return UnimplementedError(
          "vpdq signals are matched by uploading the video (POST /m/lookup or /v1/items), not "
          "as a single signal");
  }
  return InternalError("unknown signal type");
}

Result<bank::Bank> CreateBank(ServerContext& ctx, const bank::NewBank& nb) {
  auto created = ctx.db->banks().CreateBank(nb);
  if (!created.ok() && created.status().code() == StatusCode::kInvalidArgument) {
    return FieldError("name", created.status().message());
  }
  if (!created.ok()) return created.status();
  {
    std::lock_guard<std::mutex> lock(ctx.changes_mu);
    RETURN_IF_ERROR(ctx.TakeUpBank(created->id).status());
  }
  return created;
}

Result<bank::BankEntry> AddBankEntry(ServerContext& ctx, const bank::Bank& bank,
                                     const bank::NewEntry& entry) {
  RETURN_IF_ERROR(bank::ValidateNewEntry(entry));
  std::lock_guard<std::mutex> lock(ctx.changes_mu);
  bank::BankStore& store = ctx.db->banks();
  ASSIGN_OR_RETURN(bank::AddEntriesResult added, bank::AddEntry(store, bank.id, entry));
  ASSIGN_OR_RETURN(bank::BankEntry stored,
                   store.FindEntry(bank.id, entry.signal_type, entry.value));
  if (added.added == 1) {
    RETURN_IF_ERROR(ctx.detection()->matcher->OnEntryAdded(stored));
    // Counted, so this server's own change does not look like another process's.
    if (auto m = ctx.bank_markers.find(bank.id); m != ctx.bank_markers.end()) ++m->second;
  }
  // Also when it was already present, so repeating an add whose event was lost repairs workers.
  // A lost event is logged, not returned: the change is committed and must be answered (and
  // audited) as done.
  WarnIfFailed(PublishBankChange(ctx, {queue::BankEvent::Kind::kAdded, stored.id}));
  return stored;
}

Result<bank::BankEntry> RetireBankEntry(ServerContext& ctx, bank::EntryId id,
                                        std::string_view reason) {
  RETURN_IF_ERROR(bank::ValidateRetireReason(reason));
  std::lock_guard<std::mutex> lock(ctx.changes_mu);
  Result<bank::BankEntry> result = ctx.db->banks().RetireEntry(id, reason);
  if (result.status().code() == StatusCode::kFailedPrecondition) {
    // Already retired: publish again (a lost event is repaired by repeating), answer as before.
    WarnIfFailed(PublishBankChange(ctx, {queue::BankEvent::Kind::kRetired, id}));
  }
  ASSIGN_OR_RETURN(bank::BankEntry retired, std::move(result));
  RETURN_IF_ERROR(ctx.detection()->matcher->OnEntryRetired(retired));
  if (auto m = ctx.bank_markers.find(retired.bank_id); m != ctx.bank_markers.end()) {
    ++m->second;
  }
  WarnIfFailed(PublishBankChange(ctx, {queue::BankEvent::Kind::kRetired, retired.id}));
  return retired;
}

Json BankEntryJson(const bank::BankEntry& e, std::string_view bank_name) {
  Json j;
  j["id"] = e.id;
  j["bank"] = bank_name;
  j["signal_type"] = bank::SignalTypeName(e.signal_type);
  j["signal"] = e.value;
  j["added_at"] = FormatUtc(e.added_at);
  j["source_ref"] = e.source_ref;
  j["verifications"] = e.verifications;
  j["needs_verification"] = e.needs_verification;
  j["retired"] = e.retired;
  if (e.retired) {
    j["retired_reason"] = e.retired_reason;
    j["retired_at"] = FormatUtc(e.retired_at);
  }
  return j;
}

TechnologyParts SplitTechnology(std::string_view label) {
  TechnologyParts out;
  const size_t space = label.find(' ');
  std::string_view head = label.substr(0, space);
  if (space != std::string_view::npos) out.threshold = std::string(label.substr(space + 1));
  const size_t at = head.rfind('@');
  out.detector = std::string(head.substr(0, at));
  if (at != std::string_view::npos) out.version = std::string(head.substr(at + 1));
  return out;
}

Json FlagJson(const cases::Flag& f) {
  const TechnologyParts parts = SplitTechnology(f.technology);
  Json fj = {{"technology", f.technology},
             {"detector", parts.detector},
             {"version", parts.version},
             {"threshold", parts.threshold},
             {"category", cases::FlagCategoryName(f.category)},
             {"value", f.raw_value}};
  if (f.bank_entry_id) fj["bank_entry_id"] = *f.bank_entry_id;
  if (!f.bank_name.empty()) fj["bank"] = f.bank_name;
  if (!f.evidence.empty()) {
    // Art 3(1)(f): why a classifier flagged the item, for the reviewer. Classifiers write a JSON
    // array; anything else the store holds is passed on as the text it is.
    Json parsed = Json::parse(f.evidence, nullptr, /*allow_exceptions=*/false);
    fj["evidence"] = parsed.is_discarded() ? Json(f.evidence) : std::move(parsed);
  }
  return fj;
}

Json CaseJson(const cases::Case& c) {
  Json j;
  j["id"] = c.id;
  j["version"] = c.version;
  j["state"] = cases::CaseStateName(c.progress.state);
  j["priority"] = c.priority;
  j["account_id"] = c.account_id;
  j["surface"] = c.surface;
  j["eu"] = c.eu;
  j["created_at"] = FormatUtc(c.created_at);
  if (c.progress.lease) {
    j["lease"] = {{"reviewer", c.progress.lease->reviewer},
                  {"expires_at", FormatUtc(c.progress.lease->expires_at)}};
  }
  if (c.progress.outcome) j["outcome"] = cases::DecisionName(*c.progress.outcome);
  j["qa"] = cases::QaStateName(c.progress.qa);
  j["items"] = Json::array();
  for (const auto& item : c.items) {
    Json ij = {{"item_id", item.item_id},
               {"content_type", item.content_type},
               {"received_at", FormatUtc(item.received_at)},
               {"hashes", Json::object()},
               {"flags", Json::array()}};
    for (const auto& h : item.hashes) ij["hashes"][h.algorithm] = h.hex;
    for (const auto& f : item.flags) ij["flags"].push_back(FlagJson(f));
    j["items"].push_back(std::move(ij));
  }
  j["reviews"] = Json::array();
  for (const auto& r : c.reviews) {
    j["reviews"].push_back({{"kind", cases::ReviewKindName(r.kind)},
                            {"reviewer", r.reviewer},
                            {"decision", cases::DecisionName(r.decision)},
                            {"rationale", r.rationale},
                            {"decided_at", FormatUtc(r.decided_at)}});
  }
  return j;
}

Json CaseSummaryJson(const cases::Case& c) {
  std::set<std::string> banks, content_types;
  for (const auto& item : c.items) {
    content_types.insert(item.content_type);
    for (const auto& f : item.flags) {
      if (!f.bank_name.empty()) banks.insert(f.bank_name);
    }
  }
  Json j = {{"id", c.id},
            {"state", cases::CaseStateName(c.progress.state)},
            {"priority", c.priority},
            {"eu", c.eu},
            {"items", c.items.size()},
            {"reviews", c.reviews.size()},
            {"technologies", c.Technologies()},
            {"banks", banks},
            {"content_types", content_types},
            {"created_at", FormatUtc(c.created_at)}};
  if (c.progress.lease) {
    j["lease"] = {{"reviewer", c.progress.lease->reviewer},
                  {"expires_at", FormatUtc(c.progress.lease->expires_at)}};
  }
  return j;
}

Json HashesJson(const detect::MediaHashes& h) {
  Json j;
  j["media_type"] = media::MediaTypeName(h.type);
  j["width"] = h.width;
  j["height"] = h.height;
  if (h.video) {
    j["vpdq_frames"] = h.video->frames.size();
  } else {
    j["pdq"] = h.pdq.ToHex();
    j["pdq_quality"] = h.pdq_quality;
  }
  j["md5"] = hash::DigestToHex(h.md5);
  j["sha256"] = hash::DigestToHex(h.sha256);
  return j;
}

}  // namespace vigil::server
