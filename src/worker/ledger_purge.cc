#include "worker/ledger_purge.h"

#include "privacy/data_map.h"

namespace vigil::worker {

Result<int64_t> PurgeJobLedger(queue::JobLedger& ledger, privacy::PrivacyStore& privacy,
                               TimePoint before, TimePoint now) {
  // Looked up first: a data map without the purpose is a build error to fix, not a reason to
  // delete rows that would then go uncounted.
  ASSIGN_OR_RETURN(std::vector<std::string> purposes, privacy::PurgedAs("processed_items"));
  ASSIGN_OR_RETURN(int64_t deleted, ledger.PurgeBefore(before));
  if (deleted == 0) return deleted;
  for (const std::string& purpose : purposes) {
    RETURN_IF_ERROR(privacy.CountErasures(now, privacy::ErasureReason::kExpired, purpose, deleted));
  }
  return deleted;
}

}  // namespace vigil::worker
