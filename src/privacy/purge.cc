#include "privacy/purge.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "privacy/data_map.h"

namespace vigil::privacy {
namespace {

Status EraseFiles(const EvidenceStore* evidence, int64_t id) {
  return evidence == nullptr ? Status::Ok() : evidence->RemoveCase(id);
}

void Tally(PurgeSummary& s, const ErasedCase& e) {
  if (!e.erased) return;
  ++s.cases;
  s.records += e.records;
  for (Purpose p : e.purposes) s.records_by_purpose[std::string(PurposeName(p))] += e.records;
}

std::string HoldJson(const HoldRecord& h) {
  nlohmann::ordered_json j{
      {"id", h.id}, {"reason", h.reason}, {"placed_at", FormatUtc(h.placed_at)}};
  if (h.review_at) j["review_at"] = FormatUtc(*h.review_at);
  if (h.ends_at) j["ends_at"] = FormatUtc(*h.ends_at);
  if (h.released_at) j["released_at"] = FormatUtc(*h.released_at);
  return j.dump();
}

}  // namespace

Result<PurgeSummary> Purge(PrivacyStore& store, const EvidenceStore* evidence, TimePoint now,
                           const PurgeOptions& options) {
  if (options.batch_size < 1 || options.batch_size > 10000) {
    return InvalidArgumentError(
        fmt::format("purge: batch size {} must be between 1 and 10000", options.batch_size));
  }
  PurgeSummary summary;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<int64_t> due, store.DueCases(now, options.batch_size));
    if (due.empty()) break;
    for (int64_t id : due) {
      RETURN_IF_ERROR(EraseFiles(evidence, id));
      if (options.before_erase) RETURN_IF_ERROR(options.before_erase(id));
      ASSIGN_OR_RETURN(ErasedCase erased, store.EraseCase(id, ErasureReason::kExpired, now));
      if (!erased.erased) {
        // A hold placed since DueCases, or another purge got there first: nothing to count. A
        // case still due would come back forever, so stop rather than loop.
        return InternalError(fmt::format("purge: case {} was listed as due but not erased", id));
      }
      Tally(summary, erased);
    }
    ++summary.batches;
    if (options.after_batch) RETURN_IF_ERROR(options.after_batch(summary.batches));
  }
  ASSIGN_OR_RETURN(summary.outside_cases, store.PurgeRecords(now));
  const RecordPurge& other = summary.outside_cases;
  summary.records +=
      other.legal_holds + other.dpia_records + other.reviewer_exposure + other.classify_retries;
  for (const auto& [purpose, n] : other.by_purpose) summary.records_by_purpose[purpose] += n;
  if (options.audit_log != nullptr) {
    ASSIGN_OR_RETURN(AuditPurge audit, PurgeAuditLog(*options.audit_log, store, now));
    summary.audit_records = audit.records;
    if (audit.records > 0) {
      ASSIGN_OR_RETURN(std::vector<std::string> purposes, PurgedAs("audit_log"));
      for (const std::string& p : purposes) {
        RETURN_IF_ERROR(store.CountErasures(now, ErasureReason::kExpired, p, audit.records));
        summary.records_by_purpose[p] += audit.records;
      }
      summary.records += audit.records;
    }
  }
  return summary;
}

Result<ErasedCase> EraseNotCsam(PrivacyStore& store, const EvidenceStore* evidence, int64_t id,
                                TimePoint now) {
  RETURN_IF_ERROR(EraseFiles(evidence, id));
  return store.EraseCase(id, ErasureReason::kNotCsam, now);
}

Result<std::vector<std::string>> VerifyRetention(PrivacyStore& store, const EvidenceStore* evidence,
                                                 TimePoint now, audit::AuditStore* audit_log) {
  ASSIGN_OR_RETURN(std::vector<std::string> problems, store.RetentionViolations(now));
  if (audit_log != nullptr) {
    ASSIGN_OR_RETURN(std::vector<std::string> audit,
                     AuditRetentionViolations(*audit_log, store, now));
    problems.insert(problems.end(), audit.begin(), audit.end());
  }
  if (evidence == nullptr) return problems;
  ASSIGN_OR_RETURN(std::vector<EvidenceRow> rows, store.ListEvidence(std::nullopt));
  ASSIGN_OR_RETURN(std::vector<std::string> files, evidence->ListFiles());
  std::set<std::string> indexed;
  for (const EvidenceRow& r : rows) indexed.insert(r.file);
  for (const std::string& f : files) {
    if (!indexed.contains(f)) {
      problems.push_back(
          fmt::format("evidence file {} has no index row (an erased or unknown "
                      "case)",
                      (evidence->dir() / f).string()));
    }
  }
  return problems;
}

Result<HoldRecord> PlaceHold(PrivacyStore& store, audit::AuditStore& audit, HoldRecord hold,
                             std::string_view origin) {
  ASSIGN_OR_RETURN(HoldRecord placed, store.AddHold(hold));
  RETURN_IF_ERROR(audit
                      .Append({.actor = placed.placed_by,
                               .action = "privacy.hold.place",
                               .target = placed.subject,
                               .origin = std::string(origin),
                               .details = HoldJson(placed)})
                      .status());
  return placed;
}

Result<HoldRecord> ReleaseHold(PrivacyStore& store, audit::AuditStore& audit, int64_t id,
                               std::string_view by, TimePoint at, std::string_view origin) {
  ASSIGN_OR_RETURN(HoldRecord released, store.ReleaseHold(id, by, at));
  RETURN_IF_ERROR(audit
                      .Append({.actor = std::string(by),
                               .action = "privacy.hold.release",
                               .target = released.subject,
                               .origin = std::string(origin),
                               .details = HoldJson(released)})
                      .status());
  return released;
}

}  // namespace vigil::privacy
