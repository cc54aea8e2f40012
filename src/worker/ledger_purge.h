// The job ledger's purge (`vigil worker`, Art 3(1)(h)): a processed_items row is kept only while
// its job can still be redelivered; then it is deleted and counted, like every other purged
// record, in the privacy store's erasure counts under the data map's purpose for the table, so
// the annual report's retention.purged figures include it (docs/privacy.md).
#ifndef VIGIL_WORKER_LEDGER_PURGE_H_
#define VIGIL_WORKER_LEDGER_PURGE_H_

#include <cstdint>

#include "core/clock.h"
#include "core/result.h"
#include "privacy/privacy_store.h"
#include "queue/ledger.h"

namespace vigil::worker {

// Deletes the rows processed before `before`, then counts them as erased at `now` (reason
// expired). The two stores commit apart: a crash between them leaves the rows deleted but not
// counted, never counted twice. Returns the rows deleted.
Result<int64_t> PurgeJobLedger(queue::JobLedger& ledger, privacy::PrivacyStore& privacy,
                               TimePoint before, TimePoint now);

}  // namespace vigil::worker

#endif  // VIGIL_WORKER_LEDGER_PURGE_H_
