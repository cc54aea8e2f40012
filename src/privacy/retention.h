// Purposes and retention (Art 3(1)(h)): data kept after scanning may be kept only for named
// purposes and only as long as they need it, at most 12 months, unless a complaint or a legal
// procedure is pending (a legal hold here). The policy gives each purpose its maximum age; a
// record kept for several purposes expires when the longest of them ends.
//
// Pure values and functions; thread-safe.
#ifndef VIGIL_PRIVACY_RETENTION_H_
#define VIGIL_PRIVACY_RETENTION_H_

#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace vigil::privacy {

// The purposes Art 3(1)(h) allows data to be kept for.
enum class Purpose {
  kReporting,       // reporting to hotlines and authorities
  kBlocking,        // blocking content or suspending the account
  kHashing,         // creating a hash of material reliably identified as abuse
  kRedress,         // complaints and redress of the affected user
  kLawEnforcement,  // answering requests of law enforcement and judicial authorities
};

// "reporting", "blocking", "hashing", "redress", "law_enforcement"; ParsePurpose accepts these.
std::string_view PurposeName(Purpose purpose);
Result<Purpose> ParsePurpose(std::string_view name);
std::span<const Purpose> AllPurposes();

// 12 months is never shorter than 365 days, so a maximum age of at most 365 days is within the
// regulation's limit whatever the calendar.
inline constexpr std::chrono::days kLegalMaximumAge{365};

struct RetentionPolicy {
  std::map<Purpose, std::chrono::days> max_age{};
};

// The policy used when the operator configures none: every purpose at the legal maximum, except
// redress, which Art 3(1)(h) ties to a pending complaint (kept by a hold while one is pending).
RetentionPolicy DefaultRetentionPolicy();

// kInvalidArgument naming the purpose when an age is not between 1 and 365 days or a purpose
// has none.
Status ValidateRetentionPolicy(const RetentionPolicy& policy);

// Parses {"reporting": 365, "blocking": 180, ...} (days per purpose, every purpose present) and
// validates it; `name` (the config file) is used in errors.
Result<RetentionPolicy> ParseRetentionPolicyJson(std::string_view text, std::string_view name);

// When a record created at `created` and kept for `purposes` (at least one) expires.
Result<TimePoint> ExpiryFor(const RetentionPolicy& policy, std::span<const Purpose> purposes,
                            TimePoint created);

// A legal hold (a pending complaint or legal procedure) on a case or an account. It suspends
// expiry while active: from placed_at until lifted_at, or indefinitely until lifted.
struct LegalHold {
  std::string subject{};  // "case:42" or "account:<pseudonym>"
  std::string reason{};
  TimePoint placed_at{};
  std::optional<TimePoint> review_at{};  // when someone must look at it again
  std::optional<TimePoint> lifted_at{};
};

// kInvalidArgument naming the field: empty subject or reason, subject not "case:" or
// "account:", review_at or lifted_at before placed_at.
Status ValidateLegalHold(const LegalHold& hold);

bool IsHoldActive(const LegalHold& hold, TimePoint now);

// True when a record that expires at `expiry` must be deleted at `now`: it has expired and none
// of `holds` (those on its case or account) is active.
bool IsDueForDeletion(TimePoint expiry, std::span<const LegalHold> holds, TimePoint now);

}  // namespace vigil::privacy

#endif  // VIGIL_PRIVACY_RETENTION_H_
