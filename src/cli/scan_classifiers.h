// `vigil scan --classifiers FILE`: the image classifiers (classify/image_classifiers.h) run on
// every scanned image and video beside the bank matching. An item whose classifier failed
// through no fault of its own (timeout, unreachable, 5xx, nonsense score) is reported naming
// it, nothing of it is counted or filed, and it is kept in the database (classify::RetryStore,
// table classify_retries) with its account; every later scan with classifiers tries the kept
// items again and removes those it files, so no item is lost.
#ifndef VIGIL_CLI_SCAN_CLASSIFIERS_H_
#define VIGIL_CLI_SCAN_CLASSIFIERS_H_

#include <algorithm>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "classify/image_classifiers.h"
#include "classify/retry_store.h"
#include "detect/media_classifier.h"
#include "stats/volume.h"

namespace vigil::cli {

// Not the input's fault: worth trying again later.
bool RetryableFailure(StatusCode code);

class ScanClassifiers {
 public:
  // Loads the configuration; errors name the file and entry. `retries` keeps failed items (null:
  // a dry run, nothing is kept); it must outlive the object.
  static Result<std::unique_ptr<ScanClassifiers>> Load(const std::string& config,
                                                       classify::RetryStore* retries,
                                                       const detect::MediaHasherOptions& hasher);

  // The configured thresholds as review rules (put first in the rule set).
  std::vector<detect::Rule> Rules() const { return classifier_.Rules(); }
  // The items kept by earlier scans, oldest first (none without a store).
  Result<std::vector<classify::RetryItem>> Pending() const;
  // Scores the item `source` of `account`, uploaded on `surface` in `region`. A failure names
  // the model (callers add the item); when the classifier (not the input) failed, the item is
  // kept with its origin and the message says so.
  Result<std::vector<classify::Score>> Classify(const std::string& source,
                                                const std::string& account,
                                                const std::string& surface, stats::Region region,
                                                std::span<const uint8_t> bytes);
  // After the item was filed: it leaves the store if it was kept.
  Status Done(std::span<const uint8_t> bytes) const;
  size_t kept() const { return kept_; }
  uint64_t max_bytes() const { return max_bytes_; }

 private:
  ScanClassifiers(classify::ImageClassifierSet set, classify::RetryStore* retries,
                  const detect::MediaHasherOptions& hasher)
      : set_(std::move(set)),
        classifier_(&set_, hasher),
        retries_(retries),
        max_bytes_(
            std::max(hasher.limits.max_input_bytes, hasher.video.decode.limits.max_input_bytes)) {}

  classify::ImageClassifierSet set_;
  detect::MediaClassifier classifier_;  // points into set_
  classify::RetryStore* retries_;
  uint64_t max_bytes_;
  size_t kept_ = 0;
};

}  // namespace vigil::cli

#endif  // VIGIL_CLI_SCAN_CLASSIFIERS_H_
