#include "exchange/credentials.h"

#include <fmt/format.h>

#include <cstdlib>

#include "core/file.h"

namespace vigil::exchange {

Result<std::string> ResolveCredentials(
    std::string_view ref,
    const std::function<std::optional<std::string>(const std::string&)>& env) {
  if (ref.empty()) return std::string();
  std::string secret;
  if (ref.starts_with("env:")) {
    const std::string name(ref.substr(4));
    std::optional<std::string> value;
    if (env) {
      value = env(name);
    } else if (const char* v = std::getenv(name.c_str())) {
      value = v;
    }
    if (!value) {
      return NotFoundError(fmt::format("credentials {}: the variable is not set", ref));
    }
    secret = *std::move(value);
  } else if (ref.starts_with("file:")) {
    const std::string path(ref.substr(5));
    auto bytes = ReadFileBytes(path, kMaxSecretBytes);
    if (!bytes.ok()) {
      return Status(bytes.status().code(),
                    fmt::format("credentials {}: {}", ref, bytes.status().message()));
    }
    secret.assign(bytes->begin(), bytes->end());
  } else {
    return InvalidArgumentError(
        "credentials must be referenced as \"env:VARIABLE\" or \"file:/path\"");
  }
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) return InvalidArgumentError(fmt::format("credentials {} are empty", ref));
  return secret;
}

Result<std::pair<std::string, std::string>> SplitUserPassword(const std::string& secret,
                                                              std::string_view what) {
  const size_t colon = secret.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == secret.size()) {
    return InvalidArgumentError(
        fmt::format("{}: credentials must be \"user:password\" (content not shown)", what));
  }
  return std::pair{secret.substr(0, colon), secret.substr(colon + 1)};
}

}  // namespace vigil::exchange
