#include "cases/in_memory_case_store.h"

#include <fmt/format.h>

#include <algorithm>

namespace vigil::cases {
namespace {

bool LeaseExpired(const Case& c, TimePoint now) {
  return !c.progress.lease || c.progress.lease->expires_at <= now;
}

bool Claimable(const Case& c, const QueueQuery& q) {
  if (q.kind == QueueKind::kQa) return c.progress.qa == QaState::kPending && LeaseExpired(c, q.now);
  return c.progress.state == CaseState::kNew ||
         (c.progress.state == CaseState::kInReview && LeaseExpired(c, q.now));
}

bool QueueOrder(const Case& a, const Case& b) {
  if (a.priority != b.priority) return a.priority > b.priority;
  if (a.created_at != b.created_at) return a.created_at < b.created_at;
  return a.id < b.id;
}

// Up to `limit` rows with id > after_id, in stored (ascending id) order: the outbox listings.
template <typename Row>
std::vector<Row> PageAfter(const std::vector<Row>& rows, int64_t after_id, size_t limit) {
  std::vector<Row> out;
  for (const Row& r : rows) {
    if (r.id > after_id && out.size() < limit) out.push_back(r);
  }
  return out;
}

bool FlagCounts(const Flag& f, const AlertCheck& check) {
  if (check.subject == AlertSubject::kTechnology) return f.technology == check.key;
  return f.bank_entry_id && AlertKey(*f.bank_entry_id) == check.key;
}

}  // namespace

void InMemoryCaseStore::AppendEventLocked(CaseEvent event) {
  event.id = static_cast<int64_t>(events_.size()) + 1;
  events_.push_back(std::move(event));
}

int64_t InMemoryCaseStore::CountFlagsLocked(const AlertCheck& check) const {
  int64_t count = 0;
  for (const auto& [id, c] : cases_) {
    for (const Item& item : c.items) {
      if (item.added_at <= check.window_start) continue;  // flagged_at is added_at
      count += std::count_if(item.flags.begin(), item.flags.end(),
                             [&](const Flag& f) { return FlagCounts(f, check); });
    }
  }
  return count;
}

bool InMemoryCaseStore::HasOpenAlertLocked(const AlertCheck& check) const {
  return std::any_of(alerts_.begin(), alerts_.end(), [&](const ClusterAlert& a) {
    return a.subject == check.subject && a.key == check.key && !a.acknowledged_at;
  });
}

void InMemoryCaseStore::RunAlertCheckLocked(const AlertCheck& check, const Case& c, TimePoint at,
                                            std::vector<ClusterAlert>& raised) {
  const int64_t count = CountFlagsLocked(check);
  if (count <= check.threshold || HasOpenAlertLocked(check)) return;
  ClusterAlert alert{.id = static_cast<AlertId>(alerts_.size()) + 1,
                     .subject = check.subject,
                     .key = check.key,
                     .flag_count = count,
                     .threshold = check.threshold,
                     .window_seconds = check.window_seconds,
                     .raised_at = at,
                     .case_id = c.id,
                     .paused_auto_action = check.pause_auto_action};
  alerts_.push_back(alert);
  if (check.pause_auto_action) {
    pauses_.try_emplace({check.subject, check.key},
                        AutoActionPause{check.subject, check.key, at, alert.id});
  }
  AppendEventLocked(AlertRaisedEvent(alert));
  raised.push_back(std::move(alert));
}

Result<OpenedCase> InMemoryCaseStore::CreateCase(const CaseOpening& opening) {
  std::lock_guard<std::mutex> lock(mu_);
  Case c = CaseFromOpening(opening);
  c.id = next_case_id_++;
  cases_.emplace(c.id, c);
  CaseEvent event = opening.event;
  event.case_id = c.id;
  AppendEventLocked(std::move(event));
  OpenedCase out{.opened = c};
  for (const AlertCheck& check : opening.alert_checks) {
    RunAlertCheckLocked(check, c, opening.at, out.alerts);
  }
  return out;
}

Result<std::optional<Case>> InMemoryCaseStore::LatestOpenCase(std::string_view account_id,
                                                              std::string_view surface) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = cases_.rbegin(); it != cases_.rend(); ++it) {
    const Case& c = it->second;
    const CaseState state = c.progress.state;
    if (c.account_id == account_id && c.surface == surface &&
        (state == CaseState::kNew || state == CaseState::kInReview)) {
      return std::optional<Case>(c);
    }
  }
  return std::optional<Case>();
}

Result<ItemsAdded> InMemoryCaseStore::AddItems(const ItemAddition& addition) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cases_.find(addition.id);
  if (it == cases_.end()) return CaseNotFoundError(addition.id);
  Case& c = it->second;
  if (c.version != addition.expected_version) return ItemsAdded{};
  ++c.version;
  c.priority = addition.priority;
  c.progress.updated_at = addition.at;
  for (Item item : addition.items) {
    item.added_at = addition.at;
    c.items.push_back(std::move(item));
  }
  CaseEvent event = addition.event;
  event.case_id = c.id;
  AppendEventLocked(std::move(event));
  ItemsAdded out{.applied = true};
  for (const AlertCheck& check : addition.alert_checks) {
    RunAlertCheckLocked(check, c, addition.at, out.alerts);
  }
  return out;
}

Result<Case> InMemoryCaseStore::GetCase(CaseId id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cases_.find(id);
  if (it == cases_.end()) return CaseNotFoundError(id);
  return it->second;
}

Result<bool> InMemoryCaseStore::CompareAndSet(const CaseChange& change) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cases_.find(change.id);
  if (it == cases_.end()) return CaseNotFoundError(change.id);
  Case& c = it->second;
  if (c.version != change.expected_version) return false;
  if (const auto& charge = change.exposure) {
    auto found = exposure_.find({charge->reviewer, charge->day});
    const int64_t current = found == exposure_.end() ? 0 : found->second;
    if (current + charge->items > charge->cap) return ExposureCapError(*charge, current);
  }
  // Every check passed: apply all of it.
  if (const auto& charge = change.exposure) {
    exposure_[{charge->reviewer, charge->day}] += charge->items;
  }
  ++c.version;
  c.progress = change.progress;
  c.reviews.insert(c.reviews.end(), change.new_reviews.begin(), change.new_reviews.end());
  false_positives_.insert(false_positives_.end(), change.false_positives.begin(),
                          change.false_positives.end());
  for (VerificationRequest request : change.verification_requests) {
    request.id = static_cast<int64_t>(verifications_.size()) + 1;
    verifications_.push_back(std::move(request));
  }
  for (ReportRequest request : change.report_requests) {
    request.id = static_cast<int64_t>(report_requests_.size()) + 1;
    report_requests_.push_back(std::move(request));
  }
  for (ShareRequest request : change.share_requests) {
    request.id = static_cast<int64_t>(share_requests_.size()) + 1;
    share_requests_.push_back(std::move(request));
  }
  for (ShareWithdrawal w : change.share_withdrawals) {
    auto request = std::find_if(share_requests_.begin(), share_requests_.end(),
                                [&](const ShareRequest& r) { return r.case_id == w.case_id; });
    const bool had = std::any_of(share_withdrawals_.begin(), share_withdrawals_.end(),
                                 [&](const ShareWithdrawal& x) { return x.case_id == w.case_id; });
    if (request == share_requests_.end() || had) continue;  // nothing queued, or already
    w.id = static_cast<int64_t>(share_withdrawals_.size()) + 1;
    w.share_request_id = request->id;
    share_withdrawals_.push_back(w);
  }
  for (const CaseEvent& event : change.events) AppendEventLocked(event);
  return true;
}

Result<std::vector<ReportRequest>> InMemoryCaseStore::ListReportRequests(int64_t after_id,
                                                                         size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return PageAfter(report_requests_, after_id, limit);
}

Result<std::vector<ShareRequest>> InMemoryCaseStore::ListShareRequests(int64_t after_id,
                                                                       size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return PageAfter(share_requests_, after_id, limit);
}

Result<std::vector<ShareWithdrawal>> InMemoryCaseStore::ListShareWithdrawals(int64_t after_id,
                                                                             size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return PageAfter(share_withdrawals_, after_id, limit);
}

Result<std::vector<Case>> InMemoryCaseStore::ListQueue(const QueueQuery& query) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Case> out;
  for (const auto& [id, c] : cases_) {
    if (Claimable(c, query)) out.push_back(c);
  }
  std::sort(out.begin(), out.end(), QueueOrder);
  if (out.size() > query.limit) out.resize(query.limit);
  return out;
}

Result<std::vector<Case>> InMemoryCaseStore::ListCases(const CaseFilter& filter) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Case> out;
  for (auto it = cases_.upper_bound(filter.after_id); it != cases_.end(); ++it) {
    if (out.size() >= filter.limit) break;
    const Case& c = it->second;
    if (filter.state && c.progress.state != *filter.state) continue;
    if (filter.qa && c.progress.qa != *filter.qa) continue;
    out.push_back(c);
  }
  return out;
}

Result<std::vector<CaseEvent>> InMemoryCaseStore::ListEvents(const EventFilter& filter) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CaseEvent> out;
  for (const CaseEvent& e : events_) {
    if (out.size() >= filter.limit) break;
    if (e.id <= filter.after_id || (filter.case_id && e.case_id != filter.case_id)) continue;
    out.push_back(e);
  }
  return out;
}

Result<std::vector<FalsePositive>> InMemoryCaseStore::ListFalsePositives(TimePoint from,
                                                                         TimePoint to) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<FalsePositive> out;
  for (const FalsePositive& fp : false_positives_) {
    if (fp.recorded_at >= from && fp.recorded_at < to) out.push_back(fp);
  }
  std::stable_sort(out.begin(), out.end(), [](const FalsePositive& a, const FalsePositive& b) {
    return a.recorded_at < b.recorded_at;
  });
  return out;
}

Result<std::vector<VerificationRequest>> InMemoryCaseStore::ListPendingVerifications(
    std::optional<CaseId> case_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<VerificationRequest> out;
  for (const VerificationRequest& r : verifications_) {
    if (!r.delivered_at && (!case_id || r.case_id == *case_id)) out.push_back(r);
  }
  return out;
}

Status InMemoryCaseStore::MarkVerificationDelivered(int64_t request_id, TimePoint at) {
  std::lock_guard<std::mutex> lock(mu_);
  if (request_id < 1 || request_id > static_cast<int64_t>(verifications_.size())) {
    return NotFoundError(fmt::format("verification request {} does not exist", request_id));
  }
  VerificationRequest& r = verifications_[static_cast<size_t>(request_id - 1)];
  if (!r.delivered_at) r.delivered_at = at;
  return Status::Ok();
}

Result<std::vector<ClusterAlert>> InMemoryCaseStore::ListAlerts(bool open_only) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ClusterAlert> out;
  for (const ClusterAlert& a : alerts_) {
    if (!open_only || !a.acknowledged_at) out.push_back(a);
  }
  return out;
}

Result<ClusterAlert> InMemoryCaseStore::AcknowledgeAlert(AlertId id, std::string_view note,
                                                         const CaseEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  if (id < 1 || id > static_cast<AlertId>(alerts_.size())) {
    return NotFoundError(fmt::format("alert {} does not exist", id));
  }
  ClusterAlert& a = alerts_[static_cast<size_t>(id - 1)];
  if (a.acknowledged_at) {
    return FailedPreconditionError(
        fmt::format("alert {} was already acknowledged by {}", id, a.acknowledged_by));
  }
  a.acknowledged_at = event.at;
  a.acknowledged_by = event.actor;
  a.note = std::string(note);
  AppendEventLocked(event);
  return a;
}

Result<bool> InMemoryCaseStore::IsAutoActionPaused(AlertSubject subject, std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  return pauses_.contains({subject, std::string(key)});
}

Result<std::vector<AutoActionPause>> InMemoryCaseStore::ListPauses() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<AutoActionPause> out;
  for (const auto& [key, pause] : pauses_) out.push_back(pause);
  std::sort(out.begin(), out.end(), [](const AutoActionPause& a, const AutoActionPause& b) {
    return a.alert_id < b.alert_id;
  });
  return out;
}

Status InMemoryCaseStore::ResumeAutoAction(AlertSubject subject, std::string_view key,
                                           const CaseEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  if (pauses_.erase({subject, std::string(key)}) == 0) {
    return NotFoundError(
        fmt::format("automatic action for {} {} is not paused", AlertSubjectName(subject), key));
  }
  AppendEventLocked(event);
  return Status::Ok();
}

Status InMemoryCaseStore::PutReviewerSettings(const ReviewerSettings& settings,
                                              const CaseEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  settings_.insert_or_assign(settings.reviewer, settings);
  AppendEventLocked(event);
  return Status::Ok();
}

Result<ReviewerSettings> InMemoryCaseStore::GetReviewerSettings(std::string_view reviewer) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = settings_.find(reviewer);
  if (it == settings_.end()) {
    return NotFoundError(fmt::format("reviewer {} has no stored settings", reviewer));
  }
  return it->second;
}

Result<int64_t> InMemoryCaseStore::GetExposure(std::string_view reviewer, int64_t day) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = exposure_.find({std::string(reviewer), day});
  return it == exposure_.end() ? 0 : it->second;
}

}  // namespace vigil::cases
