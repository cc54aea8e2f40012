// `vigil scan --classifiers FILE`: the image classifiers (classify/image_classifiers.h) run on
// every scanned image and video beside the bank matching, and the retry spool (retry_spool.h)
// of items whose classifier failed through no fault of their own (timeout, unreachable, 5xx,
// nonsense score): such an item is reported naming it, nothing of it is counted or filed, and
// with --retry-dir it is kept and tried again by the next scan, so it is never lost.
#ifndef VIGIL_CLI_SCAN_CLASSIFIERS_H_
#define VIGIL_CLI_SCAN_CLASSIFIERS_H_

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "classify/image_classifiers.h"
#include "cli/retry_spool.h"
#include "detect/media_classifier.h"

namespace vigil::cli {

class ScanClassifiers {
 public:
  // Loads the configuration; opens the spool when `retry_dir` is not empty. Errors name the
  // file and entry.
  static Result<std::unique_ptr<ScanClassifiers>> Load(const std::string& config,
                                                       const std::string& retry_dir,
                                                       const detect::MediaHasherOptions& hasher);

  // The configured thresholds as review rules (put first in the rule set).
  std::vector<detect::Rule> Rules() const { return classifier_.Rules(); }
  // The items kept by earlier scans (empty without a spool).
  Result<std::vector<std::string>> Pending() const;
  // The item id (its original file name) and account of `file`: those recorded for a kept
  // item, else `file` and `given`.
  RetrySpool::Origin OriginOf(const std::string& file, const std::string& given) const;
  // Scores `file`. A failure names the model (the caller adds `file`; a kept item's message
  // also names the original); when the classifier (not the input) failed and there is a spool,
  // the item is kept and the message says so.
  Result<std::vector<classify::Score>> Classify(const std::string& file,
                                                const std::string& account);
  // After `file` was filed: a kept item leaves the spool.
  Status Done(const std::string& file) const;
  size_t kept() const { return kept_; }

 private:
  ScanClassifiers(classify::ImageClassifierSet set, const detect::MediaHasherOptions& hasher)
      : set_(std::move(set)),
        classifier_(&set_, hasher),
        max_bytes_(
            std::max(hasher.limits.max_input_bytes, hasher.video.decode.limits.max_input_bytes)) {}

  classify::ImageClassifierSet set_;
  detect::MediaClassifier classifier_;  // points into set_
  uint64_t max_bytes_;
  std::optional<RetrySpool> spool_;
  size_t kept_ = 0;
};

}  // namespace vigil::cli

#endif  // VIGIL_CLI_SCAN_CLASSIFIERS_H_
