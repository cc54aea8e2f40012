#include "store/sqlite_errors.h"

#include <SQLiteCpp/Exception.h>
#include <fmt/format.h>
#include <sqlite3.h>

namespace vigil::store {

Status SqliteStatus(int extended_code, std::string_view message, std::string_view context) {
  std::string text = fmt::format("{}: {}", context, message);
  switch (extended_code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return AlreadyExistsError(std::move(text));
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return NotFoundError(std::move(text));
    default:
      break;
  }
  switch (extended_code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError(text + " (another process holds the database; retry later)");
    case SQLITE_CONSTRAINT:
      return InvalidArgumentError(std::move(text));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLossError(text + " (the file is not a vigil database or is corrupt)");
    case SQLITE_READONLY:
      return FailedPreconditionError(text + " (the database is read-only)");
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return UnavailableError(std::move(text));
    case SQLITE_NOMEM:
      return ResourceExhaustedError(std::move(text));
    default:
      return InternalError(std::move(text));
  }
}

Status StatusFromException(const std::exception& e, std::string_view context) {
  if (const auto* sq = dynamic_cast<const SQLite::Exception*>(&e)) {
    return SqliteStatus(sq->getExtendedErrorCode(), sq->what(), context);
  }
  if (dynamic_cast<const std::bad_alloc*>(&e) != nullptr) {
    return ResourceExhaustedError(fmt::format("{}: out of memory", context));
  }
  return InternalError(fmt::format("{}: {}", context, e.what()));
}

}  // namespace vigil::store
