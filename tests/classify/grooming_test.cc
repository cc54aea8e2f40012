// Grooming scorer tests: every expected score is the sum of the example rule file's weights
// for the indicators named in the test, worked out by hand. All text is benign placeholder
// phrasing.
#include "classify/grooming.h"

#include <gtest/gtest.h>

#include <string>

#include "core/file.h"

namespace vigil::classify {
namespace {

std::string ReadText(const std::string& relative) {
  auto bytes = ReadFileBytes(std::string(VIGIL_SOURCE_DIR) + "/" + relative, 1 << 20);
  EXPECT_TRUE(bytes.ok()) << relative;
  return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : std::string();
}

std::unique_ptr<GroomingScorer> ExampleScorer() {
  auto s = GroomingScorer::Create(ReadText("data/grooming/example-rules.json"), "example");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

Conversation Load(const std::string& name) {
  auto c = ParseConversation(ReadText("tests/classify/data/" + name), name);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : Conversation{};
}

const Evidence* Find(const Score& s, const std::string& indicator) {
  for (const Evidence& e : s.evidence) {
    if (e.indicator == indicator) return &e;
  }
  return nullptr;
}

using Ids = std::vector<std::string>;

TEST(GroomingTest, ExampleRulesParse) {
  auto s = ExampleScorer();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->model(), "grooming-example");
  EXPECT_EQ(s->version(), "1");
  EXPECT_EQ(s->indicators().size(), 7u);
  EXPECT_EQ(s->languages(), (std::set<std::string>{"de", "en"}));
}

TEST(GroomingTest, EveryIndicatorFiresWithItsMessages) {
  auto s = ExampleScorer();
  Conversation c = Load("adult-minor-en.json");
  auto score = s->ScoreConversation(c);
  ASSERT_TRUE(score.ok()) << score.status().ToString();
  // age_gap .25 + secrecy .25 + other_channel .125 + image_request .125 + gifts .0625
  // + many_minors .0625 + rapid_escalation .125 (m3, m4, m5 within 3600 s; m6 is not) = 1.
  EXPECT_DOUBLE_EQ(score->value, 1.0);
  EXPECT_EQ(score->model, "grooming-example");
  ASSERT_EQ(score->evidence.size(), 7u);
  // The minor's own "keep it between us" (m2) does not count; matching is case-insensitive.
  EXPECT_EQ(Find(*score, "secrecy")->message_ids, Ids{"m3"});
  EXPECT_EQ(Find(*score, "other_channel")->message_ids, Ids{"m4"});
  EXPECT_EQ(Find(*score, "image_request")->message_ids, Ids{"m5"});
  EXPECT_EQ(Find(*score, "gifts")->message_ids, Ids{"m6"});
  EXPECT_EQ(Find(*score, "rapid_escalation")->message_ids, (Ids{"m3", "m4", "m5"}));
  EXPECT_EQ(Find(*score, "age_gap")->detail, "adult a (34 declared) and minor b (13 estimated)");
  EXPECT_EQ(Find(*score, "many_minors")->detail, "a contacted 4 minors");
  EXPECT_DOUBLE_EQ(Find(*score, "gifts")->weight, 0.0625);
}

TEST(GroomingTest, ClassifierInterfaceTakesConversationsOnly) {
  auto s = ExampleScorer();
  Conversation c = Load("two-adults-en.json");
  ClassifierInput in;
  in.kind = InputKind::kConversation;
  in.conversation = &c;
  auto score = s->Classify(in);
  ASSERT_TRUE(score.ok());
  // Two adults: no age gap, no escalation; secrecy (m1) .25 + image_request (m2) .125.
  EXPECT_DOUBLE_EQ(score->value, 0.375);
  EXPECT_EQ(score->evidence.size(), 2u);
  in.kind = InputKind::kImage;
  EXPECT_EQ(s->Classify(in).status().code(), StatusCode::kInvalidArgument);
}

TEST(GroomingTest, RulesFollowTheConversationLanguage) {
  auto s = ExampleScorer();
  Conversation c = Load("adult-minor-de.json");
  auto score = s->ScoreConversation(c);
  ASSERT_TRUE(score.ok());
  // age_gap .25 + image_request .125 from the German pattern only (m1; English m2 ignored).
  EXPECT_DOUBLE_EQ(score->value, 0.375);
  EXPECT_EQ(Find(*score, "image_request")->message_ids, Ids{"m1"});
  c.language = "fr";
  auto refused = s->ScoreConversation(c);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("language 'fr'"), std::string::npos);
  c.language = "";  // the default language, English: m2 matches instead
  score = s->ScoreConversation(c);
  ASSERT_TRUE(score.ok());
  EXPECT_EQ(Find(*score, "image_request")->message_ids, Ids{"m2"});
}

TEST(GroomingTest, ScoreIsCappedAtOneAndStarPatternsApplyToAll) {
  auto s = GroomingScorer::Create(R"({"model": "m", "version": "2", "indicators": [
      {"name": "x", "kind": "pattern", "weight": 0.75, "patterns": {"*": ["homework"]}},
      {"name": "y", "kind": "pattern", "weight": 0.5, "patterns": {"*": ["photo"]}}]})",
                                  "inline");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Conversation c = Load("adult-minor-de.json");
  c.language = "fr";  // no language-specific rules at all: any language is scored
  auto score = (*s)->ScoreConversation(c);
  ASSERT_TRUE(score.ok());
  EXPECT_DOUBLE_EQ(score->value, 1.0);  // 0.75 + 0.5 capped
  EXPECT_EQ(score->version, "2");
}

TEST(GroomingTest, NothingFiresOnAnEmptyConversation) {
  auto s = ExampleScorer();
  Conversation c;
  c.language = "en";
  auto score = s->ScoreConversation(c);
  ASSERT_TRUE(score.ok());
  EXPECT_EQ(score->value, 0);
  EXPECT_TRUE(score->evidence.empty());
}

void ExpectRuleError(std::string_view json, std::string_view part) {
  auto s = GroomingScorer::Create(json, "rules.json");
  ASSERT_FALSE(s.ok()) << json;
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("rules.json"), std::string::npos);
  EXPECT_NE(s.status().message().find(part), std::string::npos) << s.status().ToString();
}

TEST(GroomingTest, BadRuleFilesNameTheProblem) {
  ExpectRuleError("nope", "not valid JSON");
  ExpectRuleError(R"({"version": "1"})", "'model' and 'version' are required");
  ExpectRuleError(R"({"model": "m", "version": "1", "indicators": [{"name": "a",
      "kind": "pattern", "weight": 0.5, "patterns": {"en": ["(unclosed"]}}]})",
                  "indicators[0]: patterns.en[0]: pattern '(unclosed'");
  ExpectRuleError(R"({"model": "m", "version": "1", "indicators": [{"name": "a",
      "kind": "age_gap", "weight": 1.5}]})",
                  "'weight' must be within [0, 1]");
  ExpectRuleError(R"({"model": "m", "version": "1", "indicators": [{"name": "a",
      "kind": "telepathy", "weight": 0.5}]})",
                  "unknown kind 'telepathy'");
  ExpectRuleError(R"({"model": "m", "version": "1", "indicators": [{"name": "a",
      "kind": "pattern", "weight": 0.5}]})",
                  "needs 'patterns'");
  ExpectRuleError(R"({"model": "m", "version": "1", "indicators": [{"name": "a",
      "kind": "escalation", "weight": 0.5, "min_indicators": 0}]})",
                  "'min_indicators' must be a positive integer");
  ExpectRuleError(R"({"model": "m", "version": "1", "adult_age": 99})", "adult_age");
}

}  // namespace
}  // namespace vigil::classify
