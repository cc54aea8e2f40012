// Reading JSON that comes from outside (report files, configuration, form files, records):
// bounded size and nesting, parse errors with a line number, and typed field access that names
// the input and the field instead of throwing. Private to the transparency module.
//
// Thread safety: free functions with no shared state.
#ifndef VIGIL_TRANSPARENCY_JSON_INPUT_H_
#define VIGIL_TRANSPARENCY_JSON_INPUT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil::transparency::internal {

// Deeper nesting than any vigil document uses; refused before parsing so hostile input cannot
// exhaust the stack of the recursive parts of the JSON library.
inline constexpr int kMaxJsonDepth = 32;

// Parses `text`; kInvalidArgument "<name>: line N: ..." for malformed JSON, nesting deeper than
// kMaxJsonDepth or invalid UTF-8. `first_line` is the line `text` starts on in its file.
Result<nlohmann::json> ParseJson(std::string_view text, std::string_view name,
                                 int64_t first_line = 1);

// The 1-based line of byte `offset` in `text`.
int64_t LineOf(std::string_view text, size_t offset);

// Field access: `where` names the document and object for messages ("report.json: provider").
// Required fields fail with kInvalidArgument when missing or of the wrong type; optional ones
// return nullopt when missing (or null) and fail on the wrong type.
Result<std::string> RequiredString(const nlohmann::json& obj, std::string_view key,
                                   std::string_view where);
Result<std::optional<std::string>> OptionalString(const nlohmann::json& obj, std::string_view key,
                                                  std::string_view where);
Result<std::optional<int64_t>> OptionalInt(const nlohmann::json& obj, std::string_view key,
                                           std::string_view where);
Result<std::optional<double>> OptionalNumber(const nlohmann::json& obj, std::string_view key,
                                             std::string_view where);
Result<std::optional<bool>> OptionalBool(const nlohmann::json& obj, std::string_view key,
                                         std::string_view where);
// kInvalidArgument unless `value` is an object (or an array for RequireArray).
Status RequireObject(const nlohmann::json& value, std::string_view where);
Status RequireArray(const nlohmann::json& value, std::string_view where);

}  // namespace vigil::transparency::internal

#endif  // VIGIL_TRANSPARENCY_JSON_INPUT_H_
