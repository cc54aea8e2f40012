#include "cases/qa_report.h"

#include <set>
#include <vector>

namespace vigil::cases {
namespace {

constexpr size_t kPageSize = 500;

void Count(Disagreement& d, bool disagreed) {
  ++d.reviewed;
  if (disagreed) ++d.disagreed;
}

void AddCase(const Case& c, TimePoint from, TimePoint to, QaReport& report) {
  if (!c.progress.outcome) return;
  const Decision outcome = *c.progress.outcome;
  const ReviewDecision* qa = nullptr;
  std::set<std::string> deciders;
  for (const ReviewDecision& r : c.reviews) {
    if (r.kind == ReviewKind::kQa) qa = &r;
    if (r.kind == ReviewKind::kPrimary && r.decision == outcome) deciders.insert(r.reviewer);
  }
  if (qa == nullptr || qa->decided_at < from || qa->decided_at >= to) return;
  const bool disagreed = qa->decision != outcome;
  Count(report.overall, disagreed);
  for (const std::string& reviewer : deciders) Count(report.by_reviewer[reviewer], disagreed);
  for (const std::string& t : c.Technologies()) Count(report.by_technology[t], disagreed);
}

}  // namespace

Result<QaReport> BuildQaReport(CaseStore& store, TimePoint from, TimePoint to) {
  QaReport report;
  CaseFilter filter{.qa = QaState::kDone, .limit = kPageSize};
  while (true) {
    ASSIGN_OR_RETURN(const std::vector<Case> page, store.ListCases(filter));
    for (const Case& c : page) AddCase(c, from, to, report);
    if (page.size() < kPageSize) return report;
    filter.after_id = page.back().id;
  }
}

}  // namespace vigil::cases
