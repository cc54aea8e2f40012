#include "store/volume_stores.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store/pg_connection.h"
#include "store/sqlite_errors.h"

namespace vigil::store {
namespace {

constexpr char kUpsert[] =
    "INSERT INTO volume_counters (day, technology, content_type, region, processed, flagged) "
    "VALUES ({0}) ON CONFLICT (day, technology, content_type, region) DO UPDATE SET "
    "processed = volume_counters.processed + excluded.processed, "
    "flagged = volume_counters.flagged + excluded.flagged";
constexpr char kList[] =
    "SELECT day, technology, content_type, region, processed, flagged FROM volume_counters "
    "WHERE day BETWEEN {} AND {} ORDER BY day, technology, content_type, region";

Result<stats::VolumeKey> KeyFromColumns(int64_t day, std::string technology,
                                        std::string content_type, std::string_view region) {
  auto parsed = stats::ParseRegion(region);
  if (!parsed.ok()) return DataLossError("volume_counters: " + parsed.status().message());
  return stats::VolumeKey{day, std::move(technology), std::move(content_type), *parsed};
}

}  // namespace

Status SqliteVolumeCounters::Add(const stats::VolumeKey& key, const stats::VolumeCount& delta) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Status {
    SQLite::Statement q(db_, fmt::format(kUpsert, "?, ?, ?, ?, ?, ?"));
    q.bind(1, key.day);
    q.bind(2, key.technology);
    q.bind(3, key.content_type);
    q.bind(4, std::string(stats::RegionName(key.region)));
    q.bind(5, static_cast<int64_t>(delta.processed));
    q.bind(6, static_cast<int64_t>(delta.flagged));
    q.exec();
    return Status::Ok();
  });
}

Result<std::map<stats::VolumeKey, stats::VolumeCount>> SqliteVolumeCounters::List(int64_t from_day,
                                                                                  int64_t to_day) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::map<stats::VolumeKey, stats::VolumeCount>> {
    SQLite::Statement q(db_, fmt::format(kList, "?", "?"));
    q.bind(1, from_day);
    q.bind(2, to_day);
    std::map<stats::VolumeKey, stats::VolumeCount> out;
    while (q.executeStep()) {
      ASSIGN_OR_RETURN(stats::VolumeKey key,
                       KeyFromColumns(q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                                      q.getColumn(2).getString(), q.getColumn(3).getString()));
      out[key] = {static_cast<uint64_t>(q.getColumn(4).getInt64()),
                  static_cast<uint64_t>(q.getColumn(5).getInt64())};
    }
    return out;
  });
}

Status PostgresVolumeCounters::Add(const stats::VolumeKey& key, const stats::VolumeCount& delta) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  return conn
      ->Exec(fmt::format(kUpsert, "$1, $2, $3, $4, $5, $6"),
             PgParams()
                 .Int(key.day)
                 .Text(key.technology)
                 .Text(key.content_type)
                 .Text(stats::RegionName(key.region))
                 .Int(static_cast<int64_t>(delta.processed))
                 .Int(static_cast<int64_t>(delta.flagged)))
      .status();
}

Result<std::map<stats::VolumeKey, stats::VolumeCount>> PostgresVolumeCounters::List(
    int64_t from_day, int64_t to_day) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(
      PgResult r, conn->Exec(fmt::format(kList, "$1", "$2"), PgParams().Int(from_day).Int(to_day)));
  std::map<stats::VolumeKey, stats::VolumeCount> out;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(stats::VolumeKey key, KeyFromColumns(r.Int(i, 0), std::string(r.Text(i, 1)),
                                                          std::string(r.Text(i, 2)), r.Text(i, 3)));
    out[key] = {static_cast<uint64_t>(r.Int(i, 4)), static_cast<uint64_t>(r.Int(i, 5))};
  }
  return out;
}

}  // namespace vigil::store
