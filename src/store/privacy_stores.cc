#include "store/privacy_stores.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <charconv>

#include "store/sqlite_errors.h"

namespace vigil::store {

using privacy::DpiaRecord;
using privacy::ErasedCase;
using privacy::ErasureReason;
using privacy::HoldRecord;
using privacy::Purpose;
using privacy_sql::SqlArg;
using privacy_sql::SqlRow;
using privacy_sql::SqlSession;

namespace {

int64_t Seconds(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint FromSeconds(int64_t s) { return TimePoint(std::chrono::seconds(s)); }
SqlArg OptionalTime(const std::optional<TimePoint>& t) {
  return t ? SqlArg(Seconds(*t)) : SqlArg(std::monostate{});
}

int64_t Int(const std::optional<std::string>& cell) {
  int64_t v = 0;
  if (cell) std::from_chars(cell->data(), cell->data() + cell->size(), v);
  return v;
}
std::optional<TimePoint> OptTime(const std::optional<std::string>& cell) {
  return cell ? std::optional<TimePoint>(FromSeconds(Int(cell))) : std::nullopt;
}
std::string Text(const std::optional<std::string>& cell) { return cell.value_or(""); }

// A hold on the case aliased `c` or on its account, active at parameter `now` (e.g. "$1").
std::string HeldSql(std::string_view now) {
  return fmt::format(
      "EXISTS (SELECT 1 FROM legal_holds h WHERE (h.subject = 'case:' || c.id OR "
      "(c.account_id <> '' AND h.subject = 'account:' || c.account_id)) AND h.placed_at <= {0} "
      "AND (h.ends_at IS NULL OR h.ends_at > {0}) AND (h.released_at IS NULL OR "
      "h.released_at > {0}))",
      now);
}

constexpr char kHoldColumns[] =
    "id, subject, reason, placed_by, placed_at, review_at, ends_at, released_at, released_by";

HoldRecord HoldFromRow(const SqlRow& r) {
  return HoldRecord{.id = Int(r[0]),
                    .subject = Text(r[1]),
                    .reason = Text(r[2]),
                    .placed_by = Text(r[3]),
                    .placed_at = FromSeconds(Int(r[4])),
                    .review_at = OptTime(r[5]),
                    .ends_at = OptTime(r[6]),
                    .released_at = OptTime(r[7]),
                    .released_by = Text(r[8])};
}

constexpr char kDpiaColumns[] =
    "id, technology, assessed_on, authority, outcome, link, recorded_by, recorded_at";

DpiaRecord DpiaFromRow(const SqlRow& r) {
  return DpiaRecord{.id = Int(r[0]),
                    .technology = Text(r[1]),
                    .assessed_on = FromSeconds(Int(r[2])),
                    .authority = Text(r[3]),
                    .outcome = Text(r[4]),
                    .link = Text(r[5]),
                    .recorded_by = Text(r[6]),
                    .recorded_at = FromSeconds(Int(r[7]))};
}

// Purposes stored as "reporting,blocking"; unknown names are a damaged row.
Result<std::vector<Purpose>> ParsePurposes(std::string_view text, int64_t case_id) {
  std::vector<Purpose> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    auto p = privacy::ParsePurpose(text.substr(0, comma));
    if (!p.ok()) {
      return DataLossError(
          fmt::format("case {}: stored purposes: {}", case_id, p.status().message()));
    }
    out.push_back(*p);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

Result<int64_t> Count(SqlSession& s, std::string_view sql, const std::vector<SqlArg>& args) {
  ASSIGN_OR_RETURN(std::vector<SqlRow> rows, s.Query(sql, args));
  return rows.empty() ? 0 : Int(rows[0][0]);
}

// The records of case `id` an erasure removes or clears, before it does.
Result<int64_t> ErasableRecords(SqlSession& s, int64_t id) {
  int64_t n = 1;  // the case row itself
  for (const char* table : {"case_items", "case_item_hashes", "evidence_files", "case_accounts",
                            "report_requests", "report_deliveries"}) {
    ASSIGN_OR_RETURN(
        int64_t c,
        Count(s, fmt::format("SELECT COUNT(*) FROM {} WHERE case_id = $1", table), {id}));
    n += c;
  }
  return n;
}

// Clears everything but the error-accounting skeleton (privacy_store.h); the case row is marked
// first so the case_events trigger allows blanking its details.
Status ClearCase(SqlSession& s, int64_t id, ErasureReason reason, TimePoint at) {
  const std::string why(privacy::ErasureReasonName(reason));
  const std::vector<SqlArg> by_id{id};
  // Placeholders rather than blanks: the annual report tells items (and solicitation accounts)
  // apart by these ids, so each erased one stays distinct without identifying anything.
  RETURN_IF_ERROR(s.Exec("UPDATE cases SET account_id = '(erased case ' || id || ')', "
                         "lease_reviewer = NULL, "
                         "lease_expires_at = NULL, erased_at = $1, erased_reason = $2 "
                         "WHERE id = $3",
                         {Seconds(at), why, id})
                      .status());
  for (const char* sql : {
           "UPDATE case_items SET item_id = '(erased item ' || position || ')', received_at = 0 "
           "WHERE case_id = $1",
           "DELETE FROM case_item_hashes WHERE case_id = $1",
           "UPDATE case_reviews SET rationale = '' WHERE case_id = $1",
           "UPDATE false_positives SET item_id = '', reviewer = '' WHERE case_id = $1",
           "DELETE FROM evidence_files WHERE case_id = $1",
           "DELETE FROM case_accounts WHERE case_id = $1",
           "DELETE FROM report_deliveries WHERE case_id = $1",
           "DELETE FROM report_requests WHERE case_id = $1",
           "UPDATE case_events SET details = '(erased)' WHERE case_id = $1 AND "
           "details <> '(erased)'",
       }) {
    RETURN_IF_ERROR(s.Exec(sql, by_id).status());
  }
  return Status::Ok();
}

// kNotFound when case `case_id` does not exist, kFailedPrecondition when it was erased: an
// erased case takes no new personal data (`what` names what was offered).
Status RequireUnerasedCase(SqlSession& s, int64_t case_id, std::string_view what) {
  ASSIGN_OR_RETURN(std::vector<SqlRow> rows,
                   s.Query("SELECT erased_at FROM cases WHERE id = $1", {case_id}));
  if (rows.empty()) return NotFoundError(fmt::format("case {} does not exist", case_id));
  if (rows[0][0]) {
    return FailedPreconditionError(
        fmt::format("case {} was erased; it takes no {}", case_id, what));
  }
  return Status::Ok();
}

}  // namespace

Status SqlPrivacyStore::PutRetentionPolicy(const privacy::RetentionPolicy& policy, TimePoint at) {
  RETURN_IF_ERROR(privacy::ValidateRetentionPolicy(policy));
  return transact_([&](SqlSession& s) -> Status {
    for (const auto& [purpose, days] : policy.max_age) {
      RETURN_IF_ERROR(
          s.Exec("INSERT INTO retention_policy (purpose, max_age_days, updated_at) VALUES ($1, "
                 "$2, $3) ON CONFLICT (purpose) DO UPDATE SET max_age_days = "
                 "excluded.max_age_days, updated_at = excluded.updated_at",
                 {std::string(privacy::PurposeName(purpose)), int64_t{days.count()}, Seconds(at)})
              .status());
    }
    return Status::Ok();
  });
}

Result<privacy::RetentionPolicy> SqlPrivacyStore::GetRetentionPolicy() {
  privacy::RetentionPolicy policy;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(std::vector<SqlRow> rows,
                     s.Query("SELECT purpose, max_age_days FROM retention_policy", {}));
    for (const SqlRow& r : rows) {
      auto p = privacy::ParsePurpose(Text(r[0]));
      if (!p.ok()) return DataLossError(fmt::format("retention_policy: {}", p.status().message()));
      policy.max_age[*p] = std::chrono::days(Int(r[1]));
    }
    return Status::Ok();
  }));
  return policy;
}

Result<HoldRecord> SqlPrivacyStore::AddHold(const HoldRecord& hold) {
  RETURN_IF_ERROR(privacy::ValidateHoldRecord(hold));
  HoldRecord stored = hold;
  stored.released_at.reset();
  stored.released_by.clear();
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        s.Query("INSERT INTO legal_holds (subject, reason, placed_by, placed_at, review_at, "
                "ends_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                {hold.subject, hold.reason, hold.placed_by, Seconds(hold.placed_at),
                 OptionalTime(hold.review_at), OptionalTime(hold.ends_at)}));
    stored.id = Int(rows.at(0)[0]);
    return Status::Ok();
  }));
  return stored;
}

Result<std::vector<HoldRecord>> SqlPrivacyStore::ListHolds(std::optional<TimePoint> active_at) {
  std::vector<HoldRecord> out;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        s.Query(fmt::format("SELECT {} FROM legal_holds ORDER BY id", kHoldColumns), {}));
    for (const SqlRow& r : rows) {
      HoldRecord h = HoldFromRow(r);
      if (!active_at || privacy::IsHoldActive(privacy::AsLegalHold(h), *active_at)) {
        out.push_back(std::move(h));
      }
    }
    return Status::Ok();
  }));
  return out;
}

Result<HoldRecord> SqlPrivacyStore::ReleaseHold(int64_t id, std::string_view by, TimePoint at) {
  if (by.empty()) return InvalidArgumentError("legal hold release: released_by is empty");
  HoldRecord out;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        s.Query(fmt::format("SELECT {} FROM legal_holds WHERE id = $1", kHoldColumns), {id}));
    if (rows.empty()) return NotFoundError(fmt::format("legal hold {} does not exist", id));
    out = HoldFromRow(rows[0]);
    if (out.released_at) {
      return FailedPreconditionError(
          fmt::format("legal hold {} was already released at {}", id, FormatUtc(*out.released_at)));
    }
    out.released_at = std::max(at, out.placed_at);
    out.released_by = std::string(by);
    return s
        .Exec("UPDATE legal_holds SET released_at = $1, released_by = $2 WHERE id = $3",
              {Seconds(*out.released_at), out.released_by, id})
        .status();
  }));
  return out;
}

Result<DpiaRecord> SqlPrivacyStore::AddDpia(const DpiaRecord& record) {
  RETURN_IF_ERROR(privacy::ValidateDpiaRecord(record));
  DpiaRecord stored = record;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        s.Query("INSERT INTO dpia_records (technology, assessed_on, authority, outcome, link, "
                "recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                {record.technology, Seconds(record.assessed_on), record.authority, record.outcome,
                 record.link, record.recorded_by, Seconds(record.recorded_at)}));
    stored.id = Int(rows.at(0)[0]);
    return Status::Ok();
  }));
  return stored;
}

Result<std::vector<DpiaRecord>> SqlPrivacyStore::ListDpia(std::optional<std::string> technology) {
  std::vector<DpiaRecord> out;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        s.Query(fmt::format("SELECT {} FROM dpia_records WHERE ($1 = '' OR technology = $1) "
                            "ORDER BY id",
                            kDpiaColumns),
                {technology.value_or("")}));
    for (const SqlRow& r : rows) out.push_back(DpiaFromRow(r));
    return Status::Ok();
  }));
  return out;
}

Status SqlPrivacyStore::AddEvidence(int64_t case_id, int64_t position, std::string_view file,
                                    int64_t bytes, TimePoint at) {
  return transact_([&](SqlSession& s) -> Status {
    RETURN_IF_ERROR(RequireUnerasedCase(s, case_id, "evidence"));
    return s
        .Exec(
            "INSERT INTO evidence_files (case_id, item_position, file, bytes, created_at) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id, item_position) DO NOTHING",
            {case_id, position, std::string(file), bytes, Seconds(at)})
        .status();
  });
}

Result<std::vector<privacy::EvidenceRow>> SqlPrivacyStore::ListEvidence(
    std::optional<int64_t> case_id) {
  std::vector<privacy::EvidenceRow> out;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        s.Query("SELECT case_id, item_position, file, bytes, created_at, expires_at FROM "
                "evidence_files WHERE ($1 = 0 OR case_id = $1) ORDER BY case_id, item_position",
                {case_id.value_or(0)}));
    for (const SqlRow& r : rows) {
      out.push_back({Int(r[0]), Int(r[1]), Text(r[2]), Int(r[3]), FromSeconds(Int(r[4])),
                     FromSeconds(Int(r[5]))});
    }
    return Status::Ok();
  }));
  return out;
}

Status SqlPrivacyStore::PutSealedAccount(int64_t case_id, std::string_view sealed_hex,
                                         TimePoint at) {
  return transact_([&](SqlSession& s) -> Status {
    RETURN_IF_ERROR(RequireUnerasedCase(s, case_id, "account id"));
    return s
        .Exec(
            "INSERT INTO case_accounts (case_id, sealed, created_at) VALUES ($1, $2, $3) "
            "ON CONFLICT (case_id) DO NOTHING",
            {case_id, std::string(sealed_hex), Seconds(at)})
        .status();
  });
}

Result<std::optional<std::string>> SqlPrivacyStore::GetSealedAccount(int64_t case_id) {
  std::optional<std::string> out;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(std::vector<SqlRow> rows,
                     s.Query("SELECT sealed FROM case_accounts WHERE case_id = $1", {case_id}));
    if (!rows.empty()) out = Text(rows[0][0]);
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<int64_t>> SqlPrivacyStore::DueCases(TimePoint now, size_t limit) {
  std::vector<int64_t> out;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(std::vector<SqlRow> rows,
                     s.Query(fmt::format("SELECT c.id FROM cases c WHERE c.erased_at IS NULL AND "
                                         "c.expires_at <= $1 AND NOT {} ORDER BY c.id LIMIT $2",
                                         HeldSql("$1")),
                             {Seconds(now), static_cast<int64_t>(limit)}));
    for (const SqlRow& r : rows) out.push_back(Int(r[0]));
    return Status::Ok();
  }));
  return out;
}

Result<ErasedCase> SqlPrivacyStore::EraseCase(int64_t id, ErasureReason reason, TimePoint at) {
  ErasedCase out;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        s.Query(fmt::format("SELECT c.purposes, c.expires_at <= $1 AND NOT {} FROM cases c "
                            "WHERE c.id = $2 AND c.erased_at IS NULL",
                            HeldSql("$1")),
                {Seconds(at), id}));
    if (rows.empty()) return Status::Ok();
    const bool due = Text(rows[0][1]) == "1" || Text(rows[0][1]) == "t";
    if (reason == ErasureReason::kExpired && !due) return Status::Ok();
    ASSIGN_OR_RETURN(out.purposes, ParsePurposes(Text(rows[0][0]), id));
    ASSIGN_OR_RETURN(out.records, ErasableRecords(s, id));
    RETURN_IF_ERROR(ClearCase(s, id, reason, at));
    for (Purpose p : out.purposes) {
      RETURN_IF_ERROR(
          privacy_sql::AddErasureCount(s, at, reason, privacy::PurposeName(p), out.records));
    }
    out.erased = true;
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<privacy::ErasureCount>> SqlPrivacyStore::ListErasureCounts(TimePoint from,
                                                                              TimePoint to) {
  std::vector<privacy::ErasureCount> out;
  auto day = [](TimePoint t) {
    return int64_t{std::chrono::floor<std::chrono::days>(t).time_since_epoch().count()};
  };
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        s.Query("SELECT day, reason, purpose, records FROM erasure_counts WHERE day >= $1 AND "
                "day < $2 ORDER BY day, reason, purpose",
                {day(from), day(to)}));
    for (const SqlRow& r : rows) {
      if (Text(r[2]).empty()) return DataLossError("erasure_counts: a row has no purpose");
      out.push_back({Int(r[0]),
                     Text(r[1]) == "expired" ? ErasureReason::kExpired : ErasureReason::kNotCsam,
                     Text(r[2]), Int(r[3])});
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<std::string>> SqlPrivacyStore::RetentionViolations(TimePoint now) {
  // Each check names what it found: (description, query returning case ids).
  const std::string held = HeldSql("$1");
  const std::vector<std::pair<std::string, std::string>> checks = {
      {"has no expiry", "SELECT c.id FROM cases c WHERE c.expires_at IS NULL AND $1 = $1"},
      {"expired and still holds personal data",
       fmt::format("SELECT c.id FROM cases c WHERE c.erased_at IS NULL AND c.expires_at <= $1 "
                   "AND NOT {}",
                   held)},
      // Records of a case not yet expired whose own expiry passed (stamped differently).
      {"has an item, item hash or evidence file that expired and still holds data",
       fmt::format("SELECT c.id FROM cases c WHERE c.erased_at IS NULL AND c.expires_at > $1 "
                   "AND NOT {} AND (EXISTS (SELECT 1 FROM case_items i WHERE i.case_id = c.id AND "
                   "(i.expires_at IS NULL OR i.expires_at <= $1)) OR EXISTS (SELECT 1 FROM "
                   "case_item_hashes x WHERE x.case_id = c.id AND (x.expires_at IS NULL OR "
                   "x.expires_at <= $1)) OR EXISTS (SELECT 1 FROM evidence_files e WHERE "
                   "e.case_id = c.id AND (e.expires_at IS NULL OR e.expires_at <= $1)) OR "
                   "EXISTS (SELECT 1 FROM case_accounts a WHERE a.case_id = c.id AND "
                   "(a.expires_at IS NULL OR a.expires_at <= $1)))",
                   held)},
      {"was erased but still holds personal data",
       "SELECT c.id FROM cases c WHERE c.erased_at IS NOT NULL AND $1 = $1 AND "
       "(c.account_id <> '(erased case ' || c.id || ')' OR c.lease_reviewer IS NOT NULL "
       "OR EXISTS (SELECT 1 FROM case_items i WHERE i.case_id = c.id AND "
       "(i.item_id <> '(erased item ' || i.position || ')' OR i.received_at <> 0)) "
       "OR EXISTS (SELECT 1 FROM case_item_hashes x WHERE x.case_id = c.id) "
       "OR EXISTS (SELECT 1 FROM evidence_files e WHERE e.case_id = c.id) "
       "OR EXISTS (SELECT 1 FROM case_accounts a WHERE a.case_id = c.id) "
       "OR EXISTS (SELECT 1 FROM case_reviews r WHERE r.case_id = c.id AND r.rationale <> '') "
       "OR EXISTS (SELECT 1 FROM false_positives f WHERE f.case_id = c.id AND "
       "(f.item_id <> '' OR f.reviewer <> '')) "
       "OR EXISTS (SELECT 1 FROM report_requests q WHERE q.case_id = c.id) "
       "OR EXISTS (SELECT 1 FROM report_deliveries d WHERE d.case_id = c.id) "
       "OR EXISTS (SELECT 1 FROM case_events v WHERE v.case_id = c.id AND "
       "v.details <> '(erased)'))"},
  };
  std::vector<std::string> out;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    for (const auto& [what, sql] : checks) {
      ASSIGN_OR_RETURN(std::vector<SqlRow> rows,
                       s.Query(sql + " ORDER BY c.id LIMIT 100", {Seconds(now)}));
      for (const SqlRow& r : rows) out.push_back(fmt::format("case {} {}", Int(r[0]), what));
    }
    return privacy_sql::AppendRecordViolations(s, now, out);
  }));
  return out;
}

std::unique_ptr<SqlPrivacyStore> SqlPrivacyStore::ForSqlite(SQLite::Database& db, std::mutex& mu,
                                                            std::string path) {
  return std::make_unique<SqlPrivacyStore>(MakeSqliteTransactor(db, mu, std::move(path)));
}

std::unique_ptr<SqlPrivacyStore> SqlPrivacyStore::ForPostgres(PgPool& pool) {
  return std::make_unique<SqlPrivacyStore>(MakePostgresTransactor(pool));
}

}  // namespace vigil::store
