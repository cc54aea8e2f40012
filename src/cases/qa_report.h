// QA report: how often second reviews disagree with the decisions they check, per reviewer and
// per technology. A reviewer with a high rate needs support or calibration; a technology with a
// high rate produces flags that are hard to judge (feeds Art 3(1)(g)(vii)(7), measures applied
// to limit the error rate).
//
// Thread safety: a free function; safe if the store is.
#ifndef VIGIL_CASES_QA_REPORT_H_
#define VIGIL_CASES_QA_REPORT_H_

#include <cstdint>
#include <map>
#include <string>

#include "cases/case_store.h"

namespace vigil::cases {

struct Disagreement {
  int64_t reviewed = 0;   // QA reviews counted
  int64_t disagreed = 0;  // of which the QA decision differed from the case's outcome
  double rate() const {
    return reviewed == 0 ? 0.0 : static_cast<double>(disagreed) / static_cast<double>(reviewed);
  }
  friend bool operator==(const Disagreement&, const Disagreement&) = default;
};

struct QaReport {
  Disagreement overall{};
  // Keyed by each reviewer whose primary review made the outcome (with double review both are
  // counted for the case).
  std::map<std::string, Disagreement> by_reviewer{};
  // Keyed by each technology that flagged the case (once per case).
  std::map<std::string, Disagreement> by_technology{};
  friend bool operator==(const QaReport&, const QaReport&) = default;
};

// Counts the QA reviews written in [from, to).
Result<QaReport> BuildQaReport(CaseStore& store, TimePoint from, TimePoint to);

}  // namespace vigil::cases

#endif  // VIGIL_CASES_QA_REPORT_H_
