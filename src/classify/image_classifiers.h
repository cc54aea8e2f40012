// The image classifiers a scan runs on every image and video (new material), read from one
// configuration file, each with the provider's threshold:
//
//   {"classifiers": [
//      {"type": "onnx", "threshold": 0.9, "priority": 60, "model": "local-image",
//       "version": "1", "path": "image.onnx", "input_width": 224, "input_height": 224},
//      {"type": "http", "threshold": 0.95, "model": "vendor-image", "version": "3",
//       "url": "https://classifier.example/v1/score", "timeout_ms": 2000}],
//    "max_video_frames": 32, "frame_interval_seconds": 1}
//
// Beside "type", "threshold" and "priority", each entry is the configuration of its kind
// (onnx_classifier.h, http_classifier.h). A score at or above the threshold flags the item as
// new material for human review; it is never acted on automatically (Art 3(1)(g)(iii) of
// Regulation (EU) 2021/1232). The threshold is the provider's choice, to be justified with
// `vigil calibrate` (Art 3(1)(g)(vii): error rates per technology and version).
//
// Thread safety: the loaded classifiers are those of onnx_classifier.h and http_classifier.h
// (Classify may be called from several threads).
#ifndef VIGIL_CLASSIFY_IMAGE_CLASSIFIERS_H_
#define VIGIL_CLASSIFY_IMAGE_CLASSIFIERS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "classify/classifier.h"
#include "core/clock.h"

namespace vigil::classify {

struct ImageClassifierEntry {
  std::string type;  // "onnx" or "http"
  std::shared_ptr<const Classifier> classifier;
  double threshold = 1;  // in [0, 1]
  int priority = 60;     // of the review case, 0..100
};

struct ImageClassifierSet {
  std::vector<ImageClassifierEntry> classifiers;
  int max_video_frames = 32;          // frames of a video the classifiers see, spread over it
  double frame_interval_seconds = 1;  // at least this far apart
};

// Parses the configuration and loads every classifier: kInvalidArgument naming `name`, the
// entry and the field; the loaders' errors (kNotFound for a missing model file,
// kInvalidArgument for one OpenCV cannot read) naming the entry. A relative model path is
// taken relative to `base_dir`. Two entries with the same model name are refused: the model
// name is the technology a flag is counted under.
Result<ImageClassifierSet> ParseImageClassifiers(std::string_view json, std::string_view name,
                                                 std::string_view base_dir,
                                                 std::shared_ptr<const Clock> clock);

// Reads and parses FILE (relative model paths are relative to its directory); kNotFound when
// it cannot be read.
Result<ImageClassifierSet> LoadImageClassifiers(const std::string& path,
                                                std::shared_ptr<const Clock> clock);

}  // namespace vigil::classify

#endif  // VIGIL_CLASSIFY_IMAGE_CLASSIFIERS_H_
