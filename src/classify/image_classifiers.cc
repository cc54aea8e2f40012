// Loading the scan's image classifiers (image_classifiers.h).
#include "classify/image_classifiers.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "classify/http_classifier.h"
#include "classify/onnx_classifier.h"
#include "core/file.h"

namespace vigil::classify {
namespace {

constexpr uint64_t kMaxConfigBytes = 1 << 20;
constexpr int kMaxVideoFrames = 10000;

Result<ImageClassifierEntry> ParseEntry(nlohmann::json j, std::string_view where,
                                        std::string_view base_dir,
                                        const std::shared_ptr<const Clock>& clock) {
  if (!j.is_object()) return InvalidArgumentError(fmt::format("{}: not an object", where));
  ImageClassifierEntry e;
  if (!j.contains("type") || !j["type"].is_string()) {
    return InvalidArgumentError(fmt::format("{}: 'type' must be \"onnx\" or \"http\"", where));
  }
  e.type = j["type"].get<std::string>();
  // Required: no default threshold, the provider chooses and justifies it.
  if (!j.contains("threshold") || !j["threshold"].is_number() ||
      !(j["threshold"].get<double>() >= 0 && j["threshold"].get<double>() <= 1)) {
    return InvalidArgumentError(fmt::format("{}: 'threshold' must be a number in [0, 1]", where));
  }
  e.threshold = j["threshold"].get<double>();
  if (j.contains("priority")) {
    if (!j["priority"].is_number_integer() || j["priority"].get<int64_t>() < 0 ||
        j["priority"].get<int64_t>() > 100) {
      return InvalidArgumentError(
          fmt::format("{}: 'priority' must be an integer in [0, 100]", where));
    }
    e.priority = j["priority"].get<int>();
  }
  j.erase("type");
  j.erase("threshold");
  j.erase("priority");
  if (e.type == "onnx") {
    ASSIGN_OR_RETURN(OnnxModelConfig config, ParseOnnxModelConfig(j.dump(), where, base_dir));
    auto loaded = OnnxImageClassifier::Create(std::move(config));
    if (!loaded.ok()) return loaded.status().WithContext(where);
    e.classifier = std::move(*loaded);
  } else if (e.type == "http") {
    ASSIGN_OR_RETURN(HttpClassifierConfig config, ParseHttpClassifierConfig(j.dump(), where));
    auto created = HttpClassifier::Create(std::move(config), clock);
    if (!created.ok()) return created.status().WithContext(where);
    e.classifier = std::move(*created);
  } else {
    return InvalidArgumentError(fmt::format("{}: unknown type '{}' (onnx or http)", where, e.type));
  }
  return e;
}

}  // namespace

Result<ImageClassifierSet> ParseImageClassifiers(std::string_view json, std::string_view name,
                                                 std::string_view base_dir,
                                                 std::shared_ptr<const Clock> clock) {
  auto root = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return InvalidArgumentError(fmt::format("{}: not a JSON object", name));
  }
  ImageClassifierSet set;
  for (const auto& [key, value] : root.items()) {
    if (key == "classifiers") {
      if (!value.is_array() || value.empty()) {
        return InvalidArgumentError(
            fmt::format("{}: 'classifiers' must be a non-empty array", name));
      }
      for (size_t i = 0; i < value.size(); ++i) {
        ASSIGN_OR_RETURN(
            ImageClassifierEntry e,
            ParseEntry(value[i], fmt::format("{}: classifiers[{}]", name, i), base_dir, clock));
        for (const ImageClassifierEntry& other : set.classifiers) {
          if (other.classifier->model() == e.classifier->model()) {
            return InvalidArgumentError(fmt::format("{}: classifiers[{}]: model '{}' twice", name,
                                                    i, e.classifier->model()));
          }
        }
        set.classifiers.push_back(std::move(e));
      }
    } else if (key == "max_video_frames") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1 ||
          value.get<int64_t>() > kMaxVideoFrames) {
        return InvalidArgumentError(fmt::format(
            "{}: 'max_video_frames' must be an integer in [1, {}]", name, kMaxVideoFrames));
      }
      set.max_video_frames = value.get<int>();
    } else if (key == "frame_interval_seconds") {
      if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < 0) {
        return InvalidArgumentError(
            fmt::format("{}: 'frame_interval_seconds' must be a number >= 0", name));
      }
      set.frame_interval_seconds = value.get<double>();
    } else {
      return InvalidArgumentError(fmt::format("{}: unknown field '{}'", name, key));
    }
  }
  if (set.classifiers.empty()) {
    return InvalidArgumentError(fmt::format("{}: 'classifiers' is required", name));
  }
  return set;
}

Result<ImageClassifierSet> LoadImageClassifiers(const std::string& path,
                                                std::shared_ptr<const Clock> clock) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, kMaxConfigBytes));
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return ParseImageClassifiers(std::string(bytes.begin(), bytes.end()), path, dir,
                               std::move(clock));
}

}  // namespace vigil::classify
