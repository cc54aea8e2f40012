// Row mapping for SqliteCaseStore: reading cases, events, alerts and other case rows, and
// writing audit events. A row whose enum text or shape vigil does not know is kDataLoss naming
// the file and row, since it was written by another program or damaged.
//
// Thread safety: call with the connection's lock held. Functions may throw SQLite::Exception
// (the store converts it).
#ifndef VIGIL_STORE_SQLITE_CASE_ROWS_H_
#define VIGIL_STORE_SQLITE_CASE_ROWS_H_

#include <optional>
#include <string_view>
#include <vector>

#include "cases/case_store.h"
#include "cases/types.h"
#include "core/result.h"

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace vigil::store::sqlite_cases {

int64_t Seconds(TimePoint t);
TimePoint FromSeconds(int64_t s);
// Binds a time, or NULL when empty.
void BindTime(SQLite::Statement& q, int index, std::optional<TimePoint> t);

// The case with its items, flags and reviews; kNotFound when there is none.
Result<cases::Case> ReadCase(SQLite::Database& db, cases::CaseId id, std::string_view path);
// The cases whose ids `ids` (a query with the id in column 0) returns, in its order.
Result<std::vector<cases::Case>> ReadCases(SQLite::Database& db, SQLite::Statement& ids,
                                           std::string_view path);

void InsertEvent(SQLite::Database& db, const cases::CaseEvent& event);

// Applies `change` as CaseStore::CompareAndSet specifies, inside the caller's write transaction
// (which commits it only when this returns true): false, writing nothing, when the version
// moved. Defined with SqliteCaseStore; the SQL session layer uses it so another store's rows and
// a case change share one transaction.
Result<bool> ApplyChange(SQLite::Database& db, const cases::CaseChange& change);
cases::CaseEvent EventFromRow(SQLite::Statement& q);

inline constexpr char kAlertColumns[] =
    "id, subject, subject_key, flag_count, threshold, window_seconds, raised_at, case_id, "
    "paused_auto_action, acknowledged_at, acknowledged_by, note";
Result<cases::ClusterAlert> AlertFromRow(SQLite::Statement& q, std::string_view path);

}  // namespace vigil::store::sqlite_cases

#endif  // VIGIL_STORE_SQLITE_CASE_ROWS_H_
