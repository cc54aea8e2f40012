// API keys (auth::ApiKeyStore) on SQLite and PostgreSQL: one row per key holding its name, roles
// and the SHA-256 of its secret (never the secret), revoked by setting revoked_at.
//
// Thread safety: the SQLite store shares its database's mutex; the PostgreSQL one borrows pool
// connections.
#ifndef VIGIL_STORE_API_KEY_STORES_H_
#define VIGIL_STORE_API_KEY_STORES_H_

#include <mutex>
#include <string>

#include "auth/auth.h"
#include "store/pg_pool.h"

namespace SQLite {
class Database;
}

namespace vigil::store {

class SqliteApiKeyStore final : public auth::ApiKeyStore {
 public:
  SqliteApiKeyStore(SQLite::Database& db, std::mutex& mu, std::string path)
      : db_(db), mu_(mu), path_(std::move(path)) {}
  Result<auth::ApiKey> CreateKey(const auth::NewApiKey& key, TimePoint now) override;
  Result<auth::ApiKey> FindBySecretHash(std::string_view secret_hash) override;
  Result<std::vector<auth::ApiKey>> ListKeys() override;
  Result<auth::ApiKey> RevokeKey(std::string_view name, TimePoint now) override;

 private:
  Result<std::vector<auth::ApiKey>> SelectLocked(std::string_view where, std::string_view arg);

  SQLite::Database& db_;
  std::mutex& mu_;  // the database's; guards db_
  const std::string path_;
};

class PostgresApiKeyStore final : public auth::ApiKeyStore {
 public:
  explicit PostgresApiKeyStore(PgPool& pool) : pool_(pool) {}
  Result<auth::ApiKey> CreateKey(const auth::NewApiKey& key, TimePoint now) override;
  Result<auth::ApiKey> FindBySecretHash(std::string_view secret_hash) override;
  Result<std::vector<auth::ApiKey>> ListKeys() override;
  Result<auth::ApiKey> RevokeKey(std::string_view name, TimePoint now) override;

 private:
  Result<std::vector<auth::ApiKey>> Select(std::string_view where, std::string_view arg);

  PgPool& pool_;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_API_KEY_STORES_H_
