// ReviewService: filing flagged items, which groups them into their account's open case when the
// grouping rule allows (docs/review.md "Grouping"), and the alert checks their flags trigger.
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

#include "cases/review_internal.h"
#include "cases/review_service.h"

namespace vigil::cases {
namespace {

// Losing the race for an open case this often in a row gives up (each loss re-reads it).
constexpr int kMaxAttempts = 16;

// Why `open` cannot take `flagged`'s items now, or "" when it can.
std::string GroupingRefusal(const Case& open, const NewCase& flagged, const GroupingRule& rule,
                            TimePoint now) {
  const CaseState state = open.progress.state;
  if (state != CaseState::kNew && state != CaseState::kInReview) return "it is past review";
  // A review covers the items it saw; an item joining after one would inherit a verdict (or a
  // confirmation towards Art 3(1)(g)(iii)) that no human gave it.
  if (!open.reviews.empty()) return "it already has a review";
  // actioned_at is per case: an item joining an acted-on case would look acted on.
  if (open.progress.actioned_at) return "it was acted on automatically";
  if (open.eu != flagged.eu) return "its EU flag differs";
  if (now - open.created_at >= rule.max_age) return "it reached the maximum age";
  if (open.items.size() + flagged.items.size() > rule.max_items) {
    return "it would pass the maximum item count";
  }
  return "";
}

std::string AddedDetails(const Case& open, const NewCase& flagged) {
  std::vector<std::string> ids;
  size_t flags = 0;
  for (const Item& item : flagged.items) {
    ids.push_back(item.item_id);
    flags += item.flags.size();
  }
  return fmt::format("{} item(s) ({}), {} flag(s), priority {}; the case now has {} item(s)",
                     flagged.items.size(), fmt::join(ids, ", "), flags, flagged.priority,
                     open.items.size() + flagged.items.size());
}

Case AppliedAddition(Case c, const ItemAddition& addition) {
  ++c.version;
  c.priority = addition.priority;
  c.progress.updated_at = addition.at;
  for (Item item : addition.items) {
    item.added_at = addition.at;
    c.items.push_back(std::move(item));
  }
  return c;
}

}  // namespace

namespace internal {

std::vector<AlertCheck> AlertChecksFor(const std::vector<Item>& items, TimePoint now,
                                       const ReviewConfig& config) {
  std::set<std::string> technologies;
  std::set<BankEntryId> entries;
  for (const Item& item : items) {
    for (const Flag& f : item.flags) {
      technologies.insert(f.technology);
      if (f.bank_entry_id) entries.insert(*f.bank_entry_id);
    }
  }
  std::vector<AlertCheck> checks;
  const auto add = [&](AlertSubject subject, std::string key, const ClusterAlertRule& rule) {
    checks.push_back({.subject = subject,
                      .key = std::move(key),
                      .window_start = now - rule.window,
                      .window_seconds = rule.window.count(),
                      .threshold = rule.max_flags,
                      .pause_auto_action = rule.pause_auto_action});
  };
  if (const auto& rule = config.technology_alerts) {
    for (const std::string& t : technologies) add(AlertSubject::kTechnology, t, *rule);
  }
  if (const auto& rule = config.bank_entry_alerts) {
    for (BankEntryId e : entries) add(AlertSubject::kBankEntry, AlertKey(e), *rule);
  }
  return checks;
}

}  // namespace internal

Result<OpenedCase> ReviewService::FileItems(const NewCase& flagged) {
  RETURN_IF_ERROR(ValidateNewCase(flagged));
  if (!config_.grouping.enabled || flagged.auto_actioned) return OpenCase(flagged);
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    ASSIGN_OR_RETURN(std::optional<Case> open,
                     store_.LatestOpenCase(flagged.account_id, flagged.surface));
    const TimePoint now = clock_->Now();
    if (!open || !GroupingRefusal(*open, flagged, config_.grouping, now).empty()) {
      return OpenCase(flagged);
    }
    ItemAddition addition{.id = open->id,
                          .expected_version = open->version,
                          .items = flagged.items,
                          .priority = std::max(open->priority, flagged.priority),
                          .at = now,
                          .event = internal::MakeEvent(*open, now, internal::kSystemActor,
                                                       "items_added", AddedDetails(*open, flagged)),
                          .alert_checks = internal::AlertChecksFor(flagged.items, now, config_)};
    ASSIGN_OR_RETURN(ItemsAdded added, store_.AddItems(addition));
    if (added.applied) {
      return OpenedCase{.opened = AppliedAddition(std::move(*open), addition),
                        .alerts = std::move(added.alerts),
                        .grouped = true};
    }
  }
  return UnavailableError(fmt::format(
      "the open case of account {} was changed by others {} times while items were added; retry",
      flagged.account_id, kMaxAttempts));
}

}  // namespace vigil::cases
