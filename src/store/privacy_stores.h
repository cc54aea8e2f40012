// The data-protection records (privacy::PrivacyStore) on SQLite and PostgreSQL (migration 8).
// The SQL is written once, with $1, $2, ... parameters that both engines accept (SQLite numbers
// named parameters in order of first use, so each statement uses them in ascending order), and
// runs through a small session interface each backend implements.
//
// Thread safety: the SQLite store shares its database's mutex; the PostgreSQL one borrows pool
// connections. Every call is one transaction.
#ifndef VIGIL_STORE_PRIVACY_STORES_H_
#define VIGIL_STORE_PRIVACY_STORES_H_

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "privacy/privacy_store.h"
#include "store/pg_pool.h"
#include "store/sql_session.h"

namespace SQLite {
class Database;
}

namespace vigil::store {

namespace privacy_sql {

// The privacy SQL is written with "$n" placeholders over the shared sessions (sql_session.h).
using SqlArg = SqlValue;
using store::SqlRow;
using store::SqlSession;
using store::SqlTransactor;

// Appends the verification lines for legal holds, DPIA records and reviewer exposure past their
// periods (privacy_records.cc).
Status AppendRecordViolations(SqlSession& s, TimePoint now, std::vector<std::string>& out);

// Adds `records` erased at `at` for `purpose` to erasure_counts, in the caller's transaction;
// nothing for 0 (privacy_records.cc).
Status AddErasureCount(SqlSession& s, TimePoint at, privacy::ErasureReason reason,
                       std::string_view purpose, int64_t records);

}  // namespace privacy_sql

class SqlPrivacyStore final : public privacy::PrivacyStore {
 public:
  static std::unique_ptr<SqlPrivacyStore> ForSqlite(SQLite::Database& db, std::mutex& mu,
                                                    std::string path);
  static std::unique_ptr<SqlPrivacyStore> ForPostgres(PgPool& pool);

  explicit SqlPrivacyStore(privacy_sql::SqlTransactor transact) : transact_(std::move(transact)) {}

  Status PutRetentionPolicy(const privacy::RetentionPolicy& policy, TimePoint at) override;
  Result<privacy::RetentionPolicy> GetRetentionPolicy() override;
  Result<privacy::HoldRecord> AddHold(const privacy::HoldRecord& hold) override;
  Result<std::vector<privacy::HoldRecord>> ListHolds(std::optional<TimePoint> active_at) override;
  Result<privacy::HoldRecord> ReleaseHold(int64_t id, std::string_view by, TimePoint at) override;
  Result<privacy::DpiaRecord> AddDpia(const privacy::DpiaRecord& record) override;
  Result<std::vector<privacy::DpiaRecord>> ListDpia(std::optional<std::string> technology) override;
  Status AddEvidence(int64_t case_id, int64_t position, std::string_view file, int64_t bytes,
                     TimePoint at) override;
  Result<std::vector<privacy::EvidenceRow>> ListEvidence(std::optional<int64_t> case_id) override;
  Status PutSealedAccount(int64_t case_id, std::string_view sealed_hex, TimePoint at) override;
  Result<std::optional<std::string>> GetSealedAccount(int64_t case_id) override;
  Result<std::vector<int64_t>> DueCases(TimePoint now, size_t limit) override;
  Result<privacy::ErasedCase> EraseCase(int64_t id, privacy::ErasureReason reason,
                                        TimePoint at) override;
  Result<std::vector<privacy::ErasureCount>> ListErasureCounts(TimePoint from,
                                                               TimePoint to) override;
  Status CountErasures(TimePoint at, privacy::ErasureReason reason, std::string_view purpose,
                       int64_t records) override;
  Result<privacy::RecordPurge> PurgeRecords(TimePoint now) override;
  Result<std::vector<std::string>> RetentionViolations(TimePoint now) override;

 private:
  privacy_sql::SqlTransactor transact_;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_PRIVACY_STORES_H_
