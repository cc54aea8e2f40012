#include "privacy/key_text.h"

#include <vector>

#include "core/file.h"

namespace vigil::privacy {

Result<KeyText> ReadKeyText(const std::string& key_file, std::string_view env_text,
                            std::string_view env_name, std::string_view missing) {
  if (!key_file.empty()) {
    ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(key_file, 1 << 20));
    return KeyText{std::string(bytes.begin(), bytes.end()), key_file};
  }
  if (!env_text.empty()) return KeyText{std::string(env_text), std::string(env_name)};
  return InvalidArgumentError(std::string(missing));
}

}  // namespace vigil::privacy
