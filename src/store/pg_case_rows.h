// Row mapping for PostgresCaseStore: reading cases, events, alerts and other case rows, and
// writing audit events. A row whose enum text or shape vigil does not know is kDataLoss naming
// the database and row, since it was written by another program or damaged.
//
// Thread safety: functions use the connection they are given, which one thread owns.
#ifndef VIGIL_STORE_PG_CASE_ROWS_H_
#define VIGIL_STORE_PG_CASE_ROWS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/case_store.h"
#include "cases/types.h"
#include "core/result.h"
#include "store/pg_connection.h"

namespace vigil::store::pg_cases {

int64_t Seconds(TimePoint t);
TimePoint FromSeconds(int64_t s);
std::optional<int64_t> OptionalSeconds(std::optional<TimePoint> t);
// A score in its shortest round-trip decimal form, sent as text and cast by the SQL ($n::float8).
std::string DoubleText(double value);
// A float8 column; kDataLoss when it is not a number.
Result<double> DoubleAt(const PgResult& r, int row, int col, std::string_view name);

// The case with its items, flags and reviews; kNotFound when there is none.
Result<cases::Case> ReadCase(PgConnection& conn, cases::CaseId id);
// The cases with the ids in column 0 of `ids`, in its order.
Result<std::vector<cases::Case>> ReadCases(PgConnection& conn, const PgResult& ids);

Status InsertEvent(PgConnection& conn, const cases::CaseEvent& event);

// Applies `change` as CaseStore::CompareAndSet specifies, inside the caller's transaction on
// `conn` (which commits it only when this returns true): false, writing nothing, when the
// version moved. Defined with PostgresCaseStore; the SQL session layer uses it so another
// store's rows and a case change share one transaction.
Result<bool> ApplyChange(PgConnection& conn, const cases::CaseChange& change);
inline constexpr char kEventColumns[] = "id, case_id, at, actor, action, details";
cases::CaseEvent EventFromRow(const PgResult& r, int row);

inline constexpr char kAlertColumns[] =
    "id, subject, subject_key, flag_count, threshold, window_seconds, raised_at, case_id, "
    "paused_auto_action, acknowledged_at, acknowledged_by, note";
Result<cases::ClusterAlert> AlertFromRow(const PgResult& r, int row, std::string_view name);

}  // namespace vigil::store::pg_cases

#endif  // VIGIL_STORE_PG_CASE_ROWS_H_
