// `vigil classify`: scores conversations with the grooming risk scorer and prints, per
// conversation, the score and every indicator that fired with its messages (Art 3(1)(f):
// explainable). With --detect-rules, also the rule decision a scan would take (review or none;
// never automatic action for solicitation, Art 3(1)(g)(iii)). Nothing is stored.
//   vigil classify --rules GROOMING.json [--detect-rules RULES.json] CONVERSATION.json...
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "classify/grooming.h"
#include "cli/commands.h"
#include "cli/file_batch.h"
#include "core/file.h"
#include "detect/pipeline.h"

namespace vigil::cli {
namespace {

constexpr uint64_t kMaxRuleBytes = 4 << 20;

struct ClassifyFlags {
  std::string rules;
  std::string detect_rules;
  std::vector<std::string> conversations;
};

Result<std::string> ReadText(const std::string& path, uint64_t max_bytes) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, max_bytes));
  return std::string(bytes.begin(), bytes.end());
}

nlohmann::ordered_json ScoreJson(const std::string& file, const classify::Conversation& c,
                                 const classify::Score& s) {
  nlohmann::ordered_json j{{"file", file},     {"conversation", c.id},
                           {"model", s.model}, {"version", s.version},
                           {"score", s.value}, {"indicators", nlohmann::ordered_json::array()}};
  for (const classify::Evidence& e : s.evidence) {
    j["indicators"].push_back({{"name", e.indicator},
                               {"weight", e.weight},
                               {"messages", e.message_ids},
                               {"detail", e.detail}});
  }
  return j;
}

Status ClassifyOne(const classify::GroomingScorer& scorer, const detect::Pipeline* pipeline,
                   const std::string& file) {
  classify::ConversationLimits limits;
  ASSIGN_OR_RETURN(std::string json, ReadText(file, limits.max_json_bytes));
  ASSIGN_OR_RETURN(classify::Conversation c, classify::ParseConversation(json, file, limits));
  auto score = scorer.ScoreConversation(c);
  if (!score.ok()) return score.status().WithContext(file);
  nlohmann::ordered_json j = ScoreJson(file, c, *score);
  if (pipeline != nullptr) {
    ASSIGN_OR_RETURN(detect::ItemOutcome out,
                     pipeline->ProcessScores({c.id, "", "", stats::Region::kUnknown, {}},
                                             "conversation", {*score}));
    j["action"] = std::string(detect::ActionName(out.decision.action));
    j["technologies"] = nlohmann::ordered_json::array();
    for (const detect::Flag& f : out.decision.flags) j["technologies"].push_back(f.technology);
  }
  std::puts(j.dump().c_str());
  return Status::Ok();
}

Status Run(const ClassifyFlags& flags, int* exit_code) {
  ASSIGN_OR_RETURN(std::string rules_json, ReadText(flags.rules, kMaxRuleBytes));
  ASSIGN_OR_RETURN(auto scorer, classify::GroomingScorer::Create(rules_json, flags.rules));
  std::optional<detect::RuleSet> rules;
  std::unique_ptr<detect::Pipeline> pipeline;
  if (!flags.detect_rules.empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadText(flags.detect_rules, kMaxRuleBytes));
    auto parsed = detect::RuleSet::Parse(text);
    if (!parsed.ok()) return parsed.status().WithContext(flags.detect_rules);
    rules = std::move(*parsed);
    // A dry run: no review service, no counters.
    pipeline = std::make_unique<detect::Pipeline>(nullptr, &*rules, nullptr, nullptr,
                                                  std::make_shared<SystemClock>());
  }
  for (const std::string& file : flags.conversations) {
    Status s = ClassifyOne(*scorer, pipeline.get(), file);
    if (!s.ok()) {
      PrintError(s);
      if (*exit_code == 0) *exit_code = ExitCodeFor(s.code());
    }
  }
  return Status::Ok();
}

}  // namespace

void RegisterClassifyCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ClassifyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "classify", "Score conversations for grooming risk and list the indicators that fired");
  cmd->add_option("--rules", flags->rules, "Grooming indicator rule file (JSON)")->required();
  cmd->add_option("--detect-rules", flags->detect_rules,
                  "Detection rules: also print the decision a scan would take");
  cmd->add_option("conversations", flags->conversations, "Conversation JSON files")->required();
  cmd->callback([flags, exit_code] {
    Status s = Run(*flags, exit_code);
    if (!s.ok()) {
      PrintError(s);
      *exit_code = ExitCodeFor(s.code());
    }
  });
}

}  // namespace vigil::cli
