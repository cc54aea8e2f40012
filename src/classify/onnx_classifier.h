// A local image model: an ONNX network run with OpenCV's DNN module on the machine itself, for
// providers who run their own new-material classifier instead of calling a service.
//
// Configuration (JSON):
//   {"model": "local-image", "version": "1", "path": "models/image.onnx",
//    "input_width": 224, "input_height": 224, "channels": 3,
//    "scale": 0.00392156862745098, "mean": [0, 0, 0], "swap_rb": false}
// Each frame is converted to the model's channels (grey is repeated, RGB becomes grey by the
// ITU-R BT.601 weights), resized to the input size, then (pixel - mean) * scale per channel,
// in RGB order (BGR when swap_rb), NCHW. The score is the network's first output value and
// must be in [0, 1] (else kDataLoss). A video scores as its highest-scoring frame, which is
// kept as the evidence.
//
// Thread safety: Classify may be called from several threads (the network is locked: OpenCV's
// Net is not thread-safe).
#ifndef VIGIL_CLASSIFY_ONNX_CLASSIFIER_H_
#define VIGIL_CLASSIFY_ONNX_CLASSIFIER_H_

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "classify/classifier.h"

namespace vigil::classify {

struct OnnxModelConfig {
  std::string model;
  std::string version;
  std::string path;  // the .onnx file
  int input_width = 0;
  int input_height = 0;
  int channels = 3;  // 1 or 3, what the network takes
  double scale = 1.0 / 255;
  std::array<double, 3> mean{0, 0, 0};
  bool swap_rb = false;
};

// kInvalidArgument naming the field; `name` (the file) prefixes every message. A relative
// "path" is taken relative to `base_dir` when given.
Result<OnnxModelConfig> ParseOnnxModelConfig(std::string_view json, std::string_view name,
                                             std::string_view base_dir = {});

class OnnxImageClassifier final : public Classifier {
 public:
  // Loads the network. kNotFound for a missing file; kInvalidArgument for a file OpenCV cannot
  // read as ONNX or a bad size or channel count.
  static Result<std::unique_ptr<OnnxImageClassifier>> Create(OnnxModelConfig config);
  ~OnnxImageClassifier() override;

  const std::string& model() const override { return config_.model; }
  const std::string& version() const override { return config_.version; }
  // Images and videos; kInvalidArgument for conversations or bad frames, kDataLoss for a
  // score that is not a number in [0, 1] or a network without output, kInternal when OpenCV
  // fails on a frame.
  Result<Score> Classify(const ClassifierInput& input) const override;

 private:
  struct Net;
  OnnxImageClassifier(OnnxModelConfig config, std::unique_ptr<Net> net);
  Result<double> ScoreFrame(const Frame& frame) const;

  OnnxModelConfig config_;
  mutable std::mutex mu_;
  std::unique_ptr<Net> net_;  // guarded by mu_
};

}  // namespace vigil::classify

#endif  // VIGIL_CLASSIFY_ONNX_CLASSIFIER_H_
