#include "store/exchange_stores.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "core/text.h"
#include "store/exchange_apply.h"
#include "store/pg_connection.h"
#include "store/sqlite_errors.h"

namespace vigil::store {

using exchange::ExchangeConfig;
using exchange::ExchangeId;
using exchange::ExchangeRecord;

namespace {

constexpr char kColumns[] =
    "x.id, x.name, x.type, x.bank_id, b.name, x.organisation, x.organisation_kind, x.endpoint, "
    "x.credentials_ref, x.options, x.share, x.created_at, x.sync_cursor, x.pages, x.added, "
    "x.updated, x.removed, x.last_sync_at, x.last_error, x.last_error_at";
constexpr char kFrom[] = "FROM exchanges x JOIN banks b ON b.id = x.bank_id";

int64_t Seconds(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint FromSeconds(int64_t s) { return TimePoint(std::chrono::seconds(s)); }

// The columns of one row, read by either backend.
struct Row {
  int64_t id;
  std::string name, type;
  int64_t bank_id;
  std::string bank, organisation, kind, endpoint, credentials_ref, options;
  bool share;
  int64_t created_at;
  std::string cursor;
  int64_t pages, added, updated, removed;
  std::optional<int64_t> last_sync_at;
  std::string last_error;
  std::optional<int64_t> last_error_at;
};

Result<ExchangeRecord> FromRow(Row r) {
  auto type = exchange::ParseExchangeType(r.type);
  if (!type.ok()) {
    return DataLossError(fmt::format("exchanges row {}: {}", r.id, type.status().message()));
  }
  ExchangeRecord x;
  x.config = ExchangeConfig{.id = r.id,
                            .name = std::move(r.name),
                            .type = *type,
                            .bank_id = r.bank_id,
                            .bank = std::move(r.bank),
                            .organisation = std::move(r.organisation),
                            .organisation_kind = std::move(r.kind),
                            .endpoint = std::move(r.endpoint),
                            .credentials_ref = std::move(r.credentials_ref),
                            .options = std::move(r.options),
                            .share = r.share,
                            .created_at = FromSeconds(r.created_at)};
  x.state = exchange::ExchangeState{.cursor = std::move(r.cursor),
                                    .pages = static_cast<uint64_t>(r.pages),
                                    .added = static_cast<uint64_t>(r.added),
                                    .updated = static_cast<uint64_t>(r.updated),
                                    .removed = static_cast<uint64_t>(r.removed),
                                    .last_error = std::move(r.last_error)};
  if (r.last_sync_at) x.state.last_sync_at = FromSeconds(*r.last_sync_at);
  if (r.last_error_at) x.state.last_error_at = FromSeconds(*r.last_error_at);
  return x;
}

Status Missing(std::string_view name) {
  return NotFoundError(fmt::format("exchange '{}' does not exist", bank::EscapeForMessage(name)));
}
Status MissingId(ExchangeId id) {
  return NotFoundError(fmt::format("exchange id {} does not exist", id));
}
Status Exists(std::string_view name) {
  return AlreadyExistsError(fmt::format("exchange '{}' already exists", name));
}
Status CursorMoved(std::string_view name) {
  return FailedPreconditionError(fmt::format(
      "exchange {}: the cursor moved (another sync applied this page); not applied", name));
}

// A bank entry read back for a withdrawal by source_ref; a row another program damaged is data
// loss.
Result<bank::BankEntry> Entry(int64_t id, const std::string& type_name,
                              std::span<const uint8_t> raw, int64_t added_at,
                              const std::string& ref) {
  auto type = bank::ParseSignalType(type_name);
  if (!type.ok())
    return DataLossError(fmt::format("bank entry {}: {}", id, type.status().message()));
  auto value = bank::SignalValueFromBytes(*type, raw);
  if (!value.ok()) {
    return DataLossError(fmt::format("bank entry {}: {}", id, value.status().message()));
  }
  return bank::BankEntry{.id = id,
                         .signal_type = *type,
                         .value = *std::move(value),
                         .added_at = FromSeconds(added_at),
                         .source_ref = ref};
}

std::optional<int64_t> SqliteOptional(const SQLite::Column& c) {
  return c.isNull() ? std::nullopt : std::optional<int64_t>(c.getInt64());
}

// bank_entries inside the SQLite page transaction.
class SqliteEntryWriter final : public EntryWriter {
 public:
  SqliteEntryWriter(SQLite::Database& db, bank::BankId bank) : db_(db), bank_(bank) {}
  Result<std::optional<ExistingEntry>> Find(bank::SignalType type,
                                            const std::string& raw) override {
    SQLite::Statement q(db_,
                        "SELECT id, needs_verification, retired_at IS NOT NULL, added_at, "
                        "source_ref, verifications FROM bank_entries WHERE bank_id = ? AND "
                        "signal_type = ? AND value = ?");
    q.bind(1, bank_);
    q.bindNoCopy(2, bank::SignalTypeName(type).data());
    q.bindNoCopy(3, raw.data(), static_cast<int>(raw.size()));
    if (!q.executeStep()) return std::optional<ExistingEntry>();
    return std::optional<ExistingEntry>(ExistingEntry{
        q.getColumn(0).getInt64(), q.getColumn(1).getInt() != 0, q.getColumn(2).getInt() != 0,
        q.getColumn(3).getInt64(), q.getColumn(4).getString(), q.getColumn(5).getInt()});
  }
  Result<int64_t> Insert(bank::SignalType type, const std::string& raw,
                         const exchange::HashUpdate& u, bool needs_verification,
                         int64_t now) override {
    SQLite::Statement ins(db_,
                          "INSERT INTO bank_entries (bank_id, signal_type, value, added_at, "
                          "source_ref, needs_verification) VALUES (?, ?, ?, ?, ?, ?)");
    ins.bind(1, bank_);
    ins.bindNoCopy(2, bank::SignalTypeName(type).data());
    ins.bindNoCopy(3, raw.data(), static_cast<int>(raw.size()));
    ins.bind(4, now);
    ins.bind(5, u.source_ref);
    ins.bind(6, needs_verification ? 1 : 0);
    ins.exec();
    return db_.getLastInsertRowid();
  }
  Result<std::vector<bank::BankEntry>> ActiveBySourceRef(const std::string& ref) override {
    SQLite::Statement q(db_,
                        "SELECT id, signal_type, value, added_at, verifications, "
                        "needs_verification FROM bank_entries WHERE bank_id = ? AND source_ref = ? "
                        "AND source_ref <> '' AND retired_at IS NULL ORDER BY id");
    q.bind(1, bank_);
    q.bind(2, ref);
    std::vector<bank::BankEntry> out;
    while (q.executeStep()) {
      SQLite::Column v = q.getColumn(2);
      ASSIGN_OR_RETURN(
          bank::BankEntry e,
          Entry(q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                {static_cast<const uint8_t*>(v.getBlob()), static_cast<size_t>(v.getBytes())},
                q.getColumn(3).getInt64(), ref));
      e.verifications = q.getColumn(4).getInt();
      e.needs_verification = q.getColumn(5).getInt() != 0;
      out.push_back(std::move(e));
    }
    return out;
  }
  Status Flag(int64_t id) override {
    SQLite::Statement upd(db_, "UPDATE bank_entries SET needs_verification = 1 WHERE id = ?");
    upd.bind(1, id);
    upd.exec();
    return Status::Ok();
  }
  Status Retire(int64_t id, const std::string& reason, int64_t now) override {
    SQLite::Statement upd(
        db_, "UPDATE bank_entries SET retired_at = ?, retired_reason = ? WHERE id = ?");
    upd.bind(1, now);
    upd.bind(2, reason);
    upd.bind(3, id);
    upd.exec();
    return Status::Ok();
  }
  Status CountChanges(int64_t changes) override {
    SQLite::Statement upd(db_, "UPDATE banks SET entry_changes = entry_changes + ? WHERE id = ?");
    upd.bind(1, changes);
    upd.bind(2, bank_);
    upd.exec();
    return Status::Ok();
  }

 private:
  SQLite::Database& db_;
  const bank::BankId bank_;
};

// bank_entries inside the PostgreSQL page transaction. Lookups go through the unique index on
// sha256(value) (migration 7).
class PgEntryWriter final : public EntryWriter {
 public:
  PgEntryWriter(PgConnection& conn, bank::BankId bank) : conn_(conn), bank_(bank) {}
  Result<std::optional<ExistingEntry>> Find(bank::SignalType type,
                                            const std::string& raw) override {
    ASSIGN_OR_RETURN(
        PgResult r,
        conn_.Exec("SELECT id, needs_verification, retired_at IS NOT NULL, added_at, source_ref, "
                   "verifications FROM bank_entries WHERE bank_id = $1 AND signal_type = $2 AND "
                   "sha256(value) = sha256($3) AND value = $3",
                   PgParams().Int(bank_).Text(bank::SignalTypeName(type)).Bytes(Bytes(raw))));
    if (r.rows() == 0) return std::optional<ExistingEntry>();
    return std::optional<ExistingEntry>(ExistingEntry{r.Int(0, 0), r.Bool(0, 1), r.Bool(0, 2),
                                                      r.Int(0, 3), std::string(r.Text(0, 4)),
                                                      static_cast<int>(r.Int(0, 5))});
  }
  Result<int64_t> Insert(bank::SignalType type, const std::string& raw,
                         const exchange::HashUpdate& u, bool needs_verification,
                         int64_t now) override {
    ASSIGN_OR_RETURN(PgResult r,
                     conn_.Exec("INSERT INTO bank_entries (bank_id, signal_type, value, added_at, "
                                "source_ref, needs_verification) VALUES ($1, $2, $3, $4, $5, $6) "
                                "RETURNING id",
                                PgParams()
                                    .Int(bank_)
                                    .Text(bank::SignalTypeName(type))
                                    .Bytes(Bytes(raw))
                                    .Int(now)
                                    .Text(u.source_ref)
                                    .Bool(needs_verification)));
    return r.Int(0, 0);
  }
  Result<std::vector<bank::BankEntry>> ActiveBySourceRef(const std::string& ref) override {
    ASSIGN_OR_RETURN(
        PgResult r,
        conn_.Exec("SELECT id, signal_type, value, added_at, verifications, needs_verification "
                   "FROM bank_entries WHERE bank_id = $1 AND source_ref = $2 AND source_ref <> '' "
                   "AND retired_at IS NULL ORDER BY id",
                   PgParams().Int(bank_).Text(ref)));
    std::vector<bank::BankEntry> out;
    for (int i = 0; i < r.rows(); ++i) {
      std::string raw;
      const std::string_view hex = r.ByteaHex(i, 2);
      raw.resize(hex.size() / 2);
      if (!HexToBytes(hex, {reinterpret_cast<uint8_t*>(raw.data()), raw.size()}).ok()) {
        return DataLossError(fmt::format("bank entry {}: malformed value", r.Int(i, 0)));
      }
      ASSIGN_OR_RETURN(
          bank::BankEntry e,
          Entry(r.Int(i, 0), std::string(r.Text(i, 1)),
                {reinterpret_cast<const uint8_t*>(raw.data()), raw.size()}, r.Int(i, 3), ref));
      e.verifications = static_cast<int>(r.Int(i, 4));
      e.needs_verification = r.Bool(i, 5);
      out.push_back(std::move(e));
    }
    return out;
  }
  Status Flag(int64_t id) override {
    return conn_
        .Exec("UPDATE bank_entries SET needs_verification = TRUE WHERE id = $1", PgParams().Int(id))
        .status();
  }
  Status Retire(int64_t id, const std::string& reason, int64_t now) override {
    return conn_
        .Exec("UPDATE bank_entries SET retired_at = $2, retired_reason = $3 WHERE id = $1",
              PgParams().Int(id).Int(now).Text(reason))
        .status();
  }
  Status CountChanges(int64_t changes) override {
    return conn_
        .Exec("UPDATE banks SET entry_changes = entry_changes + $2 WHERE id = $1",
              PgParams().Int(bank_).Int(changes))
        .status();
  }

 private:
  static std::span<const uint8_t> Bytes(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
  }
  PgConnection& conn_;
  const bank::BankId bank_;
};

std::string_view DirectionText(exchange::Direction d) { return exchange::DirectionName(d); }

}  // namespace

// SQLite.

Result<ExchangeConfig> SqliteExchangeStore::CreateExchange(const exchange::NewExchange& e,
                                                           TimePoint now) {
  RETURN_IF_ERROR(exchange::ValidateNewExchange(e));
  {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(CatchSqlite(path_, [&]() -> Status {
      SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement bank(db_, "SELECT id FROM banks WHERE name = ?");
      bank.bind(1, e.bank);
      if (!bank.executeStep()) {
        return NotFoundError(
            fmt::format("bank '{}' does not exist", bank::EscapeForMessage(e.bank)));
      }
      const int64_t bank_id = bank.getColumn(0).getInt64();
      SQLite::Statement exists(db_, "SELECT 1 FROM exchanges WHERE name = ?");
      exists.bind(1, e.name);
      if (exists.executeStep()) return Exists(e.name);
      SQLite::Statement ins(db_,
                            "INSERT INTO exchanges (name, type, bank_id, organisation, "
                            "organisation_kind, endpoint, credentials_ref, options, share, "
                            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      ins.bind(1, e.name);
      ins.bind(2, std::string(exchange::ExchangeTypeName(e.type)));
      ins.bind(3, bank_id);
      ins.bind(4, e.organisation);
      ins.bind(5, e.organisation_kind);
      ins.bind(6, e.endpoint);
      ins.bind(7, e.credentials_ref);
      ins.bind(8, e.options);
      ins.bind(9, e.share ? 1 : 0);
      ins.bind(10, Seconds(now));
      ins.exec();
      tx.commit();
      return Status::Ok();
    }));
  }
  ASSIGN_OR_RETURN(ExchangeRecord r, GetExchange(e.name));
  return r.config;
}

Result<std::vector<ExchangeRecord>> SqliteExchangeStore::Select(std::string_view where, int64_t id,
                                                                std::string_view name) {
  return CatchSqlite(path_, [&]() -> Result<std::vector<ExchangeRecord>> {
    SQLite::Statement q(db_,
                        fmt::format("SELECT {} {} {} ORDER BY x.name", kColumns, kFrom, where));
    if (where.find("x.id") != std::string_view::npos) q.bind(1, id);
    if (where.find("x.name") != std::string_view::npos) q.bind(1, std::string(name));
    std::vector<ExchangeRecord> out;
    while (q.executeStep()) {
      Row r{q.getColumn(0).getInt64(),     q.getColumn(1).getString(),
            q.getColumn(2).getString(),    q.getColumn(3).getInt64(),
            q.getColumn(4).getString(),    q.getColumn(5).getString(),
            q.getColumn(6).getString(),    q.getColumn(7).getString(),
            q.getColumn(8).getString(),    q.getColumn(9).getString(),
            q.getColumn(10).getInt() != 0, q.getColumn(11).getInt64(),
            q.getColumn(12).getString(),   q.getColumn(13).getInt64(),
            q.getColumn(14).getInt64(),    q.getColumn(15).getInt64(),
            q.getColumn(16).getInt64(),    SqliteOptional(q.getColumn(17)),
            q.getColumn(18).getString(),   SqliteOptional(q.getColumn(19))};
      ASSIGN_OR_RETURN(ExchangeRecord x, FromRow(std::move(r)));
      out.push_back(std::move(x));
    }
    return out;
  });
}

Result<ExchangeRecord> SqliteExchangeStore::GetExchange(std::string_view name) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(auto rows, Select("WHERE x.name = ?", 0, name));
  if (rows.empty()) return Missing(name);
  return std::move(rows.front());
}

Result<std::vector<ExchangeRecord>> SqliteExchangeStore::ListExchanges() {
  std::lock_guard lock(mu_);
  return Select("", 0, "");
}

Result<exchange::PageApplied> SqliteExchangeStore::ApplyPage(ExchangeId id,
                                                             std::string_view expected_cursor,
                                                             const exchange::FetchedPage& page,
                                                             TimePoint now) {
  std::lock_guard lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<exchange::PageApplied> {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    ASSIGN_OR_RETURN(auto rows, Select("WHERE x.id = ?", id, ""));
    if (rows.empty()) return MissingId(id);
    const ExchangeConfig& c = rows.front().config;
    exchange::FetchedPage checked = page;
    RETURN_IF_ERROR(exchange::ValidatePage(checked, c.name));
    if (rows.front().state.cursor != expected_cursor) return CursorMoved(c.name);
    SqliteEntryWriter writer(db_, c.bank_id);
    ASSIGN_OR_RETURN(exchange::PageApplied out,
                     ApplyUpdates(writer, c.bank_id, c.name, checked.updates, now));
    SQLite::Statement upd(db_,
                          "UPDATE exchanges SET sync_cursor = ?, pages = pages + 1, added = added "
                          "+ ?, updated = updated + ?, removed = removed + ? WHERE id = ?");
    upd.bind(1, checked.next_cursor);
    upd.bind(2, static_cast<int64_t>(out.added));
    upd.bind(3, static_cast<int64_t>(out.updated));
    upd.bind(4, static_cast<int64_t>(out.removed));
    upd.bind(5, id);
    upd.exec();
    if (out.added > 0) {
      SQLite::Statement add(db_,
                            "INSERT INTO exchange_contacts (day, organisation, kind, direction, "
                            "hashes) VALUES (?, ?, ?, 'received', ?) ON CONFLICT DO UPDATE SET "
                            "hashes = hashes + excluded.hashes");
      add.bind(1, exchange::DayOf(now));
      add.bind(2, c.organisation);
      add.bind(3, c.organisation_kind);
      add.bind(4, static_cast<int64_t>(out.added));
      add.exec();
    }
    tx.commit();
    return out;
  });
}

Status SqliteExchangeStore::RecordSyncResult(ExchangeId id, const Status& result, TimePoint now) {
  std::lock_guard lock(mu_);
  return CatchSqlite(path_, [&]() -> Status {
    SQLite::Statement upd(db_, result.ok() ? "UPDATE exchanges SET last_sync_at = ?, last_error = "
                                             "'' WHERE id = ?"
                                           : "UPDATE exchanges SET last_error_at = ?, last_error "
                                             "= ? WHERE id = ?");
    upd.bind(1, Seconds(now));
    if (result.ok()) {
      upd.bind(2, id);
    } else {
      upd.bind(2, result.message());
      upd.bind(3, id);
    }
    if (upd.exec() == 0) return MissingId(id);
    return Status::Ok();
  });
}

Status SqliteExchangeStore::RecordShared(ExchangeId id, uint64_t hashes, TimePoint now) {
  std::lock_guard lock(mu_);
  return CatchSqlite(path_, [&]() -> Status {
    SQLite::Statement q(db_, "SELECT organisation, organisation_kind FROM exchanges WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return MissingId(id);
    if (hashes == 0) return Status::Ok();
    SQLite::Statement add(db_,
                          "INSERT INTO exchange_contacts (day, organisation, kind, direction, "
                          "hashes) VALUES (?, ?, ?, 'shared', ?) ON CONFLICT DO UPDATE SET "
                          "hashes = hashes + excluded.hashes");
    add.bind(1, exchange::DayOf(now));
    add.bind(2, q.getColumn(0).getString());
    add.bind(3, q.getColumn(1).getString());
    add.bind(4, static_cast<int64_t>(hashes));
    add.exec();
    return Status::Ok();
  });
}

Result<std::vector<exchange::OrganisationContact>> SqliteExchangeStore::ListOrganisationContacts(
    TimePoint from, TimePoint to) {
  std::lock_guard lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::vector<exchange::OrganisationContact>> {
    SQLite::Statement q(db_,
                        "SELECT organisation, direction, kind, SUM(hashes) FROM exchange_contacts "
                        "WHERE day >= ? AND day < ? GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
    q.bind(1, Seconds(from));
    q.bind(2, Seconds(to));
    std::vector<exchange::OrganisationContact> out;
    while (q.executeStep()) {
      out.push_back({.organisation = q.getColumn(0).getString(),
                     .kind = q.getColumn(2).getString(),
                     .direction = q.getColumn(1).getString() == "shared"
                                      ? exchange::Direction::kShared
                                      : exchange::Direction::kReceived,
                     .hashes = static_cast<uint64_t>(q.getColumn(3).getInt64())});
    }
    return out;
  });
}

// PostgreSQL.

namespace {

Result<std::vector<ExchangeRecord>> PgSelect(PgConnection& conn, std::string_view where,
                                             const PgParams& params, std::string_view lock = "") {
  ASSIGN_OR_RETURN(PgResult q,
                   conn.Exec(fmt::format("SELECT {} {} {} ORDER BY x.name COLLATE \"C\" {}",
                                         kColumns, kFrom, where, lock),
                             params));
  std::vector<ExchangeRecord> out;
  for (int i = 0; i < q.rows(); ++i) {
    auto opt = [&](int col) {
      return q.IsNull(i, col) ? std::nullopt : std::optional<int64_t>(q.Int(i, col));
    };
    Row r{q.Int(i, 0),
          std::string(q.Text(i, 1)),
          std::string(q.Text(i, 2)),
          q.Int(i, 3),
          std::string(q.Text(i, 4)),
          std::string(q.Text(i, 5)),
          std::string(q.Text(i, 6)),
          std::string(q.Text(i, 7)),
          std::string(q.Text(i, 8)),
          std::string(q.Text(i, 9)),
          q.Bool(i, 10),
          q.Int(i, 11),
          std::string(q.Text(i, 12)),
          q.Int(i, 13),
          q.Int(i, 14),
          q.Int(i, 15),
          q.Int(i, 16),
          opt(17),
          std::string(q.Text(i, 18)),
          opt(19)};
    ASSIGN_OR_RETURN(ExchangeRecord x, FromRow(std::move(r)));
    out.push_back(std::move(x));
  }
  return out;
}

constexpr char kPgAddContact[] =
    "INSERT INTO exchange_contacts (day, organisation, kind, direction, hashes) VALUES ($1, $2, "
    "$3, $4, $5) ON CONFLICT (day, organisation, kind, direction) DO UPDATE SET hashes = "
    "exchange_contacts.hashes + excluded.hashes";

}  // namespace

Result<ExchangeConfig> PostgresExchangeStore::CreateExchange(const exchange::NewExchange& e,
                                                             TimePoint now) {
  RETURN_IF_ERROR(exchange::ValidateNewExchange(e));
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult bank,
                   conn->Exec("SELECT id FROM banks WHERE name = $1", PgParams().Text(e.bank)));
  if (bank.rows() == 0) {
    return NotFoundError(fmt::format("bank '{}' does not exist", bank::EscapeForMessage(e.bank)));
  }
  ASSIGN_OR_RETURN(
      PgResult r,
      conn->Exec("INSERT INTO exchanges (name, type, bank_id, organisation, organisation_kind, "
                 "endpoint, credentials_ref, options, share, created_at) VALUES ($1, $2, $3, $4, "
                 "$5, $6, $7, $8, $9, $10) ON CONFLICT (name) DO NOTHING RETURNING id",
                 PgParams()
                     .Text(e.name)
                     .Text(exchange::ExchangeTypeName(e.type))
                     .Int(bank.Int(0, 0))
                     .Text(e.organisation)
                     .Text(e.organisation_kind)
                     .Text(e.endpoint)
                     .Text(e.credentials_ref)
                     .Text(e.options)
                     .Bool(e.share)
                     .Int(Seconds(now))));
  if (r.rows() == 0) return Exists(e.name);
  ASSIGN_OR_RETURN(auto rows, PgSelect(*conn, "WHERE x.id = $1", PgParams().Int(r.Int(0, 0))));
  if (rows.empty()) return Missing(e.name);
  return rows.front().config;
}

Result<ExchangeRecord> PostgresExchangeStore::GetExchange(std::string_view name) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(auto rows, PgSelect(*conn, "WHERE x.name = $1", PgParams().Text(name)));
  if (rows.empty()) return Missing(name);
  return std::move(rows.front());
}

Result<std::vector<ExchangeRecord>> PostgresExchangeStore::ListExchanges() {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  return PgSelect(*conn, "", PgParams());
}

Result<exchange::PageApplied> PostgresExchangeStore::ApplyPage(ExchangeId id,
                                                               std::string_view expected_cursor,
                                                               const exchange::FetchedPage& page,
                                                               TimePoint now) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(*conn));
  // FOR UPDATE OF x: a concurrent sync of the same exchange waits here, then sees the new cursor.
  ASSIGN_OR_RETURN(auto rows,
                   PgSelect(*conn, "WHERE x.id = $1", PgParams().Int(id), "FOR UPDATE OF x"));
  if (rows.empty()) return MissingId(id);
  const ExchangeConfig& c = rows.front().config;
  exchange::FetchedPage checked = page;
  RETURN_IF_ERROR(exchange::ValidatePage(checked, c.name));
  if (rows.front().state.cursor != expected_cursor) return CursorMoved(c.name);
  PgEntryWriter writer(*conn, c.bank_id);
  ASSIGN_OR_RETURN(exchange::PageApplied out,
                   ApplyUpdates(writer, c.bank_id, c.name, checked.updates, now));
  RETURN_IF_ERROR(conn->Exec("UPDATE exchanges SET sync_cursor = $2, pages = pages + 1, added = "
                             "added + $3, updated = updated + $4, removed = removed + $5 WHERE "
                             "id = $1",
                             PgParams()
                                 .Int(id)
                                 .Text(checked.next_cursor)
                                 .Int(static_cast<int64_t>(out.added))
                                 .Int(static_cast<int64_t>(out.updated))
                                 .Int(static_cast<int64_t>(out.removed)))
                      .status());
  if (out.added > 0) {
    RETURN_IF_ERROR(conn->Exec(kPgAddContact, PgParams()
                                                  .Int(exchange::DayOf(now))
                                                  .Text(c.organisation)
                                                  .Text(c.organisation_kind)
                                                  .Text("received")
                                                  .Int(static_cast<int64_t>(out.added)))
                        .status());
  }
  RETURN_IF_ERROR(tx.Commit());
  return out;
}

Status PostgresExchangeStore::RecordSyncResult(ExchangeId id, const Status& result, TimePoint now) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  auto r =
      result.ok()
          ? conn->Exec("UPDATE exchanges SET last_sync_at = $2, last_error = '' WHERE id = $1",
                       PgParams().Int(id).Int(Seconds(now)))
          : conn->Exec("UPDATE exchanges SET last_error_at = $2, last_error = $3 WHERE id = $1",
                       PgParams().Int(id).Int(Seconds(now)).Text(result.message()));
  if (!r.ok()) return r.status();
  if (r->affected_rows() == 0) return MissingId(id);
  return Status::Ok();
}

Status PostgresExchangeStore::RecordShared(ExchangeId id, uint64_t hashes, TimePoint now) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult q, conn->Exec("SELECT organisation, organisation_kind FROM exchanges "
                                          "WHERE id = $1",
                                          PgParams().Int(id)));
  if (q.rows() == 0) return MissingId(id);
  if (hashes == 0) return Status::Ok();
  return conn
      ->Exec(kPgAddContact, PgParams()
                                .Int(exchange::DayOf(now))
                                .Text(q.Text(0, 0))
                                .Text(q.Text(0, 1))
                                .Text(DirectionText(exchange::Direction::kShared))
                                .Int(static_cast<int64_t>(hashes)))
      .status();
}

Result<std::vector<exchange::OrganisationContact>> PostgresExchangeStore::ListOrganisationContacts(
    TimePoint from, TimePoint to) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult q,
                   conn->Exec("SELECT organisation, direction, kind, SUM(hashes)::BIGINT FROM "
                              "exchange_contacts WHERE day >= $1 AND day < $2 GROUP BY 1, 2, 3 "
                              "ORDER BY organisation COLLATE \"C\", 2, 3",
                              PgParams().Int(Seconds(from)).Int(Seconds(to))));
  std::vector<exchange::OrganisationContact> out;
  for (int i = 0; i < q.rows(); ++i) {
    out.push_back({.organisation = std::string(q.Text(i, 0)),
                   .kind = std::string(q.Text(i, 2)),
                   .direction = q.Text(i, 1) == "shared" ? exchange::Direction::kShared
                                                         : exchange::Direction::kReceived,
                   .hashes = static_cast<uint64_t>(q.Int(i, 3))});
  }
  return out;
}

}  // namespace vigil::store
