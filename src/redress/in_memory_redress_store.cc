#include <fmt/format.h>

#include <algorithm>

#include "redress/redress_store.h"

namespace vigil::redress {

Status DuplicateActionError(const Action& existing) {
  return AlreadyExistsError(fmt::format(
      "case {} already has action {}: {} {}", existing.case_id, existing.id,
      ActionKindName(existing.kind),
      existing.item_id.empty() ? "account " + existing.account_id : "item " + existing.item_id));
}
Status ActionNotFound(ActionId id) {
  return NotFoundError(fmt::format("action {} does not exist", id));
}
Status NoticeNotFound(NoticeId id) {
  return NotFoundError(fmt::format("notice {} does not exist", id));
}
Status ComplaintNotFound(ComplaintId id) {
  return NotFoundError(fmt::format("complaint {} does not exist", id));
}
Status JudicialNotFound(JudicialId id) {
  return NotFoundError(fmt::format("judicial complaint {} does not exist", id));
}
Status CaseNotFound(cases::CaseId id) {
  return NotFoundError(fmt::format("case {} does not exist", id));
}
Status DuplicateComplaintError(ActionId action, ComplaintId existing) {
  return AlreadyExistsError(fmt::format("action {} already has complaint {}", action, existing));
}
Status AlreadyReversedError(const Action& a) {
  return FailedPreconditionError(fmt::format("action {} was already reversed at {} by {}", a.id,
                                             a.reversed_at ? FormatUtc(*a.reversed_at) : "?",
                                             a.reversed_by));
}

Status CaseChangedError(const cases::CaseChange& change) {
  return FailedPreconditionError(
      fmt::format("case {} changed while the action was being recorded (version {} expected); "
                  "nothing was written, retry",
                  change.id, change.expected_version));
}

Status CheckCaseChange(const Action& action, const cases::CaseChange& change) {
  if (change.id == action.case_id) return Status::Ok();
  return InvalidArgumentError(
      fmt::format("an action on case {} cannot change case {}", action.case_id, change.id));
}

void InMemoryRedressStore::AddCase(cases::CaseId id) {
  std::lock_guard<std::mutex> lock(mu_);
  cases_.push_back(id);
}

bool InMemoryRedressStore::CaseExistsLocked(cases::CaseId id) {
  if (std::find(cases_.begin(), cases_.end(), id) != cases_.end()) return true;
  return case_store_ != nullptr && case_store_->GetCase(id).ok();
}

Result<Action> InMemoryRedressStore::RecordAction(const Action& action,
                                                  const NoticeMaker& make_notice,
                                                  const CaseChangeMaker& make_case_change) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!CaseExistsLocked(action.case_id)) return CaseNotFound(action.case_id);
  for (const auto& [id, a] : actions_) {
    if (a.case_id == action.case_id && a.kind == action.kind && a.item_id == action.item_id) {
      return DuplicateActionError(a);
    }
  }
  Action stored = action;
  stored.id = actions_.empty() ? 1 : actions_.rbegin()->first + 1;
  std::optional<Notice> notice;
  if (make_notice) {
    ASSIGN_OR_RETURN(notice, make_notice(stored));
  }
  std::optional<cases::CaseChange> change;
  if (make_case_change) {
    ASSIGN_OR_RETURN(change, make_case_change(stored));
  }
  if (change) {
    RETURN_IF_ERROR(CheckCaseChange(stored, *change));
    if (case_store_ == nullptr) {
      return FailedPreconditionError(
          "this in-memory redress store has no case store to apply a case change to");
    }
    // Last of the checks, and the only write that can fail: if it does, nothing else is written.
    ASSIGN_OR_RETURN(const bool applied, case_store_->CompareAndSet(*change));
    if (!applied) return CaseChangedError(*change);
  }
  actions_[stored.id] = stored;
  if (notice) {
    Notice n = *notice;
    n.id = notices_.empty() ? 1 : notices_.rbegin()->first + 1;
    n.action_id = stored.id;
    n.version = 1;
    notices_[n.id] = n;
  }
  return stored;
}

Result<Action> InMemoryRedressStore::GetAction(ActionId id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = actions_.find(id);
  if (it == actions_.end()) return ActionNotFound(id);
  return it->second;
}

Result<std::vector<Action>> InMemoryRedressStore::ListActions(cases::CaseId case_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Action> out;
  for (const auto& [id, a] : actions_) {
    if (a.case_id == case_id) out.push_back(a);
  }
  return out;
}

Result<Action> InMemoryRedressStore::ReverseAction(ActionId id, const Reversal& reversal) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = actions_.find(id);
  if (it == actions_.end()) return ActionNotFound(id);
  if (it->second.reversed_at) return AlreadyReversedError(it->second);
  it->second.reversed_at = reversal.at;
  it->second.reversed_by = reversal.by;
  it->second.reversal_reason = reversal.reason;
  return it->second;
}

Result<Notice> InMemoryRedressStore::GetNotice(NoticeId id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = notices_.find(id);
  if (it == notices_.end()) return NoticeNotFound(id);
  return it->second;
}

Result<std::vector<Notice>> InMemoryRedressStore::ListDueNotices(TimePoint now, size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Notice> out;
  for (const auto& [id, n] : notices_) {
    if (n.state == NoticeState::kPending && n.next_attempt_at <= now) out.push_back(n);
  }
  std::stable_sort(out.begin(), out.end(), [](const Notice& a, const Notice& b) {
    return a.next_attempt_at < b.next_attempt_at;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

Result<std::vector<Notice>> InMemoryRedressStore::ListNotices(
    std::optional<cases::CaseId> case_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Notice> out;
  for (const auto& [id, n] : notices_) {
    if (!case_id || n.case_id == *case_id) out.push_back(n);
  }
  return out;
}

Result<bool> InMemoryRedressStore::UpdateNotice(const Notice& n) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = notices_.find(n.id);
  if (it == notices_.end()) return NoticeNotFound(n.id);
  if (it->second.version != n.version) return false;
  Notice& s = it->second;
  s.state = n.state;
  s.attempts = n.attempts;
  s.next_attempt_at = n.next_attempt_at;
  s.last_error = n.last_error;
  s.delivered_at = n.delivered_at;
  ++s.version;
  return true;
}

Result<Complaint> InMemoryRedressStore::FileComplaint(const Complaint& complaint) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!actions_.contains(complaint.action_id)) return ActionNotFound(complaint.action_id);
  for (const auto& [id, c] : complaints_) {
    if (c.action_id == complaint.action_id) return DuplicateComplaintError(c.action_id, id);
  }
  Complaint stored = complaint;
  stored.id = complaints_.empty() ? 1 : complaints_.rbegin()->first + 1;
  stored.version = 1;
  complaints_[stored.id] = stored;
  return stored;
}

Result<Complaint> InMemoryRedressStore::GetComplaint(ComplaintId id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = complaints_.find(id);
  if (it == complaints_.end()) return ComplaintNotFound(id);
  return it->second;
}

Result<std::vector<Complaint>> InMemoryRedressStore::ListComplaints(const ComplaintFilter& f) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Complaint> out;
  for (const auto& [id, c] : complaints_) {
    if (f.case_id && c.case_id != *f.case_id) continue;
    if (f.open_only && c.state != ComplaintState::kOpen) continue;
    if (out.size() >= f.limit) break;
    out.push_back(c);
  }
  return out;
}

Result<bool> InMemoryRedressStore::UpdateComplaint(const Complaint& c) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = complaints_.find(c.id);
  if (it == complaints_.end()) return ComplaintNotFound(c.id);
  if (it->second.version != c.version) return false;
  Complaint& s = it->second;
  s.state = c.state;
  s.outcome = c.outcome;
  s.reviewer = c.reviewer;
  s.rationale = c.rationale;
  s.decided_at = c.decided_at;
  s.report_followup = c.report_followup;
  ++s.version;
  return true;
}

Result<JudicialComplaint> InMemoryRedressStore::RecordJudicial(const JudicialComplaint& j) {
  std::lock_guard<std::mutex> lock(mu_);
  if (std::find(cases_.begin(), cases_.end(), j.case_id) == cases_.end()) {
    return CaseNotFound(j.case_id);
  }
  JudicialComplaint stored = j;
  stored.id = judicial_.empty() ? 1 : judicial_.rbegin()->first + 1;
  stored.version = 1;
  judicial_[stored.id] = stored;
  return stored;
}

Result<JudicialComplaint> InMemoryRedressStore::GetJudicial(JudicialId id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = judicial_.find(id);
  if (it == judicial_.end()) return JudicialNotFound(id);
  return it->second;
}

Result<bool> InMemoryRedressStore::UpdateJudicial(const JudicialComplaint& j) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = judicial_.find(j.id);
  if (it == judicial_.end()) return JudicialNotFound(j.id);
  if (it->second.version != j.version) return false;
  it->second.outcome = j.outcome;
  it->second.outcome_at = j.outcome_at;
  ++it->second.version;
  return true;
}

Result<std::vector<JudicialComplaint>> InMemoryRedressStore::ListJudicial(
    std::optional<cases::CaseId> case_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<JudicialComplaint> out;
  for (const auto& [id, j] : judicial_) {
    if (!case_id || j.case_id == *case_id) out.push_back(j);
  }
  return out;
}

}  // namespace vigil::redress
