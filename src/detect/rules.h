// Detection rules: which technology results flag an item, and what happens to it then.
//
// A technology is a named, versioned detector with its threshold (e.g. "pdq@1 r<=31", "md5@1",
// "classifier:imageX@3 s>=0.9"). Every flag records the technology label and the raw distance
// or score, so error rates per technology can be computed exactly later (Art 3(1)(g)(vii)).
//
// An item is queued for human review by default. It is acted on without review only when all of
// these hold: the rule says auto_action, the operator enabled automatic action, the flag is
// known material from a bank marked for automatic action, and automatic action is not paused
// for that technology (a cluster alert can pause it). New material and solicitation are never
// acted on without a human: Art 3(1)(g)(iii) of Regulation (EU) 2021/1232.
//
// Thread safety: RuleSet is immutable after Parse and may be shared.
#ifndef VIGIL_DETECT_RULES_H_
#define VIGIL_DETECT_RULES_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::detect {

// What a flag suggests the item is.
enum class Category { kKnown, kNew, kSolicitation };
std::string_view CategoryName(Category c);  // "known", "new", "solicitation"

enum class Action { kIgnore, kReview, kAutoAction };
std::string_view ActionName(Action a);  // "ignore", "review", "auto_action"

// One detector's result for one item, before rules: a bank match or a classifier score.
struct Signal {
  std::string detector;  // "pdq", "md5", "sha256", "vpdq", "classifier:<model>"
  std::string version;   // detector version, e.g. "1"
  // A threshold the detector applied itself, for the technology label (vPDQ: "d<=31 80/80",
  // frame distance and the two shares); empty for most.
  std::string threshold;
  Category category = Category::kKnown;
  // Hamming distance for perceptual hashes (smaller is closer), 0 for exact digests, score in
  // [0, 1] for classifiers (larger is more likely); for vPDQ the smaller of the two matched
  // shares in percent (the matcher already applied its thresholds).
  double value = 0;
  // For bank matches: the entry and bank, and whether the bank allows automatic action.
  std::optional<int64_t> bank_entry_id;
  std::string bank;
  bool bank_auto_action = false;
};

struct Rule {
  std::string detector;  // exact detector name, or a prefix ending in '*' ("classifier:*")
  // Distances at most max_distance fire; scores at least min_score fire. Unset: any value.
  std::optional<double> max_distance;
  std::optional<double> min_score;
  Action action = Action::kReview;
  int priority = 50;  // 0..100; the review queue serves higher first
};

// A signal that fired a rule: what the case records.
struct Flag {
  std::string technology;  // label: detector@version plus the rule's threshold
  Signal signal;
  Action action = Action::kReview;
  int priority = 0;
};

struct RuleDecision {
  std::vector<Flag> flags;  // empty: the item is not flagged and leaves no personal data
  Action action = Action::kIgnore;
  int priority = 0;
};

class RuleSet {
 public:
  // Parses rules from JSON:
  //   {"auto_action_enabled": false,
  //    "rules": [{"detector": "pdq", "max_distance": 31, "action": "review", "priority": 50}, ...]}
  // kInvalidArgument names the bad field (with its rule index).
  static Result<RuleSet> Parse(std::string_view json);

  // Review every PDQ match within 31, MD5 and SHA-256 match, vPDQ match; automatic action off.
  static RuleSet Defaults();

  // Reads and parses a rules file (the one reader the CLI, the server and the workers share);
  // an empty path gives Defaults(). kNotFound when the file cannot be opened; parse errors name
  // the file.
  static Result<RuleSet> ParseFile(const std::string& path);

  // Applies the rules to an item's signals. `auto_action_paused(technology)` tells whether a
  // cluster alert paused automatic action for that technology label.
  RuleDecision Decide(const std::vector<Signal>& signals,
                      const std::function<bool(const std::string&)>& auto_action_paused = {}) const;

  // A copy with `first` put before this set's rules, so they decide the signals they fire for
  // (the image classifiers' configured thresholds, detect/media_classifier.h).
  RuleSet WithRulesFirst(std::vector<Rule> first) const;

  const std::vector<Rule>& rules() const { return rules_; }
  bool auto_action_enabled() const { return auto_action_enabled_; }

 private:
  std::vector<Rule> rules_;
  bool auto_action_enabled_ = false;
};

// "pdq@1 r<=31", "md5@1", "classifier:x@3 s>=0.9", "vpdq@1 d<=31 80/80".
std::string TechnologyLabel(const Signal& signal, const Rule& rule);

// Art 3(1)(c)-(d): a technology for new material or solicitation (a rule on a "classifier:..."
// detector that does not ignore) may be used only after a data protection impact assessment and
// prior consultation. kFailedPrecondition naming the first rule's detector that has no record
// in `technologies_assessed` (the technologies of the DPIA records, e.g. "classifier:grooming";
// a wildcard rule needs a record for the wildcard itself, "classifier:*").
Status CheckAssessed(const RuleSet& rules, const std::vector<std::string>& technologies_assessed);

}  // namespace vigil::detect

#endif  // VIGIL_DETECT_RULES_H_
