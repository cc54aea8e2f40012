// The scan's image classifiers on an item's bytes (media_classifier.h).
#include "detect/media_classifier.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "media/video.h"

namespace vigil::detect {
namespace {

// Decoded frames with their pixels, and the classifier input pointing into them.
struct DecodedFrames {
  DecodedFrames() = default;
  DecodedFrames(const DecodedFrames&) = delete;  // `input` points into `pixels`
  DecodedFrames(DecodedFrames&&) = default;      // moving keeps the buffers where they are
  std::vector<std::vector<uint8_t>> pixels;
  classify::ClassifierInput input;
};

Result<DecodedFrames> DecodeImageFrame(std::span<const uint8_t> bytes,
                                       const media::DecodeLimits& limits) {
  ASSIGN_OR_RETURN(media::Image image, media::DecodeImage(bytes, limits));
  DecodedFrames out;
  out.pixels.push_back(std::move(image.pixels));
  out.input.kind = classify::InputKind::kImage;
  out.input.frames.push_back({image.width, image.height, image.channels, out.pixels.back()});
  return out;
}

// Frames spread over the whole video: the header's duration sets the spacing so that at most
// `max_frames` are selected; decoding stops there whatever the header claimed.
Result<DecodedFrames> DecodeVideoFrames(std::span<const uint8_t> bytes,
                                        media::VideoDecodeOptions options, int max_frames,
                                        double interval) {
  options.every_frame = false;
  options.seconds_per_hash = interval;
  {
    ASSIGN_OR_RETURN(auto probe, media::VideoDecoder::Open(bytes, options));
    const double duration = probe->info().duration_seconds;
    options.seconds_per_hash = std::max(interval, duration / max_frames);
  }
  ASSIGN_OR_RETURN(auto decoder, media::VideoDecoder::Open(bytes, options));
  DecodedFrames out;
  out.input.kind = classify::InputKind::kVideo;
  std::vector<std::pair<int, int>> sizes;
  while (static_cast<int>(out.pixels.size()) < max_frames) {
    ASSIGN_OR_RETURN(std::optional<media::VideoFrame> frame, decoder->Next());
    if (!frame) break;
    const size_t row = static_cast<size_t>(frame->width) * 3;
    std::vector<uint8_t> packed(row * static_cast<size_t>(frame->height));
    for (int y = 0; y < frame->height; ++y) {
      std::memcpy(packed.data() + row * y, frame->rgb + frame->row_stride * y, row);
    }
    out.pixels.push_back(std::move(packed));
    sizes.emplace_back(frame->width, frame->height);
  }
  if (out.pixels.empty()) return InvalidArgumentError("the video has no frame to classify");
  // Spans are taken once every buffer exists (the vector of buffers no longer moves).
  for (size_t i = 0; i < out.pixels.size(); ++i) {
    out.input.frames.push_back({sizes[i].first, sizes[i].second, 3, out.pixels[i]});
  }
  return out;
}

}  // namespace

MediaClassifier::MediaClassifier(const classify::ImageClassifierSet* set,
                                 const MediaHasherOptions& limits)
    : set_(set), limits_(limits) {}

std::vector<Rule> MediaClassifier::Rules() const {
  std::vector<Rule> rules;
  for (const classify::ImageClassifierEntry& e : set_->classifiers) {
    const std::string detector = "classifier:" + e.classifier->model();
    rules.push_back({detector, std::nullopt, e.threshold, Action::kReview, e.priority});
    // Below its threshold the score is silenced, so no later rule (e.g. a "classifier:*" one
    // in the rules file) flags it at another threshold: the configured one decides.
    rules.push_back({detector, std::nullopt, std::nullopt, Action::kIgnore, 0});
  }
  return rules;
}

Result<classify::Score> MediaClassifier::Run(const classify::ImageClassifierEntry& e,
                                             const classify::ClassifierInput& input) const {
  const std::string technology =
      fmt::format("classifier:{}@{}", e.classifier->model(), e.classifier->version());
  auto score = e.classifier->Classify(input);
  if (!score.ok()) return score.status().WithContext(technology);
  // A classifier must not answer under another name: the flag would be counted elsewhere.
  if (score->model != e.classifier->model() || score->version != e.classifier->version()) {
    return DataLossError(
        fmt::format("{}: answered as {}@{}", technology, score->model, score->version));
  }
  RETURN_IF_ERROR(classify::CheckScoreValue(score->value, technology));
  if (score->value >= e.threshold) {
    // What the reviewer and the error accounting need (Art 3(1)(g)(iii), (vii)).
    score->evidence.push_back(
        {"threshold",
         score->value,
         {},
         {},
         fmt::format("new material, needs human confirmation: {} ({}, version {}) scored {} >= "
                     "threshold {}",
                     technology, e.type, e.classifier->version(), score->value, e.threshold)});
  }
  return score;
}

Result<std::vector<classify::Score>> MediaClassifier::Classify(
    std::span<const uint8_t> bytes) const {
  const media::MediaType type = media::SniffMediaType(bytes);
  const bool video =
      type == media::MediaType::kVideo || (type == media::MediaType::kGif && limits_.gif_as_video);
  Result<DecodedFrames> frames =
      video ? DecodeVideoFrames(bytes, limits_.video.decode, set_->max_video_frames,
                                set_->frame_interval_seconds)
            : DecodeImageFrame(bytes, limits_.limits);
  RETURN_IF_ERROR(frames.status());
  std::vector<classify::Score> scores;
  for (const classify::ImageClassifierEntry& e : set_->classifiers) {
    ASSIGN_OR_RETURN(classify::Score s, Run(e, frames->input));
    scores.push_back(std::move(s));
  }
  return scores;
}

}  // namespace vigil::detect
