// Pipeline::ProcessScores: classifier scores (new material, solicitation) through the rules.
#include <fmt/format.h>

#include "detect/pipeline.h"

namespace vigil::detect {
namespace {

// Classifier signals are named "classifier:<model>" so rules can address one model or all
// ("classifier:*"); the version is the model's.
Signal SignalFromScore(const classify::Score& s, Category category) {
  Signal signal;
  signal.detector = "classifier:" + s.model;
  signal.version = s.version;
  signal.category = category;
  signal.value = s.value;
  return signal;  // no bank entry: the automatic-action guard in RuleSet::Decide never passes
}

cases::FlagCategory CaseCategory(Category c) {
  return c == Category::kSolicitation ? cases::FlagCategory::kSolicitation
                                      : cases::FlagCategory::kNew;
}

}  // namespace

Result<ItemOutcome> Pipeline::ProcessScores(const ItemInput& item, std::string_view content_type,
                                            const std::vector<classify::Score>& scores) const {
  RETURN_IF_ERROR(CheckAllowed(item));
  Category category;
  if (content_type == "conversation") {
    category = Category::kSolicitation;
  } else if (content_type == "image" || content_type == "video") {
    category = Category::kNew;
  } else {
    return InvalidArgumentError(fmt::format("unknown content type '{}'", content_type));
  }
  std::vector<Signal> signals;
  for (const classify::Score& s : scores) {
    // Checked before anything is decided or counted: a nonsense score never becomes a flag.
    RETURN_IF_ERROR(classify::CheckScoreValue(s.value, fmt::format("{}@{}", s.model, s.version)));
    signals.push_back(SignalFromScore(s, category));
  }
  ItemOutcome out;
  out.decision = rules_->Decide(signals);
  if (counters_ != nullptr) {
    const int64_t day = clock_->Now().time_since_epoch().count() / 86400;
    for (const Signal& s : signals) {
      bool flagged = false;
      for (const Flag& f : out.decision.flags) flagged |= f.signal.detector == s.detector;
      RETURN_IF_ERROR(counters_->Add(
          {day, s.detector + "@" + s.version, std::string(content_type), item.region},
          {1, flagged ? 1u : 0u}));
    }
  }
  if (out.decision.flags.empty() || review_ == nullptr) return out;
  if (item.item_id.empty() || item.account_id.empty()) {
    return InvalidArgumentError("a flagged item needs an item id and an account id");
  }
  cases::NewCase c;
  c.account_id = item.account_id;
  c.surface = item.surface;
  c.eu = item.region != stats::Region::kNonEu;
  c.priority = out.decision.priority;
  c.auto_actioned = false;  // Art 3(1)(g)(iii): a human confirms new material and solicitation
  cases::Item case_item{item.item_id, std::string(content_type), clock_->Now(), {}};
  for (const Flag& f : out.decision.flags) {
    cases::Flag flag{f.technology, CaseCategory(category), f.signal.value};
    // Art 3(1)(f): the reviewer sees why the classifier flagged the item.
    for (const classify::Score& s : scores) {
      if ("classifier:" + s.model == f.signal.detector && s.version == f.signal.version) {
        flag.evidence = classify::EvidenceJson(s.evidence);
      }
    }
    case_item.flags.push_back(std::move(flag));
  }
  c.items.push_back(std::move(case_item));
  ASSIGN_OR_RETURN(out.opened, review_->OpenCase(c));
  return out;
}

}  // namespace vigil::detect
