// The case file for a court or authority (Art 5, Art 3(1)(g)(iv)): everything vigil knows about
// one case — items with their hashes (the evidence's fingerprints, never the media), flags,
// reviews, case events, actions, notices, complaints, judicial complaints and hotline report
// deliveries — as one JSON document.
//
// Thread safety: reads the stores (safe if they are).
#ifndef VIGIL_REDRESS_CASE_FILE_H_
#define VIGIL_REDRESS_CASE_FILE_H_

#include <string>

#include "cases/case_store.h"
#include "redress/redress_store.h"
#include "report/outbox_store.h"

namespace vigil::redress {

// The case file of `case_id` as pretty-printed JSON ("format": "vigil case file", "version": 1).
// `reports` may be null (no report section). kNotFound "case N does not exist".
Result<std::string> ExportCaseFile(cases::CaseStore& cases, RedressStore& redress,
                                   report::ReportOutboxStore* reports, cases::CaseId case_id,
                                   TimePoint exported_at);

}  // namespace vigil::redress

#endif  // VIGIL_REDRESS_CASE_FILE_H_
