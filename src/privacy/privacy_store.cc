#include "privacy/privacy_store.h"

#include <fmt/format.h>

#include <algorithm>

#include "privacy/data_map.h"
#include "privacy/record_retention.h"

namespace vigil::privacy {
namespace {

constexpr size_t kMaxField = 4096;

Status CheckField(std::string_view what, std::string_view field, std::string_view value) {
  if (value.empty()) return InvalidArgumentError(fmt::format("{}: {} is empty", what, field));
  if (value.size() > kMaxField) {
    return InvalidArgumentError(
        fmt::format("{}: {} is longer than {} bytes", what, field, kMaxField));
  }
  return Status::Ok();
}

int64_t DayNumber(TimePoint t) {
  return std::chrono::floor<std::chrono::days>(t).time_since_epoch().count();
}

}  // namespace

LegalHold AsLegalHold(const HoldRecord& r) {
  LegalHold h{.subject = r.subject,
              .reason = r.reason,
              .placed_at = r.placed_at,
              .review_at = r.review_at,
              .lifted_at = r.ends_at};
  if (r.released_at && (!h.lifted_at || *r.released_at < *h.lifted_at)) {
    h.lifted_at = r.released_at;
  }
  return h;
}

Status ValidateHoldRecord(const HoldRecord& r) {
  RETURN_IF_ERROR(ValidateLegalHold(AsLegalHold(r)));
  RETURN_IF_ERROR(CheckField("legal hold", "subject", r.subject));
  RETURN_IF_ERROR(CheckField("legal hold", "reason", r.reason));
  RETURN_IF_ERROR(CheckField("legal hold", "placed_by", r.placed_by));
  if (!r.ends_at && !r.review_at) {
    return InvalidArgumentError(
        "legal hold: give an end date or a review date (a hold must be looked at again)");
  }
  return Status::Ok();
}

Status ValidateDpiaRecord(const DpiaRecord& r) {
  RETURN_IF_ERROR(CheckField("DPIA record", "technology", r.technology));
  RETURN_IF_ERROR(CheckField("DPIA record", "authority", r.authority));
  RETURN_IF_ERROR(CheckField("DPIA record", "outcome", r.outcome));
  RETURN_IF_ERROR(CheckField("DPIA record", "link", r.link));
  RETURN_IF_ERROR(CheckField("DPIA record", "recorded_by", r.recorded_by));
  return Status::Ok();
}

Status ValidateErasureCount(std::string_view purpose, int64_t records) {
  if (purpose.empty()) return InvalidArgumentError("erasure count: the purpose is empty");
  if (records < 0) {
    return InvalidArgumentError(
        fmt::format("erasure count for {}: {} records is negative", purpose, records));
  }
  return Status::Ok();
}

std::string_view ErasureReasonName(ErasureReason reason) {
  return reason == ErasureReason::kExpired ? "expired" : "not_csam";
}

bool IsCaseHeld(std::span<const HoldRecord> holds, int64_t case_id, std::string_view account_id,
                TimePoint now) {
  const std::string by_case = fmt::format("case:{}", case_id);
  const std::string by_account = fmt::format("account:{}", account_id);
  return std::ranges::any_of(holds, [&](const HoldRecord& h) {
    return (h.subject == by_case || (!account_id.empty() && h.subject == by_account)) &&
           IsHoldActive(AsLegalHold(h), now);
  });
}

// In memory.

void InMemoryPrivacyStore::AddCaseForTest(int64_t id, std::string account_id, TimePoint expires_at,
                                          int64_t records) {
  std::lock_guard<std::mutex> lock(mu_);
  cases_[id] = FakeCase{std::move(account_id), expires_at, records, false};
}

Status InMemoryPrivacyStore::PutRetentionPolicy(const RetentionPolicy& policy, TimePoint) {
  RETURN_IF_ERROR(ValidateRetentionPolicy(policy));
  std::lock_guard<std::mutex> lock(mu_);
  policy_ = policy;
  return Status::Ok();
}

Result<RetentionPolicy> InMemoryPrivacyStore::GetRetentionPolicy() {
  std::lock_guard<std::mutex> lock(mu_);
  return policy_;
}

Result<HoldRecord> InMemoryPrivacyStore::AddHold(const HoldRecord& hold) {
  RETURN_IF_ERROR(ValidateHoldRecord(hold));
  std::lock_guard<std::mutex> lock(mu_);
  HoldRecord stored = hold;
  stored.id = static_cast<int64_t>(holds_.size()) + 1;
  stored.released_at.reset();
  stored.released_by.clear();
  holds_.push_back(stored);
  return stored;
}

Result<std::vector<HoldRecord>> InMemoryPrivacyStore::ListHolds(
    std::optional<TimePoint> active_at) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<HoldRecord> out;
  for (const HoldRecord& h : holds_) {
    if (!active_at || IsHoldActive(AsLegalHold(h), *active_at)) out.push_back(h);
  }
  return out;
}

Result<HoldRecord> InMemoryPrivacyStore::ReleaseHold(int64_t id, std::string_view by,
                                                     TimePoint at) {
  RETURN_IF_ERROR(CheckField("legal hold release", "released_by", by));
  std::lock_guard<std::mutex> lock(mu_);
  if (id < 1 || id > static_cast<int64_t>(holds_.size())) {
    return NotFoundError(fmt::format("legal hold {} does not exist", id));
  }
  HoldRecord& h = holds_[static_cast<size_t>(id - 1)];
  if (h.released_at) {
    return FailedPreconditionError(
        fmt::format("legal hold {} was already released at {}", id, FormatUtc(*h.released_at)));
  }
  h.released_at = std::max(at, h.placed_at);
  h.released_by = std::string(by);
  return h;
}

Result<DpiaRecord> InMemoryPrivacyStore::AddDpia(const DpiaRecord& record) {
  RETURN_IF_ERROR(ValidateDpiaRecord(record));
  std::lock_guard<std::mutex> lock(mu_);
  DpiaRecord stored = record;
  stored.id = static_cast<int64_t>(dpia_.size()) + 1;
  dpia_.push_back(stored);
  return stored;
}

Result<std::vector<DpiaRecord>> InMemoryPrivacyStore::ListDpia(
    std::optional<std::string> technology) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<DpiaRecord> out;
  for (const DpiaRecord& r : dpia_) {
    if (!technology || r.technology == *technology) out.push_back(r);
  }
  return out;
}

Status InMemoryPrivacyStore::AddEvidence(int64_t case_id, int64_t position, std::string_view file,
                                         int64_t bytes, TimePoint at) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return NotFoundError(fmt::format("case {} does not exist", case_id));
  if (it->second.erased) {
    return FailedPreconditionError(
        fmt::format("case {} was erased; it takes no evidence", case_id));
  }
  evidence_.push_back({case_id, position, std::string(file), bytes, at, it->second.expires_at});
  return Status::Ok();
}

Result<std::vector<EvidenceRow>> InMemoryPrivacyStore::ListEvidence(std::optional<int64_t> id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<EvidenceRow> out;
  for (const EvidenceRow& r : evidence_) {
    if (!id || r.case_id == *id) out.push_back(r);
  }
  std::ranges::sort(out, {},
                    [](const EvidenceRow& r) { return std::pair(r.case_id, r.item_position); });
  return out;
}

Status InMemoryPrivacyStore::PutSealedAccount(int64_t case_id, std::string_view sealed_hex,
                                              TimePoint) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return NotFoundError(fmt::format("case {} does not exist", case_id));
  if (it->second.erased) {
    return FailedPreconditionError(
        fmt::format("case {} was erased; it takes no account id", case_id));
  }
  if (it->second.sealed_account.empty()) it->second.sealed_account = std::string(sealed_hex);
  return Status::Ok();
}

Result<std::optional<std::string>> InMemoryPrivacyStore::GetSealedAccount(int64_t case_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cases_.find(case_id);
  if (it == cases_.end() || it->second.sealed_account.empty()) return std::optional<std::string>();
  return std::optional<std::string>(it->second.sealed_account);
}

bool InMemoryPrivacyStore::HeldLocked(int64_t id, const FakeCase& c, TimePoint now) const {
  return IsCaseHeld(holds_, id, c.account_id, now);
}

Result<std::vector<int64_t>> InMemoryPrivacyStore::DueCases(TimePoint now, size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<int64_t> out;
  for (const auto& [id, c] : cases_) {
    if (out.size() >= limit) break;
    if (!c.erased && c.expires_at <= now && !HeldLocked(id, c, now)) out.push_back(id);
  }
  return out;
}

Result<ErasedCase> InMemoryPrivacyStore::EraseCase(int64_t id, ErasureReason reason, TimePoint at) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cases_.find(id);
  if (it == cases_.end() || it->second.erased) return ErasedCase{};
  FakeCase& c = it->second;
  if (reason == ErasureReason::kExpired && (at < c.expires_at || HeldLocked(id, c, at))) {
    return ErasedCase{};
  }
  const int64_t evidence =
      std::erase_if(evidence_, [id](const EvidenceRow& r) { return r.case_id == id; });
  const int64_t sealed = c.sealed_account.empty() ? 0 : 1;
  c.erased = true;
  c.account_id.clear();
  c.sealed_account.clear();
  ErasedCase out{.erased = true,
                 .records = c.records + evidence + sealed,
                 .purposes = {Purpose::kReporting, Purpose::kBlocking, Purpose::kRedress,
                              Purpose::kLawEnforcement}};
  for (Purpose p : out.purposes) {
    counts_[{DayNumber(at), static_cast<int>(reason), std::string(PurposeName(p))}] += out.records;
  }
  return out;
}

void InMemoryPrivacyStore::CountLocked(TimePoint at, ErasureReason reason,
                                       std::span<const std::string> purposes, int64_t records) {
  if (records == 0) return;
  for (const std::string& p : purposes) {
    counts_[{DayNumber(at), static_cast<int>(reason), p}] += records;
  }
}

Status InMemoryPrivacyStore::CountErasures(TimePoint at, ErasureReason reason,
                                           std::string_view purpose, int64_t records) {
  RETURN_IF_ERROR(ValidateErasureCount(purpose, records));
  std::lock_guard<std::mutex> lock(mu_);
  const std::string p(purpose);
  CountLocked(at, reason, std::span(&p, 1), records);
  return Status::Ok();
}

Result<std::vector<ErasureCount>> InMemoryPrivacyStore::ListErasureCounts(TimePoint from,
                                                                          TimePoint to) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ErasureCount> out;
  for (const auto& [key, records] : counts_) {
    const auto [day, reason, purpose] = key;
    if (day < DayNumber(from) || day >= DayNumber(to)) continue;
    out.push_back({day, static_cast<ErasureReason>(reason), purpose, records});
  }
  return out;
}

// Holds lifted before `cutoff`, and DPIA records superseded by a newer one recorded before it.
bool HoldOutlived(const HoldRecord& h, TimePoint cutoff) {
  return (h.released_at && *h.released_at <= cutoff) || (h.ends_at && *h.ends_at <= cutoff);
}
bool DpiaOutlived(const DpiaRecord& d, std::span<const DpiaRecord> all, TimePoint cutoff) {
  return std::ranges::any_of(all, [&](const DpiaRecord& n) {
    return n.technology == d.technology && n.id > d.id && n.recorded_at <= cutoff;
  });
}

Result<RecordPurge> InMemoryPrivacyStore::PurgeRecords(TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  RecordPurge out;
  out.legal_holds = static_cast<int64_t>(std::erase_if(
      holds_, [&](const HoldRecord& h) { return HoldOutlived(h, now - kHoldRecordRetention); }));
  const std::vector<DpiaRecord> all = dpia_;
  out.dpia_records = static_cast<int64_t>(std::erase_if(dpia_, [&](const DpiaRecord& d) {
    return DpiaOutlived(d, all, now - kSupersededDpiaRetention);
  }));
  // The fake keeps no exposure rows or retry items.
  for (const auto& [table, n] :
       {std::pair{"legal_holds", out.legal_holds}, std::pair{"dpia_records", out.dpia_records}}) {
    ASSIGN_OR_RETURN(std::vector<std::string> purposes, PurgedAs(table));
    CountLocked(now, ErasureReason::kExpired, purposes, n);
    for (const std::string& p : purposes) {
      if (n > 0) out.by_purpose[p] += n;
    }
  }
  return out;
}

Result<std::vector<std::string>> InMemoryPrivacyStore::RetentionViolations(TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const HoldRecord& h : holds_) {
    if (HoldOutlived(h, now - kHoldRecordRetention)) {
      out.push_back(fmt::format("legal hold {} ended more than {} days ago and is kept", h.id,
                                kHoldRecordRetention.count()));
    }
  }
  for (const DpiaRecord& d : dpia_) {
    if (DpiaOutlived(d, dpia_, now - kSupersededDpiaRetention)) {
      out.push_back(fmt::format("DPIA record {} was superseded more than {} days ago and is kept",
                                d.id, kSupersededDpiaRetention.count()));
    }
  }
  for (const auto& [id, c] : cases_) {
    if (!c.erased && c.expires_at <= now && !HeldLocked(id, c, now)) {
      out.push_back(
          fmt::format("case {} expired at {} and is not erased", id, FormatUtc(c.expires_at)));
    }
  }
  for (const EvidenceRow& r : evidence_) {
    if (cases_.at(r.case_id).erased) {
      out.push_back(fmt::format("evidence {} is kept for erased case {}", r.file, r.case_id));
    }
  }
  return out;
}

}  // namespace vigil::privacy
