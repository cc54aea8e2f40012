// The classifier interface: one item (an image, a video's frames or a conversation) in, one
// score in [0, 1] out, with the technology that produced it and the evidence behind it.
//
// Known material is found by hashes; new material and solicitation need classifiers whose
// score a provider-chosen threshold turns into a flag, which always goes to a human first
// (Art 3(1)(g)(iii) of Regulation (EU) 2021/1232). The model name and version are the
// technology name, so every flag's error rate can be computed per technology
// (Art 3(1)(g)(vii)). A score that is not a number in [0, 1] is an error, never a flag.
//
// Thread safety: implementations document their own; the value types are plain values.
#ifndef VIGIL_CLASSIFY_CLASSIFIER_H_
#define VIGIL_CLASSIFY_CLASSIFIER_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "classify/conversation.h"
#include "core/result.h"

namespace vigil::classify {

// 8-bit pixels, row-major, `channels` interleaved (1 grey, 3 RGB).
struct Frame {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::span<const uint8_t> pixels;  // width * height * channels bytes
};

enum class InputKind { kImage, kVideo, kConversation };
std::string_view InputKindName(InputKind kind);  // "image", "video", "conversation"

// What a classifier looks at. An image is one frame; a video is its selected frames.
struct ClassifierInput {
  InputKind kind = InputKind::kImage;
  std::vector<Frame> frames;                   // kImage (one) and kVideo
  const Conversation* conversation = nullptr;  // kConversation; must outlive the call
};

// Why a score is what it is: an indicator that fired (grooming), or the frames a model scored
// highest. Kept with the flag so a reviewer sees the reason (Art 3(1)(f): explainable).
struct Evidence {
  std::string indicator;                 // e.g. "secrecy", "age_gap", "frame_score"
  double weight = 0;                     // its contribution to the score
  std::vector<std::string> message_ids;  // the messages that triggered it
  std::vector<int> frames;               // the frame indices it concerns
  std::string detail;                    // short human-readable reason
};

struct Score {
  double value = 0;     // in [0, 1]; larger is more likely
  std::string model;    // technology name, e.g. "grooming-example"
  std::string version;  // e.g. "1"
  std::vector<Evidence> evidence;
};

class Classifier {
 public:
  virtual ~Classifier() = default;
  virtual const std::string& model() const = 0;
  virtual const std::string& version() const = 0;
  // Errors: kInvalidArgument for an input kind the classifier does not take or bad pixels,
  // kUnavailable when a remote classifier cannot be reached (retrying may help),
  // kDataLoss for a nonsense score.
  virtual Result<Score> Classify(const ClassifierInput& input) const = 0;
};

// kDataLoss naming `source` when `value` is NaN, infinite or outside [0, 1].
Status CheckScoreValue(double value, std::string_view source);

// The evidence as the compact JSON array kept with a flag (cases::Flag::evidence):
// [{"indicator", "weight", "messages": [...], "frames": [...], "detail"}]; empty lists are left
// out. Empty evidence gives "[]".
std::string EvidenceJson(const std::vector<Evidence>& evidence);

// Checks the frames of an input: sizes positive, channels 1 or 3, pixel counts matching.
Status CheckFrames(const ClassifierInput& input);

}  // namespace vigil::classify

#endif  // VIGIL_CLASSIFY_CLASSIFIER_H_
