#include "exchange/threatexchange.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "bank/signal.h"
#include "exchange/internal/http.h"
#include "exchange/internal/open.h"
#include "exchange/internal/range_cursor.h"

namespace vigil::exchange {
namespace {

using nlohmann::json;

std::optional<bank::SignalType> IndicatorType(std::string_view type) {
  if (type == "HASH_PDQ") return bank::SignalType::kPdq;
  if (type == "HASH_MD5") return bank::SignalType::kMd5;
  if (type == "HASH_SHA256") return bank::SignalType::kSha256;
  return std::nullopt;
}

std::string StringField(const json& record, const char* key) {
  auto it = record.find(key);
  if (it == record.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

// The members' opinion from the descriptors' statuses.
Opinion OpinionOf(const json& record, std::string* reason) {
  const bool should_delete = record.value("should_delete", false);
  const json* descriptors = nullptr;
  if (auto d = record.find("descriptors"); d != record.end() && d->is_object()) {
    if (auto data = d->find("data"); data != d->end() && data->is_array()) descriptors = &*data;
  }
  if (should_delete || descriptors == nullptr || descriptors->empty()) {
    *reason = "deleted at ThreatExchange";
    return Opinion::kWithdrawn;
  }
  size_t non_malicious = 0;
  for (const json& d : *descriptors) {
    if (d.is_object() && d.value("status", "") == "NON_MALICIOUS") ++non_malicious;
  }
  if (non_malicious == descriptors->size()) {
    *reason = "marked non-malicious at ThreatExchange";
    return Opinion::kWithdrawn;
  }
  return non_malicious > 0 ? Opinion::kDisputed : Opinion::kPositive;
}

}  // namespace

Result<ThreatUpdatesPage> ParseThreatUpdates(std::string_view text, std::string_view what) {
  if (text.size() > kMaxThreatUpdatesPageBytes) {
    return FailedPreconditionError(fmt::format("{}: {} bytes is more than the {} allowed", what,
                                               text.size(), kMaxThreatUpdatesPageBytes));
  }
  const json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return InvalidArgumentError(fmt::format("{}: not a JSON object", what));
  }
  ThreatUpdatesPage page;
  auto data = root.find("data");
  if (data != root.end() && !data->is_array()) {
    return InvalidArgumentError(fmt::format("{}: \"data\" is not an array", what));
  }
  if (data != root.end()) {
    for (const json& r : *data) {
      ++page.records;
      const std::string id = r.is_object() ? StringField(r, "id") : "";
      const std::string type = r.is_object() ? StringField(r, "type") : "";
      const std::string indicator = r.is_object() ? StringField(r, "indicator") : "";
      if (id.empty() || type.empty() || indicator.empty()) {
        return InvalidArgumentError(
            fmt::format("{}: record {} lacks an id, type or indicator", what, page.records));
      }
      const auto signal = IndicatorType(type);
      if (!signal) {
        ++page.skipped;
        continue;
      }
      auto value = bank::NormalizeSignalValue(*signal, indicator);
      if (!value.ok()) {
        return InvalidArgumentError(fmt::format(
            "{}: record te:{}: {}", what, bank::EscapeForMessage(id), value.status().message()));
      }
      HashUpdate u{.type = *signal, .value = *std::move(value), .source_ref = "te:" + id};
      u.opinion = OpinionOf(r, &u.reason);
      page.updates.push_back(std::move(u));
    }
  }
  if (auto paging = root.find("paging"); paging != root.end() && paging->is_object()) {
    if (auto next = paging->find("next"); next != paging->end() && next->is_string()) {
      page.next = next->get<std::string>();
    }
  }
  if (!page.next.empty() && !page.next.starts_with("https://") &&
      !page.next.starts_with("http://")) {
    return InvalidArgumentError(
        fmt::format("{}: paging.next '{}' is not a URL", what, bank::EscapeForMessage(page.next)));
  }
  return page;
}

std::string WithoutAccessToken(std::string_view url) {
  const size_t q = url.find('?');
  if (q == url.npos) return std::string(url);
  std::string out(url.substr(0, q));
  char sep = '?';
  std::string_view query = url.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    if (!param.starts_with("access_token=") && !param.empty()) {
      out += sep;
      out += param;
      sep = '&';
    }
    if (amp == query.npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

namespace internal {
namespace {

constexpr char kFields[] =
    "id,indicator,type,last_updated,should_delete,descriptors{owner{id},status,tags,added_on}";

constexpr char kShareDescription[] = "Confirmed by the provider's human review (vigil)";

// ThreatExchange's IndicatorType for the hashes vigil shares; null for others.
const char* IndicatorTypeName(bank::SignalType type) {
  switch (type) {
    case bank::SignalType::kPdq:
      return "HASH_PDQ";
    case bank::SignalType::kMd5:
      return "HASH_MD5";
    case bank::SignalType::kSha256:
      return "HASH_SHA256";
    default:
      return nullptr;
  }
}

struct TeOptions {
  std::string group, types;
  std::string share_level = "AMBER";
  std::string share_tags;  // comma-separated
};

class ThreatExchangeClient final : public Exchange {
 public:
  ThreatExchangeClient(ExchangeConfig config, TeOptions options, std::string token,
                       const OpenOptions& o)
      : config_(std::move(config)),
        group_(std::move(options.group)),
        types_(std::move(options.types)),
        share_level_(std::move(options.share_level)),
        share_tags_(std::move(options.share_tags)),
        token_(std::move(token)),
        timeout_(o.timeout),
        clock_(o.clock ? o.clock : std::make_shared<SystemClock>()) {
    base_ = config_.endpoint;
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
  }

  Result<FetchedPage> Fetch(std::string_view cursor_text) override {
    retry_after_.reset();
    ASSIGN_OR_RETURN(const RangeCursor cursor,
                     ParseRangeCursor(cursor_text, fmt::format("exchange {}", config_.name)));
    RangeCursor range = cursor;
    std::string url;
    const std::string token = "access_token=" + UrlEncode(token_);
    if (!cursor.next.empty()) {
      url = cursor.next + (cursor.next.find('?') == std::string::npos ? "?" : "&") + token;
    } else {
      range.from = cursor.to;
      range.to = clock_->Now().time_since_epoch().count();
      if (range.to <= range.from) {
        return FetchedPage{.next_cursor = std::string(cursor_text), .done = true};
      }
      url = fmt::format("{}/{}/threat_updates/?{}&start_time={}&stop_time={}&limit=500&fields={}",
                        base_, UrlEncode(group_), token, range.from, range.to, UrlEncode(kFields));
      if (!types_.empty()) url += "&types=" + UrlEncode(types_);
    }
    HttpAnswer a = Send({.url = url,
                         .timeout = timeout_,
                         .max_bytes = kMaxThreatUpdatesPageBytes,
                         .what = fmt::format("ThreatExchange at {}", base_)});
    retry_after_ = a.retry_after;
    if (!a.body.ok()) return a.body.status();
    ASSIGN_OR_RETURN(
        ThreatUpdatesPage parsed,
        ParseThreatUpdates(*a.body, fmt::format("ThreatExchange updates from {}", base_)));
    FetchedPage page{.updates = std::move(parsed.updates), .skipped = parsed.skipped};
    const std::string next = WithoutAccessToken(parsed.next);
    if (next.find_first_of("| \t\r\n") != std::string::npos || next.size() > kMaxCursorBytes / 2) {
      return InvalidArgumentError(
          fmt::format("exchange {}: paging.next is unusable", config_.name));
    }
    range.next = next;
    page.next_cursor = FormatRangeCursor(range);
    page.done = next.empty();
    return page;
  }

  std::optional<std::chrono::seconds> retry_after() const override { return retry_after_; }

  bool CanShare() const override { return true; }
  bool CanWithdraw() const override { return true; }
  size_t max_share_batch() const override { return 1; }
  std::vector<std::string> shared_ids() const override { return shared_ids_; }

  // One POST /threat_descriptors per hash (the submitting reference: a descriptor is the
  // provider's opinion of one indicator), visible only to the privacy group.
  Result<uint64_t> Share(std::span<const SharedHash> hashes) override {
    retry_after_.reset();
    std::vector<std::string> forms;
    for (const SharedHash& h : hashes) {
      const char* type = IndicatorTypeName(h.type);
      if (type == nullptr) {
        return InvalidArgumentError(fmt::format(
            "exchange {}: ThreatExchange takes no {} hashes (shared hash {}); nothing sent",
            config_.name, bank::SignalTypeName(h.type), bank::EscapeForMessage(h.value)));
      }
      std::string form = fmt::format(
          "access_token={}&type={}&indicator={}&status=MALICIOUS&privacy_type=HAS_PRIVACY_GROUP"
          "&privacy_members={}&share_level={}&description={}",
          UrlEncode(token_), type, UrlEncode(h.value), UrlEncode(group_), share_level_,
          UrlEncode(kShareDescription));
      if (!share_tags_.empty()) form += "&tags=" + UrlEncode(share_tags_);
      forms.push_back(std::move(form));
    }
    uint64_t accepted = 0;
    shared_ids_.clear();
    for (std::string& form : forms) {
      HttpAnswer a = Send({.url = base_ + "/threat_descriptors",
                           .method = "POST",
                           .body = std::move(form),
                           .content_type = "application/x-www-form-urlencoded",
                           .timeout = timeout_,
                           .max_bytes = 1u << 20,
                           .what = fmt::format("ThreatExchange at {}", base_)});
      retry_after_ = a.retry_after;
      if (!a.body.ok()) return WithGraphError(a);
      ASSIGN_OR_RETURN(std::string id, CheckCreated(*a.body));
      shared_ids_.push_back(std::move(id));
      ++accepted;
    }
    return accepted;
  }

  // The descriptor is the provider's opinion; withdrawing it deletes it ("Deleting Data":
  // DELETE /{descriptor id}), so the members' threat_updates show the provider no longer
  // vouches for the hash. The token goes in the form body, never the URL.
  Result<uint64_t> Withdraw(std::span<const WithdrawnHash> hashes) override {
    retry_after_.reset();
    for (const WithdrawnHash& w : hashes) {
      if (w.remote_id.empty() || w.remote_id.size() > 32 ||
          w.remote_id.find_first_not_of("0123456789") != std::string::npos) {
        return InvalidArgumentError(fmt::format(
            "exchange {}: no ThreatExchange descriptor id is recorded for shared hash {} ('{}'); "
            "delete it at ThreatExchange by hand; nothing sent",
            config_.name, bank::EscapeForMessage(w.hash.value),
            bank::EscapeForMessage(w.remote_id, 40)));
      }
    }
    uint64_t accepted = 0;
    for (const WithdrawnHash& w : hashes) {
      HttpAnswer a = Send({.url = base_ + "/" + w.remote_id,
                           .method = "DELETE",
                           .body = "access_token=" + UrlEncode(token_),
                           .content_type = "application/x-www-form-urlencoded",
                           .timeout = timeout_,
                           .max_bytes = 1u << 20,
                           .what = fmt::format("ThreatExchange at {}", base_)});
      retry_after_ = a.retry_after;
      // Already gone (deleted by hand, or an earlier attempt whose answer was lost): done.
      if (!a.body.ok() && a.http_status != 404) return WithGraphError(a);
      if (a.body.ok()) RETURN_IF_ERROR(CheckDeleted(*a.body));
      ++accepted;
    }
    return accepted;
  }

 private:
  // The Graph API explains a refusal in {"error": {"message": ...}}; keep it in the error.
  Status WithGraphError(const HttpAnswer& a) const {
    const json e = json::parse(a.error_body, nullptr, false);
    if (e.is_object() && e.contains("error") && e["error"].is_object() &&
        e["error"].value("message", json()).is_string()) {
      return Status(
          a.body.status().code(),
          fmt::format("{}: {}", a.body.status().message(),
                      bank::EscapeForMessage(e["error"]["message"].get<std::string>(), 200)));
    }
    return a.body.status();
  }

  // A created descriptor is answered with its id ({"id": "..."}, or {"success": true, ...},
  // then the id is ""): the id, needed to withdraw it.
  Result<std::string> CheckCreated(const std::string& body) const {
    const json r = json::parse(body, nullptr, false);
    if (r.is_object() && r.contains("id") && r["id"].is_string()) {
      return r["id"].get<std::string>();
    }
    if (r.is_object() && r.contains("id") && r["id"].is_number_unsigned()) {
      return std::to_string(r["id"].get<uint64_t>());
    }
    if (r.is_object() && r.value("success", false) == true) return std::string();
    return DataLossError(fmt::format(
        "exchange {}: ThreatExchange's answer to a submission is not a created descriptor: '{}'",
        config_.name, bank::EscapeForMessage(body, 120)));
  }

  // The Graph API answers a deletion with {"success": true}.
  Status CheckDeleted(const std::string& body) const {
    const json r = json::parse(body, nullptr, false);
    if (r.is_object() && r.value("success", json()) == true) return Status::Ok();
    return DataLossError(
        fmt::format("exchange {}: ThreatExchange's answer to a deletion is not a success: '{}'",
                    config_.name, bank::EscapeForMessage(body, 120)));
  }

  const ExchangeConfig config_;
  const std::string group_, types_, share_level_, share_tags_, token_;
  const std::chrono::seconds timeout_;
  const std::shared_ptr<const Clock> clock_;
  std::string base_;
  std::optional<std::chrono::seconds> retry_after_;
  std::vector<std::string> shared_ids_;  // of the last successful Share
};

Result<std::string> StringList(const json& value, std::string_view what, std::string_view key) {
  if (!value.is_array())
    return InvalidArgumentError(fmt::format("{}: options.{} must be an array", what, key));
  std::string out;
  for (const json& t : value) {
    if (!t.is_string() || t.get<std::string>().empty() ||
        t.get<std::string>().find(',') != std::string::npos) {
      return InvalidArgumentError(
          fmt::format("{}: options.{} must be non-empty strings without commas", what, key));
    }
    out += (out.empty() ? "" : ",") + t.get<std::string>();
  }
  return out;
}

Result<TeOptions> ParseTeOptions(const std::string& text, const std::string& what) {
  const json o = json::parse(text, nullptr, false);
  TeOptions out;
  if (o.is_object()) {
    for (const auto& [key, value] : o.items()) {
      if (key == "privacy_group" && (value.is_string() || value.is_number_unsigned())) {
        out.group =
            value.is_string() ? value.get<std::string>() : std::to_string(value.get<uint64_t>());
      } else if (key == "types") {
        ASSIGN_OR_RETURN(out.types, StringList(value, what, key));
      } else if (key == "share_tags") {
        ASSIGN_OR_RETURN(out.share_tags, StringList(value, what, key));
      } else if (key == "share_level" && value.is_string() &&
                 (value == "AMBER" || value == "RED")) {
        // GREEN and WHITE require VISIBLE (everyone); shares go to the privacy group only.
        out.share_level = value.get<std::string>();
      } else {
        return InvalidArgumentError(fmt::format(
            "{}: unknown or malformed option '{}' (known: privacy_group, types, share_level "
            "AMBER or RED, share_tags)",
            what, key));
      }
    }
  }
  if (out.group.empty() || out.group.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgumentError(what + ": options.privacy_group (a numeric id) is required");
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Exchange>> OpenThreatExchange(const ExchangeConfig& config,
                                                     std::string secret,
                                                     const OpenOptions& options) {
  const std::string what = fmt::format("exchange {}", config.name);
  RETURN_IF_ERROR(SplitUrl(config.endpoint, what + ": endpoint").status());
  ASSIGN_OR_RETURN(TeOptions o, ParseTeOptions(config.options, what));
  if (secret.empty()) {
    return InvalidArgumentError(what + ": an access token is required (--credentials)");
  }
  return std::unique_ptr<Exchange>(
      std::make_unique<ThreatExchangeClient>(config, std::move(o), std::move(secret), options));
}

}  // namespace internal
}  // namespace vigil::exchange
