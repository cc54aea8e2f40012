// The scan's image classifiers on item bytes and through the pipeline: a score at or above the
// configured threshold files the item once, as new material pending human review, with the
// evidence (technology, score, threshold, version); never automatic action (Art 3(1)(g)(iii));
// classifier failures leave no trace; the annual report counts the flags per classifier version
// (Art 3(1)(g)(vii)). Inputs are uniform grey images written by the test and, when the shared
// corpus is present, a benign video clip.
#include "detect/media_classifier.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "../classify/onnx_model.h"
#include "bank/in_memory_bank_store.h"
#include "cases/in_memory_case_store.h"
#include "core/file.h"
#include "detect/pipeline.h"
#include "hash/digest.h"
#include "transparency/annual_report.h"

namespace vigil::detect {
namespace {

namespace fs = std::filesystem;
using classify::testing::UniformGreyBmp;

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

// A classifier that records what it saw and answers as told.
class FakeClassifier final : public classify::Classifier {
 public:
  FakeClassifier(std::string model, Result<double> answer)
      : model_(std::move(model)), answer_(std::move(answer)) {}
  const std::string& model() const override { return model_; }
  const std::string& version() const override { return version_; }
  Result<classify::Score> Classify(const classify::ClassifierInput& input) const override {
    seen_frames = input.frames.size();
    if (!input.frames.empty()) {
      first = {input.frames[0].width, input.frames[0].height, input.frames[0].channels};
      first_pixel = input.frames[0].pixels.empty() ? -1 : input.frames[0].pixels[0];
    }
    RETURN_IF_ERROR(answer_.status());
    return classify::Score{*answer_, answer_model.empty() ? model_ : answer_model, version_, {}};
  }
  mutable size_t seen_frames = 0;
  mutable std::array<int, 3> first{};
  mutable int first_pixel = -1;
  std::string answer_model;

 private:
  std::string model_;
  std::string version_ = "2";
  Result<double> answer_;
};

classify::ImageClassifierSet SetOf(std::shared_ptr<const classify::Classifier> c,
                                   double threshold) {
  classify::ImageClassifierSet set;
  set.classifiers.push_back({"http", std::move(c), threshold, 65});
  return set;
}

TEST(MediaClassifierTest, AnImageIsOneFrameAndAScoreOverTheThresholdCarriesItsEvidence) {
  auto fake = std::make_shared<FakeClassifier>("vendor", 0.75);
  classify::ImageClassifierSet set = SetOf(fake, 0.7);
  MediaClassifier mc(&set, {});
  ASSERT_EQ(mc.Rules().size(), 2u);
  EXPECT_EQ(mc.Rules()[0].detector, "classifier:vendor");
  EXPECT_EQ(mc.Rules()[0].min_score, 0.7);
  EXPECT_EQ(mc.Rules()[0].action, Action::kReview);
  EXPECT_EQ(mc.Rules()[0].priority, 65);
  EXPECT_EQ(mc.Rules()[1].detector, "classifier:vendor");  // below the threshold: silenced
  EXPECT_FALSE(mc.Rules()[1].min_score.has_value());
  EXPECT_EQ(mc.Rules()[1].action, Action::kIgnore);

  auto scores = mc.Classify(Bytes(UniformGreyBmp(5, 3, 40)));
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  EXPECT_EQ(fake->seen_frames, 1u);
  EXPECT_EQ(fake->first[0], 5);
  EXPECT_EQ(fake->first[1], 3);
  EXPECT_EQ(fake->first_pixel, 40);
  ASSERT_EQ(scores->size(), 1u);
  EXPECT_EQ((*scores)[0].value, 0.75);
  ASSERT_EQ((*scores)[0].evidence.size(), 1u);
  const classify::Evidence& e = (*scores)[0].evidence[0];
  EXPECT_EQ(e.indicator, "threshold");
  EXPECT_EQ(e.detail,
            "new material, needs human confirmation: classifier:vendor@2 (http, version 2) "
            "scored 0.75 >= threshold 0.7");

  classify::ImageClassifierSet high = SetOf(fake, 0.8);  // below the threshold: no evidence
  auto below = MediaClassifier(&high, {}).Classify(Bytes(UniformGreyBmp(5, 3, 40)));
  ASSERT_TRUE(below.ok());
  EXPECT_TRUE((*below)[0].evidence.empty());
}

TEST(MediaClassifierTest, ClassifierFailuresAndBadBytesAreErrorsNamingTheModel) {
  const auto bmp = Bytes(UniformGreyBmp(4, 4, 9));
  auto down = std::make_shared<FakeClassifier>("vendor", UnavailableError("timed out"));
  classify::ImageClassifierSet s1 = SetOf(down, 0.5);
  auto r1 = MediaClassifier(&s1, {}).Classify(bmp);
  EXPECT_EQ(r1.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r1.status().message().find("classifier:vendor@2"), std::string::npos);

  for (double bad : {1.5, -0.1, std::nan("")}) {
    classify::ImageClassifierSet s = SetOf(std::make_shared<FakeClassifier>("v", bad), 0.5);
    EXPECT_EQ(MediaClassifier(&s, {}).Classify(bmp).status().code(), StatusCode::kDataLoss);
  }
  auto renamed = std::make_shared<FakeClassifier>("vendor", 0.9);
  renamed->answer_model = "other";  // would be counted under another technology
  classify::ImageClassifierSet s2 = SetOf(renamed, 0.5);
  EXPECT_EQ(MediaClassifier(&s2, {}).Classify(bmp).status().code(), StatusCode::kDataLoss);

  auto ok = std::make_shared<FakeClassifier>("vendor", 0.9);
  classify::ImageClassifierSet s3 = SetOf(ok, 0.5);
  auto corrupt = MediaClassifier(&s3, {}).Classify(Bytes("BM not really a bitmap"));
  EXPECT_EQ(corrupt.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ok->seen_frames, 0u);  // never reached the classifier
}

TEST(MediaClassifierTest, AVideoIsAtMostMaxFramesSpreadOverIt) {
  const fs::path clip =
      fs::path(VIGIL_SHARED_DIR) / "testdata" / "vpdq" / "videos" / "s02_zoom_h264.mp4";
  if (!fs::exists(clip)) GTEST_SKIP() << "no shared test video at " << clip;
  auto bytes = ReadFileBytes(clip.string(), 1 << 26);
  ASSERT_TRUE(bytes.ok());
  auto fake = std::make_shared<FakeClassifier>("vendor", 0.1);
  classify::ImageClassifierSet set = SetOf(fake, 0.5);
  set.max_video_frames = 3;
  auto scores = MediaClassifier(&set, {}).Classify(*bytes);
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  EXPECT_EQ(fake->seen_frames, 3u);
  EXPECT_EQ(fake->first[2], 3);  // RGB
  set.max_video_frames = 1000;   // one a second: the clip is shorter than 1000 s
  ASSERT_TRUE(MediaClassifier(&set, {}).Classify(*bytes).ok());
  EXPECT_GT(fake->seen_frames, 3u);
  EXPECT_LT(fake->seen_frames, 1000u);
}

class NoSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

// A real ONNX network (mean brightness, written by the test) through the pipeline.
class ClassifiedMediaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vigil-mc-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "mean.onnx", std::ios::binary)
        << classify::testing::MeanBrightnessOnnx(1, 4, 4);
    review_ =
        std::move(*cases::ReviewService::Create(cases_, sink_, clock_, cases::ReviewConfig{}));
  }
  void TearDown() override { fs::remove_all(dir_); }

  classify::ImageClassifierSet Load(const std::string& version) {
    const std::string json =
        R"({"classifiers": [{"type": "onnx", "threshold": 0.5, "model": "mean", "version": ")" +
        version + R"(", "path": "mean.onnx", "input_width": 4, "input_height": 4,
        "channels": 1}]})";
    auto set = classify::ParseImageClassifiers(json, "cls.json", dir_.string(), clock_);
    EXPECT_TRUE(set.ok()) << set.status().ToString();
    return std::move(*set);
  }
  void Reload() { matcher_ = std::move(*match::Matcher::Load(banks_, {})); }

  // Classifies and processes `bytes` as the scan does.
  Result<ItemOutcome> Scan(const MediaClassifier& mc, const RuleSet& rules, const std::string& id,
                           const std::vector<uint8_t>& bytes) {
    ASSIGN_OR_RETURN(std::vector<classify::Score> scores, mc.Classify(bytes));
    MediaHasher hasher;
    ASSIGN_OR_RETURN(MediaHashes hashes, hasher.HashBytes(bytes));
    Pipeline pipeline(matcher_.get(), &rules, review_.get(), &counters_, clock_);
    return pipeline.ProcessClassified({id, "acct-" + id, "photos", stats::Region::kEu, {}},
                                      std::move(hashes), scores);
  }
  stats::VolumeCount Count(const std::string& tech) {
    const int64_t day = clock_->Now().time_since_epoch().count() / 86400;
    auto snap = counters_.Snapshot();
    auto it = snap.find({day, tech, "image", stats::Region::kEu});
    return it == snap.end() ? stats::VolumeCount{} : it->second;
  }

  fs::path dir_;
  std::shared_ptr<FakeClock> clock_ =
      std::make_shared<FakeClock>(TimePoint(std::chrono::seconds(1'790'000'000)));
  bank::InMemoryBankStore banks_{clock_};
  std::unique_ptr<match::Matcher> matcher_ = std::move(*match::Matcher::Load(banks_, {}));
  cases::InMemoryCaseStore cases_;
  NoSink sink_;
  std::unique_ptr<cases::ReviewService> review_;
  stats::InMemoryVolumeCounters counters_;
};

TEST_F(ClassifiedMediaTest, ABrightImageIsNewMaterialForReviewADarkOneOnlyCounted) {
  classify::ImageClassifierSet set = Load("1");
  MediaClassifier mc(&set, {});
  // The operator asks for automatic action on everything: the guard still sends it to review.
  RuleSet rules =
      RuleSet::Parse(R"({"auto_action_enabled": true, "rules": [{"detector": "classifier:*",
        "min_score": 0.1, "action": "auto_action"}]})")
          ->WithRulesFirst(mc.Rules());

  auto bright = Scan(mc, rules, "bright", Bytes(UniformGreyBmp(6, 6, 204)));  // 204/255 = 0.8
  ASSERT_TRUE(bright.ok()) << bright.status().ToString();
  EXPECT_EQ(bright->decision.action, Action::kReview);
  ASSERT_TRUE(bright->opened.has_value());
  const cases::Case& c = bright->opened->opened;
  EXPECT_EQ(c.priority, 60);
  EXPECT_FALSE(c.progress.actioned_at.has_value());
  ASSERT_EQ(c.items.size(), 1u);
  EXPECT_EQ(c.items[0].content_type, "image");
  EXPECT_EQ(c.items[0].hashes.size(), 3u);  // pdq, md5, sha256
  ASSERT_EQ(c.items[0].flags.size(), 1u);
  const cases::Flag& f = c.items[0].flags[0];
  EXPECT_EQ(f.technology, "classifier:mean@1 s>=0.5");  // the configured threshold decided
  EXPECT_EQ(f.category, cases::FlagCategory::kNew);
  EXPECT_NEAR(f.raw_value, 0.8, 1e-6);
  auto evidence = nlohmann::json::parse(cases_.GetCase(c.id)->items[0].flags[0].evidence);
  ASSERT_EQ(evidence.size(), 2u) << evidence.dump();
  EXPECT_EQ(evidence[0]["indicator"], "frame_score");
  EXPECT_EQ(evidence[0]["frames"], nlohmann::json::array({0}));
  EXPECT_EQ(evidence[1]["indicator"], "threshold");
  const std::string detail = evidence[1]["detail"];
  EXPECT_NE(detail.find("classifier:mean@1 (onnx, version 1) scored 0.8"), std::string::npos)
      << detail;
  EXPECT_NE(detail.find(">= threshold 0.5"), std::string::npos) << detail;

  // 0.2: below 0.5, and the rules file's lower "classifier:*" threshold does not apply.
  auto dark = Scan(mc, rules, "dark", Bytes(UniformGreyBmp(6, 6, 51)));
  ASSERT_TRUE(dark.ok()) << dark.status().ToString();
  EXPECT_TRUE(dark->decision.flags.empty());
  EXPECT_FALSE(dark->opened.has_value());
  EXPECT_EQ(Count("classifier:mean@1").processed, 2u);
  EXPECT_EQ(Count("classifier:mean@1").flagged, 1u);
  EXPECT_EQ(Count("pdq@1").processed, 2u);
  EXPECT_EQ(Count("pdq@1").flagged, 0u);
  EXPECT_EQ(cases_.ListCases({})->size(), 1u);
}

TEST_F(ClassifiedMediaTest, AKnownMatchAndAClassifierFlagFileTheItemOnceWithBothFlags) {
  const auto bmp = Bytes(UniformGreyBmp(6, 6, 230));
  bank::Bank b =
      *banks_.CreateBank({"hotline", "Hotline", "", "", bank::ActionPolicy::kAutoAction});
  ASSERT_TRUE(
      bank::AddEntry(banks_, b.id, {bank::SignalType::kMd5, hash::DigestToHex(hash::Md5(bmp))})
          .ok());
  Reload();
  classify::ImageClassifierSet set = Load("1");
  MediaClassifier mc(&set, {});
  RuleSet rules = RuleSet::Defaults().WithRulesFirst(mc.Rules());
  auto out = Scan(mc, rules, "both", bmp);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_TRUE(out->opened.has_value());
  ASSERT_EQ(out->opened->opened.items.size(), 1u);
  std::map<std::string, cases::FlagCategory> flags;
  for (const auto& f : out->opened->opened.items[0].flags) flags[f.technology] = f.category;
  EXPECT_EQ(flags, (std::map<std::string, cases::FlagCategory>{
                       {"classifier:mean@1 s>=0.5", cases::FlagCategory::kNew},
                       {"md5@1", cases::FlagCategory::kKnown}}));
  EXPECT_EQ(out->decision.action, Action::kReview);
}

TEST_F(ClassifiedMediaTest, NonsenseScoresLeaveNoTrace) {
  RuleSet rules = RuleSet::Defaults();
  MediaHasher hasher;
  auto hashes = hasher.HashBytes(Bytes(UniformGreyBmp(6, 6, 1)));
  ASSERT_TRUE(hashes.ok());
  Pipeline pipeline(matcher_.get(), &rules, review_.get(), &counters_, clock_);
  auto out = pipeline.ProcessClassified({"x", "acct", "p", stats::Region::kEu, {}}, *hashes,
                                        {{std::nan(""), "mean", "1", {}}});
  EXPECT_EQ(out.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(out.status().message().find("mean@1"), std::string::npos);
  EXPECT_TRUE(counters_.Snapshot().empty());
}

// Art 3(1)(g)(vii): flags created this way count in the annual report per technology and per
// classifier version, from the review decisions taken on them.
TEST_F(ClassifiedMediaTest, TheAnnualReportCountsErrorRatesPerClassifierVersion) {
  classify::ImageClassifierSet v1 = Load("1"), v2 = Load("2");
  MediaClassifier mc1(&v1, {}), mc2(&v2, {});
  RuleSet r1 = RuleSet::Defaults().WithRulesFirst(mc1.Rules());
  RuleSet r2 = RuleSet::Defaults().WithRulesFirst(mc2.Rules());
  std::vector<cases::CaseId> ids;
  for (int i = 0; i < 3; ++i) {
    const auto bmp = Bytes(UniformGreyBmp(6, 6, static_cast<uint8_t>(200 + i)));
    auto out = i < 2 ? Scan(mc1, r1, "v1-" + std::to_string(i), bmp)
                     : Scan(mc2, r2, "v2-" + std::to_string(i), bmp);
    ASSERT_TRUE(out.ok() && out->opened) << out.status().ToString();
    ids.push_back(out->opened->opened.id);
  }
  // Version 1: one confirmed, one not; version 2: not CSAM.
  const std::vector<cases::Decision> decisions = {
      cases::Decision::kConfirmedNew, cases::Decision::kNotCsam, cases::Decision::kNotCsam};
  for (size_t i = 0; i < ids.size(); ++i) {
    ASSERT_TRUE(review_->Claim(ids[i], "rev").ok());
    auto d = review_->Decide(ids[i], {"rev", decisions[i], "checked"});
    ASSERT_TRUE(d.ok()) << d.status().ToString();
  }
  auto form = transparency::BuiltInForm(transparency::kDefaultFormId);
  ASSERT_TRUE(form.ok());
  auto report = transparency::BuildAnnualReport({&cases_, &counters_, &banks_}, *form, {}, 2026,
                                                clock_->Now());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::map<std::string, transparency::TechnologyFigures> by_name;
  for (const auto& t : report->technologies) by_name[t.technology] = t;
  ASSERT_EQ(by_name.size(), 2u);
  const auto& one = by_name.at("classifier:mean@1 s>=0.5");
  EXPECT_EQ(one.categories, std::vector<std::string>{"new_csam"});
  EXPECT_EQ(one.flagged, 2);
  EXPECT_EQ(one.reviewed, 2);
  EXPECT_EQ(one.not_confirmed, 1);
  const auto& two = by_name.at("classifier:mean@2 s>=0.5");
  EXPECT_EQ(two.flagged, 1);
  EXPECT_EQ(two.reviewed, 1);
  EXPECT_EQ(two.not_confirmed, 1);
}

}  // namespace
}  // namespace vigil::detect
