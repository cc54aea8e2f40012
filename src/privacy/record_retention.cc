#include "privacy/record_retention.h"

#include <fmt/format.h>

namespace vigil::privacy {
namespace {

bool TargetsCase(std::string_view target, std::string_view id) {
  const std::string api = fmt::format("/v1/cases/{}", id);
  return target == fmt::format("case:{}", id) || target == api || target.starts_with(api + "/");
}

// The first record from `from_seq` on, or nullopt when the log has none.
Result<std::optional<audit::AuditRecord>> RecordAt(audit::AuditStore& audit, int64_t from_seq) {
  ASSIGN_OR_RETURN(std::vector<audit::AuditRecord> page, audit.List(from_seq, 1));
  if (page.empty()) return std::optional<audit::AuditRecord>();
  return std::optional<audit::AuditRecord>(std::move(page.front()));
}

// The seq of the log's newest record (0 when empty).
Result<int64_t> HeadSeq(audit::AuditStore& audit) {
  ASSIGN_OR_RETURN(audit::ChainHead head, audit::VerifyChain(audit));
  return head.seq;
}

}  // namespace

bool AuditRecordHeld(const audit::AuditRecord& r, std::span<const HoldRecord> holds) {
  for (const HoldRecord& h : holds) {
    const std::string_view subject = h.subject;
    if (subject.starts_with("case:")) {
      if (TargetsCase(r.event.target, subject.substr(5))) return true;
    } else if (subject.starts_with("account:")) {
      const std::string_view account = subject.substr(8);
      if (!account.empty() && (r.event.target.find(account) != std::string::npos ||
                               r.event.details.find(account) != std::string::npos)) {
        return true;
      }
    }
  }
  return false;
}

Result<AuditPurge> PurgeAuditLog(audit::AuditStore& audit, PrivacyStore& store, TimePoint now,
                                 size_t page_size) {
  if (page_size == 0) return InvalidArgumentError("audit purge: page size must be at least 1");
  ASSIGN_OR_RETURN(std::vector<HoldRecord> holds, store.ListHolds(now));
  // The chain must verify before anything goes: a purge must not hide a break.
  ASSIGN_OR_RETURN(int64_t head, HeadSeq(audit));
  ASSIGN_OR_RETURN(std::optional<audit::AuditCheckpoint> last, audit.LatestCheckpoint());
  const TimePoint cutoff = now - kAuditLogRetention;
  int64_t next = last ? last->through_seq + 1 : 1;
  int64_t through = 0;
  bool stop = false;
  while (!stop) {
    ASSIGN_OR_RETURN(std::vector<audit::AuditRecord> page, audit.List(next, page_size));
    for (const audit::AuditRecord& r : page) {
      if (r.seq >= head || r.at > cutoff || AuditRecordHeld(r, holds)) {
        stop = true;
        break;
      }
      through = r.seq;
    }
    if (page.size() < page_size) break;
    next = page.back().seq + 1;
  }
  AuditPurge out;
  if (through == 0) return out;
  ASSIGN_OR_RETURN(audit::AuditCheckpoint cp, audit.PurgeThrough(through, now));
  out.records = cp.records;
  out.checkpoint = std::move(cp);
  return out;
}

Result<std::vector<std::string>> AuditRetentionViolations(audit::AuditStore& audit,
                                                          PrivacyStore& store, TimePoint now) {
  ASSIGN_OR_RETURN(std::vector<HoldRecord> holds, store.ListHolds(now));
  ASSIGN_OR_RETURN(int64_t head, HeadSeq(audit));
  ASSIGN_OR_RETURN(std::optional<audit::AuditCheckpoint> last, audit.LatestCheckpoint());
  ASSIGN_OR_RETURN(std::optional<audit::AuditRecord> oldest,
                   RecordAt(audit, last ? last->through_seq + 1 : 1));
  std::vector<std::string> out;
  if (oldest && oldest->seq < head && oldest->at <= now - kAuditLogRetention &&
      !AuditRecordHeld(*oldest, holds)) {
    out.push_back(fmt::format("audit record {} ({}) is past its {} days and not held", oldest->seq,
                              FormatUtc(oldest->at), kAuditLogRetention.count()));
  }
  return out;
}

}  // namespace vigil::privacy
