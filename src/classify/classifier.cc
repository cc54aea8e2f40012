#include "classify/classifier.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace vigil::classify {

std::string EvidenceJson(const std::vector<Evidence>& evidence) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Evidence& e : evidence) {
    nlohmann::ordered_json j{{"indicator", e.indicator}, {"weight", e.weight}};
    if (!e.message_ids.empty()) j["messages"] = e.message_ids;
    if (!e.frames.empty()) j["frames"] = e.frames;
    if (!e.detail.empty()) j["detail"] = e.detail;
    out.push_back(std::move(j));
  }
  // Replace, not throw: ids were checked as UTF-8 on input, but a remote model's text was not.
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string_view InputKindName(InputKind kind) {
  switch (kind) {
    case InputKind::kImage:
      return "image";
    case InputKind::kVideo:
      return "video";
    case InputKind::kConversation:
      return "conversation";
  }
  return "unknown";
}

Status CheckScoreValue(double value, std::string_view source) {
  // A NaN compares false with everything, so test for it before the range.
  if (std::isnan(value) || !(value >= 0.0 && value <= 1.0)) {
    return Status(StatusCode::kDataLoss,
                  fmt::format("{}: score {} is not a number in [0, 1]", source, value));
  }
  return Status::Ok();
}

Status CheckFrames(const ClassifierInput& input) {
  if (input.kind == InputKind::kConversation) {
    if (input.conversation == nullptr) return InvalidArgumentError("conversation input is empty");
    return Status::Ok();
  }
  if (input.frames.empty()) {
    return InvalidArgumentError(fmt::format("{} input has no frames", InputKindName(input.kind)));
  }
  if (input.kind == InputKind::kImage && input.frames.size() != 1) {
    return InvalidArgumentError("image input must have exactly one frame");
  }
  for (size_t i = 0; i < input.frames.size(); ++i) {
    const Frame& f = input.frames[i];
    if (f.width <= 0 || f.height <= 0 || (f.channels != 1 && f.channels != 3)) {
      return InvalidArgumentError(
          fmt::format("frame {}: bad geometry {}x{}x{}", i, f.width, f.height, f.channels));
    }
    const uint64_t want = uint64_t(f.width) * uint64_t(f.height) * uint64_t(f.channels);
    if (f.pixels.size() != want) {
      return InvalidArgumentError(
          fmt::format("frame {}: {} pixel bytes, expected {}", i, f.pixels.size(), want));
    }
  }
  return Status::Ok();
}

}  // namespace vigil::classify
