#include "exchange/types.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "bank/signal.h"

namespace vigil::exchange {

std::string_view ExchangeTypeName(ExchangeType type) {
  switch (type) {
    case ExchangeType::kFile:
      return "file";
    case ExchangeType::kNcmec:
      return "ncmec";
    case ExchangeType::kThreatExchange:
      return "threatexchange";
  }
  return "unknown";
}

Result<ExchangeType> ParseExchangeType(std::string_view name) {
  for (ExchangeType t :
       {ExchangeType::kFile, ExchangeType::kNcmec, ExchangeType::kThreatExchange}) {
    if (name == ExchangeTypeName(t)) return t;
  }
  return InvalidArgumentError(
      fmt::format("unknown exchange type '{}' (known: file, ncmec, threatexchange)",
                  bank::EscapeForMessage(name)));
}

Status ValidateOrganisationKind(std::string_view kind) {
  if (kind == "ncmec" || kind == "eu_centre" || kind == "other") return Status::Ok();
  return InvalidArgumentError(
      fmt::format("organisation kind '{}' is not one of ncmec, eu_centre, other",
                  bank::EscapeForMessage(kind)));
}

std::string_view OpinionName(Opinion opinion) {
  switch (opinion) {
    case Opinion::kPositive:
      return "positive";
    case Opinion::kDisputed:
      return "disputed";
    case Opinion::kWithdrawn:
      return "withdrawn";
  }
  return "unknown";
}

std::string_view DirectionName(Direction direction) {
  return direction == Direction::kShared ? "shared" : "received";
}

namespace {

Status RequireText(std::string_view field, std::string_view value, size_t max) {
  if (value.find_first_not_of(" \t") == std::string_view::npos) {
    return InvalidArgumentError(fmt::format("exchange {} is empty", field));
  }
  if (value.size() > max) {
    return InvalidArgumentError(
        fmt::format("exchange {} is {} bytes, more than the {} allowed", field, value.size(), max));
  }
  return Status::Ok();
}

Status ValidateCredentialsRef(std::string_view ref) {
  if (ref.empty()) return Status::Ok();
  const bool env = ref.starts_with("env:") && ref.size() > 4;
  const bool file = ref.starts_with("file:") && ref.size() > 5;
  if (!env && !file) {
    // Never echo the value: a user may have pasted the secret itself.
    return InvalidArgumentError(
        "exchange credentials must be a reference, \"env:VARIABLE\" or \"file:/path\", never "
        "the secret itself");
  }
  if (ref.size() > bank::kMaxTextBytes) {
    return InvalidArgumentError("exchange credentials reference is too long");
  }
  return Status::Ok();
}

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence (PostgreSQL TEXT refuses a
// broken one).
void TruncateUtf8(std::string& s, size_t max) {
  if (s.size() <= max) return;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
}

// Reasons end up in retired_reason, after "withdrawn by exchange NAME: ".
constexpr size_t kMaxReasonBytes = 512;

}  // namespace

Status ValidateNewExchange(const NewExchange& e) {
  if (Status s = bank::ValidateBankName(e.name); !s.ok()) {
    return InvalidArgumentError(fmt::format("exchange name: {}", s.message()));
  }
  RETURN_IF_ERROR(RequireText("bank", e.bank, bank::kMaxBankNameBytes));
  RETURN_IF_ERROR(RequireText("organisation", e.organisation, bank::kMaxTextBytes));
  RETURN_IF_ERROR(RequireText("endpoint", e.endpoint, bank::kMaxTextBytes));
  RETURN_IF_ERROR(ValidateOrganisationKind(e.organisation_kind));
  RETURN_IF_ERROR(ValidateCredentialsRef(e.credentials_ref));
  if (e.options.size() > bank::kMaxTextBytes) {
    return InvalidArgumentError("exchange options are too long");
  }
  const auto options = nlohmann::json::parse(e.options, nullptr, /*allow_exceptions=*/false);
  if (!options.is_object()) {
    return InvalidArgumentError(fmt::format("exchange options '{}' are not a JSON object",
                                            bank::EscapeForMessage(e.options)));
  }
  return Status::Ok();
}

Status ValidatePage(FetchedPage& page, std::string_view exchange_name) {
  if (page.next_cursor.size() > kMaxCursorBytes) {
    return InvalidArgumentError(
        fmt::format("exchange {}: cursor of {} bytes is over the {} allowed", exchange_name,
                    page.next_cursor.size(), kMaxCursorBytes));
  }
  if (page.updates.size() > kMaxUpdatesPerPage) {
    return InvalidArgumentError(
        fmt::format("exchange {}: page of {} updates is over the {} allowed", exchange_name,
                    page.updates.size(), kMaxUpdatesPerPage));
  }
  for (size_t i = 0; i < page.updates.size(); ++i) {
    HashUpdate& u = page.updates[i];
    if (u.by_source_ref) {
      if (u.opinion != Opinion::kWithdrawn || u.source_ref.empty() ||
          u.source_ref.size() > bank::kMaxSourceRefBytes) {
        return InvalidArgumentError(fmt::format(
            "exchange {}: update {} withdraws by source reference but is not a withdrawal with a "
            "reference of 1-{} bytes",
            exchange_name, i, bank::kMaxSourceRefBytes));
      }
      TruncateUtf8(u.reason, kMaxReasonBytes);
      continue;
    }
    auto value = bank::NormalizeSignalValue(u.type, u.value);
    if (!value.ok()) {
      return InvalidArgumentError(fmt::format("exchange {}: update {} ({}): {}", exchange_name, i,
                                              bank::EscapeForMessage(u.source_ref, 60),
                                              value.status().message()));
    }
    u.value = *std::move(value);
    TruncateUtf8(u.source_ref, bank::kMaxSourceRefBytes);
    TruncateUtf8(u.reason, kMaxReasonBytes);
  }
  return Status::Ok();
}

}  // namespace vigil::exchange
