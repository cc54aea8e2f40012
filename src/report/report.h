// Public face of the `report` module: hotline reports of confirmed cases. NCMEC's CyberTipline
// documents (report/ncmec/), built with libxml2 and validated against NCMEC's schema before they
// can be sent; the evidence a report carries comes from the operator through EvidenceSource.
// docs/reporting.md describes the flow.
//
// Depends on core, hash (digests), cases and audit; libxml2 and cpp-httplib privately.
#ifndef VIGIL_REPORT_REPORT_H_
#define VIGIL_REPORT_REPORT_H_

#include "report/ncmec/client.h"          // IWYU pragma: export
#include "report/ncmec/ncmec_config.h"    // IWYU pragma: export
#include "report/ncmec/ncmec_reporter.h"  // IWYU pragma: export
#include "report/ncmec/report_builder.h"  // IWYU pragma: export
#include "report/ncmec/schema.h"          // IWYU pragma: export
#include "report/outbox.h"                // IWYU pragma: export
#include "report/outbox_store.h"          // IWYU pragma: export
#include "report/reporter.h"              // IWYU pragma: export
#include "report/reporting_config.h"      // IWYU pragma: export
#include "report/types.h"                 // IWYU pragma: export

#endif  // VIGIL_REPORT_REPORT_H_
