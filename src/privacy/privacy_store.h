// PrivacyStore: where the data-protection records live (docs/privacy.md): the retention policy
// in force, legal holds, DPIA / prior-consultation records, the evidence files' index, and the
// erasure of cases (at expiry, or at once after a "not CSAM" decision) with its counts.
//
// The `privacy` module owns this interface; `store` implements it for SQLite and PostgreSQL
// (where triggers stamp every case, item, item hash and evidence row with its purposes and
// expiry, migration 8), and InMemoryPrivacyStore implements it for unit tests over cases
// registered with AddCaseForTest. Holds, DPIA records and the policy pass one contract suite on
// all three (tests/privacy/privacy_store_contract.h); erasure is tested on the databases against
// every table.
//
// Erasure keeps a case's error-accounting skeleton (Art 3(1)(h) minimisation; what Art 3(1)(e)
// error rates and the annual report need): the case row with its outcome and dates, its flags
// (technology, raw value, bank entry) and its decisions. It replaces the account id and item ids
// by placeholders ("(erased case 7)", "(erased item 0)": the annual report tells items apart by
// them), zeroes received times, clears review rationales and the item ids and reviewers of false
// positives, blanks the details of its events, and deletes its item hashes, evidence rows and
// hotline report rows.
//
// Thread safety: implementations are safe to call from several threads.
#ifndef VIGIL_PRIVACY_PRIVACY_STORE_H_
#define VIGIL_PRIVACY_PRIVACY_STORE_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "privacy/retention.h"

namespace vigil::privacy {

// A legal hold as stored: placed with a reason and an end date or a review date (at least one),
// released early by someone.
struct HoldRecord {
  int64_t id = 0;         // assigned by the store
  std::string subject{};  // "case:<id>" or "account:<account id as stored in cases>"
  std::string reason{};
  std::string placed_by{};
  TimePoint placed_at{};
  std::optional<TimePoint> review_at{};
  std::optional<TimePoint> ends_at{};
  std::optional<TimePoint> released_at{};
  std::string released_by{};
  friend bool operator==(const HoldRecord&, const HoldRecord&) = default;
};

// The retention.h view of a stored hold (lifted at the earlier of its end and its release).
LegalHold AsLegalHold(const HoldRecord& record);
// kInvalidArgument naming the field: ValidateLegalHold's checks, an empty placed_by, neither an
// end nor a review date, or an end before placement.
Status ValidateHoldRecord(const HoldRecord& record);

// A data protection impact assessment or prior consultation of a supervisory authority for one
// technology (Art 3(1)(c)-(d)).
struct DpiaRecord {
  int64_t id = 0;            // assigned by the store
  std::string technology{};  // as named in detection rules and flags
  TimePoint assessed_on{};   // the date of the assessment or consultation
  std::string authority{};   // the data protection authority consulted
  std::string outcome{};     // e.g. "no objection", "consulted, advice followed"
  std::string link{};        // where the document is
  std::string recorded_by{};
  TimePoint recorded_at{};
  friend bool operator==(const DpiaRecord&, const DpiaRecord&) = default;
};
// kInvalidArgument naming the empty or over-long field.
Status ValidateDpiaRecord(const DpiaRecord& record);

enum class ErasureReason { kExpired, kNotCsam };
std::string_view ErasureReasonName(ErasureReason reason);  // "expired", "not_csam"

// One evidence file as indexed in the store: written (row first, then file) for an item of a
// case, erased with the case.
struct EvidenceRow {
  int64_t case_id = 0;
  int64_t item_position = 0;
  std::string file{};  // relative to the evidence directory
  int64_t bytes = 0;
  TimePoint created_at{};
  TimePoint expires_at{};
  friend bool operator==(const EvidenceRow&, const EvidenceRow&) = default;
};

// What one PurgeRecords did: rows deleted per table (record_retention.h gives the periods).
struct RecordPurge {
  int64_t legal_holds = 0;        // ended or released more than kHoldRecordRetention ago
  int64_t dpia_records = 0;       // superseded more than kSupersededDpiaRetention ago
  int64_t reviewer_exposure = 0;  // days older than kExposureRetention
  // Items kept for a classifier retry (classify_retries) past the expiry the retention policy
  // stamped on them, under no active hold on their account (Art 3(1)(h)).
  int64_t classify_retries = 0;
  // Every record above, credited once to each purpose it was kept for, as in erasure_counts
  // (reason "expired"): the retry items to the purposes stamped on them, the others to their
  // table's purposes in the data map (data_map.h, PurgedAs: "legal_procedures",
  // "impact_assessment", "reviewer_wellbeing").
  std::map<std::string, int64_t> by_purpose{};
  friend bool operator==(const RecordPurge&, const RecordPurge&) = default;
};

// What one EraseCase did.
struct ErasedCase {
  bool erased = false;              // false: already erased, unknown, or (kExpired) no longer due
  int64_t records = 0;              // case, items, hashes, evidence rows and report rows erased
  std::vector<Purpose> purposes{};  // the case's purposes, each credited with `records`
};

// Records erased, per UTC day, reason and purpose (a record kept for several purposes counts
// once for each). The purpose is an Art 3(1)(h) purpose's name (PurposeName) for cases and the
// records stamped with purposes, or the data map's purpose of a record outside cases (PurgedAs).
struct ErasureCount {
  int64_t day = 0;  // days since 1970-01-01 (UTC)
  ErasureReason reason = ErasureReason::kExpired;
  std::string purpose{};
  int64_t records = 0;
  friend bool operator==(const ErasureCount&, const ErasureCount&) = default;
};

// kInvalidArgument for an empty purpose or a negative count (CountErasures' checks).
Status ValidateErasureCount(std::string_view purpose, int64_t records);

class PrivacyStore {
 public:
  virtual ~PrivacyStore() = default;

  // The policy new records are stamped with (validated; the databases start with
  // DefaultRetentionPolicy). Records already stored keep their expiry.
  virtual Status PutRetentionPolicy(const RetentionPolicy& policy, TimePoint at) = 0;
  virtual Result<RetentionPolicy> GetRetentionPolicy() = 0;

  // Stores a validated hold; returns it with its id.
  virtual Result<HoldRecord> AddHold(const HoldRecord& hold) = 0;
  // Holds ascending by id; only those active at `active_at` when given.
  virtual Result<std::vector<HoldRecord>> ListHolds(std::optional<TimePoint> active_at) = 0;
  // Releases hold `id` at `at`. kNotFound for an unknown id; kFailedPrecondition when it was
  // already released.
  virtual Result<HoldRecord> ReleaseHold(int64_t id, std::string_view by, TimePoint at) = 0;

  virtual Result<DpiaRecord> AddDpia(const DpiaRecord& record) = 0;
  // Ascending by id; of one technology when given.
  virtual Result<std::vector<DpiaRecord>> ListDpia(std::optional<std::string> technology) = 0;

  // Indexes an evidence file of item `position` of case `case_id` (it expires with the case).
  // kNotFound when the case does not exist; kFailedPrecondition when it was erased.
  virtual Status AddEvidence(int64_t case_id, int64_t position, std::string_view file,
                             int64_t bytes, TimePoint at) = 0;
  // Evidence rows of one case (all when nullopt), ascending by case and position.
  virtual Result<std::vector<EvidenceRow>> ListEvidence(std::optional<int64_t> case_id) = 0;

  // The sealed clear account id of case `case_id` (account_identity.h), stored once: a second
  // call for the case keeps the first. It expires and is erased with the case. kNotFound when the
  // case does not exist; kFailedPrecondition when it was erased.
  virtual Status PutSealedAccount(int64_t case_id, std::string_view sealed_hex, TimePoint at) = 0;
  // The sealed account id of the case; nullopt when none was stored (or the case was erased).
  virtual Result<std::optional<std::string>> GetSealedAccount(int64_t case_id) = 0;

  // Up to `limit` cases due for erasure at `now`, ascending by id: expired (expires_at <= now),
  // not erased, and under no hold active at `now` on the case or its account.
  virtual Result<std::vector<int64_t>> DueCases(TimePoint now, size_t limit) = 0;
  // Erases case `id` in one transaction and adds its counts. For kExpired it re-checks that the
  // case is still due at `at` (a hold placed meanwhile wins). Idempotent: an erased or unknown
  // case gives erased = false.
  virtual Result<ErasedCase> EraseCase(int64_t id, ErasureReason reason, TimePoint at) = 0;
  // Erasure counts of days in [from, to), ascending by day, reason, purpose.
  virtual Result<std::vector<ErasureCount>> ListErasureCounts(TimePoint from, TimePoint to) = 0;
  // Adds `records` erased at `at` for `purpose` (a purge outside this store: the audit log's).
  // kInvalidArgument for an empty purpose or a negative count.
  virtual Status CountErasures(TimePoint at, ErasureReason reason, std::string_view purpose,
                               int64_t records) = 0;

  // Deletes the legal holds, DPIA records and reviewer exposure rows past their periods at `now`
  // (record_retention.h) and the classifier retry items past their expiry whose account is under
  // no active hold, in one transaction with their erasure counts (reason kExpired, once per
  // purpose, RecordPurge::by_purpose). Active holds are never deleted; the newest DPIA record of
  // each technology is kept.
  virtual Result<RecordPurge> PurgeRecords(TimePoint now) = 0;

  // The verification after a purge: one line per record still holding personal data or media
  // past its expiry without an active hold, or kept for an erased case, per hold, DPIA record
  // or exposure row past its period, and for classifier retry items past their expiry (empty
  // when none).
  virtual Result<std::vector<std::string>> RetentionViolations(TimePoint now) = 0;
};

// The in-memory PrivacyStore for unit tests: holds, DPIA records and the policy as the databases
// keep them; cases are only what AddCaseForTest registers (expiry, account, evidence).
class InMemoryPrivacyStore final : public PrivacyStore {
 public:
  // Registers a case for the erasure methods (records: its count of erasable records).
  void AddCaseForTest(int64_t id, std::string account_id, TimePoint expires_at, int64_t records);

  Status PutRetentionPolicy(const RetentionPolicy& policy, TimePoint at) override;
  Result<RetentionPolicy> GetRetentionPolicy() override;
  Result<HoldRecord> AddHold(const HoldRecord& hold) override;
  Result<std::vector<HoldRecord>> ListHolds(std::optional<TimePoint> active_at) override;
  Result<HoldRecord> ReleaseHold(int64_t id, std::string_view by, TimePoint at) override;
  Result<DpiaRecord> AddDpia(const DpiaRecord& record) override;
  Result<std::vector<DpiaRecord>> ListDpia(std::optional<std::string> technology) override;
  Status AddEvidence(int64_t case_id, int64_t position, std::string_view file, int64_t bytes,
                     TimePoint at) override;
  Result<std::vector<EvidenceRow>> ListEvidence(std::optional<int64_t> case_id) override;
  Status PutSealedAccount(int64_t case_id, std::string_view sealed_hex, TimePoint at) override;
  Result<std::optional<std::string>> GetSealedAccount(int64_t case_id) override;
  Result<std::vector<int64_t>> DueCases(TimePoint now, size_t limit) override;
  Result<ErasedCase> EraseCase(int64_t id, ErasureReason reason, TimePoint at) override;
  Result<std::vector<ErasureCount>> ListErasureCounts(TimePoint from, TimePoint to) override;
  Status CountErasures(TimePoint at, ErasureReason reason, std::string_view purpose,
                       int64_t records) override;
  Result<RecordPurge> PurgeRecords(TimePoint now) override;
  Result<std::vector<std::string>> RetentionViolations(TimePoint now) override;

 private:
  struct FakeCase {
    std::string account_id;
    TimePoint expires_at;
    int64_t records = 0;
    bool erased = false;
    std::string sealed_account{};
  };
  bool HeldLocked(int64_t id, const FakeCase& c, TimePoint now) const;
  // Adds to counts_ `records` of each name in `purposes`; mu_ held.
  void CountLocked(TimePoint at, ErasureReason reason, std::span<const std::string> purposes,
                   int64_t records);

  std::mutex mu_;
  RetentionPolicy policy_ = DefaultRetentionPolicy();                // guarded by mu_
  std::vector<HoldRecord> holds_;                                    // guarded by mu_
  std::vector<DpiaRecord> dpia_;                                     // guarded by mu_
  std::map<int64_t, FakeCase> cases_;                                // guarded by mu_
  std::vector<EvidenceRow> evidence_;                                // guarded by mu_
  std::map<std::tuple<int64_t, int, std::string>, int64_t> counts_;  // (day, reason, purpose)
};

// The active holds on case `case_id` (subject "case:<id>") or its account among `holds`.
bool IsCaseHeld(std::span<const HoldRecord> holds, int64_t case_id, std::string_view account_id,
                TimePoint now);

}  // namespace vigil::privacy

#endif  // VIGIL_PRIVACY_PRIVACY_STORE_H_
