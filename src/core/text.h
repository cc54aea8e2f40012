// Text checks shared by the modules that store or print user-supplied text.
#ifndef VIGIL_CORE_TEXT_H_
#define VIGIL_CORE_TEXT_H_

#include <string>
#include <string_view>

namespace vigil {

// True when `s` is well-formed UTF-8: no overlong forms, surrogates or code points past
// U+10FFFF. Stores and JSON output promise UTF-8, so hostile bytes are refused where they enter.
bool IsValidUtf8(std::string_view s);

// `s` with the five characters that are special in HTML text and attribute values (& < > " ')
// replaced by entities, for the pages vigil renders (annual report, user notices).
std::string EscapeHtml(std::string_view s);

}  // namespace vigil

#endif  // VIGIL_CORE_TEXT_H_
