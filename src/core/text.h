// Text checks shared by the modules that store or print user-supplied text.
#ifndef VIGIL_CORE_TEXT_H_
#define VIGIL_CORE_TEXT_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace vigil {

// True when `s` is well-formed UTF-8: no overlong forms, surrogates or code points past
// U+10FFFF. Stores and JSON output promise UTF-8, so hostile bytes are refused where they enter.
bool IsValidUtf8(std::string_view s);

// `s` with the five characters that are special in HTML text and attribute values (& < > " ')
// replaced by entities, for the pages vigil renders (annual report, user notices).
std::string EscapeHtml(std::string_view s);

// Decodes `hex` (digits 0-9, a-f, A-F; no prefix, separators or whitespace) into `out`, which
// must be exactly hex.size() / 2 bytes long. kInvalidArgument naming the expected and actual
// length, or the position (1-based) of the first character that is not a hex digit. `out` is
// unspecified on error. The one hex decoder behind hashes, bank values and key files.
Status HexToBytes(std::string_view hex, std::span<uint8_t> out);

// As above for a value of any even length.
Result<std::vector<uint8_t>> HexToBytes(std::string_view hex);

}  // namespace vigil

#endif  // VIGIL_CORE_TEXT_H_
