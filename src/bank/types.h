// Banks and their entries: the vetted hash lists that items are matched against.
//
// A Bank is a named list from one source (a hotline, an industry list, the provider's own
// reviewers) with a policy saying whether its matches may be acted on without human review.
// A BankEntry is one signal in a bank with its provenance. Entries are never deleted: an entry
// found to be wrong is retired with a reason and date, stops matching, and stays for the record.
//
// Thread safety: plain value types.
#ifndef VIGIL_BANK_TYPES_H_
#define VIGIL_BANK_TYPES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "bank/signal.h"
#include "core/clock.h"
#include "core/result.h"
#include "core/status.h"

namespace vigil::bank {

using BankId = int64_t;
using EntryId = int64_t;

enum class ActionPolicy : uint8_t {
  // Every match goes to a human reviewer before any action (the safe default).
  kReviewRequired = 0,
  // Matches may be acted on automatically (removal, report) because the list is vetted enough.
  kAutoAction = 1,
};

// "review_required" or "auto_action".
std::string_view ActionPolicyName(ActionPolicy policy);
Result<ActionPolicy> ParseActionPolicy(std::string_view name);

// What a caller supplies to create a bank.
struct NewBank {
  std::string name{};   // unique; see ValidateBankName
  std::string owner{};  // the organisation the list comes from, e.g. "NCMEC"
  std::string description{};
  std::string source_list{};  // the list's own name at the source, e.g. "NCMEC hash sharing: ESP"
  ActionPolicy policy = ActionPolicy::kReviewRequired;
};

struct Bank {
  BankId id = 0;
  std::string name{};
  std::string owner{};
  std::string description{};
  std::string source_list{};
  ActionPolicy policy = ActionPolicy::kReviewRequired;
  TimePoint created_at{};

  bool auto_action() const { return policy == ActionPolicy::kAutoAction; }
  friend bool operator==(const Bank&, const Bank&) = default;
};

// One signal in a bank with its provenance.
struct BankEntry {
  EntryId id = 0;
  BankId bank_id = 0;
  SignalType signal_type = SignalType::kPdq;
  std::string value{};  // normalised lowercase hex (NormalizeSignalValue)
  TimePoint added_at{};
  std::string source_ref{};  // the source's identifier for this hash, free text
  // Number of reviewers who confirmed the entry; 0 means unverified.
  int verifications = 0;
  // Set when the source asks for review of the entry before it is trusted.
  bool needs_verification = false;
  // Retired entries never match but are kept, with why and when, for the record.
  bool retired = false;
  std::string retired_reason{};
  TimePoint retired_at{};  // meaningful only when retired

  friend bool operator==(const BankEntry&, const BankEntry&) = default;
};

// An entry to add. The store assigns id and bank; values may be in either case.
struct NewEntry {
  SignalType signal_type = SignalType::kPdq;
  std::string value{};
  std::string source_ref{};
  std::optional<TimePoint> added_at{};  // the store's clock when empty
  int verifications = 0;
  bool needs_verification = false;
  // An entry imported already retired (moving a bank between systems keeps its history).
  std::optional<TimePoint> retired_at{};
  std::string retired_reason{};  // required when retired_at is set
};

// Limits that keep hostile input from bloating the store; errors name the limit.
inline constexpr size_t kMaxBankNameBytes = 64;
inline constexpr size_t kMaxTextBytes = 4096;  // owner, description, source list, reasons
inline constexpr size_t kMaxSourceRefBytes = 1024;
inline constexpr int kMaxVerifications = 1000;

// Bank names are 1-64 characters of ASCII letters, digits, '_', '-' and '.', starting with a
// letter or digit, so they are safe in command lines, file names and URLs.
Status ValidateBankName(std::string_view name);
// Checks a NewBank (name and text lengths); kInvalidArgument names the field.
Status ValidateNewBank(const NewBank& bank);
// Checks every field of `entry` (value, lengths, verification count, retirement reason);
// kInvalidArgument names the field.
Status ValidateNewEntry(const NewEntry& entry);
// Checks a retirement reason: non-empty after trimming, at most kMaxTextBytes.
Status ValidateRetireReason(std::string_view reason);

// Which entries a stream returns.
struct EntryFilter {
  bool include_retired = false;
};

// The outcome of adding a batch: every row is either added or already present.
struct AddEntriesResult {
  uint64_t added = 0;
  uint64_t already_present = 0;  // same (type, value) already in the bank, active or retired
};

struct SignalTypeCounts {
  uint64_t active = 0;
  uint64_t retired = 0;
  friend bool operator==(const SignalTypeCounts&, const SignalTypeCounts&) = default;
};

struct BankStats {
  uint64_t total = 0;
  uint64_t active = 0;
  uint64_t retired = 0;
  uint64_t verified = 0;                             // active entries with verifications > 0
  uint64_t needs_verification = 0;                   // active entries flagged for verification
  std::map<SignalType, SignalTypeCounts> by_type{};  // only types with entries
  friend bool operator==(const BankStats&, const BankStats&) = default;
};

// Adds one group of entries (one signal type, all retired or all active) to `stats`, for stores
// that count with GROUP BY. `verified` and `needs_verification` count only for active groups.
void AddStatsGroup(BankStats& stats, SignalType type, bool retired, uint64_t count,
                   uint64_t verified, uint64_t needs_verification);

// Called as rows are processed with the number done so far. Returning a non-OK status cancels
// the operation, which then changes nothing and returns that status.
using ProgressCallback = std::function<Status(uint64_t done)>;

}  // namespace vigil::bank

#endif  // VIGIL_BANK_TYPES_H_
