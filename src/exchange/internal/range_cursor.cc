#include "exchange/internal/range_cursor.h"

#include <fmt/format.h>

#include <charconv>

#include "bank/signal.h"

namespace vigil::exchange::internal {
namespace {

// Seconds since the epoch: decimal digits only (no sign, no spaces), within int64_t.
Status ParseSeconds(std::string_view field, std::string_view name, int64_t& out) {
  if (field.empty()) return FailedPreconditionError(fmt::format("{} is empty", name));
  if (field.find_first_not_of("0123456789") != std::string_view::npos) {
    return FailedPreconditionError(
        fmt::format("{} '{}' is not a number of seconds", name, bank::EscapeForMessage(field, 40)));
  }
  auto [p, ec] = std::from_chars(field.data(), field.data() + field.size(), out);
  if (ec != std::errc() || p != field.data() + field.size()) {
    return FailedPreconditionError(
        fmt::format("{} '{}' is out of range", name, bank::EscapeForMessage(field, 40)));
  }
  return Status::Ok();
}

Result<RangeCursor> Parse(std::string_view s) {
  RangeCursor c;
  if (s.empty()) return c;
  const size_t a = s.find('|');
  if (a == s.npos) {
    RETURN_IF_ERROR(ParseSeconds(s, "TO", c.to));
    return c;
  }
  const size_t b = s.find('|', a + 1);
  if (b == s.npos) {
    return FailedPreconditionError("two fields; expected TO or FROM|TO|NEXT");
  }
  RETURN_IF_ERROR(ParseSeconds(s.substr(0, a), "FROM", c.from));
  RETURN_IF_ERROR(ParseSeconds(s.substr(a + 1, b - a - 1), "TO", c.to));
  if (c.from > c.to) {
    return FailedPreconditionError(fmt::format("FROM {} is after TO {}", c.from, c.to));
  }
  c.next = std::string(s.substr(b + 1));
  if (c.next.empty()) return FailedPreconditionError("NEXT (the paging link) is empty");
  if (c.next.find('|') != std::string::npos) {
    return FailedPreconditionError("more than three fields; expected FROM|TO|NEXT");
  }
  for (char ch : c.next) {
    if (static_cast<unsigned char>(ch) <= ' ' || ch == 0x7f) {
      return FailedPreconditionError("NEXT (the paging link) holds a space or control character");
    }
  }
  return c;
}

}  // namespace

Result<RangeCursor> ParseRangeCursor(std::string_view text, std::string_view what) {
  auto c = Parse(text);
  if (!c.ok()) {
    return FailedPreconditionError(fmt::format("{}: stored cursor '{}' is malformed: {}", what,
                                               bank::EscapeForMessage(text), c.status().message()));
  }
  return c;
}

std::string FormatRangeCursor(const RangeCursor& cursor) {
  if (cursor.next.empty()) return std::to_string(cursor.to);
  return fmt::format("{}|{}|{}", cursor.from, cursor.to, cursor.next);
}

}  // namespace vigil::exchange::internal
