#include "cli/database.h"

#include <cstdlib>

namespace vigil::cli {

std::string ResolveDatabaseUrl(const std::string& db_flag) {
  if (!db_flag.empty()) return db_flag;
  if (const char* env = std::getenv("VIGIL_DATABASE_URL"); env != nullptr && *env != '\0') {
    return env;
  }
  return store::kDefaultDatabaseUrl;
}

Result<std::unique_ptr<store::Database>> OpenCommandDatabase(const std::string& db_flag) {
  return store::OpenDatabase(ResolveDatabaseUrl(db_flag));
}

}  // namespace vigil::cli
