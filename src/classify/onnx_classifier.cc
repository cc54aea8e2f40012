// A local ONNX image model through OpenCV DNN (onnx_classifier.h). OpenCV reports errors by
// throwing cv::Exception; they are caught here and become Status values.
#include "classify/onnx_classifier.h"

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

namespace vigil::classify {

struct OnnxImageClassifier::Net {
  cv::dnn::Net net;
};

namespace {

constexpr int kMaxInputSide = 4096;

Status Field(std::string_view name, std::string_view field, std::string_view what) {
  return InvalidArgumentError(fmt::format("{}: '{}' {}", name, field, what));
}

Result<std::string> StringField(const nlohmann::json& j, std::string_view name, const char* key) {
  if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty()) {
    return Field(name, key, "must be a non-empty string");
  }
  return j[key].get<std::string>();
}

Result<int> SideField(const nlohmann::json& j, std::string_view name, const char* key) {
  if (!j.contains(key) || !j[key].is_number_integer() || j[key].get<int64_t>() < 1 ||
      j[key].get<int64_t>() > kMaxInputSide) {
    return Field(name, key, fmt::format("must be an integer in [1, {}]", kMaxInputSide));
  }
  return j[key].get<int>();
}

// The frame as an 8-bit cv::Mat with the network's channel count, RGB order.
cv::Mat ToModelChannels(const Frame& f, int channels) {
  cv::Mat src(f.height, f.width, f.channels == 1 ? CV_8UC1 : CV_8UC3,
              const_cast<uint8_t*>(f.pixels.data()));
  if (f.channels == channels) return src.clone();
  cv::Mat out(f.height, f.width, channels == 1 ? CV_8UC1 : CV_8UC3);
  for (int y = 0; y < f.height; ++y) {
    for (int x = 0; x < f.width; ++x) {
      if (channels == 3) {
        const uint8_t v = src.at<uint8_t>(y, x);
        out.at<cv::Vec3b>(y, x) = cv::Vec3b(v, v, v);
      } else {
        const cv::Vec3b p = src.at<cv::Vec3b>(y, x);
        // ITU-R BT.601 luma, rounded.
        out.at<uint8_t>(y, x) =
            static_cast<uint8_t>(0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2] + 0.5);
      }
    }
  }
  return out;
}

}  // namespace

Result<OnnxModelConfig> ParseOnnxModelConfig(std::string_view json, std::string_view name,
                                             std::string_view base_dir) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgumentError(fmt::format("{}: not a JSON object", name));
  }
  OnnxModelConfig c;
  ASSIGN_OR_RETURN(c.model, StringField(j, name, "model"));
  ASSIGN_OR_RETURN(c.version, StringField(j, name, "version"));
  ASSIGN_OR_RETURN(c.path, StringField(j, name, "path"));
  if (!base_dir.empty() && std::filesystem::path(c.path).is_relative()) {
    c.path = (std::filesystem::path(base_dir) / c.path).string();
  }
  ASSIGN_OR_RETURN(c.input_width, SideField(j, name, "input_width"));
  ASSIGN_OR_RETURN(c.input_height, SideField(j, name, "input_height"));
  if (j.contains("channels")) {
    if (!j["channels"].is_number_integer() ||
        (j["channels"].get<int>() != 1 && j["channels"].get<int>() != 3)) {
      return Field(name, "channels", "must be 1 or 3");
    }
    c.channels = j["channels"].get<int>();
  }
  if (j.contains("scale")) {
    if (!j["scale"].is_number() || !(j["scale"].get<double>() > 0)) {
      return Field(name, "scale", "must be a positive number");
    }
    c.scale = j["scale"].get<double>();
  }
  if (j.contains("mean")) {
    const auto& m = j["mean"];
    if (!m.is_array() || m.size() != 3 || !m[0].is_number() || !m[1].is_number() ||
        !m[2].is_number()) {
      return Field(name, "mean", "must be an array of three numbers");
    }
    c.mean = {m[0].get<double>(), m[1].get<double>(), m[2].get<double>()};
  }
  if (j.contains("swap_rb")) {
    if (!j["swap_rb"].is_boolean()) return Field(name, "swap_rb", "must be true or false");
    c.swap_rb = j["swap_rb"].get<bool>();
  }
  return c;
}

OnnxImageClassifier::OnnxImageClassifier(OnnxModelConfig config, std::unique_ptr<Net> net)
    : config_(std::move(config)), net_(std::move(net)) {}
OnnxImageClassifier::~OnnxImageClassifier() = default;

Result<std::unique_ptr<OnnxImageClassifier>> OnnxImageClassifier::Create(OnnxModelConfig config) {
  if (config.model.empty() || config.version.empty()) {
    return InvalidArgumentError("a local model needs a model name and version");
  }
  if (config.input_width < 1 || config.input_height < 1 || config.input_width > kMaxInputSide ||
      config.input_height > kMaxInputSide || (config.channels != 1 && config.channels != 3)) {
    return InvalidArgumentError(fmt::format("{}: bad input size or channel count", config.path));
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(config.path, ec)) {
    return NotFoundError(fmt::format("{}: no such model file", config.path));
  }
  auto net = std::make_unique<Net>();
  try {
    net->net = cv::dnn::readNetFromONNX(config.path);
  } catch (const cv::Exception& e) {
    return InvalidArgumentError(
        fmt::format("{}: not an ONNX model OpenCV can load: {}", config.path, e.what()));
  }
  if (net->net.empty()) {
    return InvalidArgumentError(fmt::format("{}: the ONNX model has no layers", config.path));
  }
  return std::unique_ptr<OnnxImageClassifier>(
      new OnnxImageClassifier(std::move(config), std::move(net)));
}

Result<double> OnnxImageClassifier::ScoreFrame(const Frame& frame) const {
  try {
    cv::Mat image = ToModelChannels(frame, config_.channels);
    cv::Mat blob = cv::dnn::blobFromImage(
        image, config_.scale, cv::Size(config_.input_width, config_.input_height),
        cv::Scalar(config_.mean[0], config_.mean[1], config_.mean[2]), config_.swap_rb,
        /*crop=*/false, CV_32F);
    std::lock_guard<std::mutex> lock(mu_);
    net_->net.setInput(blob);
    cv::Mat out = net_->net.forward();
    if (out.empty() || out.total() < 1) {
      return DataLossError(fmt::format("{}: the network gave no output", config_.path));
    }
    return static_cast<double>(out.ptr<float>()[0]);
  } catch (const cv::Exception& e) {
    return InternalError(fmt::format("{}: OpenCV failed on a frame: {}", config_.path, e.what()));
  }
}

Result<Score> OnnxImageClassifier::Classify(const ClassifierInput& input) const {
  if (input.kind == InputKind::kConversation) {
    return InvalidArgumentError(fmt::format("{} takes images and videos only", config_.model));
  }
  RETURN_IF_ERROR(CheckFrames(input));
  if (input.frames.empty()) return InvalidArgumentError("no frames to classify");
  Score s{0, config_.model, config_.version, {}};
  int best = -1;
  for (size_t i = 0; i < input.frames.size(); ++i) {
    ASSIGN_OR_RETURN(double v, ScoreFrame(input.frames[i]));
    RETURN_IF_ERROR(CheckScoreValue(v, fmt::format("{}@{}", config_.model, config_.version)));
    if (best < 0 || v > s.value) {
      s.value = v;
      best = static_cast<int>(i);
    }
  }
  s.evidence.push_back(
      {"frame_score", s.value, {}, {best}, fmt::format("frame {} scored {}", best, s.value)});
  return s;
}

}  // namespace vigil::classify
