#include "store/job_ledger_stores.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store/pg_connection.h"
#include "store/sqlite_errors.h"

namespace vigil::store {
namespace {

using queue::LedgerKey;
using queue::LedgerOutcome;
using queue::LedgerRecord;
using queue::RunOnceResult;

constexpr char kColumns[] =
    "item_key, technology_version, job_id, worker, flagged, case_id, processed_at";

int64_t EpochSeconds(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint FromEpochSeconds(int64_t s) { return TimePoint(std::chrono::seconds(s)); }

LedgerRecord PgRecord(const PgResult& r, int row) {
  LedgerRecord rec;
  rec.key = {std::string(r.Text(row, 0)), std::string(r.Text(row, 1))};
  rec.job_id = r.Text(row, 2);
  rec.worker = r.Text(row, 3);
  rec.outcome.flagged = r.Bool(row, 4);
  if (!r.IsNull(row, 5)) rec.outcome.case_id = r.Int(row, 5);
  rec.processed_at = FromEpochSeconds(r.Int(row, 6));
  return rec;
}

Result<std::optional<LedgerRecord>> PgGet(PgConnection& conn, const LedgerKey& key) {
  ASSIGN_OR_RETURN(PgResult r,
                   conn.Exec(fmt::format("SELECT {} FROM processed_items WHERE "
                                         "item_key = $1 AND technology_version = $2",
                                         kColumns),
                             PgParams().Text(key.item_key).Text(key.technology_version)));
  if (r.rows() == 0) return std::optional<LedgerRecord>();
  return std::optional<LedgerRecord>(PgRecord(r, 0));
}

}  // namespace

Result<RunOnceResult> PostgresJobLedger::RunOnce(
    const LedgerRecord& claim, const std::function<Result<LedgerOutcome>()>& work) {
  RETURN_IF_ERROR(queue::ValidateLedgerKey(claim.key));
  ASSIGN_OR_RETURN(PgPool::Pin conn, pool_.PinToThread());
  // Declared after the pin, so it ends (ROLLBACK unless committed) before the pin hands the
  // connection back.
  ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(*conn));
  ASSIGN_OR_RETURN(
      PgResult inserted,
      conn->Exec("INSERT INTO processed_items (item_key, technology_version, job_id, worker, "
                 "flagged, case_id, processed_at) VALUES ($1, $2, $3, $4, FALSE, NULL, $5) "
                 "ON CONFLICT DO NOTHING",
                 PgParams()
                     .Text(claim.key.item_key)
                     .Text(claim.key.technology_version)
                     .Text(claim.job_id)
                     .Text(claim.worker)
                     .Int(EpochSeconds(claim.processed_at))));
  if (inserted.affected_rows() == 0) {
    ASSIGN_OR_RETURN(std::optional<LedgerRecord> earlier, PgGet(*conn, claim.key));
    if (!earlier) {
      return UnavailableError(
          fmt::format("ledger key {}: the row vanished; retry", claim.key.item_key));
    }
    return RunOnceResult{.ran = false, .record = std::move(*earlier)};
  }
  ASSIGN_OR_RETURN(LedgerOutcome outcome, work());
  RETURN_IF_ERROR(conn->Exec("UPDATE processed_items SET flagged = $3, case_id = $4 WHERE "
                             "item_key = $1 AND technology_version = $2",
                             PgParams()
                                 .Text(claim.key.item_key)
                                 .Text(claim.key.technology_version)
                                 .Bool(outcome.flagged)
                                 .OptionalInt(outcome.case_id))
                      .status());
  RETURN_IF_ERROR(tx.Commit());
  LedgerRecord record = claim;
  record.outcome = outcome;
  return RunOnceResult{.ran = true, .record = std::move(record)};
}

Result<std::optional<LedgerRecord>> PostgresJobLedger::Get(const LedgerKey& key) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  return PgGet(*conn, key);
}

Result<int64_t> PostgresJobLedger::Count() {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r, conn->Exec("SELECT COUNT(*) FROM processed_items"));
  return r.Int(0, 0);
}

Result<int64_t> PostgresJobLedger::PurgeBefore(TimePoint before) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r, conn->Exec("DELETE FROM processed_items WHERE processed_at < $1",
                                          PgParams().Int(EpochSeconds(before))));
  return static_cast<int64_t>(r.affected_rows());
}

Result<RunOnceResult> SqliteJobLedger::RunOnce(const LedgerRecord&,
                                               const std::function<Result<LedgerOutcome>()>&) {
  return UnimplementedError(fmt::format(
      "{}: processing queued jobs exactly once needs one transaction across several stores, "
      "which the SQLite backend cannot give; run vigil worker on PostgreSQL",
      path_));
}

Result<std::optional<LedgerRecord>> SqliteJobLedger::Get(const LedgerKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::optional<LedgerRecord>> {
    SQLite::Statement q(db_, fmt::format("SELECT {} FROM processed_items WHERE item_key = ? AND "
                                         "technology_version = ?",
                                         kColumns));
    q.bind(1, key.item_key);
    q.bind(2, key.technology_version);
    if (!q.executeStep()) return std::optional<LedgerRecord>();
    LedgerRecord rec;
    rec.key = {q.getColumn(0).getString(), q.getColumn(1).getString()};
    rec.job_id = q.getColumn(2).getString();
    rec.worker = q.getColumn(3).getString();
    rec.outcome.flagged = q.getColumn(4).getInt() != 0;
    if (!q.getColumn(5).isNull()) rec.outcome.case_id = q.getColumn(5).getInt64();
    rec.processed_at = FromEpochSeconds(q.getColumn(6).getInt64());
    return std::optional<LedgerRecord>(std::move(rec));
  });
}

Result<int64_t> SqliteJobLedger::Count() {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<int64_t> {
    SQLite::Statement q(db_, "SELECT COUNT(*) FROM processed_items");
    q.executeStep();
    return q.getColumn(0).getInt64();
  });
}

Result<int64_t> SqliteJobLedger::PurgeBefore(TimePoint before) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<int64_t> {
    SQLite::Statement q(db_, "DELETE FROM processed_items WHERE processed_at < ?");
    q.bind(1, EpochSeconds(before));
    return static_cast<int64_t>(q.exec());
  });
}

}  // namespace vigil::store
