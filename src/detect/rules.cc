#include "detect/rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

namespace vigil::detect {
namespace {

bool DetectorMatches(const std::string& pattern, const std::string& detector) {
  if (!pattern.empty() && pattern.back() == '*') {
    return detector.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  }
  return pattern == detector;
}

bool Fires(const Rule& rule, const Signal& s) {
  if (!DetectorMatches(rule.detector, s.detector)) return false;
  if (rule.max_distance && s.value > *rule.max_distance) return false;
  if (rule.min_score && s.value < *rule.min_score) return false;
  return true;
}

Result<Action> ParseAction(const std::string& name) {
  if (name == "ignore") return Action::kIgnore;
  if (name == "review") return Action::kReview;
  if (name == "auto_action") return Action::kAutoAction;
  return InvalidArgumentError(
      fmt::format("unknown action '{}' (ignore, review or auto_action)", name));
}

std::string FormatNumber(double v) { return fmt::format("{:g}", v); }

Result<Rule> ParseRule(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidArgumentError("a rule must be a JSON object");
  Rule rule;
  for (const auto& [key, value] : j.items()) {
    if (key == "detector" && value.is_string()) {
      rule.detector = value.get<std::string>();
    } else if (key == "max_distance" && value.is_number()) {
      rule.max_distance = value.get<double>();
    } else if (key == "min_score" && value.is_number()) {
      rule.min_score = value.get<double>();
    } else if (key == "action" && value.is_string()) {
      ASSIGN_OR_RETURN(rule.action, ParseAction(value.get<std::string>()));
    } else if (key == "priority" && value.is_number_integer()) {
      rule.priority = value.get<int>();
    } else {
      return InvalidArgumentError(fmt::format("unknown field or wrong type: '{}'", key));
    }
  }
  if (rule.detector.empty()) return InvalidArgumentError("'detector' is required");
  if (rule.priority < 0 || rule.priority > 100) {
    return InvalidArgumentError(fmt::format("priority {} is outside 0..100", rule.priority));
  }
  if (rule.min_score && (*rule.min_score < 0 || *rule.min_score > 1)) {
    return InvalidArgumentError("min_score must be within [0, 1]");
  }
  if (rule.max_distance && *rule.max_distance < 0) {
    return InvalidArgumentError("max_distance must not be negative");
  }
  return rule;
}

}  // namespace

std::string_view CategoryName(Category c) {
  switch (c) {
    case Category::kKnown:
      return "known";
    case Category::kNew:
      return "new";
    case Category::kSolicitation:
      return "solicitation";
  }
  return "unknown";
}

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::kIgnore:
      return "ignore";
    case Action::kReview:
      return "review";
    case Action::kAutoAction:
      return "auto_action";
  }
  return "unknown";
}

std::string TechnologyLabel(const Signal& signal, const Rule& rule) {
  std::string label = fmt::format("{}@{}", signal.detector, signal.version);
  if (!signal.threshold.empty()) label += " " + signal.threshold;
  if (rule.max_distance) label += " r<=" + FormatNumber(*rule.max_distance);
  if (rule.min_score) label += " s>=" + FormatNumber(*rule.min_score);
  return label;
}

Result<RuleSet> RuleSet::Parse(std::string_view json) {
  // Depth-limited parse: rule files are small and flat; reject anything else early.
  nlohmann::json root = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return InvalidArgumentError("rules: not valid JSON");
  if (!root.is_object()) return InvalidArgumentError("rules: the top level must be an object");
  RuleSet set;
  for (const auto& [key, value] : root.items()) {
    if (key == "auto_action_enabled" && value.is_boolean()) {
      set.auto_action_enabled_ = value.get<bool>();
    } else if (key == "rules" && value.is_array()) {
      for (size_t i = 0; i < value.size(); ++i) {
        auto rule = ParseRule(value[i]);
        if (!rule.ok()) return rule.status().WithContext(fmt::format("rules[{}]", i));
        set.rules_.push_back(std::move(*rule));
      }
    } else {
      return InvalidArgumentError(fmt::format("rules: unknown field or wrong type: '{}'", key));
    }
  }
  return set;
}

RuleSet RuleSet::Defaults() {
  RuleSet set;
  set.rules_ = {
      {"pdq", 31.0, std::nullopt, Action::kReview, 50},
      {"md5", std::nullopt, std::nullopt, Action::kReview, 70},
      {"sha256", std::nullopt, std::nullopt, Action::kReview, 70},
      {"vpdq", std::nullopt, std::nullopt, Action::kReview, 60},
  };
  return set;
}

RuleDecision RuleSet::Decide(const std::vector<Signal>& signals,
                             const std::function<bool(const std::string&)>& paused) const {
  RuleDecision decision;
  for (const Signal& s : signals) {
    for (const Rule& rule : rules_) {
      if (!Fires(rule, s)) continue;
      if (rule.action == Action::kIgnore) break;  // an explicit ignore rule silences the signal
      Flag flag{TechnologyLabel(s, rule), s, rule.action, rule.priority};
      // Art 3(1)(g)(iii): only known material from a bank trusted for it, with the operator's
      // consent, may skip human review.
      const bool may_auto = rule.action == Action::kAutoAction && auto_action_enabled_ &&
                            s.category == Category::kKnown && s.bank_entry_id.has_value() &&
                            s.bank_auto_action && !(paused && paused(flag.technology));
      flag.action = may_auto ? Action::kAutoAction : Action::kReview;
      decision.priority = std::max(decision.priority, flag.priority);
      decision.flags.push_back(std::move(flag));
      break;  // the first rule that fires for a signal decides it
    }
  }
  if (decision.flags.empty()) return decision;
  // Any flag that needs review sends the item to review; auto action only when every flag allows.
  decision.action = std::all_of(decision.flags.begin(), decision.flags.end(),
                                [](const Flag& f) { return f.action == Action::kAutoAction; })
                        ? Action::kAutoAction
                        : Action::kReview;
  return decision;
}

RuleSet RuleSet::WithRulesFirst(std::vector<Rule> first) const {
  RuleSet out = *this;
  out.rules_.insert(out.rules_.begin(), std::make_move_iterator(first.begin()),
                    std::make_move_iterator(first.end()));
  return out;
}

Result<RuleSet> RuleSet::ParseFile(const std::string& path) {
  if (path.empty()) return Defaults();
  std::ifstream in(path);
  if (!in) return NotFoundError(fmt::format("{}: cannot open rules file", path));
  std::stringstream text;
  text << in.rdbuf();
  Result<RuleSet> rules = Parse(text.str());
  if (!rules.ok()) return rules.status().WithContext(path);
  return rules;
}

Status CheckAssessed(const RuleSet& rules, const std::vector<std::string>& technologies_assessed) {
  for (const Rule& r : rules.rules()) {
    if (!r.detector.starts_with("classifier:") || r.action == Action::kIgnore) continue;
    if (std::find(technologies_assessed.begin(), technologies_assessed.end(), r.detector) ==
        technologies_assessed.end()) {
      return FailedPreconditionError(fmt::format(
          "the detection rules enable '{}' (new material or solicitation) but it has no DPIA / "
          "prior-consultation record (Art 3(1)(c)-(d)); record one with `vigil dpia add "
          "--technology {}` first",
          r.detector, r.detector));
    }
  }
  return Status::Ok();
}

}  // namespace vigil::detect
