// Matcher: finds the bank entries an item's hashes match, against the active entries of a set
// of banks held in memory (a HammingIndex for PDQ, exact indexes for MD5 and SHA-256).
//
// Videos: every frame of every active vPDQ entry goes into the same HammingIndex as the photo
// PDQ hashes, under an id that names the entry and the frame (see video_matcher.cc), so matching
// a video costs one index query per distinct query frame instead of comparing it with every
// frame of every banked video. MatchVpdq gives exactly hash::MatchVpdq's frame counts and
// percentages (tests/video/vpdq_bank_golden_test.cc).
//
// Retired entries never match. PDQ hashes of low quality (below options.min_pdq_quality) are
// not matched, because a near-blank image's hash is close to many unrelated ones; the caller
// reports them as such. Each match carries the entry and its bank, so callers can tell a match
// from an auto-action bank from one that needs review.
//
// Match* read each matched entry's details from the BankStore (its provenance and verification
// state change under review; keeping every value in memory would double the footprint of a
// 10M-entry bank), so the store must outlive the matcher. Lookup* answer from memory alone
// (entry id, bank, distance: what HMA's lookup routes return), because each index id carries its
// entry's bank; they skip the store read, so an entry retired by another process still matches
// there until the matcher learns of it (OnEntryRetired, or a reload).
//
// Banks created after Load join through AddBank (when the matcher matches every bank), so a
// long-running process (vigil worker, vigil serve) needs no reload or restart for a new bank.
//
// Thread safety: Match* and Lookup* may be called from any thread concurrently with each other
// and with OnEntryAdded/OnEntryRetired/Reconcile/AddBank, which apply bank changes without
// stopping searches. Callers serialise the changes of one bank (AddBank reads the bank's entries
// before it starts matching it, so an entry added concurrently through OnEntryAdded would be
// ignored).
#ifndef VIGIL_MATCH_MATCHER_H_
#define VIGIL_MATCH_MATCHER_H_

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "bank/bank.h"
#include "core/result.h"
#include "hash/hash.h"
#include "index/index.h"

namespace vigil::match {

struct MatcherOptions {
  // Banks to match against, by name; empty means every bank in the store.
  std::vector<std::string> banks;
  // PDQ matches within this Hamming distance (ThreatExchange's default is 31; up to 256).
  int pdq_radius = index::kDefaultPdqRadius;
  // PDQ hashes with quality below this are not matched (the reference's default is 50).
  int min_pdq_quality = 50;
  // Threads used to build the PDQ index.
  int build_threads = 1;
  // Video matching: frame distance (0..256), frame quality floor and the two percentage
  // thresholds, defaults as ThreatExchange's vPDQ (31, 50, 80%/80%).
  hash::VpdqMatchOptions vpdq{};
};

struct BankMatch {
  bank::Bank bank;
  bank::BankEntry entry;
  int distance = 0;  // Hamming distance for PDQ; 0 for exact digests
};

// A banked video compared with a query video. `result` holds the frame counts (after
// de-duplication and the quality floor) and the two shares, as hash::MatchVpdq computes them.
struct VideoMatch {
  bank::Bank bank;
  bank::BankEntry entry;
  hash::VpdqMatchResult result;
};

// A match as the matcher holds it, without the entry's details from the store.
struct MatchRef {
  bank::EntryId entry_id = 0;
  const bank::Bank* bank = nullptr;  // the matcher's copy: valid while the matcher lives
  int distance = 0;                  // Hamming distance for PDQ; 0 for exact digests
  friend bool operator==(const MatchRef&, const MatchRef&) = default;
};

// Counts of what the matcher holds.
struct MatcherStats {
  size_t banks = 0;
  size_t pdq_entries = 0;  // photo PDQ entries
  size_t md5_entries = 0;
  size_t sha256_entries = 0;
  size_t vpdq_entries = 0;
  size_t vpdq_frames = 0;  // frames of vPDQ entries in the index
};

class Matcher {
 public:
  // Loads the active entries of the chosen banks. kNotFound names a bank that does not exist;
  // kInvalidArgument for a radius outside 0..256. `progress` (optional) gets entries loaded.
  static Result<std::unique_ptr<Matcher>> Load(bank::BankStore& store,
                                               const MatcherOptions& options,
                                               const bank::ProgressCallback& progress = {});

  // Entries whose PDQ hash is within options.pdq_radius of `pdq`, nearest first.
  // kFailedPrecondition when `quality` is below options.min_pdq_quality (not matched); pass
  // nullopt for a hash given without its quality (e.g. typed by an analyst), which is matched.
  Result<std::vector<BankMatch>> MatchPdq(const hash::Hash256& pdq,
                                          std::optional<int> quality) const;
  Result<std::vector<BankMatch>> MatchMd5(const hash::Md5Digest& md5) const;
  Result<std::vector<BankMatch>> MatchSha256(const hash::Sha256Digest& sha256) const;

  // The same matches as Match* (same entries, order and distances; the same quality check),
  // from memory without reading the store: for callers that need only ids, banks and distances.
  Result<std::vector<MatchRef>> LookupPdq(const hash::Hash256& pdq,
                                          std::optional<int> quality) const;
  std::vector<MatchRef> LookupMd5(const hash::Md5Digest& md5) const;
  std::vector<MatchRef> LookupSha256(const hash::Sha256Digest& sha256) const;

  // The banked videos `query` (a video's vPDQ frames, in any order, repeats allowed) matches:
  // both shares at or above options.vpdq's thresholds; with `include_below_threshold`, every
  // video sharing at least one frame. Ordered by query share, then target share (both
  // descending), then entry id. kFailedPrecondition when no query frame reaches the quality
  // floor (nothing can be matched).
  Result<std::vector<VideoMatch>> MatchVpdq(std::span<const hash::VpdqFrame> query,
                                            bool include_below_threshold = false) const;

  // Applies a change made to the store: a new active entry of a matched bank starts matching;
  // a retired entry stops. Entries of other banks are ignored.
  Status OnEntryAdded(const bank::BankEntry& entry);
  Status OnEntryRetired(const bank::BankEntry& entry);
  // Brings the matcher in line with `entry` as stored now: indexed when active, not indexed when
  // retired (entries of other banks are ignored). True when that changed what the matcher holds,
  // false when it already agreed, so a caller can tell a new change from a repeated one.
  Result<bool> Reconcile(const bank::BankEntry& entry);

  // Whether the bank's entries are matched.
  bool HasBank(bank::BankId bank) const;
  // Starts matching bank `bank`, created after Load: reads its active entries from the store,
  // then matches the bank and indexes them. False, changing nothing, when the bank is already
  // matched or when options.banks names the banks (Load matched each of those; a new bank is
  // never among them). kNotFound when the store has no such bank; kResourceExhausted beyond
  // kMaxMatchedBanks banks; an error reading the entries changes nothing.
  Result<bool> AddBank(bank::BankId bank);

  const MatcherOptions& options() const { return options_; }
  MatcherStats GetStats() const;

 private:
  // Restricts construction to Load while letting it use make_unique.
  struct PassKey {
    explicit PassKey() = default;
  };

 public:
  Matcher(PassKey, bank::BankStore& store, MatcherOptions options);

 private:
  Status AddToIndexes(const bank::BankEntry& entry, std::vector<index::HammingEntry>* pdq_bulk);
  // The index id of a photo or digest entry of a matched bank (video_ids.h).
  Result<uint64_t> IndexId(const bank::BankEntry& entry) const;
  Result<std::vector<index::Match>> SearchPdq(const hash::Hash256& pdq,
                                              std::optional<int> quality) const;
  std::vector<MatchRef> Refs(const std::vector<index::Match>& hits) const;
  Result<std::vector<BankMatch>> Resolve(const std::vector<index::Match>& hits) const;
  Result<std::vector<BankMatch>> ResolveIds(const std::vector<uint64_t>& ids) const;
  Status AddVideo(const bank::BankEntry& entry, std::vector<index::HammingEntry>* pdq_bulk);
  Status RemoveVideo(const bank::BankEntry& entry);
  // Whether `entry` is in the indexes now.
  Result<bool> Holds(const bank::BankEntry& entry) const;
  // A copy of a matched bank, nullopt when it is not matched.
  std::optional<bank::Bank> FindBank(bank::BankId id) const;
  // Registers a bank at the next position; false when it is there already. Takes banks_mu_.
  Result<bool> RegisterBank(bank::Bank bank);

  bank::BankStore& store_;
  const MatcherOptions options_;
  // The matched banks (map nodes never move, so pointers to them stay valid), each bank's
  // position (bits 47-62 of its entries' index ids), and back. Banks are only ever added.
  mutable std::shared_mutex banks_mu_;
  std::map<bank::BankId, bank::Bank> banks_;      // guarded by banks_mu_
  std::map<bank::BankId, size_t> bank_position_;  // guarded by banks_mu_
  std::vector<const bank::Bank*> bank_at_;        // guarded by banks_mu_
  std::unique_ptr<index::HammingIndex> pdq_;
  index::Md5Index md5_;
  index::Sha256Index sha256_;
  // Frames each indexed vPDQ entry has in pdq_ (after de-duplication and the quality floor);
  // the target side of a video match's share.
  mutable std::shared_mutex video_mu_;
  std::unordered_map<bank::EntryId, int> video_frames_;  // guarded by video_mu_
};

}  // namespace vigil::match

#endif  // VIGIL_MATCH_MATCHER_H_
