// Parsing the UTC timestamps that hash lists carry (added_at, retired_at).
//
// Thread safety: a pure function.
#ifndef VIGIL_BANK_TIMESTAMP_H_
#define VIGIL_BANK_TIMESTAMP_H_

#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace vigil::bank {

// Accepts "2024-05-01T12:30:00Z" (as FormatUtc writes), with an optional fraction of a second
// (dropped), "+00:00" for "Z", a space for "T", or a bare date "2024-05-01" (midnight UTC).
// Offsets other than UTC are refused rather than guessed at. kInvalidArgument quotes the text.
Result<TimePoint> ParseUtcTimestamp(std::string_view text);

}  // namespace vigil::bank

#endif  // VIGIL_BANK_TIMESTAMP_H_
