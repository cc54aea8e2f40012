// The server's internals shared by the route handlers: what a handler gets (Call), what it
// returns (Reply), the objects it calls (ServerContext), and request-parsing helpers whose
// errors name the bad field.
//
// Thread safety: a Call belongs to one request; ServerContext's members are thread-safe.
#ifndef VIGIL_SERVER_API_H_
#define VIGIL_SERVER_API_H_

#include <httplib.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth.h"
#include "cases/review_service.h"
#include "classify/image_classifiers.h"
#include "core/result.h"
#include "detect/media_classifier.h"
#include "detect/pipeline.h"
#include "match/matcher.h"
#include "privacy/evidence_store.h"
#include "privacy/pseudonym.h"
#include "queue/nats.h"
#include "redress/service.h"
#include "report/reporting_config.h"
#include "server/audit_recorder.h"
#include "server/server.h"
#include "store/store.h"

namespace vigil::server {

class Metrics;

using Json = nlohmann::ordered_json;

// MediaHashers keep scratch buffers and are not thread-safe; requests borrow one.
class HasherPool {
 public:
  explicit HasherPool(detect::MediaHasherOptions options) : options_(std::move(options)) {}
  class Lease {
   public:
    Lease(HasherPool* pool, std::unique_ptr<detect::MediaHasher> h)
        : pool_(pool), h_(std::move(h)) {}
    Lease(Lease&&) = default;
    ~Lease();
    detect::MediaHasher& operator*() const { return *h_; }

   private:
    HasherPool* pool_;
    std::unique_ptr<detect::MediaHasher> h_;
  };
  Lease Acquire();

 private:
  const detect::MediaHasherOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<detect::MediaHasher>> idle_;  // guarded by mu_
};

// Keys recently authenticated, by secret hash, so a request does not cost a database lookup.
// An entry is trusted for the configured time; revocations through this server clear it at once.
class KeyCache {
 public:
  explicit KeyCache(std::chrono::seconds ttl) : ttl_(ttl) {}
  // Shared, so a cache hit copies a pointer rather than the key.
  std::shared_ptr<const auth::ApiKey> Get(const std::string& secret_hash, TimePoint now);
  void Put(const std::string& secret_hash, std::shared_ptr<const auth::ApiKey> key, TimePoint now);
  void Clear();

 private:
  const std::chrono::seconds ttl_;
  std::mutex mu_;
  // guarded by mu_
  std::map<std::string, std::pair<std::shared_ptr<const auth::ApiKey>, TimePoint>> keys_;
};

// The matcher and the pipeline over it, replaced as a whole when the banks are reloaded (a bank
// created through the API when the server matches all banks), so a request keeps the one it
// started with.
struct Detection {
  std::unique_ptr<match::Matcher> matcher;
  std::unique_ptr<detect::Pipeline> pipeline;
  TimePoint loaded_at{};
};

struct ServerContext {
  ServerConfig config;
  store::Database* db = nullptr;
  std::shared_ptr<const Clock> clock;
  detect::RuleSet rules;
  report::ReportingConfig reporting;  // destinations and the Art 3(1)(j) limit
  std::unique_ptr<cases::EntryVerificationSink> verification_sink;
  std::unique_ptr<cases::ReviewService> review;
  std::unique_ptr<redress::RedressService> redress;    // null without redress_config
  std::unique_ptr<stats::VolumeCounterSink> counters;  // the database's, also feeding metrics
  std::unique_ptr<HasherPool> hashers;
  AuditRecorder* audit = nullptr;
  Metrics* metrics = nullptr;
  std::unique_ptr<KeyCache> key_cache;
  std::unique_ptr<privacy::EvidenceStore> evidence;  // null when no evidence_dir is configured
  // The scale-out queue (docs/scaling.md), null without config.nats.url: bank changes are
  // published on it to the workers, /v1/jobs publishes scan jobs to it, and the dead-letter
  // routes read and settle its dead letters.
  std::unique_ptr<queue::NatsQueue> nats;
  std::optional<privacy::Pseudonymiser> pseudonyms;  // nullopt when no keys are configured
  // The image classifiers of POST /v1/items (config.classifiers_file); null without them.
  std::unique_ptr<classify::ImageClassifierSet> image_classifiers;
  std::unique_ptr<detect::MediaClassifier> media_classifier;  // over image_classifiers

  // The current matcher and pipeline.
  std::shared_ptr<const Detection> detection() const;
  // Loads the banks' active entries into a new matcher and swaps it in.
  Status ReloadDetection();

  // Bank changes made by another process (e.g. `vigil bank import`): reads the change counts
  // (BankStore::GetChangeCount) of the banks the matcher should hold and, when they differ from
  // bank_markers (a bank added, an entry added or retired elsewhere), reloads the matcher and
  // swaps it in atomically. While bank events are followed, a difference is first given one poll
  // interval for its events to arrive: it reloads only when the counts the previous poll read
  // are still not reached (an event was lost). Takes changes_mu. True when it reloaded.
  Result<bool> PollBanks();
  // The markers of the banks the matcher should hold (config.banks, or every bank).
  Result<std::map<bank::BankId, uint64_t>> ReadBankMarkers();
  // Starts matching a bank created after the matcher was loaded (by this server or another
  // process), when the server matches every bank: its marker is read, then its entries are loaded
  // into the live matcher (Matcher::AddBank) without a reload. False when it is matched already or
  // the server matches named banks only. The caller holds changes_mu.
  Result<bool> TakeUpBank(bank::BankId bank);

  // Serialises bank changes with reloads, so no entry added during a reload is lost.
  std::mutex changes_mu;
  // The markers read before the matcher was loaded, plus the changes this server applied to it
  // since (so its own changes do not look like another process's). Guarded by changes_mu.
  std::map<bank::BankId, uint64_t> bank_markers;
  // The counts the last poll read while they differed from bank_markers (PollBanks). Guarded by
  // changes_mu.
  std::map<bank::BankId, uint64_t> polled_markers;
  mutable std::mutex detection_mu;
  std::shared_ptr<const Detection> detection_;  // guarded by detection_mu

  // With nats: the newest bank event applied, and how many failed to apply (for /metrics).
  std::atomic<uint64_t> bank_events_applied{0};
  std::atomic<uint64_t> bank_events_failed{0};
  // With nats: the bank events followed into the live matcher (FollowBankEvents). Last, so it
  // ends first and no event is applied to members already destroyed.
  std::unique_ptr<queue::EventSubscription> bank_events;
};

// One request as a handler sees it.
struct Call {
  const httplib::Request& req;
  ServerContext& ctx;
  const auth::ApiKey* key = nullptr;          // null on public routes
  std::map<std::string, std::string> params;  // path parameters by name

  // The caller's name for records and review actions ("" on public routes).
  std::string actor() const { return key ? key->name : std::string(); }
};

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers{};  // extra response headers
};

using Handler = Result<Reply> (*)(Call&);

Reply JsonReply(const Json& j, int status = 200);
// The error reply for `status` (HttpStatusFor its code), body ErrorBody.
Reply ErrorReply(const Status& status);
Reply TextReply(std::string text, int status = 200, std::string content_type = "text/plain");

// kInvalidArgument whose message is "field '<field>': <problem>"; the error writer puts the
// field into the JSON error's "field" key.
Status FieldError(std::string_view field, std::string_view problem);
// The field named by a FieldError message, or "" for other messages.
std::string FieldOf(const Status& status);
// {"message": ..., "field"?: ...}
std::string ErrorBody(const Status& status);

// The body as a JSON object; FieldError("body") when it is not one.
Result<nlohmann::json> JsonObjectBody(const Call& call);
// Typed members of a JSON object; absent members give nullopt, wrong types a FieldError.
Result<std::optional<std::string>> OptString(const nlohmann::json& j, std::string_view field);
Result<std::string> ReqString(const nlohmann::json& j, std::string_view field);
Result<std::optional<int64_t>> OptInt(const nlohmann::json& j, std::string_view field);
// Rejects members other than `allowed`, naming the first unknown one.
Status OnlyFields(const nlohmann::json& j, std::initializer_list<std::string_view> allowed);

// Query parameters.
Result<std::string> ReqQuery(const Call& call, std::string_view name);
std::optional<std::string> OptQuery(const Call& call, std::string_view name);
Result<bool> BoolQuery(const Call& call, std::string_view name, bool default_value);
Result<int64_t> IntQuery(const Call& call, std::string_view name, int64_t default_value,
                         int64_t min, int64_t max);
// Comma-separated list (HMA's `banks`, `types`); empty when absent.
std::vector<std::string> ListQuery(const Call& call, std::string_view name);
// A path parameter that must be a positive integer id.
Result<int64_t> IdParam(const Call& call, std::string_view name);

// The one uploaded file of a multipart request, with its form field name (HMA's content type).
struct Upload {
  std::string field;
  const std::string* bytes = nullptr;
};
Result<Upload> SingleUpload(const Call& call);
// Hashes uploaded bytes with a pooled hasher; errors name the upload field.
Result<detect::MediaHashes> HashUpload(Call& call, const Upload& upload);

// A signal type and hex value from a request: the type parsed (vigil's or threatexchange's
// names), the value normalised. Errors name `type_field` or `value_field`.
struct ParsedSignal {
  bank::SignalType type;
  std::string value;
};
Result<ParsedSignal> ParseSignal(std::string_view type, std::string_view value,
                                 std::string_view type_field, std::string_view value_field);
// Matches one signal with the server's matcher (quality unknown: matched).
Result<std::vector<match::BankMatch>> MatchSignal(const ServerContext& ctx,
                                                  const ParsedSignal& signal);
// The same matches as ids, banks and distances from the matcher's memory, without reading the
// entries (HMA's lookups need no more). The refs point into `d`'s matcher: keep `d` meanwhile.
Result<std::vector<match::MatchRef>> LookupSignal(const Detection& d, const ParsedSignal& signal);

// Creates a bank; when the server matches every bank, its matcher takes it up at once
// (TakeUpBank); with nats, the workers are told too.
Result<bank::Bank> CreateBank(ServerContext& ctx, const bank::NewBank& bank);
// Bank changes made through the API, applied to the live matcher.
Result<bank::BankEntry> AddBankEntry(ServerContext& ctx, const bank::Bank& bank,
                                     const bank::NewEntry& entry);
Result<bank::BankEntry> RetireBankEntry(ServerContext& ctx, bank::EntryId id,
                                        std::string_view reason);

// A technology label ("classifier:grooming-example@1 s>=0.6", detect/rules.h) in its parts:
// detector "classifier:grooming-example", version "1", threshold "s>=0.6" (each "" if absent).
struct TechnologyParts {
  std::string detector;
  std::string version;
  std::string threshold;
};
TechnologyParts SplitTechnology(std::string_view label);

// Image classifiers on uploaded items (item_classifiers.cc). Loads config.classifiers_file
// (when set) into ctx and puts its thresholds first in ctx.rules; errors name the file.
Status LoadItemClassifiers(ServerContext& ctx);
// What the classifiers made of an upload: their scores, or, when a classifier failed through
// no fault of the input, the item kept in the database (classify_retries) for a retry.
struct ItemClassification {
  std::vector<classify::Score> scores;
  bool kept = false;
  int64_t attempts = 0;  // of the kept item
  std::string error;     // why it was kept
};
// Runs every configured classifier on the upload of `item` (its account already pseudonymised);
// no classifiers: no scores. An input the classifiers cannot read is a FieldError naming the
// upload; a failure to keep the item is returned as is.
// With pseudonymisation, a kept item keeps `clear_account` sealed for its pseudonym.
Result<ItemClassification> ClassifyUpload(ServerContext& ctx, const Upload& upload,
                                          const detect::ItemInput& item,
                                          std::string_view clear_account);
// Files a classified item as POST /v1/items does: the pipeline decides, an opened case keeps the
// media in the evidence store (and `clear_account` sealed when the server pseudonymises and it is
// known), and a copy kept by an earlier failed attempt leaves the retry store.
Result<detect::ItemOutcome> FileClassifiedItem(ServerContext& ctx, const detect::ItemInput& item,
                                               detect::MediaHashes hashes,
                                               const std::vector<classify::Score>& scores,
                                               std::span<const uint8_t> bytes,
                                               std::optional<std::string_view> clear_account);
// One retry of the items kept because a classifier failed (the server runs it every
// config.classifier_retry_interval; tests call it): each is hashed and classified again and,
// when every classifier answers, filed as its upload would have been; still failing, it stays
// kept with one more attempt. Each outcome is logged; the error is the store's.
struct KeptRetryRound {
  size_t filed = 0;       // classified and filed (opened a case or not)
  size_t still_kept = 0;  // a classifier failed again
  size_t failed = 0;      // could not be hashed or filed (logged; stays kept)
};
Result<KeptRetryRound> RetryKeptItems(ServerContext& ctx);

// Scale-out (scaleout.cc). Connects ctx.nats when config.nats.url is set; kUnavailable when the
// server cannot be reached.
Status ConnectQueue(ServerContext& ctx);
// Publishes a bank change (committed before) to the workers; Ok without ctx.nats. kUnavailable
// saying the change is committed but not yet seen by the workers, and how to repair that.
Status PublishBankChange(ServerContext& ctx, const queue::BankEvent& event);
// Logs a failed publication (the change itself is done; see PublishBankChange).
void WarnIfFailed(const Status& published);
// With ctx.nats, applies the bank changes of other processes (workers' `vigil bank --events`,
// other servers) from their bank events, from after sequence `after` (read before the matcher
// was loaded, as a worker does: docs/scaling.md, "Bank changes"); Ok without ctx.nats.
Status FollowBankEvents(ServerContext& ctx, uint64_t after);
// Applies one bank event to the current matcher under changes_mu: the entry's state now, or a
// new bank taken up. A change the matcher already has (this server's own, published and now
// come back; a repeated event) changes nothing; one it did not have counts in bank_markers, so
// the bank poll, the safety net for lost events, does not reload for it.
Status ApplyBankEvent(ServerContext& ctx, const queue::BankEvent& event);

// JSON shapes shared by routes.
// A flag: technology (and its parts), category, value (distance or score), bank entry, and a
// classifier's evidence (the stored JSON, or its text when it is not JSON).
Json FlagJson(const cases::Flag& f);
Json BankEntryJson(const bank::BankEntry& e, std::string_view bank_name);
Json CaseJson(const cases::Case& c);
// One row of a case list: id, state, priority, EU flag, counts, technologies, banks, content
// types and the lease, enough for a queue to be filtered and ordered without opening cases.
Json CaseSummaryJson(const cases::Case& c);
Json HashesJson(const detect::MediaHashes& h);

}  // namespace vigil::server

#endif  // VIGIL_SERVER_API_H_
