#include "bank/types.h"

#include <fmt/format.h>

#include "core/text.h"

namespace vigil::bank {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

Status CheckLength(std::string_view field, std::string_view value, size_t max_bytes) {
  if (value.size() > max_bytes) {
    return InvalidArgumentError(
        fmt::format("{} is {} bytes, more than the limit of {}", field, value.size(), max_bytes));
  }
  if (value.find('\0') != std::string_view::npos) {
    return InvalidArgumentError(fmt::format("{} contains a NUL byte", field));
  }
  if (!IsValidUtf8(value)) return InvalidArgumentError(fmt::format("{} is not valid UTF-8", field));
  return Status::Ok();
}

}  // namespace

std::string_view ActionPolicyName(ActionPolicy policy) {
  return policy == ActionPolicy::kAutoAction ? "auto_action" : "review_required";
}

Result<ActionPolicy> ParseActionPolicy(std::string_view name) {
  if (name == "auto_action") return ActionPolicy::kAutoAction;
  if (name == "review_required") return ActionPolicy::kReviewRequired;
  return InvalidArgumentError(fmt::format(
      "unknown action policy '{}' (auto_action or review_required)", EscapeForMessage(name, 40)));
}

Status ValidateBankName(std::string_view name) {
  if (name.empty()) return InvalidArgumentError("bank name is empty");
  if (name.size() > kMaxBankNameBytes) {
    return InvalidArgumentError(fmt::format("bank name '{}' is longer than {} characters",
                                            EscapeForMessage(name), kMaxBankNameBytes));
  }
  if (!IsAsciiAlnum(name[0])) {
    return InvalidArgumentError(
        fmt::format("bank name '{}' must start with a letter or digit", EscapeForMessage(name)));
  }
  for (char c : name) {
    if (!IsAsciiAlnum(c) && c != '_' && c != '-' && c != '.') {
      return InvalidArgumentError(
          fmt::format("bank name '{}' may contain only letters, digits, '_', '-' and '.'",
                      EscapeForMessage(name)));
    }
  }
  return Status::Ok();
}

Status ValidateNewBank(const NewBank& bank) {
  RETURN_IF_ERROR(ValidateBankName(bank.name));
  RETURN_IF_ERROR(CheckLength("owner", bank.owner, kMaxTextBytes));
  RETURN_IF_ERROR(CheckLength("description", bank.description, kMaxTextBytes));
  RETURN_IF_ERROR(CheckLength("source list", bank.source_list, kMaxTextBytes));
  return Status::Ok();
}

Status ValidateRetireReason(std::string_view reason) {
  if (IsBlank(reason)) return InvalidArgumentError("a retirement needs a reason");
  return CheckLength("retirement reason", reason, kMaxTextBytes);
}

Status ValidateNewEntry(const NewEntry& entry) {
  auto value = NormalizeSignalValue(entry.signal_type, entry.value);
  if (!value.ok()) return value.status();
  RETURN_IF_ERROR(CheckLength("source_ref", entry.source_ref, kMaxSourceRefBytes));
  if (entry.verifications < 0 || entry.verifications > kMaxVerifications) {
    return InvalidArgumentError(
        fmt::format("verifications must be 0..{}, got {}", kMaxVerifications, entry.verifications));
  }
  if (entry.retired_at.has_value()) {
    RETURN_IF_ERROR(ValidateRetireReason(entry.retired_reason));
  } else if (!entry.retired_reason.empty()) {
    return InvalidArgumentError("retired_reason given without retired_at");
  }
  return Status::Ok();
}

void AddStatsGroup(BankStats& stats, SignalType type, bool retired, uint64_t count,
                   uint64_t verified, uint64_t needs_verification) {
  stats.total += count;
  if (retired) {
    stats.retired += count;
    stats.by_type[type].retired += count;
  } else {
    stats.active += count;
    stats.by_type[type].active += count;
    stats.verified += verified;
    stats.needs_verification += needs_verification;
  }
}

}  // namespace vigil::bank
