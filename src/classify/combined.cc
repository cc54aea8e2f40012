// Indicator score and external text classifier, alone or combined (combined.h).
#include "classify/combined.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace vigil::classify {
namespace {

Result<CombineMode> ParseMode(std::string_view mode, std::string_view name) {
  if (mode == "indicators") return CombineMode::kIndicators;
  if (mode == "external") return CombineMode::kExternal;
  if (mode == "max") return CombineMode::kMax;
  if (mode == "weighted") return CombineMode::kWeighted;
  return InvalidArgumentError(
      fmt::format("{}: mode '{}' is not one of indicators, external, max, weighted", name, mode));
}

// The part's score as one evidence entry of the combination, carrying the part's frames.
Evidence PartEvidence(std::string_view role, const Score& s, double contribution) {
  Evidence e;
  e.indicator = std::string(role);
  e.weight = contribution;
  for (const Evidence& x : s.evidence)
    e.frames.insert(e.frames.end(), x.frames.begin(), x.frames.end());
  e.detail = fmt::format("{}@{} scored {}", s.model, s.version, s.value);
  return e;
}

}  // namespace

Result<CombineConfig> ParseCombineConfig(std::string_view json, std::string_view name) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgumentError(fmt::format("{}: not a JSON object", name));
  }
  CombineConfig c;
  if (!j.contains("mode") || !j["mode"].is_string()) {
    return InvalidArgumentError(fmt::format("{}: 'mode' must be a string", name));
  }
  ASSIGN_OR_RETURN(c.mode, ParseMode(j["mode"].get<std::string>(), name));
  if (j.contains("indicator_weight")) {
    const auto& w = j["indicator_weight"];
    if (!w.is_number() || !(w.get<double>() >= 0 && w.get<double>() <= 1)) {
      return InvalidArgumentError(
          fmt::format("{}: 'indicator_weight' must be a number in [0, 1]", name));
    }
    c.indicator_weight = w.get<double>();
  }
  for (auto [key, field] : {std::pair{"model", &c.model}, std::pair{"version", &c.version}}) {
    if (!j.contains(key)) continue;
    if (!j[key].is_string() || j[key].get<std::string>().empty()) {
      return InvalidArgumentError(fmt::format("{}: '{}' must be a non-empty string", name, key));
    }
    *field = j[key].get<std::string>();
  }
  return c;
}

Result<std::unique_ptr<CombinedTextClassifier>> CombinedTextClassifier::Create(
    CombineConfig config, std::shared_ptr<const Classifier> indicators,
    std::shared_ptr<const Classifier> external) {
  if (config.mode != CombineMode::kExternal && indicators == nullptr) {
    return InvalidArgumentError("this combination mode needs the indicator scorer");
  }
  if (config.mode != CombineMode::kIndicators && external == nullptr) {
    return InvalidArgumentError("this combination mode needs an external text classifier");
  }
  if (!(config.indicator_weight >= 0 && config.indicator_weight <= 1)) {
    return InvalidArgumentError("indicator_weight must be in [0, 1]");
  }
  return std::unique_ptr<CombinedTextClassifier>(
      new CombinedTextClassifier(std::move(config), std::move(indicators), std::move(external)));
}

const std::string& CombinedTextClassifier::model() const {
  if (config_.mode == CombineMode::kIndicators) return indicators_->model();
  if (config_.mode == CombineMode::kExternal) return external_->model();
  return config_.model;
}

const std::string& CombinedTextClassifier::version() const {
  if (config_.mode == CombineMode::kIndicators) return indicators_->version();
  if (config_.mode == CombineMode::kExternal) return external_->version();
  return config_.version;
}

Result<Score> CombinedTextClassifier::Classify(const ClassifierInput& input) const {
  if (input.kind != InputKind::kConversation || input.conversation == nullptr) {
    return InvalidArgumentError("a text classifier takes conversations only");
  }
  if (config_.mode == CombineMode::kIndicators) return indicators_->Classify(input);
  if (config_.mode == CombineMode::kExternal) return external_->Classify(input);
  ASSIGN_OR_RETURN(Score ind, indicators_->Classify(input));
  ASSIGN_OR_RETURN(Score ext, external_->Classify(input));
  RETURN_IF_ERROR(CheckScoreValue(ind.value, fmt::format("{}@{}", ind.model, ind.version)));
  RETURN_IF_ERROR(CheckScoreValue(ext.value, fmt::format("{}@{}", ext.model, ext.version)));
  Score out;
  out.model = config_.model;
  out.version = config_.version;
  double ind_part = ind.value, ext_part = ext.value;
  if (config_.mode == CombineMode::kMax) {
    out.value = std::max(ind.value, ext.value);
  } else {
    ind_part = config_.indicator_weight * ind.value;
    ext_part = (1 - config_.indicator_weight) * ext.value;
    out.value = std::clamp(ind_part + ext_part, 0.0, 1.0);
  }
  // Both parts' evidence: every fired indicator with its messages, then each part's score.
  out.evidence = ind.evidence;
  out.evidence.push_back(PartEvidence("indicator_score", ind, ind_part));
  out.evidence.push_back(PartEvidence("external_score", ext, ext_part));
  return out;
}

}  // namespace vigil::classify
