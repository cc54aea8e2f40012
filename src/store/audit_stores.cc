#include "store/audit_stores.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store/pg_connection.h"
#include "store/sqlite_errors.h"

namespace vigil::store {
namespace {

using audit::AuditEvent;
using audit::AuditRecord;

// The advisory lock serialising appends on PostgreSQL; a class of its own beside the cases'.
constexpr int kAuditLockClass = 0x76696732;  // "vig2"

constexpr char kHead[] = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";
constexpr char kInsert[] =
    "INSERT INTO audit_log (seq, at, actor, action, target, origin, details, prev_hash, hash) "
    "VALUES ({})";
constexpr char kList[] =
    "SELECT seq, at, actor, action, target, origin, details, prev_hash, hash FROM audit_log "
    "WHERE seq >= {} ORDER BY seq LIMIT {}";

// The record that follows a head (0 and the genesis hash for an empty log).
AuditRecord NextRecord(int64_t head_seq, std::string head_hash, TimePoint now,
                       const AuditEvent& event) {
  AuditRecord r{.seq = head_seq + 1,
                .at = now,
                .event = event,
                .prev_hash = std::move(head_hash),
                .hash = {}};
  r.hash = audit::ChainHash(r.prev_hash, r.seq, r.at, r.event);
  return r;
}

constexpr char kLatestCheckpoint[] =
    "SELECT through_seq, hash, records, purged_at FROM audit_checkpoints ORDER BY through_seq "
    "DESC LIMIT 1";

// Checks that `through_seq` may be purged given the record's presence and the head's seq.
Status CheckPurgeable(int64_t through_seq, bool found, int64_t head_seq) {
  if (!found) return NotFoundError(fmt::format("audit record {} is not stored", through_seq));
  if (through_seq >= head_seq) {
    return FailedPreconditionError(
        fmt::format("audit record {} is the head of the chain; it is never purged", through_seq));
  }
  return Status::Ok();
}

int64_t ClampLimit(size_t limit) {
  return static_cast<int64_t>(std::min<size_t>(limit, 1'000'000));
}

}  // namespace

Result<AuditRecord> SqliteAuditStore::Append(const AuditEvent& event) {
  RETURN_IF_ERROR(audit::ValidateEvent(event));
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<AuditRecord> {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement head(db_, kHead);
    const bool any = head.executeStep();
    AuditRecord r =
        NextRecord(any ? head.getColumn(0).getInt64() : 0,
                   any ? head.getColumn(1).getString() : std::string(audit::kGenesisHash),
                   clock_->Now(), event);
    SQLite::Statement insert(db_, fmt::format(kInsert, "?, ?, ?, ?, ?, ?, ?, ?, ?"));
    insert.bind(1, r.seq);
    insert.bind(2, static_cast<int64_t>(r.at.time_since_epoch().count()));
    insert.bind(3, r.event.actor);
    insert.bind(4, r.event.action);
    insert.bind(5, r.event.target);
    insert.bind(6, r.event.origin);
    insert.bind(7, r.event.details);
    insert.bind(8, r.prev_hash);
    insert.bind(9, r.hash);
    insert.exec();
    tx.commit();
    return r;
  });
}

Result<std::vector<AuditRecord>> SqliteAuditStore::List(int64_t from_seq, size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::vector<AuditRecord>> {
    SQLite::Statement q(db_, fmt::format(kList, "?", "?"));
    q.bind(1, from_seq);
    q.bind(2, ClampLimit(limit));
    std::vector<AuditRecord> out;
    while (q.executeStep()) {
      AuditRecord r;
      r.seq = q.getColumn(0).getInt64();
      r.at = TimePoint(std::chrono::seconds(q.getColumn(1).getInt64()));
      r.event = {q.getColumn(2).getString(), q.getColumn(3).getString(), q.getColumn(4).getString(),
                 q.getColumn(5).getString(), q.getColumn(6).getString()};
      r.prev_hash = q.getColumn(7).getString();
      r.hash = q.getColumn(8).getString();
      out.push_back(std::move(r));
    }
    return out;
  });
}

Result<std::optional<audit::AuditCheckpoint>> SqliteAuditStore::LatestCheckpoint() {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::optional<audit::AuditCheckpoint>> {
    SQLite::Statement q(db_, kLatestCheckpoint);
    if (!q.executeStep()) return std::optional<audit::AuditCheckpoint>();
    return std::optional<audit::AuditCheckpoint>(audit::AuditCheckpoint{
        q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getInt64(),
        TimePoint(std::chrono::seconds(q.getColumn(3).getInt64()))});
  });
}

Result<audit::AuditCheckpoint> SqliteAuditStore::PurgeThrough(int64_t through_seq, TimePoint at) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<audit::AuditCheckpoint> {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement rec(db_,
                          "SELECT hash, (SELECT MAX(seq) FROM audit_log) FROM audit_log "
                          "WHERE seq = ?");
    rec.bind(1, through_seq);
    const bool found = rec.executeStep();
    RETURN_IF_ERROR(CheckPurgeable(through_seq, found, found ? rec.getColumn(1).getInt64() : 0));
    audit::AuditCheckpoint cp{.through_seq = through_seq,
                              .hash = rec.getColumn(0).getString(),
                              .records = 0,
                              .purged_at = at};
    SQLite::Statement count(db_, "SELECT COUNT(*) FROM audit_log WHERE seq <= ?");
    count.bind(1, through_seq);
    count.executeStep();
    cp.records = count.getColumn(0).getInt64();
    SQLite::Statement insert(db_,
                             "INSERT INTO audit_checkpoints (through_seq, hash, records, "
                             "purged_at) VALUES (?, ?, ?, ?)");
    insert.bind(1, cp.through_seq);
    insert.bind(2, cp.hash);
    insert.bind(3, cp.records);
    insert.bind(4, static_cast<int64_t>(at.time_since_epoch().count()));
    insert.exec();
    SQLite::Statement del(db_, "DELETE FROM audit_log WHERE seq <= ?");
    del.bind(1, through_seq);
    del.exec();
    tx.commit();
    return cp;
  });
}

Result<AuditRecord> PostgresAuditStore::Append(const AuditEvent& event) {
  RETURN_IF_ERROR(audit::ValidateEvent(event));
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(*conn));
  RETURN_IF_ERROR(
      conn->Exec(fmt::format("SELECT pg_advisory_xact_lock({}, 0)", kAuditLockClass)).status());
  ASSIGN_OR_RETURN(PgResult head, conn->Exec(kHead));
  const bool any = head.rows() > 0;
  AuditRecord r = NextRecord(any ? head.Int(0, 0) : 0,
                             any ? std::string(head.Text(0, 1)) : std::string(audit::kGenesisHash),
                             clock_->Now(), event);
  RETURN_IF_ERROR(conn->Exec(fmt::format(kInsert, "$1, $2, $3, $4, $5, $6, $7, $8, $9"),
                             PgParams()
                                 .Int(r.seq)
                                 .Int(r.at.time_since_epoch().count())
                                 .Text(r.event.actor)
                                 .Text(r.event.action)
                                 .Text(r.event.target)
                                 .Text(r.event.origin)
                                 .Text(r.event.details)
                                 .Text(r.prev_hash)
                                 .Text(r.hash))
                      .status());
  RETURN_IF_ERROR(tx.Commit());
  return r;
}

Result<std::vector<AuditRecord>> PostgresAuditStore::List(int64_t from_seq, size_t limit) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult q, conn->Exec(fmt::format(kList, "$1", "$2"),
                                          PgParams().Int(from_seq).Int(ClampLimit(limit))));
  std::vector<AuditRecord> out;
  out.reserve(static_cast<size_t>(q.rows()));
  for (int i = 0; i < q.rows(); ++i) {
    AuditRecord r;
    r.seq = q.Int(i, 0);
    r.at = TimePoint(std::chrono::seconds(q.Int(i, 1)));
    r.event = {std::string(q.Text(i, 2)), std::string(q.Text(i, 3)), std::string(q.Text(i, 4)),
               std::string(q.Text(i, 5)), std::string(q.Text(i, 6))};
    r.prev_hash = std::string(q.Text(i, 7));
    r.hash = std::string(q.Text(i, 8));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::optional<audit::AuditCheckpoint>> PostgresAuditStore::LatestCheckpoint() {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult q, conn->Exec(kLatestCheckpoint));
  if (q.rows() == 0) return std::optional<audit::AuditCheckpoint>();
  return std::optional<audit::AuditCheckpoint>(
      audit::AuditCheckpoint{q.Int(0, 0), std::string(q.Text(0, 1)), q.Int(0, 2),
                             TimePoint(std::chrono::seconds(q.Int(0, 3)))});
}

// Takes the append lock, so no record is appended while the head is checked and the prefix goes.
Result<audit::AuditCheckpoint> PostgresAuditStore::PurgeThrough(int64_t through_seq, TimePoint at) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(*conn));
  RETURN_IF_ERROR(
      conn->Exec(fmt::format("SELECT pg_advisory_xact_lock({}, 0)", kAuditLockClass)).status());
  ASSIGN_OR_RETURN(PgResult rec,
                   conn->Exec("SELECT hash, (SELECT MAX(seq) FROM audit_log), (SELECT COUNT(*) "
                              "FROM audit_log WHERE seq <= $1) FROM audit_log WHERE seq = $1",
                              PgParams().Int(through_seq)));
  const bool found = rec.rows() > 0;
  RETURN_IF_ERROR(CheckPurgeable(through_seq, found, found ? rec.Int(0, 1) : 0));
  audit::AuditCheckpoint cp{.through_seq = through_seq,
                            .hash = std::string(rec.Text(0, 0)),
                            .records = rec.Int(0, 2),
                            .purged_at = at};
  RETURN_IF_ERROR(conn->Exec("INSERT INTO audit_checkpoints (through_seq, hash, records, "
                             "purged_at) VALUES ($1, $2, $3, $4)",
                             PgParams()
                                 .Int(cp.through_seq)
                                 .Text(cp.hash)
                                 .Int(cp.records)
                                 .Int(at.time_since_epoch().count()))
                      .status());
  RETURN_IF_ERROR(
      conn->Exec("DELETE FROM audit_log WHERE seq <= $1", PgParams().Int(through_seq)).status());
  RETURN_IF_ERROR(tx.Commit());
  return cp;
}

}  // namespace vigil::store
