// Classifier scores through the pipeline: new material and solicitation become review cases
// through the rules, and never automatic action, even when a rule and the operator ask for it
// (Art 3(1)(g)(iii)). Conversations are benign synthetic ones.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "bank/in_memory_bank_store.h"
#include "cases/in_memory_case_store.h"
#include "classify/grooming.h"
#include "core/file.h"
#include "detect/pipeline.h"
#include "transparency/annual_report.h"

namespace vigil::detect {
namespace {

class NoSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

// Everything a classifier flags is asked to be acted on automatically, and the operator enabled
// automatic action: the guard must still send it to review.
constexpr char kEagerRules[] = R"({"auto_action_enabled": true, "rules": [
  {"detector": "classifier:*", "min_score": 0.5, "action": "auto_action", "priority": 80}]})";

class ClassifiedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    review_ =
        std::move(*cases::ReviewService::Create(cases_, sink_, clock_, cases::ReviewConfig{}));
    rules_ = *RuleSet::Parse(kEagerRules);
  }
  int64_t day() const { return clock_->Now().time_since_epoch().count() / 86400; }
  stats::VolumeCount Count(const std::string& tech, const std::string& type) {
    auto snap = counters_.Snapshot();
    auto it = snap.find({day(), tech, type, stats::Region::kEu});
    return it == snap.end() ? stats::VolumeCount{} : it->second;
  }

  std::shared_ptr<FakeClock> clock_ =
      std::make_shared<FakeClock>(TimePoint(std::chrono::seconds(1'790'000'000)));
  cases::InMemoryCaseStore cases_;
  NoSink sink_;
  std::unique_ptr<cases::ReviewService> review_;
  stats::InMemoryVolumeCounters counters_;
  RuleSet rules_;
  ItemInput item_{"conv-en", "acct-7", "chat", stats::Region::kEu, {}};
};

TEST_F(ClassifiedTest, GroomingScoreOpensASolicitationCaseForReviewNeverAutoAction) {
  auto rules =
      ReadFileBytes(std::string(VIGIL_SOURCE_DIR) + "/data/grooming/example-rules.json", 1 << 20);
  auto conv = ReadFileBytes(
      std::string(VIGIL_SOURCE_DIR) + "/tests/classify/data/adult-minor-en.json", 1 << 20);
  ASSERT_TRUE(rules.ok() && conv.ok());
  auto scorer = classify::GroomingScorer::Create(std::string(rules->begin(), rules->end()), "r");
  auto c = classify::ParseConversation(std::string(conv->begin(), conv->end()), "c");
  ASSERT_TRUE(scorer.ok() && c.ok());
  auto score = (*scorer)->ScoreConversation(*c);
  ASSERT_TRUE(score.ok());

  Pipeline pipeline(nullptr, &rules_, review_.get(), &counters_, clock_);
  auto out = pipeline.ProcessScores(item_, "conversation", {*score});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->decision.action, Action::kReview);
  ASSERT_TRUE(out->opened.has_value());
  const cases::Case& opened = out->opened->opened;
  EXPECT_FALSE(opened.progress.actioned_at.has_value());
  EXPECT_EQ(opened.progress.state, cases::CaseState::kNew);
  EXPECT_EQ(opened.priority, 80);
  ASSERT_EQ(opened.items.size(), 1u);
  EXPECT_EQ(opened.items[0].content_type, "conversation");
  ASSERT_EQ(opened.items[0].flags.size(), 1u);
  const cases::Flag& f = opened.items[0].flags[0];
  EXPECT_EQ(f.technology, "classifier:grooming-example@1 s>=0.5");
  EXPECT_EQ(f.category, cases::FlagCategory::kSolicitation);
  EXPECT_EQ(f.raw_value, 1.0);  // the hand-computed score of this conversation
  // The evidence the reviewer sees (Art 3(1)(f)), kept in the case store with the flag.
  auto stored = cases_.GetCase(opened.id);
  ASSERT_TRUE(stored.ok());
  auto evidence = nlohmann::json::parse(stored->items[0].flags[0].evidence);
  ASSERT_TRUE(evidence.is_array());
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& e : evidence) by_name[e["indicator"]] = e;
  EXPECT_EQ(by_name.at("secrecy")["messages"], nlohmann::json::array({"m3"}));
  EXPECT_EQ(by_name.at("secrecy")["weight"], 0.25);
  EXPECT_EQ(by_name.at("other_channel")["messages"], nlohmann::json::array({"m4"}));
  EXPECT_EQ(by_name.at("image_request")["messages"], nlohmann::json::array({"m5"}));
  EXPECT_EQ(by_name.at("gifts")["messages"], nlohmann::json::array({"m6"}));
  EXPECT_TRUE(by_name.count("age_gap"));
  EXPECT_TRUE(by_name.count("many_minors"));
  EXPECT_EQ(Count("classifier:grooming-example@1", "conversation").processed, 1u);
  EXPECT_EQ(Count("classifier:grooming-example@1", "conversation").flagged, 1u);
}

TEST_F(ClassifiedTest, ImageScoresAreNewMaterialAboveTheThresholdOnly) {
  Pipeline pipeline(nullptr, &rules_, review_.get(), &counters_, clock_);
  item_.item_id = "img-1";
  auto low = pipeline.ProcessScores(item_, "image", {{0.375, "vendor", "3", {}}});
  ASSERT_TRUE(low.ok());
  EXPECT_TRUE(low->decision.flags.empty());
  EXPECT_FALSE(low->opened.has_value());
  auto high = pipeline.ProcessScores(item_, "video", {{0.5, "vendor", "3", {}}});
  ASSERT_TRUE(high.ok());
  ASSERT_TRUE(high->opened.has_value());
  EXPECT_EQ(high->decision.action, Action::kReview);
  EXPECT_EQ(high->opened->opened.items[0].flags[0].category, cases::FlagCategory::kNew);
  EXPECT_EQ(high->opened->opened.items[0].flags[0].technology, "classifier:vendor@3 s>=0.5");
  EXPECT_EQ(Count("classifier:vendor@3", "image").processed, 1u);
  EXPECT_EQ(Count("classifier:vendor@3", "image").flagged, 0u);
  EXPECT_EQ(Count("classifier:vendor@3", "video").flagged, 1u);
}

TEST_F(ClassifiedTest, NonsenseScoresAreErrorsAndLeaveNoTrace) {
  Pipeline pipeline(nullptr, &rules_, review_.get(), &counters_, clock_);
  for (double bad : {std::nan(""), 1.5, -0.5}) {
    auto out = pipeline.ProcessScores(item_, "image", {{0.9, "a", "1", {}}, {bad, "b", "1", {}}});
    EXPECT_EQ(out.status().code(), StatusCode::kDataLoss) << bad;
    EXPECT_NE(out.status().message().find("b@1"), std::string::npos);
  }
  EXPECT_TRUE(counters_.Snapshot().empty());
  EXPECT_EQ(pipeline.ProcessScores(item_, "audio", {}).status().code(),
            StatusCode::kInvalidArgument);
}

// Art 3(1)(g)(vii): classifier technologies count in the annual report's per-technology error
// rates exactly as hash technologies do, from the flags the pipeline writes and the decisions
// review takes on them.
TEST_F(ClassifiedTest, ClassifierErrorsAreCountedPerTechnologyInTheAnnualReport) {
  Pipeline pipeline(nullptr, &rules_, review_.get(), &counters_, clock_);
  std::vector<cases::CaseId> ids;
  for (int i = 0; i < 3; ++i) {  // three conversations of three accounts, one technology
    ItemInput item{
        "conv-" + std::to_string(i), "acct-" + std::to_string(i), "chat", stats::Region::kEu, {}};
    auto out = pipeline.ProcessScores(item, "conversation",
                                      {{0.6 + 0.1 * i, "grooming-example", "1", {}}});
    ASSERT_TRUE(out.ok() && out->opened) << out.status().ToString();
    ids.push_back(out->opened->opened.id);
  }
  ItemInput image{"img-1", "acct-9", "photos", stats::Region::kEu, {}};
  auto img = pipeline.ProcessScores(image, "image", {{0.95, "vendor", "3", {}}});
  ASSERT_TRUE(img.ok() && img->opened);
  ids.push_back(img->opened->opened.id);
  // Confirmed, not CSAM, still pending; the image is not CSAM.
  const std::vector<std::optional<cases::Decision>> decisions = {
      cases::Decision::kConfirmedSolicitation, cases::Decision::kNotCsam, std::nullopt,
      cases::Decision::kNotCsam};
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!decisions[i]) continue;
    ASSERT_TRUE(review_->Claim(ids[i], "rev").ok());
    auto d = review_->Decide(ids[i], {"rev", *decisions[i], "checked the evidence"});
    ASSERT_TRUE(d.ok()) << d.status().ToString();
  }

  bank::InMemoryBankStore banks;
  auto form = transparency::BuiltInForm(transparency::kDefaultFormId);
  ASSERT_TRUE(form.ok());
  auto report = transparency::BuildAnnualReport({&cases_, &counters_, &banks}, *form, {}, 2026,
                                                clock_->Now());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::map<std::string, transparency::TechnologyFigures> by_name;
  for (const auto& t : report->technologies) by_name[t.technology] = t;
  ASSERT_EQ(by_name.size(), 2u);
  const auto& grooming = by_name.at("classifier:grooming-example@1 s>=0.5");
  EXPECT_EQ(grooming.categories, std::vector<std::string>{"solicitation"});
  EXPECT_EQ(grooming.flagged, 3);
  EXPECT_EQ(grooming.not_confirmed, 1);
  EXPECT_EQ(grooming.reviewed, 2);
  EXPECT_EQ(grooming.pending_review, 1);
  const auto& vendor = by_name.at("classifier:vendor@3 s>=0.5");
  EXPECT_EQ(vendor.categories, std::vector<std::string>{"new_csam"});
  EXPECT_EQ(vendor.flagged, 1);
  EXPECT_EQ(vendor.not_confirmed, 1);
  EXPECT_EQ(vendor.reviewed, 1);
  EXPECT_EQ(vendor.pending_review, 0);
}

TEST(ClassifierGuardTest, NewMaterialAndSolicitationNeverSkipReviewEvenWithABankEntry) {
  RuleSet rules = *RuleSet::Parse(kEagerRules);
  for (Category category : {Category::kNew, Category::kSolicitation}) {
    Signal s;
    s.detector = "classifier:x";
    s.version = "1";
    s.category = category;
    s.value = 0.99;
    s.bank_entry_id = 7;  // even a (wrongly) attached trusted bank entry does not pass the guard
    s.bank_auto_action = true;
    RuleDecision d = rules.Decide({s});
    ASSERT_EQ(d.flags.size(), 1u);
    EXPECT_EQ(d.action, Action::kReview);
    EXPECT_EQ(d.flags[0].action, Action::kReview);
  }
}

}  // namespace
}  // namespace vigil::detect
