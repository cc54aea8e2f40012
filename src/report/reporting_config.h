// ReportingConfig: where confirmed cases are reported and how soon (Art 3(1)(j) of Regulation
// (EU) 2021/1232), shared by every front end that records decisions (`vigil cases decide`,
// `vigil serve`) so a confirming decision queues the same reports whichever one records it.
//
// One small JSON file (docs/reporting.md, "Destinations"):
//   {"destinations": ["ncmec", "nl-authority"], "report_limit_hours": 24}
// Each destination gets one outbox row per confirmed case, written in the decision's
// transaction (cases::ReviewConfig::report_destinations); the sender of a destination is
// configured separately (e.g. `vigil report send --config ncmec.json`).
//
// Thread safety: plain value types and pure functions.
#ifndef VIGIL_REPORT_REPORTING_CONFIG_H_
#define VIGIL_REPORT_REPORTING_CONFIG_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::report {

// The environment variable the command line reads the file's path from when no flag names it.
inline constexpr char kReportingConfigEnv[] = "VIGIL_REPORTING_CONFIG";

struct ReportingConfig {
  // Destination names, e.g. "ncmec" and a national body; 1 to 64 characters of [a-z0-9._-],
  // unique. Empty: no report is queued (every confirmed case then shows as overdue).
  std::vector<std::string> destinations{};
  // Art 3(1)(j): a confirmed case not reported this long after its confirmation is overdue.
  std::chrono::seconds report_limit{std::chrono::hours(24)};
};

// Parses the JSON text read from `name` (for messages). kInvalidArgument naming the file and
// the field for invalid JSON, unknown fields, wrong types, a bad or repeated destination name,
// or a limit outside 1 to 720 hours.
Result<ReportingConfig> ParseReportingConfig(std::string_view json, std::string_view name);
// Reads (at most 1 MiB) and parses the file at `path`; kNotFound when it cannot be read.
Result<ReportingConfig> LoadReportingConfig(const std::string& path);

}  // namespace vigil::report

#endif  // VIGIL_REPORT_REPORTING_CONFIG_H_
