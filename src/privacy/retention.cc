#include "privacy/retention.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

namespace vigil::privacy {
namespace {

constexpr std::array<Purpose, 5> kAllPurposes = {Purpose::kReporting, Purpose::kBlocking,
                                                 Purpose::kHashing, Purpose::kRedress,
                                                 Purpose::kLawEnforcement};

}  // namespace

std::string_view PurposeName(Purpose purpose) {
  switch (purpose) {
    case Purpose::kReporting:
      return "reporting";
    case Purpose::kBlocking:
      return "blocking";
    case Purpose::kHashing:
      return "hashing";
    case Purpose::kRedress:
      return "redress";
    case Purpose::kLawEnforcement:
      return "law_enforcement";
  }
  return "unknown";
}

Result<Purpose> ParsePurpose(std::string_view name) {
  for (Purpose p : kAllPurposes) {
    if (PurposeName(p) == name) return p;
  }
  return InvalidArgumentError(fmt::format(
      "unknown purpose '{}' (reporting, blocking, hashing, redress or law_enforcement)", name));
}

std::span<const Purpose> AllPurposes() { return kAllPurposes; }

RetentionPolicy DefaultRetentionPolicy() {
  RetentionPolicy policy;
  for (Purpose p : kAllPurposes) policy.max_age[p] = kLegalMaximumAge;
  policy.max_age[Purpose::kRedress] = std::chrono::days(180);
  return policy;
}

Status ValidateRetentionPolicy(const RetentionPolicy& policy) {
  for (Purpose p : kAllPurposes) {
    auto it = policy.max_age.find(p);
    if (it == policy.max_age.end()) {
      return InvalidArgumentError(
          fmt::format("retention policy: no maximum age for purpose '{}'", PurposeName(p)));
    }
    if (it->second.count() < 1 || it->second > kLegalMaximumAge) {
      return InvalidArgumentError(fmt::format(
          "retention policy: purpose '{}' keeps data {} days; it must be between 1 and {} days "
          "(Art 3(1)(h): at most 12 months; pending complaints and procedures use legal holds)",
          PurposeName(p), it->second.count(), kLegalMaximumAge.count()));
    }
  }
  return Status::Ok();
}

Result<RetentionPolicy> ParseRetentionPolicyJson(std::string_view text, std::string_view name) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgumentError(
        fmt::format("{}: the retention policy must be a JSON object of days per purpose", name));
  }
  RetentionPolicy policy;
  for (const auto& [key, value] : j.items()) {
    auto purpose = ParsePurpose(key);
    if (!purpose.ok())
      return InvalidArgumentError(fmt::format("{}: {}", name, purpose.status().message()));
    if (!value.is_number_integer()) {
      return InvalidArgumentError(
          fmt::format("{}: '{}' must be a whole number of days", name, key));
    }
    policy.max_age[*purpose] = std::chrono::days(value.get<int64_t>());
  }
  Status valid = ValidateRetentionPolicy(policy);
  if (!valid.ok()) return InvalidArgumentError(fmt::format("{}: {}", name, valid.message()));
  return policy;
}

Result<TimePoint> ExpiryFor(const RetentionPolicy& policy, std::span<const Purpose> purposes,
                            TimePoint created) {
  if (purposes.empty()) {
    return InvalidArgumentError("a record kept after scanning needs at least one purpose");
  }
  std::chrono::days longest{0};
  for (Purpose p : purposes) {
    auto it = policy.max_age.find(p);
    if (it == policy.max_age.end()) {
      return InvalidArgumentError(
          fmt::format("retention policy: no maximum age for purpose '{}'", PurposeName(p)));
    }
    longest = std::max(longest, it->second);
  }
  return created + longest;
}

Status ValidateLegalHold(const LegalHold& hold) {
  if (!hold.subject.starts_with("case:") && !hold.subject.starts_with("account:")) {
    return InvalidArgumentError(fmt::format(
        "legal hold: subject '{}' must be 'case:<id>' or 'account:<pseudonym>'", hold.subject));
  }
  if (hold.subject.find(':') + 1 == hold.subject.size()) {
    return InvalidArgumentError("legal hold: subject names no case or account");
  }
  if (hold.reason.empty()) return InvalidArgumentError("legal hold: reason is empty");
  if (hold.review_at && *hold.review_at < hold.placed_at) {
    return InvalidArgumentError("legal hold: review_at is before placed_at");
  }
  if (hold.lifted_at && *hold.lifted_at < hold.placed_at) {
    return InvalidArgumentError("legal hold: lifted_at is before placed_at");
  }
  return Status::Ok();
}

bool IsHoldActive(const LegalHold& hold, TimePoint now) {
  return hold.placed_at <= now && (!hold.lifted_at || now < *hold.lifted_at);
}

bool IsDueForDeletion(TimePoint expiry, std::span<const LegalHold> holds, TimePoint now) {
  if (now < expiry) return false;
  return std::ranges::none_of(holds, [now](const LegalHold& h) { return IsHoldActive(h, now); });
}

}  // namespace vigil::privacy
