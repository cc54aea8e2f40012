// Public face of the `redress` module (issue 7): actions on decided cases, user notices
// (Art 3(1)(g)(vi)) through a durable outbox, complaints with an independent second review and
// reinstatement, judicial complaints (Art 5) and the case file for a court or authority.
// docs/redress.md describes the flow.
//
// Depends on cases, bank, report, privacy and core.
#ifndef VIGIL_REDRESS_REDRESS_H_
#define VIGIL_REDRESS_REDRESS_H_

#include "redress/case_file.h"        // IWYU pragma: export
#include "redress/config.h"           // IWYU pragma: export
#include "redress/notice_outbox.h"    // IWYU pragma: export
#include "redress/notice_template.h"  // IWYU pragma: export
#include "redress/redress_store.h"    // IWYU pragma: export
#include "redress/scanning_notice.h"  // IWYU pragma: export
#include "redress/service.h"          // IWYU pragma: export
#include "redress/types.h"            // IWYU pragma: export

#endif  // VIGIL_REDRESS_REDRESS_H_
