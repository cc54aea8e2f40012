// Cases and their parts: the flagged items of one account that go to human review, the flags
// that put them there, the reviews they receive and the audit events every change writes.
//
// A Case holds what never changes after it is opened (account, items, flags) and a CaseProgress
// with what review changes (state, lease, outcome, action/report times). Every technology that
// flagged an item is kept with its raw distance or score, so error rates per technology are
// exact (Art 3(1)(g)(vii)(6)).
//
// Thread safety: plain value types.
#ifndef VIGIL_CASES_TYPES_H_
#define VIGIL_CASES_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace vigil::cases {

using CaseId = int64_t;
using AlertId = int64_t;
using BankEntryId = int64_t;

// The lifecycle; the allowed transitions are in review_rules.h and docs/review.md.
enum class CaseState : uint8_t {
  kNew,         // in the review queue, not held by a reviewer
  kInReview,    // held by a reviewer under a lease
  kDecided,     // review reached an outcome
  kActioned,    // content removed or account suspended
  kReported,    // reported to a hotline / law enforcement
  kAppealed,    // the user complained about the action
  kReinstated,  // the action was reversed (terminal)
};

// What a flag suggests the item is.
enum class FlagCategory : uint8_t {
  kKnown,         // matched a bank of previously identified material
  kNew,           // a classifier suspects material not previously identified
  kSolicitation,  // grooming indicators in a conversation
};

// What a reviewer decides about a case.
enum class Decision : uint8_t {
  kConfirmedKnown,
  kConfirmedNew,
  kConfirmedSolicitation,
  kNotCsam,  // a false positive of every technology that flagged the case
  kNeedsSecondOpinion,
};

enum class ReviewKind : uint8_t {
  kPrimary,  // a review that decides the case
  kQa,       // a quality-assurance second review of a decided case
};

enum class QaState : uint8_t { kNotSampled, kPending, kDone };

// What a cluster alert is about.
enum class AlertSubject : uint8_t { kTechnology, kBankEntry };

// Stable lowercase names ("in_review", "confirmed_new", ...) used in the database, JSON and
// audit details; Parse* accept exactly these and name the bad input otherwise.
std::string_view CaseStateName(CaseState state);
std::string_view FlagCategoryName(FlagCategory category);
std::string_view DecisionName(Decision decision);
std::string_view ReviewKindName(ReviewKind kind);
std::string_view QaStateName(QaState qa);
std::string_view AlertSubjectName(AlertSubject subject);
Result<CaseState> ParseCaseState(std::string_view name);
Result<FlagCategory> ParseFlagCategory(std::string_view name);
Result<Decision> ParseDecision(std::string_view name);
Result<ReviewKind> ParseReviewKind(std::string_view name);
Result<QaState> ParseQaState(std::string_view name);
Result<AlertSubject> ParseAlertSubject(std::string_view name);

// True for the three confirmed-CSAM decisions.
bool IsConfirmation(Decision decision);

// One technology flagging one item.
struct Flag {
  std::string technology{};  // name@version and its threshold, e.g. "pdq@1 r<=31"
  FlagCategory category = FlagCategory::kKnown;
  double raw_value = 0;                        // Hamming distance for hashes, score for classifiers
  std::optional<BankEntryId> bank_entry_id{};  // the matched entry, for bank matches
  std::string bank_name{};
  bool bank_auto_action = false;  // the bank allows action without review
  // Why a classifier flagged the item, as a JSON array (indicators with the messages or frames
  // behind them; docs/classify.md); empty for hash flags. Shown to the reviewer: Art 3(1)(f)
  // requires grooming detection to be explainable.
  std::string evidence{};
  friend bool operator==(const Flag&, const Flag&) = default;
};

// One hash of an item, as lowercase hex: "pdq", "md5", "sha256" (a video's frame hashes are not
// kept; its vPDQ flags carry the match).
struct ItemHash {
  std::string algorithm{};
  std::string hex{};
  friend bool operator==(const ItemHash&, const ItemHash&) = default;
};

struct Item {
  std::string item_id{};
  std::string content_type{};
  TimePoint received_at{};
  // When the item joined its case: the case's creation for the items it was opened with, later
  // for items grouped into it (ReviewService::FileItems). Set by the store; ignored on input.
  TimePoint added_at{};
  std::vector<ItemHash> hashes{};  // may be empty
  std::vector<Flag> flags{};       // at least one
  friend bool operator==(const Item&, const Item&) = default;
};

struct Lease {
  std::string reviewer{};
  TimePoint expires_at{};  // held while now < expires_at
  // Items the holder was shown (and charged for) by the claim: a decision covers only what its
  // reviewer saw, so items grouped in later must be seen (claim again) before deciding.
  int64_t items_shown = 0;
  friend bool operator==(const Lease&, const Lease&) = default;
};

struct ReviewDecision {
  ReviewKind kind = ReviewKind::kPrimary;
  std::string reviewer{};
  Decision decision = Decision::kNeedsSecondOpinion;
  std::string rationale{};
  TimePoint decided_at{};
  friend bool operator==(const ReviewDecision&, const ReviewDecision&) = default;
};

// What a caller supplies to open a case.
struct NewCase {
  std::string account_id{};  // pseudonymised; never a raw user id
  std::string surface{};     // service or surface, e.g. "photos/upload"
  bool eu = true;            // the user or upload is in the Union (Art 8 statistics)
  int priority = 0;          // higher is reviewed first
  std::vector<Item> items{};
  // The pipeline already acted (known material from an auto-action bank); actioned_at is set.
  bool auto_actioned = false;
};

// The part of a case that review changes; written as a whole by CaseStore::CompareAndSet.
struct CaseProgress {
  CaseState state = CaseState::kNew;
  std::optional<Lease> lease{};       // a primary or QA reviewer's hold
  std::optional<Decision> outcome{};  // set once decided; never kNeedsSecondOpinion
  std::optional<TimePoint> decided_at{};
  std::optional<TimePoint> actioned_at{};
  std::optional<TimePoint> reported_at{};
  QaState qa = QaState::kNotSampled;
  TimePoint updated_at{};
  friend bool operator==(const CaseProgress&, const CaseProgress&) = default;
};

struct Case {
  CaseId id = 0;
  int64_t version = 0;  // bumped by every change; the compare-and-set key
  std::string account_id{};
  std::string surface{};
  bool eu = true;
  int priority = 0;
  TimePoint created_at{};
  CaseProgress progress{};
  std::vector<Item> items{};
  std::vector<ReviewDecision> reviews{};  // oldest first

  // True when any flag of any item has `category`.
  bool HasFlag(FlagCategory category) const;
  // Distinct technologies and bank entries that flagged the case, sorted.
  std::vector<std::string> Technologies() const;
  std::vector<BankEntryId> BankEntries() const;
  // True when `reviewer` wrote a review of `kind` on this case.
  bool ReviewedBy(std::string_view reviewer, ReviewKind kind) const;
  friend bool operator==(const Case&, const Case&) = default;
};

// One audit row. Written in the same transaction as the change it records; never updated.
struct CaseEvent {
  int64_t id = 0;                   // assigned by the store, ascending
  std::optional<CaseId> case_id{};  // empty for events about reviewers or alerts alone
  TimePoint at{};
  std::string actor{};   // reviewer id, or "system" for the pipeline and alerts
  std::string action{};  // "opened", "claimed", "decided", ... (docs/review.md)
  std::string details{};
  friend bool operator==(const CaseEvent&, const CaseEvent&) = default;
};

// A flag that human review did not confirm (DESIGN.md "error"); one row per flag.
struct FalsePositive {
  CaseId case_id = 0;
  std::string item_id{};
  std::string technology{};
  double raw_value = 0;
  std::optional<BankEntryId> bank_entry_id{};
  std::string reviewer{};
  TimePoint recorded_at{};
  friend bool operator==(const FalsePositive&, const FalsePositive&) = default;
};

// A bank entry to be verified again because its match was found not to be CSAM; kept until the
// sink accepts it, so a crash never loses one (DESIGN.md: durable outbox).
struct VerificationRequest {
  int64_t id = 0;  // assigned by the store
  CaseId case_id = 0;
  BankEntryId bank_entry_id = 0;
  std::string bank_name{};
  std::string reason{};
  TimePoint created_at{};
  std::optional<TimePoint> delivered_at{};
  friend bool operator==(const VerificationRequest&, const VerificationRequest&) = default;
};

// A report to a hotline or authority that a confirmed decision calls for (Art 3(1)(j)); written
// in the same transaction as the decision, then delivered by the `report` module's outbox.
struct ReportRequest {
  int64_t id = 0;  // assigned by the store, ascending; the report's idempotency key
  CaseId case_id = 0;
  std::string destination{};  // e.g. "ncmec"
  TimePoint created_at{};     // the decision's time
  friend bool operator==(const ReportRequest&, const ReportRequest&) = default;
};

// Hashes of material the provider's reviewers confirmed as new, to be offered to the
// organisations that agreed to receive them (Art 7; the `exchange` module's share outbox reads
// the case's item hashes). Written in the same transaction as the decision, so a crash never
// loses one; one per case.
struct ShareRequest {
  int64_t id = 0;  // assigned by the store, ascending
  CaseId case_id = 0;
  TimePoint created_at{};  // the decision's time
  friend bool operator==(const ShareRequest&, const ShareRequest&) = default;
};

// A reversal of a decision that confirmed new material: its content was reinstated on
// complaint, so the material is no longer held to be abuse and the hashes its share request
// queued are withdrawn (those already sent) or cancelled (those not yet sent) by the `exchange`
// module's share outbox. Written in the same transaction as the reversal, so a crash never loses
// one; one per case, and only for a case that has a share request.
struct ShareWithdrawal {
  int64_t id = 0;  // assigned by the store, ascending
  CaseId case_id = 0;
  int64_t share_request_id = 0;  // the case's share request; set by the store
  TimePoint created_at{};        // the reversal's time
  friend bool operator==(const ShareWithdrawal&, const ShareWithdrawal&) = default;
};

struct ClusterAlert {
  AlertId id = 0;
  AlertSubject subject = AlertSubject::kTechnology;
  std::string key{};       // the technology, or the bank entry id in decimal
  int64_t flag_count = 0;  // flags in the window when raised
  int64_t threshold = 0;   // raised because flag_count > threshold
  int64_t window_seconds = 0;
  TimePoint raised_at{};
  CaseId case_id = 0;  // the case whose flags crossed the threshold
  bool paused_auto_action = false;
  std::optional<TimePoint> acknowledged_at{};
  std::string acknowledged_by{};
  std::string note{};
  friend bool operator==(const ClusterAlert&, const ClusterAlert&) = default;
};

// How a reviewer's console shows material, and how much of it they may see per day.
struct ReviewerSettings {
  std::string reviewer{};
  int blur_percent = 100;  // 0 (sharp) to 100 (fully blurred until revealed)
  bool greyscale = true;
  int daily_exposure_cap = 0;  // items per UTC day; at least 1
  friend bool operator==(const ReviewerSettings&, const ReviewerSettings&) = default;
};

// Limits that keep hostile input from bloating the store; errors name the field.
inline constexpr size_t kMaxIdBytes = 256;     // account, item, reviewer ids, surface, technology
inline constexpr size_t kMaxTextBytes = 4096;  // rationale, reasons, notes, details
inline constexpr size_t kMaxEvidenceBytes = 64 << 10;  // a flag's evidence JSON
inline constexpr size_t kMaxItemsPerCase = 1000;
inline constexpr size_t kMaxFlagsPerItem = 64;
inline constexpr size_t kMaxHashesPerItem = 16;
inline constexpr size_t kMaxHashHexBytes = 512;
inline constexpr int kMaxExposureCap = 100000;

// kInvalidArgument naming the field when a text is empty (where required), too long, has
// control characters or is not UTF-8.
Status ValidateReviewerId(std::string_view reviewer);
Status ValidateText(std::string_view field, std::string_view text, bool required);
// Checks every field of a new case: at least one item, each with at least one flag, ids and
// technology names present, bank fields consistent, raw values finite, hashes lowercase hex
// with distinct algorithm names.
Status ValidateNewCase(const NewCase& c);
Status ValidateReviewerSettings(const ReviewerSettings& s);

// The UTC day number (days since 1970-01-01) of `t`: the unit of the exposure cap.
int64_t DayOf(TimePoint t);

}  // namespace vigil::cases

#endif  // VIGIL_CASES_TYPES_H_
