// Credentials of an exchange, resolved from a reference at the moment they are needed: the
// stores and logs only ever see "env:NAME" or "file:/path", never the secret.
//
// Thread safety: free functions.
#ifndef VIGIL_EXCHANGE_CREDENTIALS_H_
#define VIGIL_EXCHANGE_CREDENTIALS_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil::exchange {

// Secret files are small; anything larger is a mistake (a wrong path), not a key.
inline constexpr size_t kMaxSecretBytes = 64 * 1024;

// The secret `ref` points to, trailing newlines removed; "" for an empty ref. Errors name the
// reference, never its content: kNotFound for an unset variable or missing file,
// kInvalidArgument for a malformed reference or an empty secret, kResourceExhausted for a file
// over kMaxSecretBytes.
Result<std::string> ResolveCredentials(
    std::string_view ref, const std::function<std::optional<std::string>(const std::string&)>& env);

// Splits "user:password" (NCMEC's Basic auth); kInvalidArgument without a colon or with an empty
// half, naming `what` but not the secret.
Result<std::pair<std::string, std::string>> SplitUserPassword(const std::string& secret,
                                                              std::string_view what);

}  // namespace vigil::exchange

#endif  // VIGIL_EXCHANGE_CREDENTIALS_H_
