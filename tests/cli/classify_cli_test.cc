// `vigil classify` on the shipped example rules and synthetic (benign) conversations.
#include <gtest/gtest.h>

#include "cli/cli_runner.h"

namespace vigil::testing {
namespace {

const std::string kRules = std::string(VIGIL_SOURCE_DIR) + "/data/grooming/example-rules.json";
const std::string kData = std::string(VIGIL_SOURCE_DIR) + "/tests/classify/data/";

TEST(ClassifyCliTest, PrintsScoresAndIndicatorsPerConversation) {
  CliRun run = RunVigil("classify --rules '" + kRules + "' '" + kData + "two-adults-en.json' '" +
                        kData + "adult-minor-de.json'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto rows = JsonLines(run.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["conversation"], "conv-adults");
  EXPECT_EQ(rows[0]["model"], "grooming-example");
  EXPECT_EQ(rows[0]["score"], 0.375);  // secrecy .25 + image_request .125
  ASSERT_EQ(rows[0]["indicators"].size(), 2u);
  EXPECT_EQ(rows[0]["indicators"][0]["name"], "secrecy");
  EXPECT_EQ(rows[0]["indicators"][0]["messages"], nlohmann::json::array({"m1"}));
  EXPECT_EQ(rows[1]["score"], 0.375);  // age_gap .25 + image_request .125
  EXPECT_FALSE(rows[0].contains("action"));
}

TEST(ClassifyCliTest, DetectRulesShowTheDecisionWhichIsReviewNeverAutoAction) {
  TempDir dir;
  const std::string rules = dir.Write(
      "rules.json", R"({"auto_action_enabled": true, "rules": [{"detector": "classifier:*",
        "min_score": 0.5, "action": "auto_action", "priority": 90}]})");
  CliRun run = RunVigil("classify --rules '" + kRules + "' --detect-rules '" + rules + "' '" +
                        kData + "adult-minor-en.json' '" + kData + "two-adults-en.json'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto rows = JsonLines(run.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["score"], 1.0);
  EXPECT_EQ(rows[0]["action"], "review");
  EXPECT_EQ(rows[0]["technologies"][0], "classifier:grooming-example@1 s>=0.5");
  EXPECT_EQ(rows[1]["action"], "ignore");  // 0.375 is below the threshold
}

TEST(ClassifyCliTest, BadInputsAreNamed) {
  TempDir dir;
  const std::string bad = dir.Write("bad.json", "{\"participants\": 1}");
  CliRun run =
      RunVigil("classify --rules '" + kRules + "' '" + bad + "' '" + kData + "two-adults-en.json'");
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("bad.json"), std::string::npos) << run.err;
  EXPECT_EQ(JsonLines(run.out).size(), 1u);  // the good file is still scored
  const std::string french =
      dir.Write("fr.json", R"({"language": "fr", "participants": [{"id": "a"}], "messages": []})");
  run = RunVigil("classify --rules '" + kRules + "' '" + french + "'");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("language 'fr'"), std::string::npos) << run.err;
  run = RunVigil("classify --rules /nonexistent/rules.json '" + french + "'");
  EXPECT_EQ(run.exit_code, 4) << run.err;
}

TEST(CalibrateCliTest, AnEmptyStoreAndBadOptionsAreClearErrors) {
  TempDir dir;
  const std::string db = (dir.path() / "v.db").string();
  CliRun run = RunVigil("calibrate --technology classifier:g@1 --db '" + db + "'");
  EXPECT_EQ(run.exit_code, 4) << run.err;
  EXPECT_NE(run.err.find("no flags of technology 'classifier:g@1'"), std::string::npos) << run.err;
  run = RunVigil("calibrate --technology g@1 --format xml --db '" + db + "'");
  EXPECT_EQ(run.exit_code, 3) << run.err;
  run = RunVigil("calibrate --technology g@1 --target-precision 1.5 --db '" + db + "'");
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("target precision 1.5 is not in (0, 1)"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace vigil::testing
