#include "cases/case_store.h"

#include <fmt/format.h>

namespace vigil::cases {
namespace {

std::string DayString(int64_t day) {
  return FormatUtc(TimePoint(std::chrono::days(day))).substr(0, 10);
}

}  // namespace

std::string AlertKey(BankEntryId entry) { return std::to_string(entry); }

Status ExposureCapError(const ExposureCharge& charge, int64_t current) {
  // Wellness: the cap protects reviewers from seeing more material than their employer agreed.
  return FailedPreconditionError(fmt::format(
      "reviewer {} has reached the daily exposure cap: {} items seen on {} plus {} in this case "
      "would pass the cap of {}",
      charge.reviewer, current, DayString(charge.day), charge.items, charge.cap));
}

CaseEvent AlertRaisedEvent(const ClusterAlert& alert) {
  return CaseEvent{
      .case_id = alert.case_id,
      .at = alert.raised_at,
      .actor = "system",
      .action = "cluster_alert",
      .details = fmt::format("alert {}: {} {} has {} flags in {} s (threshold {}){}", alert.id,
                             AlertSubjectName(alert.subject), alert.key, alert.flag_count,
                             alert.window_seconds, alert.threshold,
                             alert.paused_auto_action ? "; automatic action paused" : "")};
}

Status CaseNotFoundError(CaseId id) {
  return NotFoundError(fmt::format("case {} does not exist", id));
}

Case CaseFromOpening(const CaseOpening& opening) {
  const NewCase& n = opening.new_case;
  Case c;
  c.version = 1;
  c.account_id = n.account_id;
  c.surface = n.surface;
  c.eu = n.eu;
  c.priority = n.priority;
  c.created_at = opening.at;
  c.progress.updated_at = opening.at;
  if (n.auto_actioned) c.progress.actioned_at = opening.at;
  c.items = n.items;
  for (Item& item : c.items) item.added_at = opening.at;
  return c;
}

}  // namespace vigil::cases
