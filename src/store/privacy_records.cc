// The retention of records outside cases on SQLite and PostgreSQL (privacy/record_retention.h):
// legal holds, DPIA records and reviewers' exposure by their fixed periods, and the classifier's
// retry items (classify_retries, migration 21) by the expiry the retention policy stamped on
// them, purged and verified in the same SQL for both engines.
#include <fmt/format.h>

#include <charconv>

#include "privacy/data_map.h"
#include "privacy/record_retention.h"
#include "store/privacy_stores.h"

namespace vigil::store {

using privacy_sql::SqlArg;
using privacy_sql::SqlRow;
using privacy_sql::SqlSession;

namespace {

int64_t Seconds(TimePoint t) { return t.time_since_epoch().count(); }
int64_t Day(TimePoint t) {
  return std::chrono::floor<std::chrono::days>(t).time_since_epoch().count();
}
int64_t Int(const std::optional<std::string>& cell) {
  int64_t v = 0;
  if (cell) std::from_chars(cell->data(), cell->data() + cell->size(), v);
  return v;
}

// A hold is lifted at the earlier of its end and its release; $1 is the cutoff.
constexpr char kOldHolds[] =
    "(released_at IS NOT NULL AND released_at <= $1) OR (ends_at IS NOT NULL AND ends_at <= $1)";
// A DPIA record with a newer record of its technology recorded before the cutoff $1.
constexpr char kSupersededDpia[] =
    "EXISTS (SELECT 1 FROM dpia_records n WHERE n.technology = dpia_records.technology AND "
    "n.id > dpia_records.id AND n.recorded_at <= $1)";

// A classifier retry item past its expiry at $1 whose account is under no hold active at $1
// (the same test as a case's, store/privacy_stores.cc). A row without an expiry counts too: the
// table's trigger always stamps one, so a missing one is damage the verification must show.
constexpr char kExpiredRetries[] =
    "(expires_at IS NULL OR expires_at <= $1) AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE "
    "classify_retries.account_id <> '' AND h.subject = 'account:' || classify_retries.account_id "
    "AND h.placed_at <= $1 AND (h.ends_at IS NULL OR h.ends_at > $1) AND (h.released_at IS NULL "
    "OR h.released_at > $1))";

struct Cutoffs {
  int64_t holds, dpia, exposure_day;
};
Cutoffs CutoffsAt(TimePoint now) {
  return {Seconds(now - privacy::kHoldRecordRetention),
          Seconds(now - privacy::kSupersededDpiaRetention), Day(now - privacy::kExposureRetention)};
}

// Deletes the expired classifier retry items (Art 3(1)(h): they hold the item itself) and
// credits each to the purposes stamped on it in `out` (counted by the caller).
Status PurgeRetries(SqlSession& s, TimePoint now, privacy::RecordPurge& out) {
  ASSIGN_OR_RETURN(std::vector<SqlRow> gone,
                   s.Query(fmt::format("DELETE FROM classify_retries WHERE {} RETURNING purposes",
                                       kExpiredRetries),
                           {Seconds(now)}));
  out.classify_retries = static_cast<int64_t>(gone.size());
  for (const SqlRow& r : gone) {
    std::string_view text = r[0] ? std::string_view(*r[0]) : std::string_view();
    while (!text.empty()) {
      const size_t comma = text.find(',');
      auto p = privacy::ParsePurpose(text.substr(0, comma));
      if (!p.ok()) {
        return DataLossError(
            fmt::format("classify_retries: stored purposes: {}", p.status().message()));
      }
      ++out.by_purpose[std::string(privacy::PurposeName(*p))];
      text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    }
  }
  return Status::Ok();
}

// Credits `n` deleted rows of `table` to its purposes in the data map (privacy::PurgedAs).
Status CreditTable(std::string_view table, int64_t n, privacy::RecordPurge& out) {
  if (n == 0) return Status::Ok();
  ASSIGN_OR_RETURN(std::vector<std::string> purposes, privacy::PurgedAs(table));
  for (const std::string& p : purposes) out.by_purpose[p] += n;
  return Status::Ok();
}

}  // namespace

namespace privacy_sql {

Status AddErasureCount(SqlSession& s, TimePoint at, privacy::ErasureReason reason,
                       std::string_view purpose, int64_t records) {
  RETURN_IF_ERROR(privacy::ValidateErasureCount(purpose, records));
  if (records == 0) return Status::Ok();
  return s
      .Exec(
          "INSERT INTO erasure_counts (day, reason, purpose, records) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT (day, reason, purpose) DO UPDATE SET records = erasure_counts.records + "
          "excluded.records",
          {Day(at), std::string(privacy::ErasureReasonName(reason)), std::string(purpose), records})
      .status();
}

Status AppendRecordViolations(SqlSession& s, TimePoint now, std::vector<std::string>& out) {
  const Cutoffs c = CutoffsAt(now);
  ASSIGN_OR_RETURN(
      std::vector<SqlRow> holds,
      s.Query(fmt::format("SELECT id FROM legal_holds WHERE {} ORDER BY id LIMIT 100", kOldHolds),
              {c.holds}));
  for (const SqlRow& r : holds) {
    out.push_back(fmt::format("legal hold {} ended more than {} days ago and is kept", Int(r[0]),
                              privacy::kHoldRecordRetention.count()));
  }
  ASSIGN_OR_RETURN(std::vector<SqlRow> dpia,
                   s.Query(fmt::format("SELECT id FROM dpia_records WHERE {} ORDER BY id LIMIT 100",
                                       kSupersededDpia),
                           {c.dpia}));
  for (const SqlRow& r : dpia) {
    out.push_back(fmt::format("DPIA record {} was superseded more than {} days ago and is kept",
                              Int(r[0]), privacy::kSupersededDpiaRetention.count()));
  }
  ASSIGN_OR_RETURN(
      std::vector<SqlRow> exposure,
      s.Query("SELECT COUNT(*) FROM reviewer_exposure WHERE day < $1", {c.exposure_day}));
  if (!exposure.empty() && Int(exposure[0][0]) > 0) {
    out.push_back(fmt::format("{} reviewer exposure rows are older than {} days",
                              Int(exposure[0][0]), privacy::kExposureRetention.count()));
  }
  ASSIGN_OR_RETURN(
      std::vector<SqlRow> retries,
      s.Query(fmt::format("SELECT COUNT(*) FROM classify_retries WHERE {}", kExpiredRetries),
              {Seconds(now)}));
  if (!retries.empty() && Int(retries[0][0]) > 0) {
    out.push_back(fmt::format("{} classifier retry item(s) are past their expiry and not held",
                              Int(retries[0][0])));
  }
  return Status::Ok();
}

}  // namespace privacy_sql

Result<privacy::RecordPurge> SqlPrivacyStore::PurgeRecords(TimePoint now) {
  const Cutoffs c = CutoffsAt(now);
  privacy::RecordPurge out;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(out.legal_holds,
                     s.Exec(fmt::format("DELETE FROM legal_holds WHERE {}", kOldHolds), {c.holds}));
    ASSIGN_OR_RETURN(
        out.dpia_records,
        s.Exec(fmt::format("DELETE FROM dpia_records WHERE {}", kSupersededDpia), {c.dpia}));
    ASSIGN_OR_RETURN(out.reviewer_exposure,
                     s.Exec("DELETE FROM reviewer_exposure WHERE day < $1", {c.exposure_day}));
    RETURN_IF_ERROR(PurgeRetries(s, now, out));
    RETURN_IF_ERROR(CreditTable("legal_holds", out.legal_holds, out));
    RETURN_IF_ERROR(CreditTable("dpia_records", out.dpia_records, out));
    RETURN_IF_ERROR(CreditTable("reviewer_exposure", out.reviewer_exposure, out));
    // Counted in the same transaction as the deletions: a purge that fails counts nothing.
    for (const auto& [purpose, n] : out.by_purpose) {
      RETURN_IF_ERROR(
          privacy_sql::AddErasureCount(s, now, privacy::ErasureReason::kExpired, purpose, n));
    }
    return Status::Ok();
  }));
  return out;
}

Status SqlPrivacyStore::CountErasures(TimePoint at, privacy::ErasureReason reason,
                                      std::string_view purpose, int64_t records) {
  RETURN_IF_ERROR(privacy::ValidateErasureCount(purpose, records));
  return transact_(
      [&](SqlSession& s) { return privacy_sql::AddErasureCount(s, at, reason, purpose, records); });
}

}  // namespace vigil::store
