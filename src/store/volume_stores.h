// The volume counters (stats::VolumeCounterSink) on SQLite and PostgreSQL: one row per (day,
// technology, content type, region), incremented with an upsert so concurrent writers add up.
//
// Thread safety: the SQLite store shares its database's mutex; the PostgreSQL one borrows pool
// connections.
#ifndef VIGIL_STORE_VOLUME_STORES_H_
#define VIGIL_STORE_VOLUME_STORES_H_

#include <mutex>
#include <string>

#include "stats/volume.h"
#include "store/pg_pool.h"

namespace SQLite {
class Database;
}

namespace vigil::store {

class SqliteVolumeCounters final : public stats::VolumeCounterSink {
 public:
  SqliteVolumeCounters(SQLite::Database& db, std::mutex& mu, std::string path)
      : db_(db), mu_(mu), path_(std::move(path)) {}
  Status Add(const stats::VolumeKey& key, const stats::VolumeCount& delta) override;
  Result<std::map<stats::VolumeKey, stats::VolumeCount>> List(int64_t from_day,
                                                              int64_t to_day) override;

 private:
  SQLite::Database& db_;
  std::mutex& mu_;  // the database's; guards db_
  const std::string path_;
};

class PostgresVolumeCounters final : public stats::VolumeCounterSink {
 public:
  explicit PostgresVolumeCounters(PgPool& pool) : pool_(pool) {}
  Status Add(const stats::VolumeKey& key, const stats::VolumeCount& delta) override;
  Result<std::map<stats::VolumeKey, stats::VolumeCount>> List(int64_t from_day,
                                                              int64_t to_day) override;

 private:
  PgPool& pool_;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_VOLUME_STORES_H_
