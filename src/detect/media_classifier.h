// MediaClassifier: the scan's image classifiers (classify/image_classifiers.h) on one item's
// bytes. An image is decoded to one frame; a video to at most `max_video_frames` frames spread
// over its length, at least `frame_interval_seconds` apart. Every classifier scores the item;
// a score at or above its threshold gets an evidence entry naming the technology, the score,
// the threshold and the model version, which the case keeps for the reviewer.
//
// The thresholds become rules on "classifier:<model>" (Rules()), put before the rules file's
// own so the configured threshold alone decides; the pipeline then flags the item as new material
// for human review, never automatic action (Art 3(1)(g)(iii) of Regulation (EU) 2021/1232).
//
// Thread safety: Classify may be called from several threads (the classifiers allow it).
#ifndef VIGIL_DETECT_MEDIA_CLASSIFIER_H_
#define VIGIL_DETECT_MEDIA_CLASSIFIER_H_

#include <span>
#include <vector>

#include "classify/image_classifiers.h"
#include "detect/media_hasher.h"
#include "detect/rules.h"

namespace vigil::detect {

class MediaClassifier {
 public:
  // `set` must outlive the object; `limits` are the hasher's (the same bytes are decoded).
  MediaClassifier(const classify::ImageClassifierSet* set, const MediaHasherOptions& limits);

  // Two rules per classifier on detector "classifier:<model>": review at or above its
  // threshold (min_score) with its priority, then ignore (so no later rule flags the score
  // below the threshold).
  std::vector<Rule> Rules() const;

  // Scores of every classifier, in configuration order. Errors: the decoder's for bytes that
  // are not an image or video (kInvalidArgument, kUnimplemented, kResourceExhausted: the
  // input's fault) and the classifiers' (kUnavailable when one cannot be reached, kDataLoss for
  // a nonsense score, kInternal: worth a retry), each naming the model. Callers add the item.
  Result<std::vector<classify::Score>> Classify(std::span<const uint8_t> bytes) const;

 private:
  Result<classify::Score> Run(const classify::ImageClassifierEntry& e,
                              const classify::ClassifierInput& input) const;

  const classify::ImageClassifierSet* set_;
  MediaHasherOptions limits_;
};

}  // namespace vigil::detect

#endif  // VIGIL_DETECT_MEDIA_CLASSIFIER_H_
