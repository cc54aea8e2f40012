#include "store/pg_bank_store.h"

#include <fmt/format.h>

#include <array>
#include <vector>

#include "core/text.h"
#include "store/pg_connection.h"
#include "store/pg_copy.h"

namespace vigil::store {
namespace {

using bank::Bank;
using bank::BankEntry;
using bank::BankId;
using bank::EntryId;

constexpr char kBankColumns[] =
    "id, name, owner, description, source_list, auto_action, created_at";
constexpr char kEntryColumns[] =
    "id, bank_id, signal_type, value, added_at, source_ref, verifications, needs_verification, "
    "retired_at, retired_reason";
// Rows per ForEachEntry page.
constexpr int kStreamPageRows = 8192;
// Rows per COPY chunk in AddEntries: large enough that the per-chunk round trips vanish, small
// enough that the temporary table stays in temp_buffers and the COPY input (~100 bytes a row)
// in a few MiB of client memory.
constexpr size_t kCopyChunkRows = 65536;
// After adding this many rows AddEntries refreshes the planner's statistics. Without them a
// freshly loaded table looks nearly empty, and each ForEachEntry page is planned as a bitmap
// scan of the whole bank plus a sort: streaming 1M just-imported rows took 9 s instead of 2 s.
constexpr uint64_t kAnalyzeAfterRows = kCopyChunkRows;

// The staging table of AddEntries, in the column order of bank_entries. ON COMMIT DROP: it
// exists only inside the batch's transaction, so pooled connections never see a stale one.
constexpr char kCreateStaging[] =
    "CREATE TEMP TABLE bank_entry_staging (signal_type TEXT, value BYTEA, added_at BIGINT, "
    "source_ref TEXT, verifications INTEGER, needs_verification BOOLEAN, retired_at BIGINT, "
    "retired_reason TEXT) ON COMMIT DROP";
constexpr int16_t kStagingColumns = 8;
// Sorted by the unique index's key, a chunk fills its pages in order instead of at random, and
// two concurrent imports of overlapping lists take row locks in the same order (no deadlock).
// The key is the value's digest (migration 7) because vPDQ values outgrow a btree entry.
constexpr char kMoveStaged[] =
    "INSERT INTO bank_entries (bank_id, signal_type, value, added_at, source_ref, "
    "verifications, needs_verification, retired_at, retired_reason) "
    "SELECT $1, signal_type, value, added_at, source_ref, verifications, needs_verification, "
    "retired_at, retired_reason FROM bank_entry_staging ORDER BY signal_type, sha256(value) "
    "ON CONFLICT (bank_id, signal_type, sha256(value)) DO NOTHING";

int64_t Seconds(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint FromSeconds(int64_t s) { return TimePoint(std::chrono::seconds(s)); }

Bank BankFromRow(const PgResult& r, int i) {
  return Bank{.id = r.Int(i, 0),
              .name = std::string(r.Text(i, 1)),
              .owner = std::string(r.Text(i, 2)),
              .description = std::string(r.Text(i, 3)),
              .source_list = std::string(r.Text(i, 4)),
              .policy = r.Bool(i, 5) ? bank::ActionPolicy::kAutoAction
                                     : bank::ActionPolicy::kReviewRequired,
              .created_at = FromSeconds(r.Int(i, 6))};
}

// A row written by another program can break the types' invariants; that is data loss, not a
// bug.
Result<BankEntry> EntryFromRow(const PgResult& r, int i, std::string_view name) {
  BankEntry e;
  e.id = r.Int(i, 0);
  e.bank_id = r.Int(i, 1);
  const std::string_view type = r.Text(i, 2);
  auto parsed = bank::ParseSignalType(type);
  if (!parsed.ok()) {
    return DataLossError(fmt::format("{}: entry {} has unknown signal type '{}'", name, e.id,
                                     bank::EscapeForMessage(type)));
  }
  e.signal_type = *parsed;
  const std::string_view hex = r.ByteaHex(i, 3);
  if (bank::IsFixedSizeSignal(e.signal_type)) {
    if (hex.size() != 2 * bank::SignalValueBytes(e.signal_type)) {
      return DataLossError(fmt::format("{}: entry {} has a {}-byte {} value", name, e.id,
                                       hex.size() / 2, bank::SignalTypeName(e.signal_type)));
    }
    e.value = std::string(hex);  // bytea_output = hex: already lowercase
  } else {
    std::vector<uint8_t> bytes(hex.size() / 2);
    auto text = HexToBytes(hex, bytes).ok()
                    ? bank::SignalValueFromBytes(e.signal_type, bytes)
                    : Result<std::string>(InvalidArgumentError("bytea is not hex"));
    if (!text.ok()) {
      return DataLossError(fmt::format("{}: entry {} has a malformed {}-byte {} value: {}", name,
                                       e.id, bytes.size(), bank::SignalTypeName(e.signal_type),
                                       text.status().message()));
    }
    e.value = std::move(*text);
  }
  e.added_at = FromSeconds(r.Int(i, 4));
  e.source_ref = std::string(r.Text(i, 5));
  e.verifications = static_cast<int>(r.Int(i, 6));
  e.needs_verification = r.Bool(i, 7);
  e.retired = !r.IsNull(i, 8);
  if (e.retired) e.retired_at = FromSeconds(r.Int(i, 8));
  e.retired_reason = std::string(r.Text(i, 9));
  return e;
}

// Counts one change of the bank's entries (GetChangeCount); inside the caller's transaction.
Status BumpChangeCount(PgConnection& conn, BankId bank) {
  return conn
      .Exec("UPDATE banks SET entry_changes = entry_changes + 1 WHERE id = $1",
            PgParams().Int(bank))
      .status();
}

Status CheckBankExists(PgConnection& conn, BankId bank) {
  ASSIGN_OR_RETURN(PgResult r,
                   conn.Exec("SELECT 1 FROM banks WHERE id = $1", PgParams().Int(bank)));
  if (r.rows() == 0) return NotFoundError(fmt::format("bank id {} does not exist", bank));
  return Status::Ok();
}

Result<BankEntry> GetEntryOn(PgConnection& conn, EntryId id) {
  ASSIGN_OR_RETURN(
      PgResult r, conn.Exec(fmt::format("SELECT {} FROM bank_entries WHERE id = $1", kEntryColumns),
                            PgParams().Int(id)));
  if (r.rows() == 0) return NotFoundError(fmt::format("entry {} does not exist", id));
  return EntryFromRow(r, 0, conn.name());
}

void AppendRow(PgBinaryCopy& copy, const bank::EntryBatch& batch, size_t i, int64_t now) {
  copy.BeginRow(kStagingColumns);
  copy.Text(bank::SignalTypeName(batch.signal_type(i)));
  copy.Bytes(batch.value_bytes(i));
  const auto added_at = batch.added_at(i);
  copy.Int64(added_at ? Seconds(*added_at) : now);
  copy.Text(batch.source_ref(i));
  copy.Int32(batch.verifications(i));
  copy.Bool(batch.needs_verification(i));
  const auto retired_at = batch.retired_at(i);
  copy.OptionalInt64(retired_at ? std::optional<int64_t>(Seconds(*retired_at)) : std::nullopt);
  copy.Text(batch.retired_reason(i));
}

// Loads one chunk into the staging table and moves it into bank_entries; the rows added.
Result<uint64_t> MoveChunk(PgConnection& conn, BankId bank, PgBinaryCopy& copy) {
  RETURN_IF_ERROR(conn.CopyIn("COPY bank_entry_staging FROM STDIN (FORMAT binary)", copy.Finish()));
  ASSIGN_OR_RETURN(PgResult moved, conn.Exec(kMoveStaged, PgParams().Int(bank)));
  RETURN_IF_ERROR(conn.ExecScript("TRUNCATE bank_entry_staging"));
  return moved.affected_rows();
}

}  // namespace

PostgresBankStore::PostgresBankStore(PgPool& pool, std::shared_ptr<const Clock> clock)
    : pool_(pool), clock_(std::move(clock)) {}

Result<Bank> PostgresBankStore::CreateBank(const bank::NewBank& bank) {
  RETURN_IF_ERROR(bank::ValidateNewBank(bank));
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  const TimePoint now = clock_->Now();
  // ON CONFLICT makes the name check and the insert one atomic step, even across processes.
  ASSIGN_OR_RETURN(
      PgResult r,
      conn->Exec("INSERT INTO banks (name, owner, description, source_list, auto_action, "
                 "created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING "
                 "RETURNING id",
                 PgParams()
                     .Text(bank.name)
                     .Text(bank.owner)
                     .Text(bank.description)
                     .Text(bank.source_list)
                     .Bool(bank.policy == bank::ActionPolicy::kAutoAction)
                     .Int(Seconds(now))));
  if (r.rows() == 0) {
    return AlreadyExistsError(fmt::format("bank '{}' already exists", bank.name));
  }
  return Bank{.id = r.Int(0, 0),
              .name = bank.name,
              .owner = bank.owner,
              .description = bank.description,
              .source_list = bank.source_list,
              .policy = bank.policy,
              .created_at = now};
}

Result<Bank> PostgresBankStore::GetBank(std::string_view name) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r,
                   conn->Exec(fmt::format("SELECT {} FROM banks WHERE name = $1", kBankColumns),
                              PgParams().Text(name)));
  if (r.rows() == 0) {
    return NotFoundError(fmt::format("bank '{}' does not exist", bank::EscapeForMessage(name)));
  }
  return BankFromRow(r, 0);
}

Result<std::vector<Bank>> PostgresBankStore::ListBanks() {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
  ASSIGN_OR_RETURN(
      PgResult r,
      conn->Exec(fmt::format("SELECT {} FROM banks ORDER BY name COLLATE \"C\"", kBankColumns)));
  std::vector<Bank> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(BankFromRow(r, i));
  return out;
}

Result<bank::AddEntriesResult> PostgresBankStore::AddEntries(
    BankId bank, const bank::EntryBatch& batch, const bank::ProgressCallback& progress) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  // One transaction for the whole batch: atomic, however many chunks it takes. Returning early
  // (an error, a cancelled progress callback) rolls it back.
  ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(*conn));
  RETURN_IF_ERROR(CheckBankExists(*conn, bank));
  bank::AddEntriesResult result;
  if (!batch.empty()) {
    RETURN_IF_ERROR(conn->ExecScript(kCreateStaging));
    const int64_t now = Seconds(clock_->Now());
    PgBinaryCopy copy;
    for (size_t i = 0; i < batch.size(); ++i) {
      AppendRow(copy, batch, i, now);
      if (progress) RETURN_IF_ERROR(progress(i + 1));
      if (copy.rows() == kCopyChunkRows || i + 1 == batch.size()) {
        ASSIGN_OR_RETURN(uint64_t added, MoveChunk(*conn, bank, copy));
        result.added += added;
      }
    }
  }
  result.already_present = batch.size() - result.added;
  if (result.added > 0) RETURN_IF_ERROR(BumpChangeCount(*conn, bank));
  RETURN_IF_ERROR(tx.Commit());
  if (result.added >= kAnalyzeAfterRows) {
    // After the commit, so its lock never holds up the batch; autovacuum would get there within
    // a minute or so anyway, hence a failure is not the caller's problem.
    conn->ExecScript("ANALYZE bank_entries").IgnoreError();
  }
  return result;
}

Result<BankEntry> PostgresBankStore::RetireEntry(EntryId id, std::string_view reason) {
  RETURN_IF_ERROR(bank::ValidateRetireReason(reason));
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  // The condition on retired_at makes check and update one step: of two concurrent retirements
  // exactly one succeeds, and the first reason is kept.
  ASSIGN_OR_RETURN(
      PgResult r,
      conn->Exec(fmt::format("WITH retired AS (UPDATE bank_entries SET retired_at = $1, "
                             "retired_reason = $2 WHERE id = $3 AND retired_at IS NULL "
                             "RETURNING {}), counted AS (UPDATE banks SET entry_changes = "
                             "entry_changes + 1 WHERE id IN (SELECT bank_id FROM retired)) "
                             "SELECT * FROM retired",
                             kEntryColumns),
                 PgParams().Int(Seconds(clock_->Now())).Text(reason).Int(id)));
  if (r.rows() == 1) return EntryFromRow(r, 0, conn->name());
  ASSIGN_OR_RETURN(BankEntry entry, GetEntryOn(*conn, id));
  return FailedPreconditionError(
      fmt::format("entry {} is already retired ({})", id, entry.retired_reason));
}

Result<BankEntry> PostgresBankStore::FlagForVerification(EntryId id) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(
      PgResult r,
      conn->Exec(fmt::format("UPDATE bank_entries SET needs_verification = TRUE WHERE id = $1 "
                             "RETURNING {}",
                             kEntryColumns),
                 PgParams().Int(id)));
  if (r.rows() == 0) return NotFoundError(fmt::format("entry {} does not exist", id));
  return EntryFromRow(r, 0, conn->name());
}

Result<BankEntry> PostgresBankStore::GetEntry(EntryId id) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  return GetEntryOn(*conn, id);
}

Result<BankEntry> PostgresBankStore::FindEntry(BankId bank, bank::SignalType type,
                                               std::string_view value) {
  ASSIGN_OR_RETURN(std::string bytes, bank::SignalValueToBytes(type, value));
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  RETURN_IF_ERROR(CheckBankExists(*conn, bank));
  // Values are unique by their digest (migration 7); the digest condition uses that index.
  ASSIGN_OR_RETURN(
      PgResult r,
      conn->Exec(fmt::format("SELECT {} FROM bank_entries WHERE bank_id = $1 AND signal_type = "
                             "$2 AND sha256(value) = sha256($3) AND value = $3",
                             kEntryColumns),
                 PgParams()
                     .Int(bank)
                     .Text(bank::SignalTypeName(type))
                     .Bytes({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()})));
  if (r.rows() == 0) {
    return NotFoundError(fmt::format("no {} entry {} in bank id {}", bank::SignalTypeName(type),
                                     bank::EscapeForMessage(value, 100), bank));
  }
  return EntryFromRow(r, 0, conn->name());
}

Status PostgresBankStore::ForEachEntry(BankId bank, const bank::EntryFilter& filter,
                                       const std::function<Status(const BankEntry&)>& fn) {
  const std::string sql = fmt::format(
      "SELECT {} FROM bank_entries WHERE bank_id = $1 AND id > $2 {} ORDER BY id LIMIT {}",
      kEntryColumns, filter.include_retired ? "" : "AND retired_at IS NULL", kStreamPageRows);
  EntryId after = 0;
  std::vector<BankEntry> page;
  for (bool first = true;; first = false) {
    page.clear();
    {
      ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
      if (first) RETURN_IF_ERROR(CheckBankExists(*conn, bank));
      ASSIGN_OR_RETURN(PgResult r, conn->Exec(sql, PgParams().Int(bank).Int(after)));
      for (int i = 0; i < r.rows(); ++i) {
        ASSIGN_OR_RETURN(BankEntry e, EntryFromRow(r, i, conn->name()));
        page.push_back(std::move(e));
      }
    }
    for (const BankEntry& e : page) RETURN_IF_ERROR(fn(e));
    if (page.size() < static_cast<size_t>(kStreamPageRows)) return Status::Ok();
    after = page.back().id;
  }
}

Result<uint64_t> PostgresBankStore::GetChangeCount(BankId bank) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r, conn->Exec("SELECT entry_changes FROM banks WHERE id = $1",
                                          PgParams().Int(bank)));
  if (r.rows() == 0) return NotFoundError(fmt::format("bank id {} does not exist", bank));
  return static_cast<uint64_t>(r.Int(0, 0));
}

Result<bank::BankStats> PostgresBankStore::GetStats(BankId bank) {
  ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
  RETURN_IF_ERROR(CheckBankExists(*conn, bank));
  ASSIGN_OR_RETURN(
      PgResult r,
      conn->Exec("SELECT signal_type, retired_at IS NOT NULL, COUNT(*), COUNT(*) FILTER (WHERE "
                 "verifications > 0), COUNT(*) FILTER (WHERE needs_verification) FROM "
                 "bank_entries WHERE bank_id = $1 GROUP BY 1, 2",
                 PgParams().Int(bank)));
  bank::BankStats stats;
  for (int i = 0; i < r.rows(); ++i) {
    const std::string_view type_name = r.Text(i, 0);
    auto type = bank::ParseSignalType(type_name);
    if (!type.ok()) {
      return DataLossError(fmt::format("{}: bank {} has entries of unknown signal type '{}'",
                                       conn->name(), bank, bank::EscapeForMessage(type_name)));
    }
    bank::AddStatsGroup(stats, *type, r.Bool(i, 1), static_cast<uint64_t>(r.Int(i, 2)),
                        static_cast<uint64_t>(r.Int(i, 3)), static_cast<uint64_t>(r.Int(i, 4)));
  }
  return stats;
}

}  // namespace vigil::store
