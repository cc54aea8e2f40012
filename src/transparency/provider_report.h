// The parts of a provider's annual report that the Commission compares across providers: cases
// by type, complaints and reinstatements, and error rates with the method of each. Read from
// vigil's report JSON (docs/report-schema.json, written by `vigil report annual`); reports of
// other providers converted to the same JSON compare the same way.
//
// Every count is either a value with its unit (what was counted: content items, accounts, ...)
// and geographic scope, or explicitly not available with the reason: a figure a provider did not
// give never becomes a zero.
//
// Thread safety: plain values and free functions.
#ifndef VIGIL_TRANSPARENCY_PROVIDER_REPORT_H_
#define VIGIL_TRANSPARENCY_PROVIDER_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::transparency {

struct ReportCount {
  std::optional<int64_t> value{};  // empty: not available
  std::string unit{};           // content_items, accounts, cases, reports, complaints, users, ...
  std::string scope{};          // eu, global, unspecified, eu_or_global_unclear
  std::string qualifier{};      // "", approx, over, at_most
  std::string not_available{};  // the reason, when value is empty
};

// The methods by which reports state error rates; each names its numerator and denominator.
inline constexpr char kMethodFlaggedNotConfirmed[] = "false_positive_rate_of_flagged";
inline constexpr char kMethodReinstatedOfComplaints[] = "reinstatement_rate_of_complaints";
inline constexpr char kMethodReinstatedOfActioned[] = "reinstatement_rate_of_actioned";
// The numerator and denominator a method divides, for printing; empty for unknown methods.
std::string_view MethodDefinition(std::string_view method);

struct ReportedRate {
  std::string technology{};  // the technology the rate is for, or "all"
  std::string category{};    // known_csam, new_csam, solicitation, or all
  std::string method{};
  std::optional<int64_t> numerator{};
  std::optional<int64_t> denominator{};
  std::optional<double> percent{};  // as stated
  std::string unit{};
  std::string scope{};
  std::string note{};
};

struct ProviderReport {
  std::string source{};    // where it was read from, for messages
  std::string provider{};  // provider.name
  std::string period{};    // period.label
  ReportCount cases_known{}, cases_new{}, cases_solicitation{}, cases_total{};
  ReportCount complaints_internal{}, complaints_judicial{}, complaints_total{};
  ReportCount reinstated_content{}, reinstated_accounts{};
  std::vector<ReportedRate> error_rates{};
};

// Parses the comparison parts of a report; fields it does not use are ignored. A count that is
// absent reads as not available ("not in the report"). kInvalidArgument naming `source` and the
// field for malformed JSON, wrong types, negative counts, a count with neither a value nor a
// reason, or a rate whose numerator exceeds its denominator.
Result<ProviderReport> ParseProviderReport(std::string_view json, std::string_view source);

// Reads (at most 64 MiB) and parses a report file.
Result<ProviderReport> LoadProviderReport(const std::string& path);

}  // namespace vigil::transparency

#endif  // VIGIL_TRANSPARENCY_PROVIDER_REPORT_H_
