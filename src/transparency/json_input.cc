#include "transparency/json_input.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/text.h"

namespace vigil::transparency::internal {
namespace {

// The byte offset where nesting first passes `max_depth`, or npos; strings are skipped.
size_t FirstTooDeep(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return i;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return std::string_view::npos;
}

const char* TypeName(const nlohmann::json& v) { return v.type_name(); }

// The field, or null when `obj` is not an object or lacks it (a JSON null counts as missing).
const nlohmann::json* Field(const nlohmann::json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Status WrongType(std::string_view where, std::string_view key, std::string_view want,
                 const nlohmann::json& got) {
  return InvalidArgumentError(
      fmt::format("{}: field \"{}\" must be {}, not {}", where, key, want, TypeName(got)));
}

}  // namespace

int64_t LineOf(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
}

Result<nlohmann::json> ParseJson(std::string_view text, std::string_view name, int64_t first_line) {
  if (!IsValidUtf8(text)) {
    return InvalidArgumentError(fmt::format("{}: line {}: not valid UTF-8", name, first_line));
  }
  if (size_t at = FirstTooDeep(text, kMaxJsonDepth); at != std::string_view::npos) {
    return InvalidArgumentError(fmt::format("{}: line {}: JSON nested deeper than {} levels", name,
                                            first_line - 1 + LineOf(text, at), kMaxJsonDepth));
  }
  // The JSON library reports the error position only through its exception.
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    const size_t at = e.byte == 0 ? 0 : e.byte - 1;
    std::string what = e.what();
    if (size_t p = what.find("parse error"); p != std::string::npos) what = what.substr(p);
    return InvalidArgumentError(fmt::format("{}: line {}: malformed JSON ({})", name,
                                            first_line - 1 + LineOf(text, at), what));
  }
}

Result<std::string> RequiredString(const nlohmann::json& obj, std::string_view key,
                                   std::string_view where) {
  ASSIGN_OR_RETURN(std::optional<std::string> s, OptionalString(obj, key, where));
  if (!s) return InvalidArgumentError(fmt::format("{}: missing field \"{}\"", where, key));
  return *s;
}

Result<std::optional<std::string>> OptionalString(const nlohmann::json& obj, std::string_view key,
                                                  std::string_view where) {
  const nlohmann::json* v = Field(obj, key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return WrongType(where, key, "a string", *v);
  return std::optional<std::string>(v->get<std::string>());
}

Result<std::optional<int64_t>> OptionalInt(const nlohmann::json& obj, std::string_view key,
                                           std::string_view where) {
  const nlohmann::json* v = Field(obj, key);
  if (v == nullptr) return std::optional<int64_t>();
  if (v->is_number_unsigned()) {
    if (v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      return InvalidArgumentError(fmt::format("{}: field \"{}\" is too large", where, key));
    }
    return std::optional<int64_t>(static_cast<int64_t>(v->get<uint64_t>()));
  }
  if (!v->is_number_integer()) return WrongType(where, key, "an integer", *v);
  return std::optional<int64_t>(v->get<int64_t>());
}

Result<std::optional<double>> OptionalNumber(const nlohmann::json& obj, std::string_view key,
                                             std::string_view where) {
  const nlohmann::json* v = Field(obj, key);
  if (v == nullptr) return std::optional<double>();
  if (!v->is_number()) return WrongType(where, key, "a number", *v);
  return std::optional<double>(v->get<double>());
}

Result<std::optional<bool>> OptionalBool(const nlohmann::json& obj, std::string_view key,
                                         std::string_view where) {
  const nlohmann::json* v = Field(obj, key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_boolean()) return WrongType(where, key, "true or false", *v);
  return std::optional<bool>(v->get<bool>());
}

Status RequireObject(const nlohmann::json& value, std::string_view where) {
  if (value.is_object()) return Status::Ok();
  return InvalidArgumentError(fmt::format("{}: must be an object, not {}", where, TypeName(value)));
}

Status RequireArray(const nlohmann::json& value, std::string_view where) {
  if (value.is_array()) return Status::Ok();
  return InvalidArgumentError(fmt::format("{}: must be an array, not {}", where, TypeName(value)));
}

}  // namespace vigil::transparency::internal
