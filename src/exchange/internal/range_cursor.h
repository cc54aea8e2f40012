// Private: the paging cursor of the time-range exchanges (NCMEC, ThreatExchange).
//
// Both ask their source for the changes in a time range [FROM, TO] and follow the source's
// paging link inside it. The stored cursor is
//   ""            nothing fetched yet;
//   "TO"          every range up to TO is complete;
//   "FROM|TO|NEXT" paging inside [FROM, TO]; NEXT is the source's link to the next page
// with FROM and TO in seconds since the epoch (decimal digits only, FROM <= TO). NEXT is not
// empty and holds no '|', space or control character (the clients refuse such links before
// storing them), and never a secret.
//
// Thread safety: pure functions.
#ifndef VIGIL_EXCHANGE_INTERNAL_RANGE_CURSOR_H_
#define VIGIL_EXCHANGE_INTERNAL_RANGE_CURSOR_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil::exchange::internal {

struct RangeCursor {
  int64_t from = 0, to = 0;
  std::string next{};  // "" when the range up to `to` is complete
  friend bool operator==(const RangeCursor&, const RangeCursor&) = default;
};

// Parses a stored cursor. kFailedPrecondition (the cursor cannot be used; syncing stops rather
// than guess) whose message starts with `what` and says which part is wrong, the cursor
// escaped and shortened.
Result<RangeCursor> ParseRangeCursor(std::string_view text, std::string_view what);

// The stored form of `cursor`: "TO" when next is empty, "FROM|TO|NEXT" otherwise.
std::string FormatRangeCursor(const RangeCursor& cursor);

}  // namespace vigil::exchange::internal

#endif  // VIGIL_EXCHANGE_INTERNAL_RANGE_CURSOR_H_
