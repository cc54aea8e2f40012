#include "store/store.h"

#include <fmt/format.h>

#include "bank/signal.h"
#include "store/pg_database.h"
#include "store/pg_url.h"
#include "store/sqlite_database.h"

namespace vigil::store {

Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url,
                                               const DatabaseOptions& options) {
  if (url.empty()) return InvalidArgumentError("empty database URL");
  std::string_view rest(url);
  if (IsPostgresUrl(rest)) {
    ASSIGN_OR_RETURN(auto db, PostgresDatabase::Open(url, options));
    return std::unique_ptr<Database>(std::move(db));
  }
  if (rest.starts_with("sqlite:")) {
    rest.remove_prefix(7);
    // "sqlite:///abs/path.db" is the common URL spelling of "/abs/path.db".
    if (rest.starts_with("//")) rest.remove_prefix(2);
    if (rest.empty()) return InvalidArgumentError(fmt::format("database URL {} has no path", url));
  } else if (const size_t scheme = rest.find("://"); scheme != std::string_view::npos) {
    return InvalidArgumentError(fmt::format(
        "unsupported database URL {} (use a file path, sqlite:PATH or postgresql://...)",
        bank::EscapeForMessage(RedactPgUrl(url))));
  }
  ASSIGN_OR_RETURN(auto db, SqliteDatabase::Open(std::string(rest), url, options));
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace vigil::store
