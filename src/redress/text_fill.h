// Placeholder text shared by the user-notice and scanning-notice templates: "{name}" is
// replaced by a value; templates are checked when loaded so a typo never reaches a user.
//
// Thread safety: pure functions.
#ifndef VIGIL_REDRESS_TEXT_FILL_H_
#define VIGIL_REDRESS_TEXT_FILL_H_

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::redress::internal {

// kInvalidArgument "<where>: unknown placeholder {x}" or "<where>: unbalanced '{' at offset N".
Status CheckPlaceholders(std::string_view text, std::span<const std::string_view> allowed,
                         std::string_view where);
// `text` with every {name} found in `values` replaced; others are left as they are.
std::string Fill(std::string_view text, const std::map<std::string, std::string>& values);

}  // namespace vigil::redress::internal

#endif  // VIGIL_REDRESS_TEXT_FILL_H_
