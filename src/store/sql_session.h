// Statements written once for both backends: a session runs "?"-placeholder SQL (or "$n",
// which SQLite also accepts) with text or integer parameters and returns rows in text form, and
// can apply a case change in the same transaction; a transactor runs a function in one
// transaction. The redress, privacy, share-queue and
// classifier-retry stores use it, so their SQL is not kept twice.
//
// Thread safety: the SQLite transactor takes the database's mutex for the whole transaction
// (IMMEDIATE, so a read-then-write transaction never fails to upgrade its lock); the PostgreSQL
// one borrows a pool connection per transaction.
#ifndef VIGIL_STORE_SQL_SESSION_H_
#define VIGIL_STORE_SQL_SESSION_H_

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cases/case_store.h"
#include "core/result.h"
#include "store/pg_pool.h"

namespace SQLite {
class Database;
}

namespace vigil::store {

// One bound parameter and one result row (text form; nullopt for NULL).
using SqlValue = std::variant<std::monostate, int64_t, std::string>;
using SqlRow = std::vector<std::optional<std::string>>;

// Statements inside one transaction.
class SqlSession {
 public:
  virtual ~SqlSession() = default;
  virtual Result<std::vector<SqlRow>> Query(std::string_view sql,
                                            const std::vector<SqlValue>& params) = 0;
  // The number of rows changed.
  virtual Result<int64_t> Exec(std::string_view sql, const std::vector<SqlValue>& params) = 0;
  // Applies a case change inside this transaction with the case stores' own statements
  // (cases::CaseStore::CompareAndSet: false, writing nothing, when the version moved), so a
  // store's rows and the case's move commit or roll back together.
  virtual Result<bool> ApplyCaseChange(const cases::CaseChange& change) = 0;
};

// Runs a function in one transaction, committing when it returns OK.
using SqlTransactor = std::function<Status(const std::function<Status(SqlSession&)>&)>;

// Transactors over an SQLite connection guarded by `mu` (messages name `path`) and over a
// PostgreSQL pool.
SqlTransactor MakeSqliteTransactor(SQLite::Database& db, std::mutex& mu, std::string path);
SqlTransactor MakePostgresTransactor(PgPool& pool);

}  // namespace vigil::store

#endif  // VIGIL_STORE_SQL_SESSION_H_
