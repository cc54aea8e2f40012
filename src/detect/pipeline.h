// Pipeline: one item through detection. Hash it (PDQ or vPDQ, MD5, SHA-256), match the hashes
// against the banks, apply the rules, count the volume per technology, and file the item for
// review when something flagged it: it joins its account's open case or opens one
// (ReviewService::FileItems, docs/review.md "Grouping").
//
// Data minimisation (Art 3(1)(h)): an item that nothing flags leaves only the volume counters;
// its bytes, hashes and account are not stored. A flagged item goes to human review unless the
// rules allow automatic action (known material from a trusted bank, operator consent); new
// material and solicitation always go to a human first (Art 3(1)(g)(iii)).
//
// Thread safety: Process may be called from several threads with one MediaHasher per thread;
// the matcher, rules, review service and counter sink must be thread-safe (theirs are).
#ifndef VIGIL_DETECT_PIPELINE_H_
#define VIGIL_DETECT_PIPELINE_H_

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cases/review_service.h"
#include "classify/classifier.h"
#include "core/clock.h"
#include "detect/media_hasher.h"
#include "detect/rules.h"
#include "match/matcher.h"
#include "privacy/legal_basis.h"
#include "stats/volume.h"

namespace vigil::detect {

struct ItemInput {
  std::string item_id;     // the provider's id of the upload or message
  std::string account_id;  // pseudonymised account id (the caller pseudonymises)
  std::string surface;     // service or surface, e.g. "photos/upload"
  stats::Region region = stats::Region::kUnknown;
  std::span<const uint8_t> bytes;  // unused by ProcessHashed
  // From an end-to-end encrypted interpersonal communication: never scanned under 2026/1881.
  bool end_to_end_encrypted = false;
};

struct ItemOutcome {
  MediaHashes hashes;
  std::vector<match::BankMatch> matches;
  bool pdq_low_quality = false;  // PDQ not matched: quality below the matcher's minimum
  // A video's matches against banked videos, with both shares (each also a "vpdq" signal).
  std::vector<match::VideoMatch> video_matches;
  bool vpdq_low_quality = false;  // no frame reached the matcher's vPDQ quality floor
  RuleDecision decision;
  // Set when the item was filed for review: the case it opened, or joined (opened->grouped).
  std::optional<cases::OpenedCase> opened;
};

class Pipeline {
 public:
  // `review` may be null: then flags are decided but no case is opened (a dry run). All
  // pointers must outlive the pipeline.
  // Items are scanned only as `legal_basis` allows at the clock's time (privacy/legal_basis.h).
  Pipeline(const match::Matcher* matcher, const RuleSet* rules, cases::ReviewService* review,
           stats::VolumeCounterSink* counters, std::shared_ptr<const Clock> clock,
           privacy::LegalBasis legal_basis = privacy::DefaultLegalBasis());

  // Processes one item with the caller's (per-thread) hasher. Errors: kFailedPrecondition when
  // the legal basis does not allow scanning the item now (nothing is hashed, counted or kept),
  // the hasher's (bad media, limits), the store's (kUnavailable), kInvalidArgument for an empty
  // item or account id when a case must be opened.
  Result<ItemOutcome> Process(const ItemInput& item, MediaHasher& hasher) const;

  // The same for an item already hashed (e.g. on another thread); item.bytes is not read.
  Result<ItemOutcome> ProcessHashed(const ItemInput& item, MediaHashes hashes) const;

  // The same with the scores of the scan's image classifiers for the item (MediaClassifier):
  // bank matches and scores go through the rules together, so the item is filed once with all
  // its flags. Each score is a "classifier:<model>" signal of category new material, counted
  // per technology; its flags keep the score's evidence and always go to review
  // (Art 3(1)(g)(iii)). kDataLoss for a nonsense score, before anything is counted or filed.
  Result<ItemOutcome> ProcessClassified(const ItemInput& item, MediaHashes hashes,
                                        const std::vector<classify::Score>& scores) const;

  // Classifier scores for an item (classified.cc): each becomes a "classifier:<model>" signal
  // of category new material (content type "image" or "video") or solicitation
  // ("conversation") through the same rules, volume counters and review queue; never
  // automatic action (Art 3(1)(g)(iii)). kDataLoss for a nonsense score: nothing is flagged
  // or counted, the caller keeps the item for a retry. item.bytes is not read.
  Result<ItemOutcome> ProcessScores(const ItemInput& item, std::string_view content_type,
                                    const std::vector<classify::Score>& scores) const;

 private:
  Result<std::vector<Signal>> Match(const MediaHashes& hashes, ItemOutcome* outcome) const;
  Status Count(const ItemOutcome& outcome, stats::Region region,
               const std::vector<classify::Score>& scores) const;
  Status CheckAllowed(const ItemInput& item) const;

  const match::Matcher* matcher_;
  const RuleSet* rules_;
  cases::ReviewService* review_;
  stats::VolumeCounterSink* counters_;
  std::shared_ptr<const Clock> clock_;
  privacy::LegalBasis legal_basis_;
};

}  // namespace vigil::detect

#endif  // VIGIL_DETECT_PIPELINE_H_
