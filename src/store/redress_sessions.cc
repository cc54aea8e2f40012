// The redress store's two backends, over the shared SQL sessions (sql_session.h).
#include <memory>
#include <string>

#include "store/redress_stores.h"

namespace vigil::store {

std::unique_ptr<redress::RedressStore> MakeSqliteRedressStore(SQLite::Database& db, std::mutex& mu,
                                                              std::string path) {
  return std::make_unique<SqlRedressStore>(MakeSqliteTransactor(db, mu, std::move(path)));
}

std::unique_ptr<redress::RedressStore> MakePostgresRedressStore(PgPool& pool) {
  return std::make_unique<SqlRedressStore>(MakePostgresTransactor(pool));
}

}  // namespace vigil::store
