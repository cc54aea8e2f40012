#include "store/api_key_stores.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store/pg_connection.h"
#include "store/sqlite_errors.h"

namespace vigil::store {
namespace {

constexpr char kColumns[] = "id, name, roles, secret_hash, created_at, revoked_at";

Result<auth::ApiKey> KeyFromColumns(int64_t id, std::string name, std::string_view roles,
                                    std::string hash, int64_t created,
                                    std::optional<int64_t> revoked) {
  auto parsed = auth::ParseRoles(roles);
  if (!parsed.ok()) {
    return DataLossError(fmt::format("api_keys row {}: {}", id, parsed.status().message()));
  }
  auth::ApiKey key{id,
                   std::move(name),
                   *parsed,
                   std::move(hash),
                   TimePoint(std::chrono::seconds(created)),
                   std::nullopt};
  if (revoked) key.revoked_at = TimePoint(std::chrono::seconds(*revoked));
  return key;
}

int64_t Seconds(TimePoint t) { return t.time_since_epoch().count(); }

Status KeyExists(const auth::NewApiKey& key) {
  return AlreadyExistsError(fmt::format("API key '{}' already exists", key.name));
}

Result<auth::ApiKey> One(Result<std::vector<auth::ApiKey>> rows, std::string_view what) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFoundError(std::string(what));
  return std::move(rows->front());
}

Status AlreadyRevoked(std::string_view name) {
  return FailedPreconditionError(fmt::format("API key '{}' is already revoked", name));
}

std::string Missing(std::string_view name) {
  return fmt::format("API key '{}' does not exist", name);
}

}  // namespace

Result<std::vector<auth::ApiKey>> SqliteApiKeyStore::SelectLocked(std::string_view where,
                                                                  std::string_view arg) {
  return CatchSqlite(path_, [&]() -> Result<std::vector<auth::ApiKey>> {
    SQLite::Statement q(db_,
                        fmt::format("SELECT {} FROM api_keys {} ORDER BY id", kColumns, where));
    if (!arg.empty()) q.bind(1, std::string(arg));
    std::vector<auth::ApiKey> out;
    while (q.executeStep()) {
      std::optional<int64_t> revoked;
      if (!q.getColumn(5).isNull()) revoked = q.getColumn(5).getInt64();
      ASSIGN_OR_RETURN(auth::ApiKey key,
                       KeyFromColumns(q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                                      q.getColumn(2).getString(), q.getColumn(3).getString(),
                                      q.getColumn(4).getInt64(), revoked));
      out.push_back(std::move(key));
    }
    return out;
  });
}

Result<auth::ApiKey> SqliteApiKeyStore::CreateKey(const auth::NewApiKey& key, TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto created = CatchSqlite(path_, [&]() -> Result<int64_t> {
    SQLite::Statement q(db_,
                        "INSERT INTO api_keys (name, roles, secret_hash, created_at) VALUES "
                        "(?, ?, ?, ?) ON CONFLICT DO NOTHING");
    q.bind(1, key.name);
    q.bind(2, auth::JoinRoles(key.roles));
    q.bind(3, key.secret_hash);
    q.bind(4, Seconds(now));
    if (q.exec() == 0) return int64_t{0};
    return db_.getLastInsertRowid();
  });
  if (!created.ok()) return created.status();
  if (*created == 0) return KeyExists(key);
  return auth::ApiKey{*created, key.name, key.roles, key.secret_hash, now, std::nullopt};
}

Result<auth::ApiKey> SqliteApiKeyStore::FindBySecretHash(std::string_view secret_hash) {
  if (secret_hash.empty()) return NotFoundError("no API key has this secret");
  std::lock_guard<std::mutex> lock(mu_);
  return One(SelectLocked("WHERE secret_hash = ?", secret_hash), "no API key has this secret");
}

Result<std::vector<auth::ApiKey>> SqliteApiKeyStore::ListKeys() {
  std::lock_guard<std::mutex> lock(mu_);
  return SelectLocked("", "");
}

Result<auth::ApiKey> SqliteApiKeyStore::RevokeKey(std::string_view name, TimePoint now) {
  if (name.empty()) return NotFoundError(Missing(name));
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(auth::ApiKey key, One(SelectLocked("WHERE name = ?", name), Missing(name)));
  if (key.revoked()) return AlreadyRevoked(name);
  RETURN_IF_ERROR(CatchSqlite(path_, [&]() -> Status {
    SQLite::Statement q(db_,
                        "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
    q.bind(1, Seconds(now));
    q.bind(2, key.id);
    q.exec();
    return Status::Ok();
  }));
  key.revoked_at = now;
  return key;
}

Result<std::vector<auth::ApiKey>> PostgresApiKeyStore::Select(std::string_view where,
                                                              std::string_view arg) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  PgParams params;
  if (!arg.empty()) params.Text(arg);
  ASSIGN_OR_RETURN(
      PgResult r,
      conn->Exec(fmt::format("SELECT {} FROM api_keys {} ORDER BY id", kColumns, where), params));
  std::vector<auth::ApiKey> out;
  for (int i = 0; i < r.rows(); ++i) {
    std::optional<int64_t> revoked;
    if (!r.IsNull(i, 5)) revoked = r.Int(i, 5);
    ASSIGN_OR_RETURN(auth::ApiKey key,
                     KeyFromColumns(r.Int(i, 0), std::string(r.Text(i, 1)), r.Text(i, 2),
                                    std::string(r.Text(i, 3)), r.Int(i, 4), revoked));
    out.push_back(std::move(key));
  }
  return out;
}

Result<auth::ApiKey> PostgresApiKeyStore::CreateKey(const auth::NewApiKey& key, TimePoint now) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  // ON CONFLICT makes the uniqueness check and the insert one step, even across processes.
  ASSIGN_OR_RETURN(PgResult r,
                   conn->Exec("INSERT INTO api_keys (name, roles, secret_hash, created_at) VALUES "
                              "($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id",
                              PgParams()
                                  .Text(key.name)
                                  .Text(auth::JoinRoles(key.roles))
                                  .Text(key.secret_hash)
                                  .Int(Seconds(now))));
  if (r.rows() == 0) return KeyExists(key);
  return auth::ApiKey{r.Int(0, 0), key.name, key.roles, key.secret_hash, now, std::nullopt};
}

Result<auth::ApiKey> PostgresApiKeyStore::FindBySecretHash(std::string_view secret_hash) {
  if (secret_hash.empty()) return NotFoundError("no API key has this secret");
  return One(Select("WHERE secret_hash = $1", secret_hash), "no API key has this secret");
}

Result<std::vector<auth::ApiKey>> PostgresApiKeyStore::ListKeys() { return Select("", ""); }

Result<auth::ApiKey> PostgresApiKeyStore::RevokeKey(std::string_view name, TimePoint now) {
  if (name.empty()) return NotFoundError(Missing(name));
  bool updated = false;
  {
    ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
    ASSIGN_OR_RETURN(PgResult r, conn->Exec("UPDATE api_keys SET revoked_at = $2 WHERE name = $1 "
                                            "AND revoked_at IS NULL RETURNING id",
                                            PgParams().Text(name).Int(Seconds(now))));
    updated = r.rows() > 0;
  }
  // Not updated: either unknown (kNotFound from the select) or already revoked.
  ASSIGN_OR_RETURN(auth::ApiKey key, One(Select("WHERE name = $1", name), Missing(name)));
  if (!updated) return AlreadyRevoked(name);
  return key;
}

}  // namespace vigil::store
