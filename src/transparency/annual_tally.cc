#include "transparency/annual_tally.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace vigil::transparency::internal {
namespace {

using cases::Case;
using cases::CaseEvent;
using cases::CaseState;
using cases::Decision;

constexpr size_t kPage = 1000;

bool In(TimePoint t, TimePoint from, TimePoint to) { return t >= from && t < to; }

std::optional<size_t> GroupOfOutcome(const std::optional<Decision>& outcome) {
  if (!outcome) return std::nullopt;
  switch (*outcome) {
    case Decision::kConfirmedKnown:
      return 0;
    case Decision::kConfirmedNew:
      return 1;
    case Decision::kConfirmedSolicitation:
      return 2;
    default:
      return std::nullopt;
  }
}

Result<std::vector<Case>> AllCases(cases::CaseStore& store) {
  std::vector<Case> all;
  for (cases::CaseId after = 0;;) {
    ASSIGN_OR_RETURN(std::vector<Case> page,
                     store.ListCases(cases::CaseFilter{.after_id = after, .limit = kPage}));
    if (page.empty()) break;
    after = page.back().id;
    for (Case& c : page) all.push_back(std::move(c));
  }
  return all;
}

Result<std::map<cases::CaseId, std::vector<CaseEvent>>> EventsByCase(cases::CaseStore& store) {
  std::map<cases::CaseId, std::vector<CaseEvent>> out;
  for (int64_t after = 0;;) {
    ASSIGN_OR_RETURN(std::vector<CaseEvent> page,
                     store.ListEvents(cases::EventFilter{.after_id = after, .limit = kPage}));
    if (page.empty()) break;
    after = page.back().id;
    for (CaseEvent& e : page) {
      if (e.case_id) out[*e.case_id].push_back(std::move(e));
    }
  }
  return out;
}

// Category 6 and the per-technology counts, for the items of `c` that joined it in [from, to):
// a case takes items after it is opened (ReviewService::FileItems), so the cohort is of items.
void TallyCohortItems(const Case& c, TimePoint from, TimePoint to, AnnualTally& t) {
  const bool reviewed = std::any_of(c.reviews.begin(), c.reviews.end(), [](const auto& r) {
    return r.kind == cases::ReviewKind::kPrimary;
  });
  const bool not_csam = c.progress.outcome == Decision::kNotCsam;
  const bool pending = !c.progress.outcome;
  for (const cases::Item& item : c.items) {
    if (!In(item.added_at, from, to)) continue;
    const std::string key = fmt::format("{}/{}", c.id, item.item_id);
    std::set<std::string> techs;
    std::set<size_t> groups;
    for (const cases::Flag& f : item.flags) {
      techs.insert(f.technology);
      groups.insert(GroupOf(f.category));
      t.technologies[f.technology].technology = f.technology;
      t.technologies[f.technology].categories.insert(f.category);
    }
    for (const std::string& tech : techs) {
      TechnologyTally& tt = t.technologies[tech];
      ++tt.a;
      tt.b += not_csam;
      tt.c += reviewed;
      tt.pending += pending;
    }
    for (size_t g : groups) {
      // The form counts solicitation by EU account (A3-C3), content by item (A1-C2).
      if (g == 2 && !c.eu) continue;
      const std::string unit = g == 2 ? c.account_id : key;
      GroupTally& gt = t.groups[g];
      gt.a.insert(unit);
      if (not_csam) gt.b.insert(unit);
      if (reviewed) gt.c.insert(unit);
      if (pending) gt.pending.insert(unit);
    }
  }
}

void TallyReported(const Case& c, GroupTally& g) {
  ++g.reports;
  g.accounts.insert(c.account_id);
  for (const cases::Item& item : c.items) {
    if (item.content_type == "image") {
      ++g.images;
    } else if (item.content_type == "video") {
      ++g.videos;
    } else {
      ++g.other_files;
      g.other_types.insert(item.content_type);
    }
  }
}

// Complaints (appealed events), restorations (reinstated after an appeal) and the time from a
// complaint to its decision (reinstated, or actioned again when rejected).
void TallyComplaints(const Case& c, const std::vector<CaseEvent>& events, TimePoint from,
                     TimePoint to, std::optional<size_t> group, AnnualTally& t) {
  const int64_t items = static_cast<int64_t>(c.items.size());
  // A flag and a time rather than std::optional<TimePoint>, on which GCC 12 warns falsely.
  bool appealed = false;
  TimePoint appealed_at{};
  for (const CaseEvent& e : events) {
    if (e.action == "appealed") {
      appealed = true;
      appealed_at = e.at;
      if (group && c.eu && In(e.at, from, to)) {
        t.groups[*group].complaints += 1;
        t.groups[*group].complained_items += items;
      }
    } else if (appealed && (e.action == "reinstated" || e.action == "actioned")) {
      if (group && c.eu && In(e.at, from, to)) {
        GroupTally& g = t.groups[*group];
        ++g.complaint_decisions;
        g.complaint_decision_seconds += (e.at - appealed_at).count();
        if (e.action == "reinstated") {
          // The redress module names the complaint's outcome in the event (docs/redress.md): an
          // account reinstated alone restores no item.
          const bool account = e.details.find("account_reinstated") != std::string::npos;
          const bool both = e.details.find("both_reinstated") != std::string::npos;
          ++g.restored_cases;
          if (!account) g.restored_items += items;
          if (account || both) ++g.restored_accounts;
        }
      }
      appealed = false;
    }
  }
}

bool ReversedOnComplaint(const std::vector<CaseEvent>& events) {
  bool appealed = false;
  for (const CaseEvent& e : events) {
    if (e.action == "appealed") appealed = true;
    if (e.action == "reinstated" && appealed) return true;
  }
  return false;
}

void TallyCase(const Case& c, const std::vector<CaseEvent>& events, TimePoint from, TimePoint to,
               AnnualTally& t) {
  TallyCohortItems(c, from, to, t);
  const std::optional<size_t> group = GroupOfOutcome(c.progress.outcome);
  if (c.progress.decided_at && In(*c.progress.decided_at, from, to)) {
    ++t.decided;
    int primaries = 0;
    for (const auto& r : c.reviews) primaries += r.kind == cases::ReviewKind::kPrimary;
    t.double_reviewed += primaries >= 2;
    t.qa_sampled += c.progress.qa != cases::QaState::kNotSampled;
    if (group && c.eu) ++t.groups[*group].confirmed;
  }
  if (group && c.eu && c.progress.reported_at && In(*c.progress.reported_at, from, to)) {
    TallyReported(c, t.groups[*group]);
    if (c.progress.decided_at) {
      t.report_delays.push_back((*c.progress.reported_at - *c.progress.decided_at).count());
    }
  }
  if (c.progress.actioned_at && In(*c.progress.actioned_at, from, to)) {
    if (group && c.eu) t.groups[*group].actioned_items += static_cast<int64_t>(c.items.size());
    const bool reversed = ReversedOnComplaint(events);
    for (const cases::Item& item : c.items) {
      std::set<std::string> techs;
      for (const cases::Flag& f : item.flags) techs.insert(f.technology);
      for (const std::string& tech : techs) {
        TechnologyTally& tt = t.technologies[tech];
        tt.technology = tech;
        ++tt.actioned;
        tt.reversed += reversed;
      }
    }
  }
  TallyComplaints(c, events, from, to, group, t);
}

Status TallyBanks(bank::BankStore& banks, TimePoint from, TimePoint to, AnnualTally& t) {
  ASSIGN_OR_RETURN(std::vector<bank::Bank> all, banks.ListBanks());
  t.banks = static_cast<int64_t>(all.size());
  for (const bank::Bank& b : all) {
    RETURN_IF_ERROR(banks.ForEachEntry(b.id, bank::EntryFilter{.include_retired = true},
                                       [&](const bank::BankEntry& e) -> Status {
                                         if (e.retired && In(e.retired_at, from, to)) {
                                           ++t.retired_entries;
                                         }
                                         if (!e.retired && e.needs_verification) {
                                           ++t.entries_needing_verification;
                                         }
                                         return Status::Ok();
                                       }));
  }
  return Status::Ok();
}

int64_t DayNumber(TimePoint t) { return t.time_since_epoch().count() / 86400; }

}  // namespace

size_t GroupOf(cases::FlagCategory category) {
  switch (category) {
    case cases::FlagCategory::kKnown:
      return 0;
    case cases::FlagCategory::kNew:
      return 1;
    case cases::FlagCategory::kSolicitation:
      return 2;
  }
  return 0;
}

Result<AnnualTally> TallyPeriod(cases::CaseStore& cases, stats::VolumeCounterSink& volumes,
                                bank::BankStore& banks, TimePoint from, TimePoint to) {
  AnnualTally t;
  ASSIGN_OR_RETURN(std::vector<Case> all, AllCases(cases));
  ASSIGN_OR_RETURN(auto events, EventsByCase(cases));
  static const std::vector<CaseEvent> kNone;
  for (const Case& c : all) {
    auto it = events.find(c.id);
    TallyCase(c, it == events.end() ? kNone : it->second, from, to, t);
  }
  ASSIGN_OR_RETURN(t.qa, cases::BuildQaReport(cases, from, to));
  ASSIGN_OR_RETURN(std::vector<cases::ClusterAlert> alerts, cases.ListAlerts(false));
  for (cases::ClusterAlert& a : alerts) {
    if (In(a.raised_at, from, to)) t.alerts.push_back(std::move(a));
  }
  ASSIGN_OR_RETURN(t.volumes, volumes.List(DayNumber(from), DayNumber(to) - 1));
  RETURN_IF_ERROR(TallyBanks(banks, from, to, t));
  return t;
}

int64_t NearestRankPercentile(std::vector<int64_t> values, int percent) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  // ceil(percent * n / 100) in integers, so 95 % of 20 is exactly rank 19.
  const size_t rank = std::max<size_t>(1, (static_cast<size_t>(percent) * n + 99) / 100);
  return values[std::min(rank, n) - 1];
}

Result<std::map<std::string, int64_t>> CountDeliveredReports(report::ReportOutboxStore& outbox,
                                                             cases::CaseStore& cases,
                                                             TimePoint from, TimePoint to) {
  std::map<std::string, int64_t> per_destination;
  std::map<cases::CaseId, bool> eu;  // a case reported to several destinations is read once
  report::DeliveryFilter page{.state = report::DeliveryState::kDelivered, .limit = 1000};
  while (true) {
    ASSIGN_OR_RETURN(std::vector<report::Delivery> deliveries, outbox.List(page));
    for (const report::Delivery& d : deliveries) {
      if (!d.delivered_at || !In(*d.delivered_at, from, to)) continue;
      auto [it, fresh] = eu.try_emplace(d.case_id, false);
      if (fresh) {
        ASSIGN_OR_RETURN(cases::Case c, cases.GetCase(d.case_id));
        it->second = c.eu;
      }
      if (it->second) ++per_destination[d.destination];
    }
    if (deliveries.size() < page.limit) break;
    page.after_request_id = deliveries.back().request_id;
  }
  return per_destination;
}

}  // namespace vigil::transparency::internal
