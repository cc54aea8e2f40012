// Which database a command uses: --db wins, then VIGIL_DATABASE_URL, then store's default.
#ifndef VIGIL_CLI_DATABASE_H_
#define VIGIL_CLI_DATABASE_H_

#include <memory>
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace vigil::cli {

// The URL to open given the --db flag value (empty when not given).
std::string ResolveDatabaseUrl(const std::string& db_flag);

// Opens (and migrates) the resolved database; errors name the URL.
Result<std::unique_ptr<store::Database>> OpenCommandDatabase(const std::string& db_flag);

}  // namespace vigil::cli

#endif  // VIGIL_CLI_DATABASE_H_
