// The audit log: an append-only, hash-chained record of who did what, to what, when and from
// where (every state change and every view of evidence made through vigil's front ends).
//
// Each record carries the SHA-256 of its predecessor and its own hash over that link and all of
// its fields (ChainHash), so editing, deleting or reordering any stored record breaks the chain
// and VerifyChain names the first record where it breaks. Deleting records from the END leaves a
// valid shorter chain; that is caught only against an anchor (a head seq and hash noted earlier,
// e.g. printed by `vigil audit verify` into a separate system): VerifyAnchor.
//
// Retention (privacy/record_retention.h) deletes an expired PREFIX of the chain through
// PurgeThrough, which first writes a checkpoint: the seq and hash of the last record deleted.
// VerifyChain then starts from the newest checkpoint instead of seq 1, so the records left still
// verify, and a deletion the checkpoint does not cover is still a break. The newest record (the
// head) is never purged, so appends always continue the chain.
//
// The stores (in memory here; SQLite and PostgreSQL in `store`) give each record the next seq
// (1, 2, 3, ... without gaps) and the time from their clock, and serialise appends, also across
// processes sharing a database, so the chain never forks.
//
// Thread safety: AuditStore implementations are safe to call from several threads.
#ifndef VIGIL_AUDIT_AUDIT_H_
#define VIGIL_AUDIT_AUDIT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace vigil::audit {

// What happened, as the caller describes it.
struct AuditEvent {
  std::string actor{};    // who: an API key's name, a reviewer id, "cli:<user>", "system"
  std::string action{};   // what: e.g. "case.decide", "bank.entry.view", "GET /v1/cases/{id}"
  std::string target{};   // on what: e.g. "case:42", "bank:KNOWN_PDQ"; may be empty
  std::string origin{};   // from where: a remote address, "cli"; may be empty
  std::string details{};  // free text, by convention a JSON object; may be empty

  bool operator==(const AuditEvent&) const = default;
};

// One stored record of the chain.
struct AuditRecord {
  int64_t seq = 0;  // position in the chain, from 1
  TimePoint at{};
  AuditEvent event{};
  std::string prev_hash{};  // lowercase hex; kGenesisHash for seq 1
  std::string hash{};       // lowercase hex: ChainHash(prev_hash, seq, at, event)

  bool operator==(const AuditRecord&) const = default;
};

// The prev_hash of the first record: 64 zeros.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The hash every store writes and VerifyChain checks: SHA-256 over a domain tag, prev_hash, seq,
// the time in Unix seconds and each event field length-prefixed (so no two different records
// encode alike), as 64 lowercase hex digits. Stable: changing it would break stored chains.
std::string ChainHash(std::string_view prev_hash, int64_t seq, TimePoint at,
                      const AuditEvent& event);

// Rejects events that could not be recorded faithfully: kInvalidArgument naming the field when
// actor or action is empty, or any field is not valid UTF-8 or longer than 64 KiB.
Status ValidateEvent(const AuditEvent& event);

// Where a purge cut the chain: records up to through_seq were deleted; `hash` is record
// through_seq's hash, the prev_hash of the first record kept.
struct AuditCheckpoint {
  int64_t through_seq = 0;
  std::string hash{};
  int64_t records = 0;  // deleted by that purge
  TimePoint purged_at{};
  bool operator==(const AuditCheckpoint&) const = default;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // Appends `event` (checked by ValidateEvent) as the next record, timed by the store's clock;
  // returns the stored record. Nothing is written on error.
  virtual Result<AuditRecord> Append(const AuditEvent& event) = 0;

  // Up to `limit` records with seq >= from_seq, ascending by seq, exactly as stored (the stores
  // never recompute hashes on read, so tampering stays visible).
  virtual Result<std::vector<AuditRecord>> List(int64_t from_seq, size_t limit) = 0;

  // The newest checkpoint; nullopt when the log was never purged (the default, for stores that
  // cannot purge).
  virtual Result<std::optional<AuditCheckpoint>> LatestCheckpoint() {
    return std::optional<AuditCheckpoint>();
  }
  // Writes the checkpoint of record `through_seq` and deletes every record up to it, in one
  // transaction; returns the checkpoint. kNotFound when that record is not stored (purged
  // already); kFailedPrecondition when it is the head; kUnimplemented by default.
  virtual Result<AuditCheckpoint> PurgeThrough(int64_t through_seq, TimePoint at) {
    (void)through_seq;
    (void)at;
    return UnimplementedError("this audit store cannot purge");
  }
};

// The state of a verified chain.
struct ChainHead {
  int64_t records = 0;  // how many records were checked (those after the newest checkpoint)
  int64_t seq = 0;      // the last record's seq (0 when the log is empty)
  std::string hash{};   // the last record's hash (kGenesisHash when empty)
};

// Reads the whole chain in pages of `page_size` and checks every record: seq continues without a
// gap from 1 (or from the newest checkpoint, whose hash the first record must link to), prev_hash
// equals the previous record's hash, and hash equals ChainHash of the record. kDataLoss naming the
// first bad seq and what is wrong; store errors pass through.
Result<ChainHead> VerifyChain(AuditStore& store, size_t page_size = 1000);

// Checks that the record `seq` still exists with `hash` (an anchor noted earlier): kDataLoss when
// it is missing (the log was truncated) or differs; an anchor a checkpoint covers is checked
// against the checkpoint when it is the checkpoint's record, and is kFailedPrecondition (purged
// by retention: note a newer anchor) when older. Run after VerifyChain.
Status VerifyAnchor(AuditStore& store, int64_t seq, std::string_view hash);

// Parses "SEQ:HASH" as printed by `vigil audit verify`; kInvalidArgument otherwise.
Result<std::pair<int64_t, std::string>> ParseAnchor(std::string_view text);

// The in-memory AuditStore for tests and stores-less tools.
class InMemoryAuditStore final : public AuditStore {
 public:
  explicit InMemoryAuditStore(std::shared_ptr<const Clock> clock = nullptr);

  Result<AuditRecord> Append(const AuditEvent& event) override;
  Result<std::vector<AuditRecord>> List(int64_t from_seq, size_t limit) override;
  Result<std::optional<AuditCheckpoint>> LatestCheckpoint() override;
  Result<AuditCheckpoint> PurgeThrough(int64_t through_seq, TimePoint at) override;

  // Test hooks standing in for someone with write access to the storage.
  void TamperForTest(int64_t seq, const AuditEvent& event);
  void EraseForTest(int64_t seq);

 private:
  std::shared_ptr<const Clock> clock_;
  std::mutex mu_;
  std::vector<AuditRecord> records_;          // guarded by mu_
  std::vector<AuditCheckpoint> checkpoints_;  // guarded by mu_
};

}  // namespace vigil::audit

#endif  // VIGIL_AUDIT_AUDIT_H_
