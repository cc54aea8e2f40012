#include "store/pg_errors.h"

#include <fmt/format.h>

#include <string>

namespace vigil::store {
namespace {

bool ClassIs(std::string_view sqlstate, std::string_view cls) {
  return sqlstate.size() == 5 && sqlstate.starts_with(cls);
}

}  // namespace

std::string OneLine(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  bool space = false;
  for (char c : message) {
    if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  for (const std::string_view severity : {"ERROR: ", "FATAL: "}) {
    if (out.starts_with(severity)) out.erase(0, severity.size());
  }
  return out;
}

Status PgErrorStatus(std::string_view sqlstate, std::string_view message,
                     std::string_view context) {
  std::string text = fmt::format("{}: {}", context, OneLine(message));
  if (sqlstate == "23505") return AlreadyExistsError(std::move(text));
  if (sqlstate == "23503") return NotFoundError(std::move(text));
  if (ClassIs(sqlstate, "23") || ClassIs(sqlstate, "22")) {
    return InvalidArgumentError(std::move(text));
  }
  if (sqlstate == "40001" || sqlstate == "40P01") {
    return UnavailableError(text + " (a concurrent transaction conflicted; retry)");
  }
  if (sqlstate == "55P03" || sqlstate == "57014") {
    return UnavailableError(text + " (another session holds the lock; retry later)");
  }
  if (sqlstate == "53200") return ResourceExhaustedError(std::move(text));
  if (ClassIs(sqlstate, "08") || ClassIs(sqlstate, "57P") || ClassIs(sqlstate, "53") ||
      sqlstate.empty()) {
    // An empty SQLSTATE means libpq itself failed, which in practice is a lost connection.
    return UnavailableError(std::move(text));
  }
  if (ClassIs(sqlstate, "28") || sqlstate == "42501") return PermissionDeniedError(std::move(text));
  if (sqlstate == "3D000" || sqlstate == "3F000") return NotFoundError(std::move(text));
  if (sqlstate == "25006") {
    return FailedPreconditionError(text + " (the database is read-only)");
  }
  if (sqlstate == "XX001" || sqlstate == "XX002") return DataLossError(std::move(text));
  return InternalError(fmt::format("{} (SQLSTATE {})", text, sqlstate));
}

Status PgConnectStatus(std::string_view message, std::string_view context) {
  std::string text = fmt::format("{}: {}", context, OneLine(message));
  if (message.find("password authentication failed") != std::string_view::npos ||
      message.find("no pg_hba.conf entry") != std::string_view::npos ||
      message.find("authentication failed") != std::string_view::npos) {
    return PermissionDeniedError(std::move(text));
  }
  if (message.find("database \"") != std::string_view::npos &&
      message.find("does not exist") != std::string_view::npos) {
    return NotFoundError(std::move(text));
  }
  return UnavailableError(std::move(text));
}

}  // namespace vigil::store
