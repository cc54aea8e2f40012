// The redress records (redress::RedressStore) on SQLite and PostgreSQL, in the tables of
// migration 10: redress_actions, user_notices (the notice outbox, written in the action's
// transaction), complaints and judicial_complaints. The SQL is written once with "?"
// placeholders and run through a small session per backend, so both backends run the same
// statements.
//
// Thread safety: the SQLite store shares its database's mutex; the PostgreSQL one borrows pool
// connections, one per call, each call one transaction.
#ifndef VIGIL_STORE_REDRESS_STORES_H_
#define VIGIL_STORE_REDRESS_STORES_H_

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "redress/redress_store.h"
#include "store/pg_pool.h"
#include "store/sql_session.h"

namespace SQLite {
class Database;
}

namespace vigil::store {

class SqlRedressStore final : public redress::RedressStore {
 public:
  explicit SqlRedressStore(SqlTransactor transact) : transact_(std::move(transact)) {}

  using redress::RedressStore::RecordAction;
  Result<redress::Action> RecordAction(const redress::Action& action,
                                       const redress::NoticeMaker& make_notice,
                                       const redress::CaseChangeMaker& make_case_change) override;
  Result<redress::Action> GetAction(redress::ActionId id) override;
  Result<std::vector<redress::Action>> ListActions(cases::CaseId case_id) override;
  Result<redress::Action> ReverseAction(redress::ActionId id,
                                        const redress::Reversal& reversal) override;
  Result<redress::Notice> GetNotice(redress::NoticeId id) override;
  Result<std::vector<redress::Notice>> ListDueNotices(TimePoint now, size_t limit) override;
  Result<std::vector<redress::Notice>> ListNotices(std::optional<cases::CaseId> case_id) override;
  Result<bool> UpdateNotice(const redress::Notice& n) override;
  Result<redress::Complaint> FileComplaint(const redress::Complaint& complaint) override;
  Result<redress::Complaint> GetComplaint(redress::ComplaintId id) override;
  Result<std::vector<redress::Complaint>> ListComplaints(
      const redress::ComplaintFilter& filter) override;
  Result<bool> UpdateComplaint(const redress::Complaint& c) override;
  Result<redress::JudicialComplaint> RecordJudicial(const redress::JudicialComplaint& j) override;
  Result<redress::JudicialComplaint> GetJudicial(redress::JudicialId id) override;
  Result<bool> UpdateJudicial(const redress::JudicialComplaint& j) override;
  Result<std::vector<redress::JudicialComplaint>> ListJudicial(
      std::optional<cases::CaseId> case_id) override;

 private:
  SqlTransactor transact_;
};

// The store over an SQLite connection guarded by `mu` (messages name `path`).
std::unique_ptr<redress::RedressStore> MakeSqliteRedressStore(SQLite::Database& db, std::mutex& mu,
                                                              std::string path);
// The store over a PostgreSQL pool.
std::unique_ptr<redress::RedressStore> MakePostgresRedressStore(PgPool& pool);

}  // namespace vigil::store

#endif  // VIGIL_STORE_REDRESS_STORES_H_
