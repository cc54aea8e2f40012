// Retention of the records that belong to no case (Art 3(1)(h); GDPR Art 5(1)(e)): the audit
// log, legal holds, DPIA records and reviewers' daily exposure. Each has a fixed period, stated
// in the data map (data_map.cc) and docs/privacy.md, and its own purge and verification, run by
// `vigil purge` and the server's scheduled purge after the cases' purge.
//
// The audit log is hash-chained, so only a prefix can go: the purge deletes the oldest records
// up to the last one that is past its period and names nothing under an active legal hold, and
// never the newest record (the chain's head), writing a checkpoint with the hash of the last
// record deleted (audit::AuditStore::PurgeThrough); VerifyChain then verifies the rest from the
// checkpoint. A held record stops the purge there, keeping every later record too.
//
// Thread safety: free functions over thread-safe stores.
#ifndef VIGIL_PRIVACY_RECORD_RETENTION_H_
#define VIGIL_PRIVACY_RECORD_RETENTION_H_

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "core/result.h"
#include "privacy/privacy_store.h"

namespace vigil::privacy {

// Audit records: who did what to cases and evidence, kept for a year for accountability.
inline constexpr std::chrono::days kAuditLogRetention{365};
// A legal hold after it ended or was released: the record of why data outlived its expiry.
inline constexpr std::chrono::days kHoldRecordRetention{365};
// A DPIA record after a newer one for the same technology was recorded.
inline constexpr std::chrono::days kSupersededDpiaRetention{365};
// Items a reviewer viewed per day: the exposure caps look back days, not months.
inline constexpr std::chrono::days kExposureRetention{90};

// True when audit record `r` names the subject of an active hold among `holds`: a case hold
// ("case:<id>") covers records whose target is "case:<id>", "/v1/cases/<id>" or below it; an
// account hold covers records whose target or details contain the account id.
bool AuditRecordHeld(const audit::AuditRecord& r, std::span<const HoldRecord> holds);

struct AuditPurge {
  int64_t records = 0;                                 // deleted by this run
  std::optional<audit::AuditCheckpoint> checkpoint{};  // written by this run
};

// Deletes the audit log's expired prefix at `now` (see above), reading `page_size` records at a
// time. Idempotent: a run with nothing due writes no checkpoint.
Result<AuditPurge> PurgeAuditLog(audit::AuditStore& audit, PrivacyStore& store, TimePoint now,
                                 size_t page_size = 1000);

// The audit log's verification: one line when its oldest record is past its period, names no
// held subject and is not the head (the purge would have taken it); empty otherwise.
Result<std::vector<std::string>> AuditRetentionViolations(audit::AuditStore& audit,
                                                          PrivacyStore& store, TimePoint now);

}  // namespace vigil::privacy

#endif  // VIGIL_PRIVACY_RECORD_RETENTION_H_
