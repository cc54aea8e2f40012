#include "store/redress_stores.h"

#include <fmt/format.h>

#include <charconv>

namespace vigil::store {

using redress::Action;
using redress::Complaint;
using redress::JudicialComplaint;
using redress::Notice;

namespace {

using Params = std::vector<SqlValue>;

int64_t Seconds(TimePoint t) { return t.time_since_epoch().count(); }
SqlValue OptSeconds(const std::optional<TimePoint>& t) {
  return t ? SqlValue(Seconds(*t)) : SqlValue();
}
SqlValue OptInt(const std::optional<int64_t>& v) { return v ? SqlValue(*v) : SqlValue(); }

// A column list without its leading "id, ": the store assigns ids on insert.
std::string_view WithoutId(std::string_view columns) { return columns.substr(4); }

// Reads one row's columns in order; a malformed value is kDataLoss naming the table.
class RowReader {
 public:
  RowReader(const SqlRow& row, std::string_view table) : row_(row), table_(table) {}
  std::string Text() { return Next().value_or(""); }
  int64_t Int() {
    const std::optional<std::string> v = Next();
    int64_t out = 0;
    if (!v || std::from_chars(v->data(), v->data() + v->size(), out).ec != std::errc()) {
      bad_ = true;
    }
    return out;
  }
  std::optional<int64_t> OptionalInt() {
    if (pos_ < row_.size() && !row_[pos_]) {
      ++pos_;
      return std::nullopt;
    }
    return Int();
  }
  TimePoint Time() { return TimePoint(std::chrono::seconds(Int())); }
  std::optional<TimePoint> OptionalTime() {
    const std::optional<int64_t> s = OptionalInt();
    return s ? std::optional<TimePoint>(TimePoint(std::chrono::seconds(*s))) : std::nullopt;
  }
  Status status() const {
    return bad_ ? DataLossError(fmt::format("{}: a row has a malformed number", table_))
                : Status::Ok();
  }

 private:
  std::optional<std::string> Next() {
    if (pos_ >= row_.size()) {
      bad_ = true;
      return std::nullopt;
    }
    return row_[pos_++];
  }
  const SqlRow& row_;
  std::string_view table_;
  size_t pos_ = 0;
  bool bad_ = false;
};

constexpr char kActionColumns[] =
    "id, case_id, kind, item_id, account_id, reason, technologies, actor, taken_at, "
    "reversed_at, reversed_by, reversal_reason, purpose, expires_at";

Result<Action> ActionFromRow(const SqlRow& row) {
  RowReader r(row, "redress_actions");
  Action a{.id = r.Int(), .case_id = r.Int()};
  const std::string kind = r.Text();
  a.item_id = r.Text();
  a.account_id = r.Text();
  a.reason = r.Text();
  a.technologies = r.Text();
  a.actor = r.Text();
  a.taken_at = r.Time();
  a.reversed_at = r.OptionalTime();
  a.reversed_by = r.Text();
  a.reversal_reason = r.Text();
  a.purpose = r.Text();
  a.expires_at = r.Time();
  RETURN_IF_ERROR(r.status());
  ASSIGN_OR_RETURN(a.kind, redress::ParseActionKind(kind));
  return a;
}

constexpr char kNoticeColumns[] =
    "id, action_id, case_id, account_id, language, template_version, body, state, attempts, "
    "created_at, next_attempt_at, last_error, delivered_at, version, purpose, expires_at";

Result<Notice> NoticeFromRow(const SqlRow& row) {
  RowReader r(row, "user_notices");
  Notice n{.id = r.Int(), .action_id = r.Int(), .case_id = r.Int()};
  n.account_id = r.Text();
  n.language = r.Text();
  n.template_version = r.Text();
  n.body = r.Text();
  const std::string state = r.Text();
  n.attempts = static_cast<int>(r.Int());
  n.created_at = r.Time();
  n.next_attempt_at = r.Time();
  n.last_error = r.Text();
  n.delivered_at = r.OptionalTime();
  n.version = r.Int();
  n.purpose = r.Text();
  n.expires_at = r.Time();
  RETURN_IF_ERROR(r.status());
  ASSIGN_OR_RETURN(n.state, redress::ParseNoticeState(state));
  return n;
}

constexpr char kComplaintColumns[] =
    "id, action_id, case_id, account_id, filed_by, text, filed_at, state, outcome, reviewer, "
    "rationale, decided_at, report_followup, version, purpose, expires_at";

Result<Complaint> ComplaintFromRow(const SqlRow& row) {
  RowReader r(row, "complaints");
  Complaint c{.id = r.Int(), .action_id = r.Int(), .case_id = r.Int()};
  c.account_id = r.Text();
  c.filed_by = r.Text();
  c.text = r.Text();
  c.filed_at = r.Time();
  const std::string state = r.Text();
  const std::string outcome = r.Text();
  c.reviewer = r.Text();
  c.rationale = r.Text();
  c.decided_at = r.OptionalTime();
  c.report_followup = r.Text();
  c.version = r.Int();
  c.purpose = r.Text();
  c.expires_at = r.Time();
  RETURN_IF_ERROR(r.status());
  ASSIGN_OR_RETURN(c.state, redress::ParseComplaintState(state));
  if (!outcome.empty()) {
    ASSIGN_OR_RETURN(c.outcome, redress::ParseComplaintOutcome(outcome));
  }
  return c;
}

constexpr char kJudicialColumns[] =
    "id, case_id, action_id, authority, reference, filed_at, outcome, outcome_at, recorded_by, "
    "version, purpose, expires_at";

Result<JudicialComplaint> JudicialFromRow(const SqlRow& row) {
  RowReader r(row, "judicial_complaints");
  JudicialComplaint j{.id = r.Int(), .case_id = r.Int(), .action_id = r.OptionalInt()};
  j.authority = r.Text();
  j.reference = r.Text();
  j.filed_at = r.Time();
  j.outcome = r.Text();
  j.outcome_at = r.OptionalTime();
  j.recorded_by = r.Text();
  j.version = r.Int();
  j.purpose = r.Text();
  j.expires_at = r.Time();
  RETURN_IF_ERROR(r.status());
  return j;
}

template <typename T>
Result<std::vector<T>> AllRows(const std::vector<SqlRow>& rows,
                               Result<T> (*from_row)(const SqlRow&)) {
  std::vector<T> out;
  for (const SqlRow& row : rows) {
    ASSIGN_OR_RETURN(T v, from_row(row));
    out.push_back(std::move(v));
  }
  return out;
}

template <typename T>
Result<std::vector<T>> Select(SqlSession& s, std::string_view sql, const Params& params,
                              Result<T> (*from_row)(const SqlRow&)) {
  ASSIGN_OR_RETURN(std::vector<SqlRow> rows, s.Query(sql, params));
  return AllRows(rows, from_row);
}

Status CaseExists(SqlSession& s, cases::CaseId id) {
  ASSIGN_OR_RETURN(std::vector<SqlRow> rows, s.Query("SELECT 1 FROM cases WHERE id = ?", {id}));
  return rows.empty() ? redress::CaseNotFound(id) : Status::Ok();
}

Result<int64_t> InsertedId(const std::vector<SqlRow>& rows) {
  if (rows.empty() || !rows[0][0]) return InternalError("insert returned no id");
  return std::stoll(*rows[0][0]);
}

Status InsertNotice(SqlSession& s, Notice n) {
  return s
      .Query(fmt::format("INSERT INTO user_notices ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                         "?, ?, 1, ?, ?) RETURNING id",
                         WithoutId(kNoticeColumns)),
             {n.action_id, n.case_id, n.account_id, n.language, n.template_version, n.body,
              std::string(redress::NoticeStateName(n.state)), int64_t{n.attempts},
              Seconds(n.created_at), Seconds(n.next_attempt_at), n.last_error,
              OptSeconds(n.delivered_at), n.purpose, Seconds(n.expires_at)})
      .status();
}

// The action's case change, after the action and its notice were written: any error (the
// version moved, the maker failed) rolls all of them back.
Status ApplyCaseChange(SqlSession& s, const Action& stored,
                       const redress::CaseChangeMaker& make_case_change) {
  if (!make_case_change) return Status::Ok();
  ASSIGN_OR_RETURN(std::optional<cases::CaseChange> change, make_case_change(stored));
  if (!change) return Status::Ok();
  RETURN_IF_ERROR(redress::CheckCaseChange(stored, *change));
  ASSIGN_OR_RETURN(const bool applied, s.ApplyCaseChange(*change));
  return applied ? Status::Ok() : redress::CaseChangedError(*change);
}

}  // namespace

Result<Action> SqlRedressStore::RecordAction(const Action& action,
                                             const redress::NoticeMaker& make_notice,
                                             const redress::CaseChangeMaker& make_case_change) {
  Action stored = action;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    RETURN_IF_ERROR(CaseExists(s, action.case_id));
    ASSIGN_OR_RETURN(
        std::vector<Action> same,
        Select(s,
               fmt::format("SELECT {} FROM redress_actions WHERE case_id = ? AND "
                           "kind = ? AND item_id = ?",
                           kActionColumns),
               {action.case_id, std::string(redress::ActionKindName(action.kind)), action.item_id},
               ActionFromRow));
    if (!same.empty()) return redress::DuplicateActionError(same.front());
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> id,
        s.Query(fmt::format("INSERT INTO redress_actions ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                            "?, ?, ?, ?, ?) RETURNING id",
                            WithoutId(kActionColumns)),
                {action.case_id, std::string(redress::ActionKindName(action.kind)), action.item_id,
                 action.account_id, action.reason, action.technologies, action.actor,
                 Seconds(action.taken_at), OptSeconds(action.reversed_at), action.reversed_by,
                 action.reversal_reason, action.purpose, Seconds(action.expires_at)}));
    ASSIGN_OR_RETURN(stored.id, InsertedId(id));
    if (make_notice) {
      ASSIGN_OR_RETURN(std::optional<Notice> notice, make_notice(stored));
      if (notice) {
        Notice n = *notice;
        n.action_id = stored.id;
        RETURN_IF_ERROR(InsertNotice(s, n));
      }
    }
    return ApplyCaseChange(s, stored, make_case_change);
  }));
  return stored;
}

Result<Action> SqlRedressStore::GetAction(redress::ActionId id) {
  std::vector<Action> rows;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(
        rows, Select(s, fmt::format("SELECT {} FROM redress_actions WHERE id = ?", kActionColumns),
                     {id}, ActionFromRow));
    return Status::Ok();
  }));
  if (rows.empty()) return redress::ActionNotFound(id);
  return rows.front();
}

Result<std::vector<Action>> SqlRedressStore::ListActions(cases::CaseId case_id) {
  std::vector<Action> rows;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(rows,
                     Select(s,
                            fmt::format("SELECT {} FROM redress_actions WHERE case_id = ? ORDER "
                                        "BY id",
                                        kActionColumns),
                            {case_id}, ActionFromRow));
    return Status::Ok();
  }));
  return rows;
}

Result<Action> SqlRedressStore::ReverseAction(redress::ActionId id,
                                              const redress::Reversal& reversal) {
  Action out;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(int64_t changed,
                     s.Exec("UPDATE redress_actions SET reversed_at = ?, reversed_by = ?, "
                            "reversal_reason = ? WHERE id = ? AND reversed_at IS NULL",
                            {Seconds(reversal.at), reversal.by, reversal.reason, id}));
    ASSIGN_OR_RETURN(
        std::vector<Action> rows,
        Select(s, fmt::format("SELECT {} FROM redress_actions WHERE id = ?", kActionColumns), {id},
               ActionFromRow));
    if (rows.empty()) return redress::ActionNotFound(id);
    if (changed == 0) return redress::AlreadyReversedError(rows.front());
    out = rows.front();
    return Status::Ok();
  }));
  return out;
}

Result<Notice> SqlRedressStore::GetNotice(redress::NoticeId id) {
  std::vector<Notice> rows;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(
        rows, Select(s, fmt::format("SELECT {} FROM user_notices WHERE id = ?", kNoticeColumns),
                     {id}, NoticeFromRow));
    return Status::Ok();
  }));
  if (rows.empty()) return redress::NoticeNotFound(id);
  return rows.front();
}

Result<std::vector<Notice>> SqlRedressStore::ListDueNotices(TimePoint now, size_t limit) {
  std::vector<Notice> rows;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(rows, Select(s,
                                  fmt::format("SELECT {} FROM user_notices WHERE state = "
                                              "'pending' AND next_attempt_at <= ? ORDER BY "
                                              "next_attempt_at, id LIMIT ?",
                                              kNoticeColumns),
                                  {Seconds(now), static_cast<int64_t>(limit)}, NoticeFromRow));
    return Status::Ok();
  }));
  return rows;
}

Result<std::vector<Notice>> SqlRedressStore::ListNotices(std::optional<cases::CaseId> case_id) {
  std::vector<Notice> rows;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(rows, Select(s,
                                  fmt::format("SELECT {} FROM user_notices WHERE (? = 0 OR "
                                              "case_id = ?) ORDER BY id",
                                              kNoticeColumns),
                                  {case_id.value_or(0), case_id.value_or(0)}, NoticeFromRow));
    return Status::Ok();
  }));
  return rows;
}

Result<bool> SqlRedressStore::UpdateNotice(const Notice& n) {
  bool stored = false;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(int64_t changed,
                     s.Exec("UPDATE user_notices SET state = ?, attempts = ?, next_attempt_at = ?, "
                            "last_error = ?, delivered_at = ?, version = version + 1 WHERE id = ? "
                            "AND version = ?",
                            {std::string(redress::NoticeStateName(n.state)), int64_t{n.attempts},
                             Seconds(n.next_attempt_at), n.last_error, OptSeconds(n.delivered_at),
                             n.id, n.version}));
    stored = changed == 1;
    if (stored) return Status::Ok();
    ASSIGN_OR_RETURN(std::vector<SqlRow> exists,
                     s.Query("SELECT 1 FROM user_notices WHERE id = ?", {n.id}));
    return exists.empty() ? redress::NoticeNotFound(n.id) : Status::Ok();
  }));
  return stored;
}

Result<Complaint> SqlRedressStore::FileComplaint(const Complaint& complaint) {
  Complaint stored = complaint;
  stored.version = 1;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(std::vector<SqlRow> action,
                     s.Query("SELECT 1 FROM redress_actions WHERE id = ?", {complaint.action_id}));
    if (action.empty()) return redress::ActionNotFound(complaint.action_id);
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> same,
        s.Query("SELECT id FROM complaints WHERE action_id = ?", {complaint.action_id}));
    if (!same.empty()) {
      ASSIGN_OR_RETURN(int64_t existing, InsertedId(same));
      return redress::DuplicateComplaintError(complaint.action_id, existing);
    }
    const std::optional<std::string> outcome =
        complaint.outcome
            ? std::optional<std::string>(redress::ComplaintOutcomeName(*complaint.outcome))
            : std::nullopt;
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> id,
        s.Query(fmt::format("INSERT INTO complaints ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                            "?, 1, ?, ?) RETURNING id",
                            WithoutId(kComplaintColumns)),
                {complaint.action_id, complaint.case_id, complaint.account_id, complaint.filed_by,
                 complaint.text, Seconds(complaint.filed_at),
                 std::string(redress::ComplaintStateName(complaint.state)), outcome.value_or(""),
                 complaint.reviewer, complaint.rationale, OptSeconds(complaint.decided_at),
                 complaint.report_followup, complaint.purpose, Seconds(complaint.expires_at)}));
    ASSIGN_OR_RETURN(stored.id, InsertedId(id));
    return Status::Ok();
  }));
  return stored;
}

Result<Complaint> SqlRedressStore::GetComplaint(redress::ComplaintId id) {
  std::vector<Complaint> rows;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(
        rows, Select(s, fmt::format("SELECT {} FROM complaints WHERE id = ?", kComplaintColumns),
                     {id}, ComplaintFromRow));
    return Status::Ok();
  }));
  if (rows.empty()) return redress::ComplaintNotFound(id);
  return rows.front();
}

Result<std::vector<Complaint>> SqlRedressStore::ListComplaints(const redress::ComplaintFilter& f) {
  std::vector<Complaint> rows;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(rows, Select(s,
                                  fmt::format("SELECT {} FROM complaints WHERE (? = 0 OR "
                                              "case_id = ?) AND (? = 0 OR state = 'open') ORDER "
                                              "BY id LIMIT ?",
                                              kComplaintColumns),
                                  {f.case_id.value_or(0), f.case_id.value_or(0),
                                   int64_t{f.open_only}, static_cast<int64_t>(f.limit)},
                                  ComplaintFromRow));
    return Status::Ok();
  }));
  return rows;
}

Result<bool> SqlRedressStore::UpdateComplaint(const Complaint& c) {
  bool stored = false;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(
        int64_t changed,
        s.Exec("UPDATE complaints SET state = ?, outcome = ?, reviewer = ?, rationale = ?, "
               "decided_at = ?, report_followup = ?, version = version + 1 WHERE id = ? AND "
               "version = ?",
               {std::string(redress::ComplaintStateName(c.state)),
                c.outcome ? std::string(redress::ComplaintOutcomeName(*c.outcome)) : std::string(),
                c.reviewer, c.rationale, OptSeconds(c.decided_at), c.report_followup, c.id,
                c.version}));
    stored = changed == 1;
    if (stored) return Status::Ok();
    ASSIGN_OR_RETURN(std::vector<SqlRow> exists,
                     s.Query("SELECT 1 FROM complaints WHERE id = ?", {c.id}));
    return exists.empty() ? redress::ComplaintNotFound(c.id) : Status::Ok();
  }));
  return stored;
}

Result<JudicialComplaint> SqlRedressStore::RecordJudicial(const JudicialComplaint& j) {
  JudicialComplaint stored = j;
  stored.version = 1;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    RETURN_IF_ERROR(CaseExists(s, j.case_id));
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> id,
        s.Query(fmt::format("INSERT INTO judicial_complaints ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                            "1, ?, ?) RETURNING id",
                            WithoutId(kJudicialColumns)),
                {j.case_id, OptInt(j.action_id), j.authority, j.reference, Seconds(j.filed_at),
                 j.outcome, OptSeconds(j.outcome_at), j.recorded_by, j.purpose,
                 Seconds(j.expires_at)}));
    ASSIGN_OR_RETURN(stored.id, InsertedId(id));
    return Status::Ok();
  }));
  return stored;
}

Result<JudicialComplaint> SqlRedressStore::GetJudicial(redress::JudicialId id) {
  std::vector<JudicialComplaint> rows;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(
        rows,
        Select(s, fmt::format("SELECT {} FROM judicial_complaints WHERE id = ?", kJudicialColumns),
               {id}, JudicialFromRow));
    return Status::Ok();
  }));
  if (rows.empty()) return redress::JudicialNotFound(id);
  return rows.front();
}

Result<bool> SqlRedressStore::UpdateJudicial(const JudicialComplaint& j) {
  bool stored = false;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(int64_t changed,
                     s.Exec("UPDATE judicial_complaints SET outcome = ?, outcome_at = ?, "
                            "version = version + 1 WHERE id = ? AND version = ?",
                            {j.outcome, OptSeconds(j.outcome_at), j.id, j.version}));
    stored = changed == 1;
    if (stored) return Status::Ok();
    ASSIGN_OR_RETURN(std::vector<SqlRow> exists,
                     s.Query("SELECT 1 FROM judicial_complaints WHERE id = ?", {j.id}));
    return exists.empty() ? redress::JudicialNotFound(j.id) : Status::Ok();
  }));
  return stored;
}

Result<std::vector<JudicialComplaint>> SqlRedressStore::ListJudicial(
    std::optional<cases::CaseId> case_id) {
  std::vector<JudicialComplaint> rows;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(rows, Select(s,
                                  fmt::format("SELECT {} FROM judicial_complaints WHERE (? = 0 "
                                              "OR case_id = ?) ORDER BY id",
                                              kJudicialColumns),
                                  {case_id.value_or(0), case_id.value_or(0)}, JudicialFromRow));
    return Status::Ok();
  }));
  return rows;
}

}  // namespace vigil::store
