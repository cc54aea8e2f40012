// Combining the indicator score with an external text classifier: the provider's configuration
// chooses the indicator score only, the external score only, or a combination (the higher of
// the two, or a weighted mean), and the evidence of both is kept, so a reviewer still sees
// which indicators fired (Art 3(1)(f)) next to what the external model said.
//
// Configuration (JSON):
//   {"mode": "indicators" | "external" | "max" | "weighted",
//    "indicator_weight": 0.6,              // weighted: 0.6 * indicators + 0.4 * external
//    "model": "grooming-combined", "version": "1"}  // max / weighted: the technology name
// A combination is its own technology (its name and version from the configuration), so its
// error rates are counted apart from either part's (Art 3(1)(g)(vii)); "indicators" and
// "external" keep the name of the classifier used.
//
// Thread safety: immutable after Create; as thread-safe as the two classifiers.
#ifndef VIGIL_CLASSIFY_COMBINED_H_
#define VIGIL_CLASSIFY_COMBINED_H_

#include <memory>
#include <string>
#include <string_view>

#include "classify/classifier.h"

namespace vigil::classify {

enum class CombineMode { kIndicators, kExternal, kMax, kWeighted };

struct CombineConfig {
  CombineMode mode = CombineMode::kIndicators;
  double indicator_weight = 0.5;  // kWeighted, in [0, 1]
  std::string model = "grooming-combined";
  std::string version = "1";
};

// kInvalidArgument naming the field for an unknown mode, a weight outside [0, 1] or an empty
// model or version. `name` (the file) prefixes every message.
Result<CombineConfig> ParseCombineConfig(std::string_view json, std::string_view name);

class CombinedTextClassifier final : public Classifier {
 public:
  // `indicators` (the grooming scorer) is needed unless the mode is kExternal, `external`
  // unless it is kIndicators; kInvalidArgument when a needed one is null.
  static Result<std::unique_ptr<CombinedTextClassifier>> Create(
      CombineConfig config, std::shared_ptr<const Classifier> indicators,
      std::shared_ptr<const Classifier> external);

  const std::string& model() const override;
  const std::string& version() const override;
  // Conversations only. Either part's error is the result (kUnavailable: retry later;
  // kDataLoss: a nonsense score): a combination never silently falls back to one part.
  Result<Score> Classify(const ClassifierInput& input) const override;

 private:
  CombinedTextClassifier(CombineConfig config, std::shared_ptr<const Classifier> indicators,
                         std::shared_ptr<const Classifier> external)
      : config_(std::move(config)),
        indicators_(std::move(indicators)),
        external_(std::move(external)) {}

  CombineConfig config_;
  std::shared_ptr<const Classifier> indicators_;
  std::shared_ptr<const Classifier> external_;
};

}  // namespace vigil::classify

#endif  // VIGIL_CLASSIFY_COMBINED_H_
