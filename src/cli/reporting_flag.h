// Which reporting configuration a command uses: --reporting wins, then $VIGIL_REPORTING_CONFIG;
// `vigil serve` names the same file in its config ("reporting"), so both front ends queue the
// same hotline reports (Art 3(1)(j); docs/reporting.md).
#ifndef VIGIL_CLI_REPORTING_FLAG_H_
#define VIGIL_CLI_REPORTING_FLAG_H_

#include <optional>
#include <string>

#include "core/result.h"
#include "report/reporting_config.h"

namespace vigil::cli {

// The parsed file named by `flag` or the environment; nullopt when neither names one. Errors
// name the file.
Result<std::optional<report::ReportingConfig>> LoadCommandReporting(const std::string& flag);

}  // namespace vigil::cli

#endif  // VIGIL_CLI_REPORTING_FLAG_H_
