// Turning PostgreSQL errors (SQLSTATE codes, libpq connection failures) into Status values, so
// callers see vigil's codes and never libpq's.
//
// Thread safety: free functions.
#ifndef VIGIL_STORE_PG_ERRORS_H_
#define VIGIL_STORE_PG_ERRORS_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::store {

// The Status for a statement that failed with SQLSTATE `sqlstate` (five characters, or empty
// when libpq made the error itself); the message is "<context>: <message>".
//   23505 unique_violation                       -> kAlreadyExists
//   23503 foreign_key_violation                  -> kNotFound
//   other 23xxx integrity, 22xxx data exceptions -> kInvalidArgument (the input broke a rule)
//   40001 serialization_failure, 40P01 deadlock  -> kUnavailable (retry the call)
//   55P03 lock_not_available, 57014 query_canceled (lock_timeout/statement_timeout),
//   08xxx connection, 57P0x shutdown, 53xxx insufficient resources (but 53200 out of memory
//   -> kResourceExhausted)                       -> kUnavailable
//   28xxx authorization, 42501 privilege         -> kPermissionDenied
//   3D000 unknown database, 3F000 unknown schema -> kNotFound
//   25006 read-only transaction                  -> kFailedPrecondition
//   XX001 data_corrupted, XX002 index_corrupted  -> kDataLoss
//   anything else (syntax, undefined table: a bug in vigil's SQL) -> kInternal
Status PgErrorStatus(std::string_view sqlstate, std::string_view message, std::string_view context);

// The Status for a connection that could not be made. libpq reports no SQLSTATE here, so the
// English messages of the two failures that retrying cannot fix are recognised: bad credentials
// or a pg_hba.conf refusal -> kPermissionDenied, a missing database -> kNotFound. Everything else
// (refused, timed out, server starting or shutting down, too many clients) -> kUnavailable.
Status PgConnectStatus(std::string_view message, std::string_view context);

// libpq's multi-line message as one line: "ERROR:  " prefixes dropped, newlines and tabs
// collapsed to single spaces, trailing whitespace removed.
std::string OneLine(std::string_view message);

}  // namespace vigil::store

#endif  // VIGIL_STORE_PG_ERRORS_H_
