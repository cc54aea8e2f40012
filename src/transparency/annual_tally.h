// The raw counts behind the annual report, read from the stores for one reporting period.
// Private to the transparency module: annual_report.cc turns them into the form's figures.
//
// Periods: the form's error counts (A, B, C) follow the cohort of items that joined a case in
// the period (a case takes items after it is opened), with review outcomes as of the time the
// report is built; reports, actions, complaints and
// reinstatements count the events that happened in the period. The cases and events are read
// through CaseStore's paged listing.
#ifndef VIGIL_TRANSPARENCY_ANNUAL_TALLY_H_
#define VIGIL_TRANSPARENCY_ANNUAL_TALLY_H_

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bank/bank_store.h"
#include "cases/cases.h"
#include "report/outbox_store.h"
#include "stats/volume.h"

namespace vigil::transparency::internal {

// Known CSAM, possible new CSAM, solicitation: the form's three groups.
inline constexpr size_t kGroups = 3;
size_t GroupOf(cases::FlagCategory category);

struct GroupTally {
  // Category 6, cohort of items added in the period: items (accounts for solicitation) flagged
  // automatically (A), not confirmed on review (B), reviewed by a human (C), awaiting review.
  std::set<std::string> a, b, c, pending;
  // Category 4: EU cases with this outcome reported in the period.
  int64_t reports = 0, images = 0, videos = 0, other_files = 0;
  std::set<std::string> other_types, accounts;
  // The compare headline: EU cases decided with this outcome in the period.
  int64_t confirmed = 0;
  // Category 5 (EU cases with this outcome): items actioned, complained about, restored after a
  // complaint, and the complaint decisions with their total time.
  int64_t actioned_items = 0, complained_items = 0, restored_items = 0;
  int64_t complaints = 0, restored_cases = 0;
  // Accounts reinstated after a complaint (redress outcomes account_ or both_reinstated).
  int64_t restored_accounts = 0;
  int64_t complaint_decisions = 0;
  int64_t complaint_decision_seconds = 0;
};

struct TechnologyTally {
  std::string technology;
  std::set<cases::FlagCategory> categories;
  int64_t a = 0, b = 0, c = 0, pending = 0;  // items of the cohort flagged by it
  int64_t actioned = 0, reversed = 0;        // items actioned in the period; reversed on complaint
};

struct AnnualTally {
  std::array<GroupTally, kGroups> groups;
  std::map<std::string, TechnologyTally> technologies;
  std::map<stats::VolumeKey, stats::VolumeCount> volumes;
  // Measures (category 7).
  int64_t decided = 0, double_reviewed = 0, qa_sampled = 0;
  cases::QaReport qa;
  std::vector<cases::ClusterAlert> alerts;
  int64_t retired_entries = 0, entries_needing_verification = 0, banks = 0;
  // Art 3(1)(j): seconds from confirmation (decided_at) to the delivered report (reported_at)
  // of the EU cases of the three groups reported in the period, in case order.
  std::vector<int64_t> report_delays;
};

// The nearest-rank percentile (docs/transparency.md): the value at rank ceil(percent / 100 * n)
// of `values` sorted ascending (rank 1 at least), so it is always an observed value. `values`
// must not be empty; `percent` is 1 to 100.
int64_t NearestRankPercentile(std::vector<int64_t> values, int percent);

// Reports delivered in [from, to) to each destination of the reporting configuration
// (report outbox rows in state delivered, by delivered_at), of EU users' cases only, like the
// other figures; read in pages of request ids.
Result<std::map<std::string, int64_t>> CountDeliveredReports(report::ReportOutboxStore& outbox,
                                                             cases::CaseStore& cases,
                                                             TimePoint from, TimePoint to);

Result<AnnualTally> TallyPeriod(cases::CaseStore& cases, stats::VolumeCounterSink& volumes,
                                bank::BankStore& banks, TimePoint from, TimePoint to);

}  // namespace vigil::transparency::internal

#endif  // VIGIL_TRANSPARENCY_ANNUAL_TALLY_H_
