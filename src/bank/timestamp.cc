#include "bank/timestamp.h"

#include <fmt/format.h>

#include "bank/signal.h"

namespace vigil::bank {
namespace {

// Reads exactly `digits` decimal digits at `pos`, or -1.
int ReadNumber(std::string_view text, size_t pos, int digits) {
  if (pos + digits > text.size()) return -1;
  int value = 0;
  for (int i = 0; i < digits; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

Result<TimePoint> ParseUtcTimestamp(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError(
        fmt::format("bad timestamp '{}': {} (expected UTC like 2024-05-01T12:30:00Z or 2024-05-01)",
                    EscapeForMessage(text, 40), why));
  };
  const int y = ReadNumber(text, 0, 4), mo = ReadNumber(text, 5, 2), d = ReadNumber(text, 8, 2);
  if (y < 0 || mo < 0 || d < 0 || text[4] != '-' || text[7] != '-') return bad("not a date");
  const std::chrono::year_month_day date{std::chrono::year(y), std::chrono::month(mo),
                                         std::chrono::day(d)};
  if (!date.ok()) return bad("no such date");
  TimePoint t = std::chrono::sys_days(date);
  if (text.size() == 10) return t;
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') {
    return bad("unexpected text after the date");
  }
  const int h = ReadNumber(text, 11, 2), mi = ReadNumber(text, 14, 2), s = ReadNumber(text, 17, 2);
  if (h < 0 || mi < 0 || s < 0 || text[13] != ':' || text[16] != ':') return bad("not a time");
  if (h > 23 || mi > 59 || s > 60) return bad("time out of range");
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const size_t digits_start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == digits_start) return bad("empty fraction of a second");
  }
  const std::string_view zone = text.substr(pos);
  if (zone != "Z" && zone != "z" && zone != "+00:00") return bad("time zone must be Z (UTC)");
  return t + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s);
}

}  // namespace vigil::bank
