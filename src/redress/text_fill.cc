#include "redress/text_fill.h"

#include <fmt/format.h>

namespace vigil::redress::internal {

Status CheckPlaceholders(std::string_view text, std::span<const std::string_view> allowed,
                         std::string_view where) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '}') {
      return InvalidArgumentError(fmt::format("{}: unbalanced '}}' at offset {}", where, i));
    }
    if (text[i] != '{') continue;
    const size_t end = text.find_first_of("{}", i + 1);
    if (end == std::string_view::npos || text[end] != '}') {
      return InvalidArgumentError(fmt::format("{}: unbalanced '{{' at offset {}", where, i));
    }
    const std::string_view name = text.substr(i + 1, end - i - 1);
    bool known = false;
    for (std::string_view a : allowed) known = known || a == name;
    if (!known) {
      return InvalidArgumentError(
          fmt::format("{}: unknown placeholder {{{}}}", where, name.substr(0, 40)));
    }
    i = end;
  }
  return Status::Ok();
}

std::string Fill(std::string_view text, const std::map<std::string, std::string>& values) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const size_t end = text[i] == '{' ? text.find('}', i) : std::string_view::npos;
    if (end == std::string_view::npos) {
      out += text[i];
      continue;
    }
    auto it = values.find(std::string(text.substr(i + 1, end - i - 1)));
    out += it == values.end() ? std::string(text.substr(i, end - i + 1)) : it->second;
    i = end;
  }
  return out;
}

}  // namespace vigil::redress::internal
