// The records of redress (issue 7): actions taken on a decided case, the user notices they
// cause, complaints against actions and their second review, and complaints to a judicial
// authority. Every record names its case; records holding personal data carry the purpose they
// are kept for and when they expire (Art 3(1)(h), privacy/retention.h).
//
// Thread safety: plain value types.
#ifndef VIGIL_REDRESS_TYPES_H_
#define VIGIL_REDRESS_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/types.h"
#include "core/clock.h"
#include "core/result.h"

namespace vigil::redress {

using ActionId = int64_t;
using NoticeId = int64_t;
using ComplaintId = int64_t;
using JudicialId = int64_t;

enum class ActionKind : uint8_t {
  kRemoveContent,     // one item deleted
  kBlockContent,      // one item made unavailable (in the Union or everywhere)
  kSuspendAccount,    // the account suspended for a time
  kTerminateAccount,  // the account closed
  kPreserveEvidence,  // the case's material kept for law enforcement (no user notice)
};

// Whether an action concerns one item (content) or the account.
bool IsContentAction(ActionKind kind);
bool IsAccountAction(ActionKind kind);
// Art 3(1)(g)(vi): removal or blocking of content and suspension or termination of an account
// are notified to the user; preserving evidence is not (it would tip off an investigation).
bool NeedsUserNotice(ActionKind kind);

struct Action {
  ActionId id = 0;  // assigned by the store
  cases::CaseId case_id = 0;
  ActionKind kind = ActionKind::kRemoveContent;
  std::string item_id{};     // the item for content actions and evidence; empty for accounts
  std::string account_id{};  // the case's (pseudonymised) account
  std::string reason{};
  std::string technologies{};  // the technologies that flagged the case, "; "-separated
  std::string actor{};
  TimePoint taken_at{};
  std::optional<TimePoint> reversed_at{};
  std::string reversed_by{};
  std::string reversal_reason{};
  std::string purpose{};  // privacy::PurposeName
  TimePoint expires_at{};
  friend bool operator==(const Action&, const Action&) = default;
};

// A user notice in the durable outbox: written with its action, delivered to the operator's
// webhook with retries.
enum class NoticeState : uint8_t {
  kPending,         // to be delivered
  kDelivered,       // the webhook accepted it
  kFailed,          // refused for good or out of attempts; a person must look
  kAccountDeleted,  // the account no longer exists: nobody to notify (terminal)
};

struct Notice {
  NoticeId id = 0;         // assigned by the store
  ActionId action_id = 0;  // set by the store to the action written with it
  cases::CaseId case_id = 0;
  std::string account_id{};
  std::string language{};
  std::string template_version{};
  std::string body{};  // the rendered notice as JSON (subject, text, fields)
  NoticeState state = NoticeState::kPending;
  int attempts = 0;
  TimePoint created_at{};
  TimePoint next_attempt_at{};
  std::string last_error{};
  std::optional<TimePoint> delivered_at{};
  int64_t version = 1;  // compare-and-set key
  std::string purpose{};
  TimePoint expires_at{};
  friend bool operator==(const Notice&, const Notice&) = default;
};

enum class ComplaintState : uint8_t { kOpen, kDecided };

// The second reviewer's outcome. kActionUpheld rejects the complaint (the action stands); the
// others reinstate what they name and reverse the matching actions.
enum class ComplaintOutcome : uint8_t {
  kActionUpheld,
  kContentReinstated,
  kAccountReinstated,
  kBothReinstated,
};

struct Complaint {
  ComplaintId id = 0;  // assigned by the store
  ActionId action_id = 0;
  cases::CaseId case_id = 0;
  std::string account_id{};
  std::string filed_by{};  // the operator's backend (API key name) or CLI user
  std::string text{};      // the user's grounds
  TimePoint filed_at{};
  ComplaintState state = ComplaintState::kOpen;
  std::optional<ComplaintOutcome> outcome{};
  std::string reviewer{};
  std::string rationale{};
  std::optional<TimePoint> decided_at{};
  std::string report_followup{};  // what happened to the hotline report on reinstatement
  int64_t version = 1;
  std::string purpose{};
  TimePoint expires_at{};
  friend bool operator==(const Complaint&, const Complaint&) = default;
};

struct ComplaintFilter {
  std::optional<cases::CaseId> case_id{};
  bool open_only = false;
  size_t limit = 1000;
};

// Art 5: a complaint the user took to a judicial authority, and its outcome once known.
struct JudicialComplaint {
  JudicialId id = 0;  // assigned by the store
  cases::CaseId case_id = 0;
  std::optional<ActionId> action_id{};
  std::string authority{};  // the court or authority
  std::string reference{};  // its file number
  TimePoint filed_at{};
  std::string outcome{};  // empty while pending; e.g. "action upheld", "content reinstated"
  std::optional<TimePoint> outcome_at{};
  std::string recorded_by{};
  int64_t version = 1;
  std::string purpose{};
  TimePoint expires_at{};
  friend bool operator==(const JudicialComplaint&, const JudicialComplaint&) = default;
};

// Stable lowercase names ("remove_content", "account_deleted", "both_reinstated", ...) used in
// the database, JSON and CLI; Parse* accept exactly these and name the bad input otherwise.
std::string_view ActionKindName(ActionKind kind);
std::string_view NoticeStateName(NoticeState state);
std::string_view ComplaintStateName(ComplaintState state);
std::string_view ComplaintOutcomeName(ComplaintOutcome outcome);
Result<ActionKind> ParseActionKind(std::string_view name);
Result<NoticeState> ParseNoticeState(std::string_view name);
Result<ComplaintState> ParseComplaintState(std::string_view name);
Result<ComplaintOutcome> ParseComplaintOutcome(std::string_view name);

// True when `outcome` reinstates content (resp. the account).
bool ReinstatesContent(ComplaintOutcome outcome);
bool ReinstatesAccount(ComplaintOutcome outcome);

}  // namespace vigil::redress

#endif  // VIGIL_REDRESS_TYPES_H_
