// Public face of the `cases` module: cases of flagged items, the review queue with leases,
// decisions with the Art 3(1)(g)(iii) human-confirmation safeguard, false-positive accounting,
// QA sampling and reports, cluster alerts, reviewer wellness, and the CaseStore interface the
// `store` module implements (with an in-memory fake). docs/review.md describes the rules.
//
// Depends on core only; bank interactions go through EntryVerificationSink.
#ifndef VIGIL_CASES_CASES_H_
#define VIGIL_CASES_CASES_H_

#include "cases/case_store.h"            // IWYU pragma: export
#include "cases/in_memory_case_store.h"  // IWYU pragma: export
#include "cases/qa_report.h"             // IWYU pragma: export
#include "cases/review_config.h"         // IWYU pragma: export
#include "cases/review_rules.h"          // IWYU pragma: export
#include "cases/review_service.h"        // IWYU pragma: export
#include "cases/types.h"                 // IWYU pragma: export
#include "cases/verification_sink.h"     // IWYU pragma: export

#endif  // VIGIL_CASES_CASES_H_
