#include "auth/auth.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>

namespace vigil::auth {
namespace {

constexpr std::pair<Role, std::string_view> kRoleNames[] = {{Role::kAdmin, "admin"},
                                                            {Role::kBankManager, "bank-manager"},
                                                            {Role::kReviewer, "reviewer"},
                                                            {Role::kAuditor, "auditor"},
                                                            {Role::kIngestClient, "ingest-client"},
                                                            {Role::kReporter, "reporter"}};

std::string Hex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == '@';
}

}  // namespace

std::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name;
  }
  return "unknown";
}

Result<Role> ParseRole(std::string_view name) {
  for (const auto& [r, n] : kRoleNames) {
    if (n == name) return r;
  }
  return InvalidArgumentError(fmt::format(
      "unknown role '{}' (admin, bank-manager, reviewer, auditor, ingest-client or reporter)",
      name.substr(0, 64)));
}

Status ValidateKeyName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return InvalidArgumentError(
        fmt::format("key name: must be 1-64 characters (got {})", name.size()));
  }
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i])) {
      return InvalidArgumentError(fmt::format(
          "key name: character {} is not allowed (letters, digits, '_', '-', '.', '@')", i + 1));
    }
  }
  return Status::Ok();
}

Status ValidateNewApiKey(const NewApiKey& key) {
  RETURN_IF_ERROR(ValidateKeyName(key.name));
  if (key.roles.empty()) return InvalidArgumentError("roles: a key needs at least one role");
  const bool hex = std::all_of(key.secret_hash.begin(), key.secret_hash.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  if (key.secret_hash.size() != 64 || !hex) {
    return InvalidArgumentError("secret_hash: must be 64 lowercase hex digits (SHA-256)");
  }
  return Status::Ok();
}

Result<std::string> GenerateSecret() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return InternalError("generating an API key: OpenSSL RAND_bytes failed");
  }
  return "vgl_" + Hex(bytes.data(), bytes.size());
}

std::string HashSecret(std::string_view secret) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  EVP_Digest(secret.data(), secret.size(), digest.data(), &len, EVP_sha256(), nullptr);
  return Hex(digest.data(), len);
}

std::string JoinRoles(const std::set<Role>& roles) {
  std::vector<std::string_view> names;
  for (Role r : roles) names.push_back(RoleName(r));
  std::sort(names.begin(), names.end());
  return fmt::format("{}", fmt::join(names, ","));
}

Result<std::set<Role>> ParseRoles(std::string_view joined) {
  std::set<Role> roles;
  while (!joined.empty()) {
    const size_t comma = joined.find(',');
    ASSIGN_OR_RETURN(Role r, ParseRole(joined.substr(0, comma)));
    roles.insert(r);
    joined = comma == std::string_view::npos ? std::string_view() : joined.substr(comma + 1);
  }
  if (roles.empty()) return InvalidArgumentError("roles: empty role list");
  return roles;
}

Result<ApiKey> CreateApiKey(ApiKeyStore& store, const NewApiKey& key, TimePoint now) {
  RETURN_IF_ERROR(ValidateNewApiKey(key));
  return store.CreateKey(key, now);
}

Result<ApiKey> InMemoryApiKeyStore::CreateKey(const NewApiKey& key, TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const ApiKey& k : keys_) {
    if (k.name == key.name) {
      return AlreadyExistsError(fmt::format("API key '{}' already exists", key.name));
    }
    if (k.secret_hash == key.secret_hash) return AlreadyExistsError("API key secret reused");
  }
  keys_.push_back({static_cast<ApiKeyId>(keys_.size() + 1), key.name, key.roles, key.secret_hash,
                   now, std::nullopt});
  return keys_.back();
}

Result<ApiKey> InMemoryApiKeyStore::FindBySecretHash(std::string_view secret_hash) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const ApiKey& k : keys_) {
    if (k.secret_hash == secret_hash) return k;
  }
  return NotFoundError("no API key has this secret");
}

Result<std::vector<ApiKey>> InMemoryApiKeyStore::ListKeys() {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_;
}

Result<ApiKey> InMemoryApiKeyStore::RevokeKey(std::string_view name, TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  for (ApiKey& k : keys_) {
    if (k.name != name) continue;
    if (k.revoked()) {
      return FailedPreconditionError(fmt::format("API key '{}' is already revoked", name));
    }
    k.revoked_at = now;
    return k;
  }
  return NotFoundError(fmt::format("API key '{}' does not exist", name));
}

}  // namespace vigil::auth
