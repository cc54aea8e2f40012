// Hash exchanges: outside hash lists (NCMEC's hash sharing, Meta's ThreatExchange, lists
// delivered as files) that keep one bank each up to date, and where the provider shares its own
// confirmed hashes back.
//
// An ExchangeConfig says where a list comes from and which bank it feeds; an ExchangeState is how
// far the last sync got (the source's cursor) and what it did. A HashUpdate is one change the
// source made to one hash: it vouches for it, disputes it, or withdraws it. Withdrawn hashes
// retire their bank entry (entries are never deleted).
//
// Credentials are never stored: a config holds a reference ("env:VAR" or "file:/path") resolved
// when the exchange is opened (credentials.h).
//
// Thread safety: plain value types.
#ifndef VIGIL_EXCHANGE_TYPES_H_
#define VIGIL_EXCHANGE_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bank/types.h"
#include "core/clock.h"
#include "core/result.h"

namespace vigil::exchange {

using ExchangeId = int64_t;

// The numbers are stable: stores persist the names.
enum class ExchangeType : uint8_t {
  kFile = 1,            // a list in a bank import format, from a file or an http(s) URL
  kNcmec = 2,           // NCMEC's hash sharing API (XML)
  kThreatExchange = 3,  // Meta's ThreatExchange threat_updates API (JSON)
};

// "file", "ncmec", "threatexchange".
std::string_view ExchangeTypeName(ExchangeType type);
Result<ExchangeType> ParseExchangeType(std::string_view name);

// Art 7 / the standard form's category 9: which kind of organisation a source is.
// "ncmec", "eu_centre" or "other".
Status ValidateOrganisationKind(std::string_view kind);

// What a caller supplies to configure an exchange.
struct NewExchange {
  std::string name{};  // unique; same rules as bank names (bank::ValidateBankName)
  ExchangeType type = ExchangeType::kFile;
  std::string bank{};                       // the bank it feeds, which must exist
  std::string organisation{};               // who the hashes come from, e.g. "NCMEC" (Art 7 list)
  std::string organisation_kind = "other";  // see ValidateOrganisationKind
  std::string endpoint{};                   // URL, or a file path for kFile
  // Where the secret is: "" (none), "env:VARIABLE" or "file:/path". Never the secret itself.
  std::string credentials_ref{};
  // Type-specific settings as a JSON object, e.g. {"format": "csv"} for a file list.
  std::string options = "{}";
  // Whether the organisation has agreed to receive the provider's confirmed hashes.
  bool share = false;
};

struct ExchangeConfig {
  ExchangeId id = 0;
  std::string name{};
  ExchangeType type = ExchangeType::kFile;
  bank::BankId bank_id = 0;
  std::string bank{};
  std::string organisation{};
  std::string organisation_kind{};
  std::string endpoint{};
  std::string credentials_ref{};
  std::string options{};
  bool share = false;
  TimePoint created_at{};
  friend bool operator==(const ExchangeConfig&, const ExchangeConfig&) = default;
};

// How far syncing got and what it did, kept with the config.
struct ExchangeState {
  std::string cursor{};  // the source's checkpoint after the last committed page; "" at first
  uint64_t pages = 0;    // pages applied, ever
  uint64_t added = 0, updated = 0, removed = 0;  // totals over all syncs
  std::optional<TimePoint> last_sync_at{};       // the last sync that reached the end
  std::string last_error{};                      // of the last failed sync; "" after a success
  std::optional<TimePoint> last_error_at{};
  friend bool operator==(const ExchangeState&, const ExchangeState&) = default;
};

struct ExchangeRecord {
  ExchangeConfig config{};
  ExchangeState state{};
};

// What the source says about a hash now.
enum class Opinion : uint8_t {
  kPositive = 0,   // it vouches for the hash: add it
  kDisputed = 1,   // it (or its members) doubt it: add it flagged needs_verification
  kWithdrawn = 2,  // it removed the hash or changed its opinion to negative: retire the entry
};
std::string_view OpinionName(Opinion opinion);

struct HashUpdate {
  bank::SignalType type = bank::SignalType::kPdq;
  std::string value{};  // any case; normalised when applied
  Opinion opinion = Opinion::kPositive;
  std::string source_ref{};  // the source's identifier of the record, kept as provenance
  std::string reason{};      // why it was withdrawn, when the source says
  // A withdrawal of every active entry whose source_ref is `source_ref` (type and value are
  // ignored): sources such as NCMEC delete records, and a deleted record names no hashes.
  bool by_source_ref = false;
  friend bool operator==(const HashUpdate&, const HashUpdate&) = default;
};

// One page of changes and the cursor that follows it.
struct FetchedPage {
  std::vector<HashUpdate> updates{};
  std::string next_cursor{};
  // True when the source has nothing after this page for now.
  bool done = true;
  // Records the source sent that vigil cannot use (hash types it does not match on).
  uint64_t skipped = 0;
};

// The outcome of applying one page.
struct PageApplied {
  uint64_t added = 0, updated = 0, removed = 0, unchanged = 0;
  // The entries added and retired, for a live matcher (match::Matcher::OnEntryAdded/Retired).
  std::vector<bank::BankEntry> added_entries{};
  std::vector<bank::BankEntry> retired_entries{};
};

// Which way hashes went between the provider and an organisation.
enum class Direction : uint8_t { kReceived = 0, kShared = 1 };
std::string_view DirectionName(Direction direction);

// Hashes exchanged with one organisation in one direction over a period (Art 7 list).
struct OrganisationContact {
  std::string organisation{};
  std::string kind{};
  Direction direction = Direction::kReceived;
  uint64_t hashes = 0;
  friend bool operator==(const OrganisationContact&, const OrganisationContact&) = default;
};

// Limits on what the sources send, so a hostile page cannot exhaust memory or the store.
inline constexpr size_t kMaxCursorBytes = 4096;
inline constexpr size_t kMaxUpdatesPerPage = 100000;

// Checks a NewExchange: name, non-empty bank, organisation and endpoint, lengths, the
// credentials reference form, the organisation kind and that options is a JSON object.
// kInvalidArgument names the field.
Status ValidateNewExchange(const NewExchange& exchange);

// Checks and normalises the updates of a page (values, lengths, cursor size, page size);
// kInvalidArgument names the first bad update by index and the exchange.
Status ValidatePage(FetchedPage& page, std::string_view exchange_name);

}  // namespace vigil::exchange

#endif  // VIGIL_EXCHANGE_TYPES_H_
