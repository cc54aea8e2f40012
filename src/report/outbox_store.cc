#include "report/outbox_store.h"

#include <fmt/format.h>

#include <algorithm>

namespace vigil::report {

std::string_view DeliveryStateName(DeliveryState state) {
  switch (state) {
    case DeliveryState::kPending:
      return "pending";
    case DeliveryState::kDelivered:
      return "delivered";
    case DeliveryState::kFailed:
      return "failed";
    case DeliveryState::kCancelled:
      return "cancelled";
  }
  return "pending";
}

Result<DeliveryState> ParseDeliveryState(std::string_view name) {
  for (DeliveryState s : {DeliveryState::kPending, DeliveryState::kDelivered,
                          DeliveryState::kFailed, DeliveryState::kCancelled}) {
    if (DeliveryStateName(s) == name) return s;
  }
  return InvalidArgumentError(
      fmt::format("unknown delivery state '{}' (pending, delivered, failed or cancelled)", name));
}

Delivery DeliveryFromRequest(const cases::ReportRequest& request) {
  return Delivery{.request_id = request.id,
                  .case_id = request.case_id,
                  .destination = request.destination,
                  .confirmed_at = request.created_at,
                  .next_attempt_at = request.created_at};
}

Status InMemoryReportOutboxStore::Enqueue(const cases::ReportRequest& request) {
  std::lock_guard lock(mu_);
  deliveries_.emplace(request.id, DeliveryFromRequest(request));
  return Status::Ok();
}

Result<int64_t> InMemoryReportOutboxStore::LastRequestId() {
  std::lock_guard lock(mu_);
  return deliveries_.empty() ? 0 : deliveries_.rbegin()->first;
}

Result<Delivery> InMemoryReportOutboxStore::Get(int64_t request_id) {
  std::lock_guard lock(mu_);
  auto it = deliveries_.find(request_id);
  if (it == deliveries_.end()) {
    return NotFoundError(fmt::format("report delivery {} does not exist", request_id));
  }
  return it->second;
}

Result<std::vector<Delivery>> InMemoryReportOutboxStore::ListDue(TimePoint now, size_t limit) {
  std::lock_guard lock(mu_);
  std::vector<Delivery> out;
  for (const auto& [id, d] : deliveries_) {
    if (d.state == DeliveryState::kPending && d.next_attempt_at <= now) out.push_back(d);
  }
  std::stable_sort(out.begin(), out.end(), [](const Delivery& a, const Delivery& b) {
    return a.next_attempt_at < b.next_attempt_at;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

Result<std::vector<Delivery>> InMemoryReportOutboxStore::List(const DeliveryFilter& filter) {
  std::lock_guard lock(mu_);
  std::vector<Delivery> out;
  for (const auto& [id, d] : deliveries_) {
    if (filter.case_id && d.case_id != *filter.case_id) continue;
    if (filter.state && d.state != *filter.state) continue;
    if (id <= filter.after_request_id) continue;
    if (out.size() == filter.limit) break;
    out.push_back(d);
  }
  return out;
}

Result<bool> InMemoryReportOutboxStore::Update(const Delivery& d) {
  std::lock_guard lock(mu_);
  auto it = deliveries_.find(d.request_id);
  if (it == deliveries_.end()) {
    return NotFoundError(fmt::format("report delivery {} does not exist", d.request_id));
  }
  if (it->second.version != d.version) return false;
  it->second = d;
  ++it->second.version;
  return true;
}

}  // namespace vigil::report
