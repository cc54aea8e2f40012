#include "transparency/provider_report.h"

#include <fmt/format.h>

#include "core/file.h"
#include "transparency/json_input.h"

namespace vigil::transparency {
namespace {

using internal::OptionalInt;
using internal::OptionalNumber;
using internal::OptionalString;

constexpr uint64_t kMaxReportBytes = 64 << 20;

Result<std::string> StringOr(const nlohmann::json& j, std::string_view key,
                             std::string_view where) {
  ASSIGN_OR_RETURN(std::optional<std::string> v, OptionalString(j, key, where));
  return v.value_or("");
}

// `section`.`key` of the report root, e.g. cases.known_csam.
Result<ReportCount> ParseCount(const nlohmann::json& root, std::string_view section,
                               std::string_view key, std::string_view source) {
  ReportCount c;
  const nlohmann::json* s = root.contains(section) ? &root[std::string(section)] : nullptr;
  const std::string where = fmt::format("{}: {}.{}", source, section, key);
  if (s == nullptr || s->is_null() || !s->contains(key) || (*s)[std::string(key)].is_null()) {
    c.not_available = "not in the report";
    return c;
  }
  RETURN_IF_ERROR(internal::RequireObject(*s, fmt::format("{}: {}", source, section)));
  const nlohmann::json& j = (*s)[std::string(key)];
  RETURN_IF_ERROR(internal::RequireObject(j, where));
  ASSIGN_OR_RETURN(c.value, OptionalInt(j, "value", where));
  ASSIGN_OR_RETURN(c.unit, StringOr(j, "unit", where));
  ASSIGN_OR_RETURN(c.scope, StringOr(j, "scope", where));
  ASSIGN_OR_RETURN(c.qualifier, StringOr(j, "qualifier", where));
  ASSIGN_OR_RETURN(c.not_available, StringOr(j, "not_available", where));
  if (c.value && *c.value < 0) {
    return InvalidArgumentError(fmt::format("{}: value {} is negative", where, *c.value));
  }
  if (c.value.has_value() == !c.not_available.empty()) {
    return InvalidArgumentError(fmt::format(
        "{}: give either \"value\" or \"not_available\" (a reason), exactly one", where));
  }
  return c;
}

Result<ReportedRate> ParseRate(const nlohmann::json& j, std::string_view where) {
  RETURN_IF_ERROR(internal::RequireObject(j, where));
  ReportedRate r;
  ASSIGN_OR_RETURN(r.technology, StringOr(j, "technology", where));
  ASSIGN_OR_RETURN(r.category, StringOr(j, "category", where));
  ASSIGN_OR_RETURN(r.method, internal::RequiredString(j, "method", where));
  ASSIGN_OR_RETURN(r.numerator, OptionalInt(j, "numerator", where));
  ASSIGN_OR_RETURN(r.denominator, OptionalInt(j, "denominator", where));
  ASSIGN_OR_RETURN(r.percent, OptionalNumber(j, "percent", where));
  ASSIGN_OR_RETURN(r.unit, StringOr(j, "unit", where));
  ASSIGN_OR_RETURN(r.scope, StringOr(j, "scope", where));
  ASSIGN_OR_RETURN(r.note, StringOr(j, "note", where));
  if ((r.numerator && *r.numerator < 0) || (r.denominator && *r.denominator < 0) ||
      (r.percent && (*r.percent < 0 || *r.percent > 100))) {
    return InvalidArgumentError(
        fmt::format("{}: counts must not be negative and percent must be within 0-100", where));
  }
  if (r.numerator && r.denominator && *r.numerator > *r.denominator) {
    return InvalidArgumentError(fmt::format("{}: numerator {} exceeds denominator {}", where,
                                            *r.numerator, *r.denominator));
  }
  return r;
}

}  // namespace

std::string_view MethodDefinition(std::string_view method) {
  if (method == kMethodFlaggedNotConfirmed) {
    return "flagged automatically and not confirmed on human review / flagged automatically "
           "(the standard form's B/A)";
  }
  if (method == kMethodReinstatedOfComplaints) {
    return "reinstated or reversed after a complaint / complaints";
  }
  if (method == kMethodReinstatedOfActioned) {
    return "reinstated or reversed after a complaint / actioned (removed or suspended)";
  }
  return "";
}

Result<ProviderReport> ParseProviderReport(std::string_view json, std::string_view source) {
  ASSIGN_OR_RETURN(nlohmann::json root, internal::ParseJson(json, source));
  RETURN_IF_ERROR(internal::RequireObject(root, source));
  ProviderReport r;
  r.source = std::string(source);
  const nlohmann::json provider = root.value("provider", nlohmann::json());
  RETURN_IF_ERROR(internal::RequireObject(provider, fmt::format("{}: provider", source)));
  ASSIGN_OR_RETURN(r.provider,
                   internal::RequiredString(provider, "name", fmt::format("{}: provider", source)));
  const nlohmann::json period = root.value("period", nlohmann::json());
  RETURN_IF_ERROR(internal::RequireObject(period, fmt::format("{}: period", source)));
  ASSIGN_OR_RETURN(r.period,
                   internal::RequiredString(period, "label", fmt::format("{}: period", source)));
  struct Slot {
    const char* section;
    const char* key;
    ReportCount* out;
  };
  for (const Slot& s :
       {Slot{"cases", "known_csam", &r.cases_known}, Slot{"cases", "new_csam", &r.cases_new},
        Slot{"cases", "solicitation", &r.cases_solicitation},
        Slot{"cases", "total", &r.cases_total},
        Slot{"complaints", "internal", &r.complaints_internal},
        Slot{"complaints", "judicial", &r.complaints_judicial},
        Slot{"complaints", "total", &r.complaints_total},
        Slot{"reinstatements", "content_items", &r.reinstated_content},
        Slot{"reinstatements", "accounts", &r.reinstated_accounts}}) {
    ASSIGN_OR_RETURN(*s.out, ParseCount(root, s.section, s.key, source));
  }
  const nlohmann::json rates = root.value("error_rates", nlohmann::json::array());
  RETURN_IF_ERROR(internal::RequireArray(rates, fmt::format("{}: error_rates", source)));
  for (size_t i = 0; i < rates.size(); ++i) {
    ASSIGN_OR_RETURN(ReportedRate rate,
                     ParseRate(rates[i], fmt::format("{}: error_rates[{}]", source, i)));
    r.error_rates.push_back(std::move(rate));
  }
  return r;
}

Result<ProviderReport> LoadProviderReport(const std::string& path) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, kMaxReportBytes));
  return ParseProviderReport(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path);
}

}  // namespace vigil::transparency
