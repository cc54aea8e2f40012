#include "store/sqlite_bank_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>
#include <numeric>
#include <vector>

#include "store/sqlite_errors.h"

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
// Rows fetched per page by ForEachEntry; the lock is released between pages.
constexpr int kStreamPageRows = 8192;

int64_t Seconds(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint FromSeconds(int64_t s) { return TimePoint(std::chrono::seconds(s)); }

Bank BankFromRow(SQLite::Statement& q) {
  return Bank{.id = q.getColumn(0).getInt64(),
              .name = q.getColumn(1).getString(),
              .owner = q.getColumn(2).getString(),
              .description = q.getColumn(3).getString(),
              .source_list = q.getColumn(4).getString(),
              .policy = q.getColumn(5).getInt() != 0 ? bank::ActionPolicy::kAutoAction
                                                     : bank::ActionPolicy::kReviewRequired,
              .created_at = FromSeconds(q.getColumn(6).getInt64())};
}

// A row written by another program (or a damaged file) can break the types' invariants; that is
// data loss, not a bug.
Result<BankEntry> EntryFromRow(SQLite::Statement& q, std::string_view path) {
  BankEntry e;
  e.id = q.getColumn(0).getInt64();
  e.bank_id = q.getColumn(1).getInt64();
  const std::string type = q.getColumn(2).getString();
  auto parsed = bank::ParseSignalType(type);
  if (!parsed.ok()) {
    return DataLossError(fmt::format("{}: entry {} has unknown signal type '{}'", path, e.id,
                                     bank::EscapeForMessage(type)));
  }
  e.signal_type = *parsed;
  SQLite::Column value = q.getColumn(3);
  const size_t size = static_cast<size_t>(value.getBytes());
  auto text = value.isBlob()
                  ? bank::SignalValueFromBytes(e.signal_type,
                                               {static_cast<const uint8_t*>(value.getBlob()), size})
                  : InvalidArgumentError("not a blob");
  if (!text.ok()) {
    return DataLossError(fmt::format("{}: entry {} has a malformed {}-byte {} value: {}", path,
                                     e.id, size, bank::SignalTypeName(e.signal_type),
                                     text.status().message()));
  }
  e.value = std::move(*text);
  e.added_at = FromSeconds(q.getColumn(4).getInt64());
  e.source_ref = q.getColumn(5).getString();
  e.verifications = q.getColumn(6).getInt();
  e.needs_verification = q.getColumn(7).getInt() != 0;
  e.retired = !q.getColumn(8).isNull();
  if (e.retired) e.retired_at = FromSeconds(q.getColumn(8).getInt64());
  e.retired_reason = q.getColumn(9).getString();
  return e;
}

// Rows in (type, value) order. Inserting random hash values in file order touches the unique
// index's pages at random, and once the index outgrows SQLite's cache each page is spilled to the
// WAL again and again; in value order the index fills sequentially. 10M rows: 3.5 min in file
// order, 1.4 min sorted (docs/performance-bank.md).
std::vector<uint32_t> InsertionOrder(const bank::EntryBatch& batch) {
  assert(batch.size() <= UINT32_MAX);
  std::vector<uint32_t> order(batch.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (batch.signal_type(a) != batch.signal_type(b)) {
      return batch.signal_type(a) < batch.signal_type(b);
    }
    const auto x = batch.value_bytes(a), y = batch.value_bytes(b);
    return std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end());
  });
  return order;
}

}  // namespace

SqliteBankStore::SqliteBankStore(SQLite::Database& db, std::mutex& mu, std::string path,
                                 std::shared_ptr<const Clock> clock)
    : db_(db), mu_(mu), path_(std::move(path)), clock_(std::move(clock)) {}

Status SqliteBankStore::CheckBankExists(BankId bank) {
  SQLite::Statement q(db_, "SELECT 1 FROM banks WHERE id = ?");
  q.bind(1, bank);
  if (!q.executeStep()) return NotFoundError(fmt::format("bank id {} does not exist", bank));
  return Status::Ok();
}

Result<Bank> SqliteBankStore::CreateBank(const bank::NewBank& bank) {
  RETURN_IF_ERROR(bank::ValidateNewBank(bank));
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<Bank> {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement exists(db_, "SELECT 1 FROM banks WHERE name = ?");
    exists.bind(1, bank.name);
    if (exists.executeStep()) {
      return AlreadyExistsError(fmt::format("bank '{}' already exists", bank.name));
    }
    SQLite::Statement ins(db_,
                          "INSERT INTO banks (name, owner, description, source_list, auto_action, "
                          "created_at) VALUES (?, ?, ?, ?, ?, ?)");
    const TimePoint now = clock_->Now();
    ins.bind(1, bank.name);
    ins.bind(2, bank.owner);
    ins.bind(3, bank.description);
    ins.bind(4, bank.source_list);
    ins.bind(5, bank.policy == bank::ActionPolicy::kAutoAction ? 1 : 0);
    ins.bind(6, Seconds(now));
    ins.exec();
    Bank out{.id = db_.getLastInsertRowid(),
             .name = bank.name,
             .owner = bank.owner,
             .description = bank.description,
             .source_list = bank.source_list,
             .policy = bank.policy,
             .created_at = now};
    tx.commit();
    return out;
  });
}

Result<Bank> SqliteBankStore::GetBank(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<Bank> {
    SQLite::Statement q(db_, fmt::format("SELECT {} FROM banks WHERE name = ?", kBankColumns));
    q.bind(1, std::string(name));
    if (!q.executeStep()) {
      return NotFoundError(fmt::format("bank '{}' does not exist", bank::EscapeForMessage(name)));
    }
    return BankFromRow(q);
  });
}

Result<std::vector<Bank>> SqliteBankStore::ListBanks() {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<std::vector<Bank>> {
    SQLite::Statement q(db_, fmt::format("SELECT {} FROM banks ORDER BY name", kBankColumns));
    std::vector<Bank> out;
    while (q.executeStep()) out.push_back(BankFromRow(q));
    return out;
  });
}

Result<bank::AddEntriesResult> SqliteBankStore::AddEntries(BankId bank,
                                                           const bank::EntryBatch& batch,
                                                           const bank::ProgressCallback& progress) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<bank::AddEntriesResult> {
    // One transaction for the whole batch: atomic, and one fsync instead of one per row.
    // Returning early (an error, a cancelled progress callback) rolls it back.
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    RETURN_IF_ERROR(CheckBankExists(bank));
    SQLite::Statement ins(
        db_,
        "INSERT INTO bank_entries (bank_id, signal_type, value, added_at, source_ref, "
        "verifications, needs_verification, retired_at, retired_reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (bank_id, signal_type, value) DO NOTHING");
    const int64_t now = Seconds(clock_->Now());
    bank::AddEntriesResult result;
    const std::vector<uint32_t> order = InsertionOrder(batch);
    for (size_t k = 0; k < batch.size(); ++k) {
      const size_t i = order[k];
      const auto value = batch.value_bytes(i);
      ins.bind(1, bank);
      ins.bindNoCopy(2, bank::SignalTypeName(batch.signal_type(i)).data());
      ins.bindNoCopy(3, value.data(), static_cast<int>(value.size()));
      const auto added_at = batch.added_at(i);
      ins.bind(4, added_at ? Seconds(*added_at) : now);
      ins.bind(5, std::string(batch.source_ref(i)));
      ins.bind(6, batch.verifications(i));
      ins.bind(7, batch.needs_verification(i) ? 1 : 0);
      if (const auto retired_at = batch.retired_at(i)) {
        ins.bind(8, Seconds(*retired_at));
      } else {
        ins.bind(8);
      }
      ins.bind(9, std::string(batch.retired_reason(i)));
      if (ins.exec() > 0) {
        ++result.added;
      } else {
        ++result.already_present;
      }
      ins.reset();
      if (progress) RETURN_IF_ERROR(progress(k + 1));
    }
    if (result.added > 0) BumpChangeCount(bank);
    tx.commit();
    return result;
  });
}

Result<BankEntry> SqliteBankStore::GetEntryLocked(EntryId id) {
  SQLite::Statement q(db_, fmt::format("SELECT {} FROM bank_entries WHERE id = ?", kEntryColumns));
  q.bind(1, id);
  if (!q.executeStep()) return NotFoundError(fmt::format("entry {} does not exist", id));
  return EntryFromRow(q, path_);
}

Result<BankEntry> SqliteBankStore::RetireEntry(EntryId id, std::string_view reason) {
  RETURN_IF_ERROR(bank::ValidateRetireReason(reason));
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<BankEntry> {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    ASSIGN_OR_RETURN(BankEntry entry, GetEntryLocked(id));
    if (entry.retired) {
      return FailedPreconditionError(
          fmt::format("entry {} is already retired ({})", id, entry.retired_reason));
    }
    entry.retired = true;
    entry.retired_at = clock_->Now();
    entry.retired_reason = std::string(reason);
    SQLite::Statement upd(
        db_, "UPDATE bank_entries SET retired_at = ?, retired_reason = ? WHERE id = ?");
    upd.bind(1, Seconds(entry.retired_at));
    upd.bind(2, entry.retired_reason);
    upd.bind(3, id);
    upd.exec();
    BumpChangeCount(entry.bank_id);
    tx.commit();
    return entry;
  });
}

Result<BankEntry> SqliteBankStore::FlagForVerification(EntryId id) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<BankEntry> {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    ASSIGN_OR_RETURN(BankEntry entry, GetEntryLocked(id));
    SQLite::Statement upd(db_, "UPDATE bank_entries SET needs_verification = 1 WHERE id = ?");
    upd.bind(1, id);
    upd.exec();
    tx.commit();
    entry.needs_verification = true;
    return entry;
  });
}

Result<BankEntry> SqliteBankStore::GetEntry(EntryId id) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&] { return GetEntryLocked(id); });
}

Result<BankEntry> SqliteBankStore::FindEntry(BankId bank, bank::SignalType type,
                                             std::string_view value) {
  ASSIGN_OR_RETURN(std::string bytes, bank::SignalValueToBytes(type, value));
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<BankEntry> {
    RETURN_IF_ERROR(CheckBankExists(bank));
    SQLite::Statement q(db_, fmt::format("SELECT {} FROM bank_entries WHERE bank_id = ? AND "
                                         "signal_type = ? AND value = ?",
                                         kEntryColumns));
    q.bind(1, bank);
    q.bindNoCopy(2, bank::SignalTypeName(type).data());
    q.bindNoCopy(3, bytes.data(), static_cast<int>(bytes.size()));
    if (!q.executeStep()) {
      return NotFoundError(fmt::format("no {} entry {} in bank id {}", bank::SignalTypeName(type),
                                       bank::EscapeForMessage(value, 100), bank));
    }
    return EntryFromRow(q, path_);
  });
}

Status SqliteBankStore::ForEachEntry(BankId bank, const bank::EntryFilter& filter,
                                     const std::function<Status(const BankEntry&)>& fn) {
  // Keyset pages keep memory bounded and release the lock (and the read snapshot, which would
  // otherwise stop WAL checkpoints) while `fn` runs.
  const std::string sql = fmt::format(
      "SELECT {} FROM bank_entries WHERE bank_id = ? AND id > ? {} ORDER BY id LIMIT {}",
      kEntryColumns, filter.include_retired ? "" : "AND retired_at IS NULL", kStreamPageRows);
  EntryId after = 0;
  std::vector<BankEntry> page;
  bool first = true;
  while (true) {
    page.clear();
    {
      std::lock_guard<std::mutex> lock(mu_);
      RETURN_IF_ERROR(CatchSqlite(path_, [&]() -> Status {
        if (first) RETURN_IF_ERROR(CheckBankExists(bank));
        SQLite::Statement q(db_, sql);
        q.bind(1, bank);
        q.bind(2, after);
        while (q.executeStep()) {
          ASSIGN_OR_RETURN(BankEntry e, EntryFromRow(q, path_));
          page.push_back(std::move(e));
        }
        return Status::Ok();
      }));
    }
    first = false;
    for (const BankEntry& e : page) RETURN_IF_ERROR(fn(e));
    if (page.size() < static_cast<size_t>(kStreamPageRows)) return Status::Ok();
    after = page.back().id;
  }
}

void SqliteBankStore::BumpChangeCount(BankId bank) {
  SQLite::Statement upd(db_, "UPDATE banks SET entry_changes = entry_changes + 1 WHERE id = ?");
  upd.bind(1, bank);
  upd.exec();
}

Result<uint64_t> SqliteBankStore::GetChangeCount(BankId bank) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<uint64_t> {
    SQLite::Statement q(db_, "SELECT entry_changes FROM banks WHERE id = ?");
    q.bind(1, bank);
    if (!q.executeStep()) return NotFoundError(fmt::format("bank id {} does not exist", bank));
    return static_cast<uint64_t>(q.getColumn(0).getInt64());
  });
}

Result<bank::BankStats> SqliteBankStore::GetStats(BankId bank) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchSqlite(path_, [&]() -> Result<bank::BankStats> {
    RETURN_IF_ERROR(CheckBankExists(bank));
    SQLite::Statement q(db_,
                        "SELECT signal_type, retired_at IS NOT NULL, COUNT(*), "
                        "SUM(verifications > 0), SUM(needs_verification) FROM bank_entries "
                        "WHERE bank_id = ? GROUP BY 1, 2");
    q.bind(1, bank);
    bank::BankStats stats;
    while (q.executeStep()) {
      const std::string type_name = q.getColumn(0).getString();
      auto type = bank::ParseSignalType(type_name);
      if (!type.ok()) {
        return DataLossError(fmt::format("{}: bank {} has entries of unknown signal type '{}'",
                                         path_, bank, bank::EscapeForMessage(type_name)));
      }
      bank::AddStatsGroup(stats, *type, q.getColumn(1).getInt() != 0,
                          static_cast<uint64_t>(q.getColumn(2).getInt64()),
                          static_cast<uint64_t>(q.getColumn(3).getInt64()),
                          static_cast<uint64_t>(q.getColumn(4).getInt64()));
    }
    return stats;
  });
}

}  // namespace vigil::store
