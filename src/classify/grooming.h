// Grooming risk scoring over key indicators only (Art 3(1)(f) of Regulation (EU) 2021/1232):
// the score is the sum of the weights of the indicators that fired, capped at 1, and every
// fired indicator is listed with the messages that triggered it, so a reviewer can see why.
//
// Indicators come from a JSON rule file, not from code:
//   {"model": "grooming-example", "version": "1", "adult_age": 18, "default_language": "en",
//    "indicators": [
//      {"name": "age_gap", "kind": "age_gap", "weight": 0.25, "min_gap_years": 5},
//      {"name": "secrecy", "kind": "pattern", "weight": 0.25,
//       "patterns": {"en": ["keep (this|it) between us"], "*": []}},
//      {"name": "rapid_escalation", "kind": "escalation", "weight": 0.125,
//       "window_seconds": 86400, "min_indicators": 3},
//      {"name": "many_minors", "kind": "many_minors", "weight": 0.125, "min_minors": 3}]}
// Kinds:
//   age_gap      an adult (age >= adult_age) and a minor both take part, ages at least
//                min_gap_years apart;
//   pattern      an RE2 pattern (case-insensitive, UTF-8) of the conversation's language or of
//                "*" matches a message sent by a participant not known to be a minor;
//   escalation   at least min_indicators distinct pattern indicators fired within
//                window_seconds of the first message;
//   many_minors  a participant not known to be a minor has minors_contacted >= min_minors.
// A conversation in a language no pattern indicator has rules for is refused
// (kFailedPrecondition): unscored is not the same as clean.
//
// Thread safety: GroomingScorer is immutable after Create and may be shared.
#ifndef VIGIL_CLASSIFY_GROOMING_H_
#define VIGIL_CLASSIFY_GROOMING_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "classify/classifier.h"

namespace re2 {
class RE2;
}

namespace vigil::classify {

enum class IndicatorKind { kAgeGap, kPattern, kEscalation, kManyMinors };

struct Indicator {
  std::string name;
  IndicatorKind kind = IndicatorKind::kPattern;
  double weight = 0;  // in [0, 1]
  int min_gap_years = 5;
  int64_t window_seconds = 86400;
  int min_indicators = 2;
  int min_minors = 3;
  // language ("en", or "*" for every language) -> compiled patterns
  std::map<std::string, std::vector<std::shared_ptr<const re2::RE2>>> patterns;
};

class GroomingScorer final : public Classifier {
 public:
  // Parses and compiles a rule file; kInvalidArgument names the bad field, indicator and
  // pattern. `name` (the file) prefixes every message.
  static Result<std::unique_ptr<GroomingScorer>> Create(std::string_view json,
                                                        std::string_view name);

  const std::string& model() const override { return model_; }
  const std::string& version() const override { return version_; }
  // Takes conversations only.
  Result<Score> Classify(const ClassifierInput& input) const override;
  Result<Score> ScoreConversation(const Conversation& conversation) const;

  const std::vector<Indicator>& indicators() const { return indicators_; }
  const std::set<std::string>& languages() const { return languages_; }

 private:
  GroomingScorer() = default;
  std::string model_;
  std::string version_;
  int adult_age_ = 18;
  std::string default_language_;
  std::vector<Indicator> indicators_;
  std::set<std::string> languages_;  // languages with pattern rules (not "*")
};

}  // namespace vigil::classify

#endif  // VIGIL_CLASSIFY_GROOMING_H_
