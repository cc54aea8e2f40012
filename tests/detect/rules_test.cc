// Detection rules: thresholds, technology labels, and when an item may skip human review.
#include "detect/rules.h"

#include <gtest/gtest.h>

namespace vigil::detect {
namespace {

Signal PdqMatch(double distance, bool bank_auto = false) {
  Signal s;
  s.detector = "pdq";
  s.version = "1";
  s.value = distance;
  s.bank_entry_id = 7;
  s.bank = "hotline";
  s.bank_auto_action = bank_auto;
  return s;
}

RuleSet AutoRules() {
  auto set = RuleSet::Parse(R"({"auto_action_enabled": true, "rules": [
      {"detector": "pdq", "max_distance": 31, "action": "auto_action", "priority": 90},
      {"detector": "classifier:*", "min_score": 0.9, "action": "auto_action", "priority": 40}]})");
  EXPECT_TRUE(set.ok()) << set.status().ToString();
  return *set;
}

TEST(RulesTest, ClassifierRulesNeedADpiaRecordEach) {
  auto rules = RuleSet::Parse(R"({"rules": [
      {"detector": "pdq", "max_distance": 31, "action": "review"},
      {"detector": "classifier:nudity", "min_score": 0.5, "action": "ignore"},
      {"detector": "classifier:grooming", "min_score": 0.8, "action": "review"}]})");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  // Hash matching needs none; an ignoring rule enables nothing.
  const Status missing = CheckAssessed(*rules, {"pdq", "classifier:nudity"});
  EXPECT_EQ(missing.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.message().find("'classifier:grooming'"), std::string::npos)
      << missing.message();
  EXPECT_NE(missing.message().find("Art 3(1)(c)-(d)"), std::string::npos);
  EXPECT_TRUE(CheckAssessed(*rules, {"classifier:grooming"}).ok());
  EXPECT_TRUE(CheckAssessed(RuleSet::Defaults(), {}).ok());
  auto wildcard = RuleSet::Parse(R"({"rules": [{"detector": "classifier:*", "min_score": 0.9}]})");
  ASSERT_TRUE(wildcard.ok()) << wildcard.status().ToString();
  EXPECT_FALSE(CheckAssessed(*wildcard, {"classifier:grooming"}).ok());
  EXPECT_TRUE(CheckAssessed(*wildcard, {"classifier:*"}).ok());
}

TEST(RulesTest, DefaultPdqRuleFiresUpTo31AndLabelsTheTechnology) {
  RuleSet rules = RuleSet::Defaults();
  RuleDecision at31 = rules.Decide({PdqMatch(31)});
  ASSERT_EQ(at31.flags.size(), 1u);
  EXPECT_EQ(at31.flags[0].technology, "pdq@1 r<=31");
  EXPECT_EQ(at31.flags[0].signal.value, 31);
  EXPECT_EQ(at31.action, Action::kReview);
  EXPECT_EQ(at31.priority, 50);
  RuleDecision at32 = rules.Decide({PdqMatch(32)});
  EXPECT_TRUE(at32.flags.empty());
  EXPECT_EQ(at32.action, Action::kIgnore);
}

TEST(RulesTest, AutoActionNeedsOperatorBankKnownMaterialAndNoPause) {
  RuleSet rules = AutoRules();
  EXPECT_EQ(rules.Decide({PdqMatch(3, /*bank_auto=*/true)}).action, Action::kAutoAction);
  // The bank is not trusted for automatic action.
  EXPECT_EQ(rules.Decide({PdqMatch(3, false)}).action, Action::kReview);
  // A cluster alert paused the technology.
  auto paused = [](const std::string& tech) { return tech == "pdq@1 r<=31"; };
  EXPECT_EQ(rules.Decide({PdqMatch(3, true)}, paused).action, Action::kReview);
  // The operator has not enabled automatic action.
  auto off = RuleSet::Parse(R"({"rules": [{"detector": "pdq", "action": "auto_action"}]})");
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->Decide({PdqMatch(3, true)}).action, Action::kReview);
}

TEST(RulesTest, NewMaterialIsNeverActedOnWithoutReview) {
  // Art 3(1)(g)(iii): a classifier flag always goes to a human, whatever the rule says.
  Signal score;
  score.detector = "classifier:imageX";
  score.version = "3";
  score.category = Category::kNew;
  score.value = 0.97;
  score.bank_auto_action = true;
  RuleDecision d = AutoRules().Decide({score});
  ASSERT_EQ(d.flags.size(), 1u);
  EXPECT_EQ(d.flags[0].technology, "classifier:imageX@3 s>=0.9");
  EXPECT_EQ(d.action, Action::kReview);
  score.value = 0.89;
  EXPECT_TRUE(AutoRules().Decide({score}).flags.empty());
}

TEST(RulesTest, OneFlagNeedingReviewSendsTheItemToReviewAtTheHighestPriority) {
  Signal md5;
  md5.detector = "md5";
  md5.version = "1";
  md5.bank_entry_id = 9;
  RuleDecision d = RuleSet::Defaults().Decide({PdqMatch(10), md5});
  ASSERT_EQ(d.flags.size(), 2u);
  EXPECT_EQ(d.flags[1].technology, "md5@1");
  EXPECT_EQ(d.priority, 70);
  EXPECT_EQ(d.action, Action::kReview);
}

TEST(RulesTest, IgnoreRuleSilencesASignal) {
  auto rules =
      RuleSet::Parse(R"({"rules": [{"detector": "pdq", "max_distance": 5, "action": "ignore"},
                                           {"detector": "pdq", "max_distance": 31}]})");
  ASSERT_TRUE(rules.ok());
  EXPECT_TRUE(rules->Decide({PdqMatch(2)}).flags.empty());
  EXPECT_EQ(rules->Decide({PdqMatch(20)}).flags.size(), 1u);
}

TEST(RulesTest, BadRuleFilesNameTheProblem) {
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {"not json", "not valid JSON"},
      {"[]", "top level must be an object"},
      {R"({"rulez": []})", "'rulez'"},
      {R"({"rules": [{"detector": "pdq"}, {"action": "review"}]})",
       "rules[1]: 'detector' is required"},
      {R"({"rules": [{"detector": "pdq", "action": "delete"}]})", "unknown action 'delete'"},
      {R"({"rules": [{"detector": "pdq", "priority": 101}]})", "priority 101"},
      {R"({"rules": [{"detector": "x", "min_score": 2}]})", "min_score"},
      {R"({"rules": [{"detector": "pdq", "max_distance": "31"}]})", "'max_distance'"},
  };
  for (const Case& c : cases) {
    auto r = RuleSet::Parse(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << r.status().message();
  }
}

TEST(RulesTest, ADetectorsOwnThresholdIsPartOfTheTechnologyLabel) {
  Signal s;
  s.detector = "vpdq";
  s.version = "1";
  s.threshold = "d<=31 80/80";
  s.value = 90;  // the smaller of the two shares, in percent
  s.bank_entry_id = 3;
  const RuleDecision d = RuleSet::Defaults().Decide({s});
  ASSERT_EQ(d.flags.size(), 1u);
  EXPECT_EQ(d.flags[0].technology, "vpdq@1 d<=31 80/80");
  EXPECT_EQ(d.action, Action::kReview);
  EXPECT_EQ(d.priority, 60);
}

}  // namespace
}  // namespace vigil::detect
