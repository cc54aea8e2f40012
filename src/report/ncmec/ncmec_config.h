// The operator's NCMEC CyberTipline settings: who reports (organisation and contact, written into
// every report), where (the /ispws endpoint) and with which credentials (HTTP Basic), and the
// schema every report is validated against before it can be sent.
//
// Read from a JSON file (docs/reporting.md); the password itself is never in the file but in the
// environment variable the file names, so the file can be kept with the rest of the config.
//
// Thread safety: plain value types.
#ifndef VIGIL_REPORT_NCMEC_NCMEC_CONFIG_H_
#define VIGIL_REPORT_NCMEC_NCMEC_CONFIG_H_

#include <chrono>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil::report::ncmec {

struct Contact {
  std::string first_name{};
  std::string last_name{};
  std::string email{};
  std::string phone{};
};

struct NcmecConfig {
  std::string org_name{};     // reporter/companyTemplate, and the name in every report
  Contact reporter{};         // reporter/reportingPerson
  Contact contact{};          // reporter/contactPerson when any field is set
  std::string platform{};     // incidentSummary/platform: the application's full name
  std::string service_url{};  // webPageIncident/url when set
  std::string legal_url{};    // reporter/legalURL when set
  std::string endpoint = "https://exttest.cybertip.org/ispws";
  std::string username{};
  std::string password{};  // from the environment variable named by "password_env"
  std::string xsd_path{};  // cyber_tipline.xsd (GET /xsd once credentials exist)
  std::chrono::seconds timeout{30};
};

// Parses the JSON object `json` read from `name` (for messages). kInvalidArgument naming the file
// and field for unknown fields, wrong types, a missing org_name or reporter email, an endpoint
// that is not http(s), or a password_env variable that is not set.
Result<NcmecConfig> ParseNcmecConfig(std::string_view json, std::string_view name);

}  // namespace vigil::report::ncmec

#endif  // VIGIL_REPORT_NCMEC_NCMEC_CONFIG_H_
