// What the annual report takes from the provider rather than from the store: who the provider
// is, the services covered, the organisations it shares reports with (Art 7 list), and the
// free-text answers of the standard form (legal grounds, retention policies, safeguards,
// measures), keyed by the figure keys of the form's rows.
//
// Thread safety: plain values and free functions.
#ifndef VIGIL_TRANSPARENCY_REPORT_CONFIG_H_
#define VIGIL_TRANSPARENCY_REPORT_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "transparency/standard_form.h"

namespace vigil::transparency {

struct Organisation {
  std::string name{};
  std::string kind{};  // "ncmec", "eu_centre" or "other" (the form's category 9 rows)
};

struct ReportConfig {
  bool given = false;  // false: no configuration file; every configured figure is not available
  std::string provider_name{};
  std::string provider_address{};
  std::string provider_contact{};
  std::vector<std::string> services{};
  std::vector<Organisation> organisations{};
  bool organisations_given = false;  // an empty list given on purpose means "shared with none"
  std::map<std::string, std::string> answers{};  // figure key -> text
};

// Parses a configuration file:
//   {"provider": {"name": "...", "address": "...", "contact": "..."},
//    "services": ["..."],
//    "organisations": [{"name": "NCMEC", "kind": "ncmec"}],
//    "answers": {"grounds.processing": "...", ...}}
// kInvalidArgument naming `source` and the field for malformed JSON, a missing provider name,
// an unknown organisation kind, or an answer key that is not a text row's figure of `form`
// (a typo would otherwise leave a row silently unanswered).
Result<ReportConfig> ParseReportConfig(std::string_view json, std::string_view source,
                                       const StandardForm& form);
Result<ReportConfig> LoadReportConfig(const std::string& path, const StandardForm& form);

}  // namespace vigil::transparency

#endif  // VIGIL_TRANSPARENCY_REPORT_CONFIG_H_
