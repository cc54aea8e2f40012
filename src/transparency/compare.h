// The Commission's view of several providers' annual reports: the comparison tables of its
// implementation reports (cases by type, complaints and reinstatements, error rates with their
// methods), with every figure that is missing or not comparable flagged instead of silently
// lined up. The Commission's reports found providers counting different things (accounts vs
// content items), with different geographic scopes and error rates by different methods; this
// comparison says so for each figure.
//
// Thread safety: pure functions.
#ifndef VIGIL_TRANSPARENCY_COMPARE_H_
#define VIGIL_TRANSPARENCY_COMPARE_H_

#include <optional>
#include <string>
#include <vector>

#include "transparency/provider_report.h"

namespace vigil::transparency {

// How a stated rate relates to the counts given with it.
enum class RateVerdict {
  kConsistent,     // the counts give the stated percent at its printed precision
  kTruncated,      // they give it only when truncated, not rounded
  kInconsistent,   // they do not give it
  kUndefined,      // denominator 0
  kMissingCounts,  // numerator or denominator not given: cannot be recomputed
  kComputed,       // no percent stated; computed from the counts
};
std::string_view RateVerdictName(RateVerdict verdict);

struct RateCheck {
  std::string provider{}, period{}, technology{}, category{}, method{}, unit{}, scope{};
  std::optional<int64_t> numerator{}, denominator{};
  std::optional<double> stated_percent{};
  std::optional<double> recomputed_percent{};  // 100 * numerator / denominator
  RateVerdict verdict = RateVerdict::kMissingCounts;
  std::string message{};  // "207 of 4900 = 4.2245 %; stated 4.22 %: consistent"
};

// Checks one stated rate against its counts.
RateCheck CheckRate(const ReportedRate& rate);

struct ComparisonTable {
  std::string title{};
  std::vector<std::string> header{};
  std::vector<std::vector<std::string>> rows{};
};

struct Comparison {
  std::vector<ComparisonTable> tables{};  // cases, complaints and reinstatements, error rates
  std::vector<RateCheck> rates{};         // every stated rate, in report order
  std::vector<std::string> flags{};       // missing and non-comparable figures, one per line
};

// Compares the reports in the order given.
Comparison Compare(const std::vector<ProviderReport>& reports);

// Plain-text tables (aligned columns), the methods used, then the flags.
std::string FormatComparisonText(const Comparison& comparison);

}  // namespace vigil::transparency

#endif  // VIGIL_TRANSPARENCY_COMPARE_H_
