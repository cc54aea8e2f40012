// Turning SQLiteCpp's exceptions into Status values at the adapter boundary, so no exception
// leaves the store module.
//
// Thread safety: free functions.
#ifndef VIGIL_STORE_SQLITE_ERRORS_H_
#define VIGIL_STORE_SQLITE_ERRORS_H_

#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/result.h"

namespace SQLite {
class Exception;
}

namespace vigil::store {

// Maps an SQLite result code to a Status whose message is "<context>: <sqlite message>":
// BUSY/LOCKED -> kUnavailable (retry later), CONSTRAINT_UNIQUE/PRIMARYKEY -> kAlreadyExists,
// CONSTRAINT_FOREIGNKEY -> kNotFound, other constraints -> kInvalidArgument, CORRUPT/NOTADB ->
// kDataLoss, READONLY -> kFailedPrecondition, FULL/IOERR/CANTOPEN -> kUnavailable,
// NOMEM -> kResourceExhausted, anything else kInternal.
Status SqliteStatus(int extended_code, std::string_view message, std::string_view context);

// The Status for an exception thrown by SQLiteCpp or the standard library.
Status StatusFromException(const std::exception& e, std::string_view context);

// Runs `fn` (returning Status or Result<T>) and converts any exception it throws.
template <typename Fn>
auto CatchSqlite(std::string_view context, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return StatusFromException(e, context);
  }
}

}  // namespace vigil::store

#endif  // VIGIL_STORE_SQLITE_ERRORS_H_
