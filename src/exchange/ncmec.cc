#include "exchange/ncmec.h"

#include <fmt/format.h>

#include <cctype>
#include <set>

#include "bank/signal.h"
#include "exchange/credentials.h"
#include "exchange/internal/http.h"
#include "exchange/internal/open.h"
#include "exchange/internal/range_cursor.h"
#include "exchange/internal/xml.h"

namespace vigil::exchange {
namespace {

using internal::Attribute;
using internal::Child;
using internal::Name;
using internal::Text;

// NCMEC's fingerprint element names for the types vigil matches on.
std::optional<bank::SignalType> FingerprintType(std::string_view name) {
  if (name == "md5") return bank::SignalType::kMd5;
  if (name == "pdq") return bank::SignalType::kPdq;
  return std::nullopt;
}

// Fingerprint types (lowercase) with negative feedback from some member.
std::set<std::string> Disputed(const xmlNode* record) {
  std::set<std::string> out;
  const xmlNode* feedback = Child(record, "feedback");
  if (!feedback) return out;
  for (const xmlNode* f = feedback->children; f; f = f->next) {
    if (f->type != XML_ELEMENT_NODE || Name(f) != "negativeFeedback") continue;
    std::string type = Attribute(f, "type");
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.insert(type);
  }
  return out;
}

Status ParseRecord(const xmlNode* record, std::string_view what, NcmecEntriesPage& page) {
  const std::string_view tag = Name(record);
  const bool deleted = tag == "deletedImage" || tag == "deletedVideo";
  if (!deleted && tag != "image" && tag != "video") return Status::Ok();  // e.g. future types
  ++page.records;
  const xmlNode* id = Child(record, "id");
  const xmlNode* member = Child(record, "member");
  const std::string member_id = member ? Attribute(member, "id") : "";
  if (!id || Text(id).empty() || member_id.empty()) {
    return InvalidArgumentError(
        fmt::format("{}: <{}> record {} has no <id> or member id", what, tag, page.records));
  }
  const std::string ref = fmt::format("{}:{}", member_id, Text(id));
  if (deleted) {
    page.updates.push_back(HashUpdate{.opinion = Opinion::kWithdrawn,
                                      .source_ref = ref,
                                      .reason = "deleted at NCMEC",
                                      .by_source_ref = true});
    return Status::Ok();
  }
  const std::set<std::string> disputed = Disputed(record);
  const xmlNode* fingerprints = Child(record, "fingerprints");
  if (!fingerprints) return Status::Ok();
  for (const xmlNode* f = fingerprints->children; f; f = f->next) {
    if (f->type != XML_ELEMENT_NODE) continue;
    const auto type = FingerprintType(Name(f));
    if (!type) {
      ++page.skipped;
      continue;
    }
    auto value = bank::NormalizeSignalValue(*type, Text(f));
    if (!value.ok()) {
      return InvalidArgumentError(fmt::format("{}: record {} <{}>: {}", what,
                                              bank::EscapeForMessage(ref), Name(f),
                                              value.status().message()));
    }
    page.updates.push_back(HashUpdate{.type = *type,
                                      .value = *std::move(value),
                                      .opinion = disputed.contains(std::string(Name(f)))
                                                     ? Opinion::kDisputed
                                                     : Opinion::kPositive,
                                      .source_ref = ref});
  }
  return Status::Ok();
}

}  // namespace

Result<NcmecEntriesPage> ParseNcmecEntries(std::string_view xml, std::string_view what) {
  ASSIGN_OR_RETURN(internal::XmlDoc doc, internal::ParseXml(xml, what, kMaxNcmecPageBytes));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (Name(root) != "queryResult") {
    return InvalidArgumentError(
        fmt::format("{}: root element is <{}>, expected <queryResult>", what, Name(root)));
  }
  NcmecEntriesPage page;
  for (const char* group : {"images", "videos"}) {
    const xmlNode* g = Child(root, group);
    if (!g) continue;
    for (const xmlNode* r = g->children; r; r = r->next) {
      if (r->type == XML_ELEMENT_NODE) RETURN_IF_ERROR(ParseRecord(r, what, page));
    }
  }
  if (const xmlNode* paging = Child(root, "paging")) {
    if (const xmlNode* next = Child(paging, "next")) page.next = Text(next);
  }
  if (!page.next.empty() &&
      (!page.next.starts_with("/v2/entries?") || page.next.size() > kMaxCursorBytes / 2 ||
       page.next.find_first_of(" \r\n|") != std::string::npos)) {
    return InvalidArgumentError(fmt::format("{}: <next> '{}' is not a /v2/entries path", what,
                                            bank::EscapeForMessage(page.next)));
  }
  return page;
}

namespace internal {
namespace {

// "2017-10-24T15:00:00Z" (UTC).
std::string IsoTime(int64_t seconds) { return FormatUtc(TimePoint(std::chrono::seconds(seconds))); }

class NcmecExchange final : public Exchange {
 public:
  NcmecExchange(ExchangeConfig config, std::pair<std::string, std::string> auth,
                const OpenOptions& o)
      : config_(std::move(config)),
        auth_(std::move(auth)),
        timeout_(o.timeout),
        clock_(o.clock ? o.clock : std::make_shared<SystemClock>()) {
    base_ = config_.endpoint;
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
  }

  Result<FetchedPage> Fetch(std::string_view cursor_text) override {
    retry_after_.reset();
    ASSIGN_OR_RETURN(const RangeCursor cursor,
                     ParseRangeCursor(cursor_text, fmt::format("exchange {}", config_.name)));
    std::string url;
    RangeCursor range = cursor;
    if (!cursor.next.empty()) {
      // NCMEC's paging links go sour (python-threatexchange drops a stored next link after a
      // day; issue facebook/ThreatExchange#1731): start the range again rather than trust one.
      if (clock_->Now().time_since_epoch().count() - cursor.to > kMaxPagingLinkAge) {
        return Restart(cursor);
      }
      url = base_ + cursor.next;
    } else {
      range.from = cursor.to;
      // Not up to the second: entries still being written would be missed (as the reference).
      range.to = clock_->Now().time_since_epoch().count() - 5;
      if (range.to <= range.from) {
        return FetchedPage{.next_cursor = std::string(cursor_text), .done = true};
      }
      url = fmt::format("{}/v2/entries?from={}&to={}", base_, UrlEncode(IsoTime(range.from)),
                        UrlEncode(IsoTime(range.to)));
    }
    HttpAnswer a = Send({.url = url,
                         .basic_auth = auth_,
                         .timeout = timeout_,
                         .max_bytes = kMaxNcmecPageBytes,
                         .what = fmt::format("NCMEC hash sharing at {}", base_)});
    retry_after_ = a.retry_after;
    if (!a.body.ok() && !cursor.next.empty() && PagingLinkExpired(a)) {
      if (++restarts_ > kMaxRestarts) {
        return FailedPreconditionError(fmt::format(
            "exchange {}: NCMEC's paging links expired {} times in one sync; the next sync "
            "starts the range again",
            config_.name, restarts_ - 1));
      }
      return Restart(cursor);
    }
    if (!a.body.ok()) return a.body.status();
    ASSIGN_OR_RETURN(NcmecEntriesPage parsed,
                     ParseNcmecEntries(*a.body, fmt::format("NCMEC entries from {}", base_)));
    FetchedPage page{.updates = std::move(parsed.updates), .skipped = parsed.skipped};
    range.next = parsed.next;
    page.next_cursor = FormatRangeCursor(range);
    page.done = parsed.next.empty();
    return page;
  }

  std::optional<std::chrono::seconds> retry_after() const override { return retry_after_; }

 private:
  // A paging link older than this (from when its range was opened) is not followed.
  static constexpr int64_t kMaxPagingLinkAge = 24 * 3600;
  // Restarts one client makes before giving up, so a source whose links always expire cannot
  // keep a sync going round for ever.
  static constexpr int kMaxRestarts = 2;

  // The partner said the link is no longer valid: 410 Gone, or a 400/404 whose body says it
  // expired. NCMEC's documentation is not public; these are the answers HTTP and NCMEC's XML
  // errors use for it, and any other refusal stays an error.
  static bool PagingLinkExpired(const HttpAnswer& a) {
    if (a.http_status == 410) return true;
    if (a.http_status != 400 && a.http_status != 404) return false;
    std::string body = a.error_body;
    for (char& c : body) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return body.find("expired") != std::string::npos;
  }

  // Back to the last checkpoint: an empty page whose cursor is where the unfinished range
  // began, so the next fetch asks for [that, now) afresh. Re-applying the entries the range
  // already gave changes nothing (ApplyPage leaves present entries unchanged).
  static FetchedPage Restart(const RangeCursor& cursor) {
    return FetchedPage{.next_cursor = std::to_string(cursor.from), .done = false};
  }

  const ExchangeConfig config_;
  const std::pair<std::string, std::string> auth_;
  const std::chrono::seconds timeout_;
  const std::shared_ptr<const Clock> clock_;
  std::string base_;
  std::optional<std::chrono::seconds> retry_after_;
  int restarts_ = 0;
};

}  // namespace

Result<std::unique_ptr<Exchange>> OpenNcmecExchange(const ExchangeConfig& config,
                                                    std::string secret,
                                                    const OpenOptions& options) {
  RETURN_IF_ERROR(
      SplitUrl(config.endpoint, fmt::format("exchange {}: endpoint", config.name)).status());
  ASSIGN_OR_RETURN(auto auth, SplitUserPassword(secret, fmt::format("exchange {}", config.name)));
  return std::unique_ptr<Exchange>(
      std::make_unique<NcmecExchange>(config, std::move(auth), options));
}

}  // namespace internal
}  // namespace vigil::exchange
