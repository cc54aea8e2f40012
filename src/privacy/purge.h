// The purge (Art 3(1)(h): data kept at most as long as its purposes need, 12 months at most,
// unless a complaint or legal procedure is pending), the erasure of a case found not to be CSAM,
// and legal holds placed and released with an audit record.
//
// A purge takes the cases due at `now` in batches; for each case it deletes the evidence files
// first, then erases the case's records in one transaction (PrivacyStore::EraseCase). Both steps
// are idempotent, so a purge stopped anywhere (a crash, a failed batch) is finished by running it
// again: a case whose files went but whose transaction did not commit is still due and is erased
// by the next run. VerifyRetention then proves nothing past its expiry remains: no case, item,
// hash or evidence row past expiry without an active hold, nothing personal kept for an erased
// case, and no evidence file without its row.
//
// Thread safety: free functions over thread-safe stores.
#ifndef VIGIL_PRIVACY_PURGE_H_
#define VIGIL_PRIVACY_PURGE_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "core/result.h"
#include "privacy/evidence_store.h"
#include "privacy/privacy_store.h"
#include "privacy/record_retention.h"

namespace vigil::privacy {

struct PurgeOptions {
  size_t batch_size = 100;  // cases per batch, 1 to 10000
  // Called after each committed batch (1-based); a non-Ok status stops the purge there and is
  // returned (tests use it to stand in for a crash between batches).
  std::function<Status(int batch)> after_batch{};
  // Called after a case's evidence files are deleted and before its records are erased; a
  // non-Ok status stops the purge (a crash inside a batch).
  std::function<Status(int64_t case_id)> before_erase{};
  // The audit log, to purge its expired prefix too (record_retention.h); null: left alone.
  audit::AuditStore* audit_log = nullptr;
};

struct PurgeSummary {
  int batches = 0;
  int64_t cases = 0;  // cases erased
  // Records erased or deleted (each once): the cases' records and every record outside cases
  // (legal holds, DPIA records, reviewer exposure, classifier retry items, audit records).
  int64_t records = 0;
  // The same, once per purpose (ErasureCount::purpose names), as counted in erasure_counts.
  std::map<std::string, int64_t> records_by_purpose{};
  RecordPurge outside_cases{};  // legal holds, DPIA records, reviewer exposure, retry items
  int64_t audit_records = 0;    // audit records purged behind a checkpoint
};

// Purges everything due at `now`: the cases, then the records outside cases
// (PrivacyStore::PurgeRecords) and, with options.audit_log, the audit log's expired prefix, whose
// records are counted under the audit log's purpose in the data map (CountErasures, after the
// audit store's own transaction: a crash between the two loses that run's audit count, never
// counts a record twice).
// `evidence` may be null when no evidence store is configured
// (then evidence rows are still erased, and their files, if any, are the operator's to remove).
Result<PurgeSummary> Purge(PrivacyStore& store, const EvidenceStore* evidence, TimePoint now,
                           const PurgeOptions& options = {});

// Erases case `id` at once after review found it was not CSAM (Art 3(1)(h)): its evidence files
// and every record but the error-accounting skeleton. Idempotent.
Result<ErasedCase> EraseNotCsam(PrivacyStore& store, const EvidenceStore* evidence, int64_t id,
                                TimePoint now);

// The verification after a purge: the store's RetentionViolations plus, with an evidence store,
// every file without an index row, and with an audit log its AuditRetentionViolations. Empty
// when nothing past its expiry remains.
Result<std::vector<std::string>> VerifyRetention(PrivacyStore& store, const EvidenceStore* evidence,
                                                 TimePoint now,
                                                 audit::AuditStore* audit_log = nullptr);

// Places a hold and writes "privacy.hold.place" to the audit log (target the subject, details
// the hold as JSON). The hold is stored first: if the audit write fails the error is returned
// and the hold stays in place (keeping data is the safe side of a failure).
Result<HoldRecord> PlaceHold(PrivacyStore& store, audit::AuditStore& audit, HoldRecord hold,
                             std::string_view origin);
// Releases hold `id` and writes "privacy.hold.release".
Result<HoldRecord> ReleaseHold(PrivacyStore& store, audit::AuditStore& audit, int64_t id,
                               std::string_view by, TimePoint at, std::string_view origin);

}  // namespace vigil::privacy

#endif  // VIGIL_PRIVACY_PURGE_H_
