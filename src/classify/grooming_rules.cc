// Parsing and compiling the grooming rule file (grooming.h).
#include <fmt/format.h>
#include <re2/re2.h>

#include <nlohmann/json.hpp>

#include "classify/grooming.h"

namespace vigil::classify {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxPatternBytes = 2000;
constexpr size_t kMaxIndicators = 100;

Result<IndicatorKind> ParseKind(const std::string& s) {
  if (s == "age_gap") return IndicatorKind::kAgeGap;
  if (s == "pattern") return IndicatorKind::kPattern;
  if (s == "escalation") return IndicatorKind::kEscalation;
  if (s == "many_minors") return IndicatorKind::kManyMinors;
  return InvalidArgumentError(
      fmt::format("unknown kind '{}' (age_gap, pattern, escalation, many_minors)", s));
}

Result<std::shared_ptr<const re2::RE2>> Compile(const Json& p) {
  if (!p.is_string()) return InvalidArgumentError("a pattern must be a string");
  const auto& text = p.get_ref<const std::string&>();
  if (text.empty() || text.size() > kMaxPatternBytes) {
    return InvalidArgumentError(
        fmt::format("pattern length {} is outside 1..{}", text.size(), kMaxPatternBytes));
  }
  re2::RE2::Options options;
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  auto re = std::make_shared<const re2::RE2>(text, options);
  if (!re->ok()) {
    return InvalidArgumentError(fmt::format("pattern '{}': {}", text, re->error()));
  }
  return std::shared_ptr<const re2::RE2>(std::move(re));
}

Status ParsePatterns(const Json& j, Indicator* ind) {
  if (!j.is_object()) return InvalidArgumentError("'patterns' must be an object of languages");
  for (const auto& [lang, list] : j.items()) {
    if (!list.is_array()) {
      return InvalidArgumentError(fmt::format("patterns.{} must be an array", lang));
    }
    auto& out = ind->patterns[lang];
    for (size_t i = 0; i < list.size(); ++i) {
      auto re = Compile(list[i]);
      if (!re.ok()) return re.status().WithContext(fmt::format("patterns.{}[{}]", lang, i));
      out.push_back(std::move(*re));
    }
  }
  return Status::Ok();
}

Result<int> PositiveInt(const Json& value, const std::string& key) {
  if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > 1000000000) {
    return InvalidArgumentError(fmt::format("'{}' must be a positive integer", key));
  }
  return static_cast<int>(value.get<int64_t>());
}

Status ParseField(const std::string& key, const Json& value, Indicator* ind) {
  if (key == "name" && value.is_string()) {
    ind->name = value.get<std::string>();
  } else if (key == "kind" && value.is_string()) {
    ASSIGN_OR_RETURN(ind->kind, ParseKind(value.get<std::string>()));
  } else if (key == "weight" && value.is_number()) {
    ind->weight = value.get<double>();
    if (!(ind->weight >= 0 && ind->weight <= 1)) {
      return InvalidArgumentError("'weight' must be within [0, 1]");
    }
  } else if (key == "min_gap_years") {
    ASSIGN_OR_RETURN(ind->min_gap_years, PositiveInt(value, key));
  } else if (key == "window_seconds") {
    ASSIGN_OR_RETURN(ind->window_seconds, PositiveInt(value, key));
  } else if (key == "min_indicators") {
    ASSIGN_OR_RETURN(ind->min_indicators, PositiveInt(value, key));
  } else if (key == "min_minors") {
    ASSIGN_OR_RETURN(ind->min_minors, PositiveInt(value, key));
  } else if (key == "patterns") {
    return ParsePatterns(value, ind);
  } else {
    return InvalidArgumentError(fmt::format("unknown field or wrong type: '{}'", key));
  }
  return Status::Ok();
}

Result<Indicator> ParseIndicator(const Json& j) {
  if (!j.is_object()) return InvalidArgumentError("an indicator must be an object");
  Indicator ind;
  for (const auto& [key, value] : j.items()) RETURN_IF_ERROR(ParseField(key, value, &ind));
  if (ind.name.empty()) return InvalidArgumentError("'name' is required");
  if (!j.contains("kind")) return InvalidArgumentError("'kind' is required");
  if (!j.contains("weight")) return InvalidArgumentError("'weight' is required");
  if (ind.kind == IndicatorKind::kPattern && ind.patterns.empty()) {
    return InvalidArgumentError("a pattern indicator needs 'patterns'");
  }
  if (ind.kind != IndicatorKind::kPattern && !ind.patterns.empty()) {
    return InvalidArgumentError("only pattern indicators take 'patterns'");
  }
  return ind;
}

}  // namespace

Result<std::unique_ptr<GroomingScorer>> GroomingScorer::Create(std::string_view json,
                                                               std::string_view name) {
  Json root = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return InvalidArgumentError(fmt::format("{}: not valid JSON", name));
  if (!root.is_object()) {
    return InvalidArgumentError(fmt::format("{}: the top level must be an object", name));
  }
  std::unique_ptr<GroomingScorer> s(new GroomingScorer());
  for (const auto& [key, value] : root.items()) {
    if (key == "model" && value.is_string()) {
      s->model_ = value.get<std::string>();
    } else if (key == "version" && value.is_string()) {
      s->version_ = value.get<std::string>();
    } else if (key == "default_language" && value.is_string()) {
      s->default_language_ = value.get<std::string>();
    } else if (key == "adult_age" && value.is_number_integer()) {
      s->adult_age_ = value.get<int>();
    } else if (key == "indicators" && value.is_array() && value.size() <= kMaxIndicators) {
      for (size_t i = 0; i < value.size(); ++i) {
        auto ind = ParseIndicator(value[i]);
        if (!ind.ok()) {
          return ind.status().WithContext(fmt::format("{}: indicators[{}]", name, i));
        }
        s->indicators_.push_back(std::move(*ind));
      }
    } else {
      return InvalidArgumentError(
          fmt::format("{}: unknown field, wrong type or too many entries: '{}'", name, key));
    }
  }
  if (s->model_.empty() || s->version_.empty()) {
    return InvalidArgumentError(fmt::format("{}: 'model' and 'version' are required", name));
  }
  if (s->adult_age_ < 1 || s->adult_age_ > 30) {
    return InvalidArgumentError(fmt::format("{}: 'adult_age' must be within 1..30", name));
  }
  for (const Indicator& ind : s->indicators_) {
    for (const auto& [lang, list] : ind.patterns) {
      if (lang != "*") s->languages_.insert(lang);
    }
  }
  return s;
}

}  // namespace vigil::classify
