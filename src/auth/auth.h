// Public face of the `auth` module: API keys and the roles they grant, for the HTTP service.
//
// A key is a random secret shown once when it is created; only its SHA-256 is stored, so a copy
// of the database does not let anyone call the API. The secret carries 256 bits from the
// OpenSSL CSPRNG, which makes a salt or a slow hash unnecessary: nothing about it can be guessed
// faster than the hash can be inverted. Keys are never deleted, only revoked, so the audit log's
// actors stay resolvable.
//
// Thread safety: ApiKeyStore implementations are safe to call from several threads; the free
// functions are pure apart from GenerateSecret, which reads the CSPRNG.
#ifndef VIGIL_AUTH_AUTH_H_
#define VIGIL_AUTH_AUTH_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace vigil::auth {

// What a key may do; each HTTP route lists the roles it admits (docs/server.md).
enum class Role : uint8_t {
  kAdmin,         // everything, including keys
  kBankManager,   // banks and their entries
  kReviewer,      // the review queue, decisions, case views
  kAuditor,       // read cases, entries and the audit trail; changes nothing
  kIngestClient,  // hash, match, submit items to the pipeline
  kReporter,      // read-only statistics (banks, index, counts); no evidence
};

inline constexpr Role kAllRoles[] = {Role::kAdmin,   Role::kBankManager,  Role::kReviewer,
                                     Role::kAuditor, Role::kIngestClient, Role::kReporter};

// "admin", "bank-manager", "reviewer", "auditor", "ingest-client", "reporter".
std::string_view RoleName(Role role);
// Parses exactly those names; kInvalidArgument lists them otherwise.
Result<Role> ParseRole(std::string_view name);

using ApiKeyId = int64_t;

struct ApiKey {
  ApiKeyId id = 0;
  std::string name{};         // unique, e.g. "uploader-eu-1"; the actor in audit records
  std::set<Role> roles{};     // at least one
  std::string secret_hash{};  // lowercase hex SHA-256 of the secret
  TimePoint created_at{};
  std::optional<TimePoint> revoked_at{};

  bool revoked() const { return revoked_at.has_value(); }
  bool Has(Role role) const { return roles.count(role) != 0; }
  friend bool operator==(const ApiKey&, const ApiKey&) = default;
};

struct NewApiKey {
  std::string name{};
  std::set<Role> roles{};
  std::string secret_hash{};
};

// 1-64 characters of ASCII letters, digits, '_', '-', '.', '@'; kInvalidArgument names the field.
Status ValidateKeyName(std::string_view name);
// Name valid, at least one role, secret_hash 64 lowercase hex digits.
Status ValidateNewApiKey(const NewApiKey& key);

// A fresh secret: "vgl_" followed by 64 hex digits from RAND_bytes. kInternal if the CSPRNG fails.
Result<std::string> GenerateSecret();
// Lowercase hex SHA-256 of `secret`, the form stored and looked up.
std::string HashSecret(std::string_view secret);

// Roles as stored: names sorted and joined with ','. ParseRoles is its inverse and rejects
// empty lists and unknown names.
std::string JoinRoles(const std::set<Role>& roles);
Result<std::set<Role>> ParseRoles(std::string_view joined);

// Where keys are kept; `store` implements it for SQLite and PostgreSQL, InMemoryApiKeyStore for
// tests. All pass tests/auth/api_key_store_contract.h.
class ApiKeyStore {
 public:
  virtual ~ApiKeyStore() = default;
  // Stores a validated key created now; kAlreadyExists when the name (or hash) is taken.
  virtual Result<ApiKey> CreateKey(const NewApiKey& key, TimePoint now) = 0;
  // The key, revoked or not, whose secret hashes to `secret_hash`; kNotFound otherwise.
  virtual Result<ApiKey> FindBySecretHash(std::string_view secret_hash) = 0;
  // Every key, ascending by id.
  virtual Result<std::vector<ApiKey>> ListKeys() = 0;
  // Revokes the key called `name` at `now`. kNotFound for an unknown name; kFailedPrecondition
  // when it is already revoked (the first time is kept).
  virtual Result<ApiKey> RevokeKey(std::string_view name, TimePoint now) = 0;
};

// Validates `key` and creates it; the usual way to call CreateKey.
Result<ApiKey> CreateApiKey(ApiKeyStore& store, const NewApiKey& key, TimePoint now);

class InMemoryApiKeyStore final : public ApiKeyStore {
 public:
  Result<ApiKey> CreateKey(const NewApiKey& key, TimePoint now) override;
  Result<ApiKey> FindBySecretHash(std::string_view secret_hash) override;
  Result<std::vector<ApiKey>> ListKeys() override;
  Result<ApiKey> RevokeKey(std::string_view name, TimePoint now) override;

 private:
  std::mutex mu_;
  std::vector<ApiKey> keys_;  // by id - 1; guarded by mu_
};

}  // namespace vigil::auth

#endif  // VIGIL_AUTH_AUTH_H_
