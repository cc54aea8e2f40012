#include "store/report_stores.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store/sqlite_errors.h"

namespace vigil::store {

using report::Delivery;

namespace {

constexpr char kColumns[] =
    "request_id, case_id, destination, confirmed_at, state, progress, attempts, "
    "next_attempt_at, last_error, remote_id, delivered_at, version";

int64_t Seconds(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint FromSeconds(int64_t s) { return TimePoint(std::chrono::seconds(s)); }
std::optional<int64_t> OptionalSeconds(const std::optional<TimePoint>& t) {
  return t ? std::optional<int64_t>(Seconds(*t)) : std::nullopt;
}

// The columns of one row, read by either backend, turned into a Delivery.
struct Row {
  int64_t request_id, case_id;
  std::string destination;
  int64_t confirmed_at;
  std::string state, progress;
  int64_t attempts, next_attempt_at;
  std::string last_error;
  std::optional<int64_t> remote_id, delivered_at;
  int64_t version;
};

Result<Delivery> FromRow(const Row& r) {
  Delivery d{.request_id = r.request_id,
             .case_id = r.case_id,
             .destination = r.destination,
             .confirmed_at = FromSeconds(r.confirmed_at),
             .attempts = static_cast<int>(r.attempts),
             .next_attempt_at = FromSeconds(r.next_attempt_at),
             .last_error = r.last_error,
             .remote_id = r.remote_id,
             .version = r.version};
  ASSIGN_OR_RETURN(d.state, report::ParseDeliveryState(r.state));
  auto progress = report::ProgressFromJson(r.progress);
  if (!progress.ok()) {
    return DataLossError(
        fmt::format("report delivery {}: {}", r.request_id, progress.status().message()));
  }
  d.progress = *std::move(progress);
  if (r.delivered_at) d.delivered_at = FromSeconds(*r.delivered_at);
  return d;
}

std::optional<int64_t> SqliteOptional(const SQLite::Column& c) {
  return c.isNull() ? std::nullopt : std::optional<int64_t>(c.getInt64());
}

Result<std::vector<Delivery>> SqliteRows(SQLite::Statement& q) {
  std::vector<Delivery> out;
  while (q.executeStep()) {
    Row r{q.getColumn(0).getInt64(),       q.getColumn(1).getInt64(),
          q.getColumn(2).getString(),      q.getColumn(3).getInt64(),
          q.getColumn(4).getString(),      q.getColumn(5).getString(),
          q.getColumn(6).getInt64(),       q.getColumn(7).getInt64(),
          q.getColumn(8).getString(),      SqliteOptional(q.getColumn(9)),
          SqliteOptional(q.getColumn(10)), q.getColumn(11).getInt64()};
    ASSIGN_OR_RETURN(Delivery d, FromRow(r));
    out.push_back(std::move(d));
  }
  return out;
}

std::optional<int64_t> PgOptional(const PgResult& q, int row, int col) {
  return q.IsNull(row, col) ? std::nullopt : std::optional<int64_t>(q.Int(row, col));
}

Result<std::vector<Delivery>> PgRows(const PgResult& q) {
  std::vector<Delivery> out;
  for (int i = 0; i < q.rows(); ++i) {
    Row r{q.Int(i, 0),
          q.Int(i, 1),
          std::string(q.Text(i, 2)),
          q.Int(i, 3),
          std::string(q.Text(i, 4)),
          std::string(q.Text(i, 5)),
          q.Int(i, 6),
          q.Int(i, 7),
          std::string(q.Text(i, 8)),
          PgOptional(q, i, 9),
          PgOptional(q, i, 10),
          q.Int(i, 11)};
    ASSIGN_OR_RETURN(Delivery d, FromRow(r));
    out.push_back(std::move(d));
  }
  return out;
}

Status NotFound(int64_t request_id) {
  return NotFoundError(fmt::format("report delivery {} does not exist", request_id));
}

std::string FilterSql(const report::DeliveryFilter& f, const std::string& p1, const std::string& p2,
                      const std::string& p3) {
  std::string where = "request_id > " + p3;
  if (f.case_id) where += " AND case_id = " + p1;
  if (f.state) where += " AND state = " + p2;
  return where;
}

}  // namespace

// SQLite.

Status SqliteReportOutboxStore::Enqueue(const cases::ReportRequest& request) {
  const Delivery d = report::DeliveryFromRequest(request);
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Status {
    SQLite::Statement q(db_, fmt::format("INSERT INTO report_deliveries ({}) VALUES (?, ?, ?, ?, "
                                         "?, ?, 0, ?, '', NULL, NULL, 1) "
                                         "ON CONFLICT (request_id) DO NOTHING",
                                         kColumns));
    q.bind(1, d.request_id);
    q.bind(2, d.case_id);
    q.bind(3, d.destination);
    q.bind(4, Seconds(d.confirmed_at));
    q.bind(5, std::string(report::DeliveryStateName(d.state)));
    q.bind(6, report::ProgressToJson(d.progress));
    q.bind(7, Seconds(d.next_attempt_at));
    q.exec();
    return Status::Ok();
  });
}

Result<int64_t> SqliteReportOutboxStore::LastRequestId() {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<int64_t> {
    SQLite::Statement q(db_, "SELECT COALESCE(MAX(request_id), 0) FROM report_deliveries");
    q.executeStep();
    return q.getColumn(0).getInt64();
  });
}

Result<Delivery> SqliteReportOutboxStore::Get(int64_t request_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<Delivery> {
    SQLite::Statement q(
        db_, fmt::format("SELECT {} FROM report_deliveries WHERE request_id = ?", kColumns));
    q.bind(1, request_id);
    ASSIGN_OR_RETURN(std::vector<Delivery> rows, SqliteRows(q));
    if (rows.empty()) return NotFound(request_id);
    return rows.front();
  });
}

Result<std::vector<Delivery>> SqliteReportOutboxStore::ListDue(TimePoint now, size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::vector<Delivery>> {
    SQLite::Statement q(db_, fmt::format("SELECT {} FROM report_deliveries WHERE state = "
                                         "'pending' AND next_attempt_at <= ? ORDER BY "
                                         "next_attempt_at, request_id LIMIT ?",
                                         kColumns));
    q.bind(1, Seconds(now));
    q.bind(2, static_cast<int64_t>(limit));
    return SqliteRows(q);
  });
}

Result<std::vector<Delivery>> SqliteReportOutboxStore::List(const report::DeliveryFilter& f) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::vector<Delivery>> {
    SQLite::Statement q(db_, fmt::format("SELECT {} FROM report_deliveries WHERE {} ORDER BY "
                                         "request_id LIMIT ?",
                                         kColumns, FilterSql(f, "?", "?", "?")));
    int i = 1;
    q.bind(i++, f.after_request_id);
    if (f.case_id) q.bind(i++, *f.case_id);
    if (f.state) q.bind(i++, std::string(report::DeliveryStateName(*f.state)));
    q.bind(i, static_cast<int64_t>(f.limit));
    return SqliteRows(q);
  });
}

Result<bool> SqliteReportOutboxStore::Update(const Delivery& d) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<bool> {
    SQLite::Statement q(db_,
                        "UPDATE report_deliveries SET state = ?, progress = ?, attempts = ?, "
                        "next_attempt_at = ?, last_error = ?, remote_id = ?, delivered_at = ?, "
                        "version = version + 1 WHERE request_id = ? AND version = ?");
    q.bind(1, std::string(report::DeliveryStateName(d.state)));
    q.bind(2, report::ProgressToJson(d.progress));
    q.bind(3, d.attempts);
    q.bind(4, Seconds(d.next_attempt_at));
    q.bind(5, d.last_error);
    if (d.remote_id)
      q.bind(6, *d.remote_id);
    else
      q.bind(6);
    if (d.delivered_at)
      q.bind(7, Seconds(*d.delivered_at));
    else
      q.bind(7);
    q.bind(8, d.request_id);
    q.bind(9, d.version);
    if (q.exec() == 1) return true;
    SQLite::Statement exists(db_, "SELECT 1 FROM report_deliveries WHERE request_id = ?");
    exists.bind(1, d.request_id);
    if (!exists.executeStep()) return NotFound(d.request_id);
    return false;
  });
}

// PostgreSQL.

Status PostgresReportOutboxStore::Enqueue(const cases::ReportRequest& request) {
  const Delivery d = report::DeliveryFromRequest(request);
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  return conn
      ->Exec(fmt::format("INSERT INTO report_deliveries ({}) VALUES ($1, $2, $3, $4, $5, $6, 0, "
                         "$7, '', NULL, NULL, 1) ON CONFLICT (request_id) DO NOTHING",
                         kColumns),
             PgParams()
                 .Int(d.request_id)
                 .Int(d.case_id)
                 .Text(d.destination)
                 .Int(Seconds(d.confirmed_at))
                 .Text(report::DeliveryStateName(d.state))
                 .Text(report::ProgressToJson(d.progress))
                 .Int(Seconds(d.next_attempt_at)))
      .status();
}

Result<int64_t> PostgresReportOutboxStore::LastRequestId() {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult q,
                   conn->Exec("SELECT COALESCE(MAX(request_id), 0) FROM report_deliveries"));
  return q.Int(0, 0);
}

Result<Delivery> PostgresReportOutboxStore::Get(int64_t request_id) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(
      PgResult q,
      conn->Exec(fmt::format("SELECT {} FROM report_deliveries WHERE request_id = $1", kColumns),
                 PgParams().Int(request_id)));
  ASSIGN_OR_RETURN(std::vector<Delivery> rows, PgRows(q));
  if (rows.empty()) return NotFound(request_id);
  return rows.front();
}

Result<std::vector<Delivery>> PostgresReportOutboxStore::ListDue(TimePoint now, size_t limit) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(
      PgResult q,
      conn->Exec(fmt::format("SELECT {} FROM report_deliveries WHERE state = 'pending' AND "
                             "next_attempt_at <= $1 ORDER BY next_attempt_at, request_id LIMIT $2",
                             kColumns),
                 PgParams().Int(Seconds(now)).Int(static_cast<int64_t>(limit))));
  return PgRows(q);
}

Result<std::vector<Delivery>> PostgresReportOutboxStore::List(const report::DeliveryFilter& f) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  PgParams params;
  params.Int(f.case_id.value_or(0));
  params.Text(f.state ? report::DeliveryStateName(*f.state) : "");
  params.Int(static_cast<int64_t>(f.limit));
  params.Int(f.after_request_id);
  ASSIGN_OR_RETURN(PgResult q,
                   conn->Exec(fmt::format("SELECT {} FROM report_deliveries WHERE ($1 = 0 OR "
                                          "case_id = $1) AND ($2 = '' OR state = $2) AND "
                                          "request_id > $4 ORDER BY request_id LIMIT $3",
                                          kColumns),
                              params));
  return PgRows(q);
}

Result<bool> PostgresReportOutboxStore::Update(const Delivery& d) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(
      PgResult q,
      conn->Exec("UPDATE report_deliveries SET state = $1, progress = $2, attempts = $3, "
                 "next_attempt_at = $4, last_error = $5, remote_id = $6, delivered_at = $7, "
                 "version = version + 1 WHERE request_id = $8 AND version = $9",
                 PgParams()
                     .Text(report::DeliveryStateName(d.state))
                     .Text(report::ProgressToJson(d.progress))
                     .Int(d.attempts)
                     .Int(Seconds(d.next_attempt_at))
                     .Text(d.last_error)
                     .OptionalInt(d.remote_id)
                     .OptionalInt(OptionalSeconds(d.delivered_at))
                     .Int(d.request_id)
                     .Int(d.version)));
  if (q.affected_rows() == 1) return true;
  ASSIGN_OR_RETURN(PgResult exists, conn->Exec("SELECT 1 FROM report_deliveries WHERE "
                                               "request_id = $1",
                                               PgParams().Int(d.request_id)));
  if (exists.rows() == 0) return NotFound(d.request_id);
  return false;
}

}  // namespace vigil::store
