// Indicator score and external text classifier alone or combined, with the evidence of both;
// expected scores worked out by hand from the example rules and a fixed external score.
#include "classify/combined.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "classify/grooming.h"
#include "core/file.h"

namespace vigil::classify {
namespace {

std::string Read(const std::string& relative) {
  auto bytes = ReadFileBytes(std::string(VIGIL_SOURCE_DIR) + "/" + relative, 1 << 20);
  EXPECT_TRUE(bytes.ok()) << relative;
  return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : std::string();
}

// Stands in for the external model: a fixed score, or a fixed error.
class FixedClassifier final : public Classifier {
 public:
  explicit FixedClassifier(Result<Score> result) : result_(std::move(result)) {}
  const std::string& model() const override { return model_; }
  const std::string& version() const override { return version_; }
  Result<Score> Classify(const ClassifierInput&) const override { return result_; }

 private:
  Result<Score> result_;
  std::string model_ = "vendor-text", version_ = "2";
};

class CombinedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto scorer = GroomingScorer::Create(Read("data/grooming/example-rules.json"), "rules");
    ASSERT_TRUE(scorer.ok());
    indicators_ = std::move(*scorer);
    auto c = ParseConversation(Read("tests/classify/data/two-adults-en.json"), "two-adults");
    ASSERT_TRUE(c.ok());
    conversation_ = std::move(*c);
    input_.kind = InputKind::kConversation;
    input_.conversation = &conversation_;
  }
  std::shared_ptr<const Classifier> External(Result<Score> r) {
    return std::make_shared<FixedClassifier>(std::move(r));
  }
  Result<Score> Run(CombineConfig config, Result<Score> external) {
    auto c = CombinedTextClassifier::Create(std::move(config), indicators_,
                                            External(std::move(external)));
    if (!c.ok()) return c.status();
    return (*c)->Classify(input_);
  }

  std::shared_ptr<const Classifier> indicators_;
  Conversation conversation_;
  ClassifierInput input_;
  const Score vendor_{0.8, "vendor-text", "2", {{"toxicity", 0.8, {}, {}, "model says so"}}};
};

// two-adults-en: secrecy (m1) 0.25 + image_request (m2) 0.125 = 0.375.
TEST_F(CombinedTest, IndicatorsOnlyAndExternalOnlyKeepTheirOwnTechnology) {
  auto ind = Run({.mode = CombineMode::kIndicators}, vendor_);
  ASSERT_TRUE(ind.ok()) << ind.status().ToString();
  EXPECT_EQ(ind->value, 0.375);
  EXPECT_EQ(ind->model, "grooming-example");
  EXPECT_EQ(ind->evidence.size(), 2u);
  auto ext = Run({.mode = CombineMode::kExternal}, vendor_);
  ASSERT_TRUE(ext.ok());
  EXPECT_EQ(ext->value, 0.8);
  EXPECT_EQ(ext->model, "vendor-text");
  EXPECT_EQ(ext->version, "2");
}

TEST_F(CombinedTest, MaxTakesTheHigherScoreAndKeepsBothEvidences) {
  auto s = Run({.mode = CombineMode::kMax}, vendor_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->value, 0.8);
  EXPECT_EQ(s->model, "grooming-combined");
  EXPECT_EQ(s->version, "1");
  ASSERT_EQ(s->evidence.size(), 4u);
  EXPECT_EQ(s->evidence[0].indicator, "secrecy");
  EXPECT_EQ(s->evidence[0].message_ids, std::vector<std::string>{"m1"});
  EXPECT_EQ(s->evidence[1].indicator, "image_request");
  EXPECT_EQ(s->evidence[2].indicator, "indicator_score");
  EXPECT_EQ(s->evidence[2].weight, 0.375);
  EXPECT_EQ(s->evidence[2].detail, "grooming-example@1 scored 0.375");
  EXPECT_EQ(s->evidence[3].indicator, "external_score");
  EXPECT_EQ(s->evidence[3].weight, 0.8);
  EXPECT_EQ(s->evidence[3].detail, "vendor-text@2 scored 0.8");
}

TEST_F(CombinedTest, WeightedMeanUsesTheIndicatorWeight) {
  auto s = Run({.mode = CombineMode::kWeighted,
                .indicator_weight = 0.6,
                .model = "text-mix",
                .version = "4"},
               vendor_);
  ASSERT_TRUE(s.ok());
  EXPECT_NEAR(s->value, 0.545, 1e-12);  // 0.6 * 0.375 + 0.4 * 0.8
  EXPECT_EQ(s->model, "text-mix");
  EXPECT_NEAR(s->evidence[2].weight, 0.225, 1e-12);
  EXPECT_NEAR(s->evidence[3].weight, 0.32, 1e-12);
}

TEST_F(CombinedTest, EitherPartsFailureIsTheResultNeverASilentFallback) {
  auto down = Run({.mode = CombineMode::kMax}, UnavailableError("vendor down"));
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  auto nonsense =
      Run({.mode = CombineMode::kWeighted}, Score{std::nan(""), "vendor-text", "2", {}});
  EXPECT_EQ(nonsense.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(nonsense.status().message().find("vendor-text@2"), std::string::npos);
  auto out_of_range = Run({.mode = CombineMode::kMax}, Score{1.5, "vendor-text", "2", {}});
  EXPECT_EQ(out_of_range.status().code(), StatusCode::kDataLoss);
}

TEST_F(CombinedTest, MissingPartsAndBadConfigurationsAreRefused) {
  EXPECT_EQ(CombinedTextClassifier::Create({.mode = CombineMode::kMax}, indicators_, nullptr)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CombinedTextClassifier::Create({.mode = CombineMode::kExternal}, indicators_, nullptr)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      CombinedTextClassifier::Create({.mode = CombineMode::kIndicators}, indicators_, nullptr)
          .ok());
  auto parsed = ParseCombineConfig(
      R"({"mode": "weighted", "indicator_weight": 0.25, "model": "m", "version": "7"})", "c.json");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->mode, CombineMode::kWeighted);
  EXPECT_EQ(parsed->indicator_weight, 0.25);
  EXPECT_EQ(parsed->model, "m");
  for (const char* bad :
       {R"({"mode": "average"})", R"({"mode": "weighted", "indicator_weight": 2})",
        R"({"mode": "max", "model": ""})", R"([1])", R"({"mode": 3})", "{"}) {
    auto r = ParseCombineConfig(bad, "c.json");
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(r.status().message().rfind("c.json: ", 0), 0u) << r.status().message();
  }
}

}  // namespace
}  // namespace vigil::classify
