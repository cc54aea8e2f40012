#include "cli/reporting_flag.h"

#include <cstdlib>

namespace vigil::cli {

Result<std::optional<report::ReportingConfig>> LoadCommandReporting(const std::string& flag) {
  std::string path = flag;
  if (path.empty()) {
    const char* env = std::getenv(report::kReportingConfigEnv);
    if (env != nullptr) path = env;
  }
  if (path.empty()) return std::optional<report::ReportingConfig>();
  ASSIGN_OR_RETURN(report::ReportingConfig config, report::LoadReportingConfig(path));
  return std::optional<report::ReportingConfig>(std::move(config));
}

}  // namespace vigil::cli
