// The annual report from a synthetic year of activity, built through the library (ReviewService,
// volume counters, bank entries) on the in-memory stores and on SQLite; every figure is checked
// against counts worked out by hand from the scenario below. The JSON is validated against the
// published schema (docs/report-schema.json).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "bank/bank_store.h"
#include "bank/csv.h"
#include "bank/in_memory_bank_store.h"
#include "bank/line_reader.h"
#include "cases/cases.h"
#include "stats/volume.h"
#include "store/pg_test_database.h"
#include "store/store.h"
#include "transparency/annual_tally.h"
#include "transparency/transparency.h"

namespace vigil::transparency {
namespace {

namespace fs = std::filesystem;
using cases::CaseId;
using cases::Decision;
using cases::Flag;
using cases::FlagCategory;
using std::chrono::hours;
using std::chrono::sys_days;

constexpr char kPdq[] = "pdq@1 r<=31";
constexpr char kMd5[] = "md5";
constexpr char kClassifier[] = "classifier:imageX@3 t>=0.9";
constexpr char kGrooming[] = "grooming:textY@2 t>=0.8";

TimePoint Day(int y, int m, int d, int h = 0) {
  return TimePoint(sys_days(std::chrono::year(y) / m / d)) + hours(h);
}
int64_t DayNo(int y, int m, int d) { return Day(y, m, d).time_since_epoch().count() / 86400; }

Flag Known(cases::BankEntryId entry, const char* tech = kPdq) {
  return Flag{.technology = tech,
              .category = FlagCategory::kKnown,
              .raw_value = 4,
              .bank_entry_id = entry,
              .bank_name = "hotline"};
}
Flag New() {
  return Flag{.technology = kClassifier, .category = FlagCategory::kNew, .raw_value = 0.97};
}
Flag Grooming() {
  return Flag{.technology = kGrooming, .category = FlagCategory::kSolicitation, .raw_value = 0.9};
}

cases::Item Item(const std::string& id, const std::string& type, std::vector<Flag> flags) {
  return cases::Item{.item_id = id, .content_type = type, .flags = std::move(flags)};
}

class NoSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

// Runs the scenario: a case in late 2024, ten cases in 2025, one in 2026.
class Year {
 public:
  Year(cases::CaseStore& store, std::shared_ptr<FakeClock> clock) : clock_(std::move(clock)) {
    cases::ReviewConfig config;
    config.qa = {.fraction = 1.0, .seed = 1};  // every decision sampled for QA
    config.technology_alerts.reset();
    config.bank_entry_alerts =
        cases::ClusterAlertRule{.max_flags = 1, .window = hours(1), .pause_auto_action = false};
    service_ = *cases::ReviewService::Create(store, sink_, clock_, config);
  }

  CaseId Open(TimePoint at, const std::string& account, bool eu, std::vector<cases::Item> items) {
    clock_->Set(at);
    for (auto& i : items) i.received_at = at;
    auto opened = service_->OpenCase(
        {.account_id = account, .surface = "chat", .eu = eu, .items = std::move(items)});
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened->opened.id;
  }
  void Decide(CaseId id, Decision d, const std::string& reviewer = "alice") {
    clock_->Advance(hours(1));
    ASSERT_TRUE(service_->Claim(id, reviewer).ok());
    auto r = service_->Decide(id, {.reviewer = reviewer, .decision = d, .rationale = "seen"});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  void Step(CaseId id, const std::string& action, hours after = hours(1)) {
    clock_->Advance(after);
    Result<cases::Case> r = action == "actioned"   ? service_->MarkActioned(id, "ops", "")
                            : action == "reported" ? service_->MarkReported(id, "ops", "")
                            : action == "appealed" ? service_->MarkAppealed(id, "ops", "")
                                                   : service_->MarkReinstated(id, "ops", "");
    ASSERT_TRUE(r.ok()) << action << ": " << r.status().ToString();
  }
  void Qa(CaseId id, Decision d) {
    clock_->Advance(hours(1));
    ASSERT_TRUE(service_->ClaimForQa(id, "bob").ok());
    auto r = service_->SubmitQaReview(id, {.reviewer = "bob", .decision = d, .rationale = "qa"});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  void Run() {
    // C0 opened in 2024, decided and reported in 2025.
    const CaseId c0 = Open(Day(2024, 12, 31, 23) + std::chrono::minutes(30), "acct-z", true,
                           {Item("c0", "image", {Known(3)})});
    Decide(c0, Decision::kConfirmedKnown);
    Step(c0, "reported");
    // C1: one image matched by PDQ and MD5 (two flags of entry 1: a cluster alert); confirmed,
    // reported, actioned, appealed and reinstated 3 hours after the appeal.
    const CaseId c1 =
        Open(Day(2025, 2, 1), "acct-a", true, {Item("c1", "image", {Known(1), Known(1, kMd5)})});
    Decide(c1, Decision::kConfirmedKnown);
    Step(c1, "reported");
    Step(c1, "actioned");
    Step(c1, "appealed");
    Step(c1, "reinstated", hours(3));
    // C2: an image and a video of entry 2 (an alert); actioned, appealed, rejected 1 hour later.
    const CaseId c2 = Open(Day(2025, 3, 1), "acct-b", true,
                           {Item("c2a", "image", {Known(2)}), Item("c2b", "video", {Known(2)})});
    Decide(c2, Decision::kConfirmedKnown);
    Step(c2, "actioned");
    Step(c2, "reported");
    Step(c2, "appealed");
    Step(c2, "actioned", hours(1));
    // C3: entry 1 again (its alert is still open: no new one); not CSAM.
    const CaseId c3 = Open(Day(2025, 2, 1, 0), "acct-c", true, {Item("c3", "image", {Known(1)})});
    Decide(c3, Decision::kNotCsam);
    // C4: new material of a non-EU user; C5 and C6 of one EU account (an image, a PDF).
    const CaseId c4 = Open(Day(2025, 4, 1), "acct-d", false, {Item("c4", "image", {New()})});
    Decide(c4, Decision::kConfirmedNew);
    Step(c4, "reported");
    Step(c4, "actioned");
    const CaseId c5 = Open(Day(2025, 4, 2), "acct-e", true, {Item("c5", "image", {New()})});
    Decide(c5, Decision::kConfirmedNew);
    Qa(c5, Decision::kNotCsam);  // bob disagrees with alice
    Step(c5, "reported");
    Step(c5, "actioned");
    const CaseId c6 =
        Open(Day(2025, 4, 3), "acct-e", true, {Item("c6", "application/pdf", {New()})});
    Decide(c6, Decision::kConfirmedNew);
    Step(c6, "reported");
    // C7-C9: grooming; account f twice (one not confirmed, one pending), account g confirmed.
    const CaseId c7 = Open(Day(2025, 5, 1), "acct-f", true, {Item("c7", "text", {Grooming()})});
    Decide(c7, Decision::kNotCsam);
    const CaseId c8 = Open(Day(2025, 5, 2), "acct-g", true, {Item("c8", "text", {Grooming()})});
    Decide(c8, Decision::kConfirmedSolicitation);
    Step(c8, "reported");
    Open(Day(2025, 5, 3), "acct-f", true, {Item("c9", "text", {Grooming()})});
    // C10: reviewed, but the reviewer asked for a second opinion: reviewed, still pending.
    const CaseId c10 = Open(Day(2025, 6, 1), "acct-h", true, {Item("c10", "image", {New()})});
    Decide(c10, Decision::kNeedsSecondOpinion);
    // C11: next year.
    const CaseId c11 = Open(Day(2026, 1, 1, 1), "acct-a", true, {Item("c11", "image", {Known(4)})});
    Decide(c11, Decision::kConfirmedKnown);
  }

 private:
  std::shared_ptr<FakeClock> clock_;
  NoSink sink_;
  std::unique_ptr<cases::ReviewService> service_;
};

void AddVolumes(stats::VolumeCounterSink& v) {
  auto add = [&](int64_t day, const char* tech, const char* type, stats::Region region,
                 uint64_t processed, uint64_t flagged) {
    ASSERT_TRUE(v.Add({day, tech, type, region}, {processed, flagged}).ok());
  };
  const int64_t d1 = DayNo(2025, 2, 1), d2 = DayNo(2025, 7, 1);
  add(d1, "pdq@1", "image", stats::Region::kEu, 100, 3);
  add(d1, "md5@1", "image", stats::Region::kEu, 100, 1);
  add(d1, "sha256@1", "image", stats::Region::kEu, 100, 0);
  add(d2, "pdq@1", "image", stats::Region::kNonEu, 40, 0);
  add(d2, "md5@1", "image", stats::Region::kNonEu, 40, 0);
  add(d1, "vpdq@1", "video", stats::Region::kEu, 7, 1);
  add(d1, "md5@1", "application/pdf", stats::Region::kEu, 5, 1);
  add(d2, "pdq@1", "image", stats::Region::kUnknown, 9, 0);
  add(DayNo(2024, 12, 31), "pdq@1", "image", stats::Region::kEu, 1000, 0);  // other years
  add(DayNo(2026, 1, 1), "pdq@1", "image", stats::Region::kEu, 1000, 0);
}

void AddBankEntries(bank::BankStore& banks) {
  auto b = banks.CreateBank({.name = "hotline", .owner = "Hotline X"});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  auto md5 = [](char c) { return std::string(32, c); };
  for (const bank::NewEntry& e : std::vector<bank::NewEntry>{
           {.signal_type = bank::SignalType::kMd5, .value = md5('1'), .needs_verification = true},
           {.signal_type = bank::SignalType::kMd5, .value = md5('2')},
           {.signal_type = bank::SignalType::kMd5,
           .value = md5('3'),
           .retired_at = Day(2025, 6, 1),
           .retired_reason = "not CSAM on review"},
           {.signal_type = bank::SignalType::kMd5,
           .value = md5('4'),
           .retired_at = Day(2024, 6, 1),
           .retired_reason = "duplicate"}}) {
    ASSERT_TRUE(bank::AddEntry(banks, b->id, e).ok());
  }
}

const char kConfig[] = R"({
  "provider": {"name": "Example Chat", "contact": "dpo@example.invalid"},
  "services": ["Example Chat messaging"],
  "organisations": [{"name": "NCMEC", "kind": "ncmec"}, {"name": "Hotline X", "kind": "other"}],
  "answers": {"grounds.processing": "Art 6(1)(c) GDPR with Regulation (EU) 2021/1232",
              "measures.known.reviewer_training": "Two weeks before the first review",
              "measures.known.indicator_quality": "Every entry verified twice",
              "safeguards.encryption": "TLS 1.3"}
})";

struct Backend {
  std::string name;
};

class AnnualReportTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<FakeClock>(Day(2024, 12, 1));
    if (GetParam().name == "InMemory") {
      cases_ = std::make_unique<cases::InMemoryCaseStore>();
      banks_ = std::make_unique<bank::InMemoryBankStore>(clock_);
      volumes_ = std::make_unique<stats::InMemoryVolumeCounters>();
      stores_ = {cases_.get(), volumes_.get(), banks_.get()};
    } else if (GetParam().name == "Postgres") {
      SKIP_WITHOUT_POSTGRES();
      auto scratch = store::testing::ScratchDatabase::Create();
      ASSERT_TRUE(scratch.ok()) << scratch.status().ToString();
      scratch_ = *std::move(scratch);
      auto db = store::OpenDatabase(scratch_->url(), {.clock = clock_});
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      db_ = *std::move(db);
      stores_ = {&db_->cases(), &db_->volume(), &db_->banks()};
    } else {
      path_ = fs::temp_directory_path() /
              fmt::format("vigil-annual-{}.db", ::testing::UnitTest::GetInstance()->random_seed());
      fs::remove(path_);
      auto db = store::OpenDatabase(path_.string(), {.clock = clock_});
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      db_ = *std::move(db);
      stores_ = {&db_->cases(), &db_->volume(), &db_->banks()};
    }
    form_ = *BuiltInForm(kDefaultFormId);
    auto config = ParseReportConfig(kConfig, "config.json", form_);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config_ = *config;
    AddBankEntries(*stores_.banks);
    AddVolumes(*stores_.volumes);
    Year year(*stores_.cases, clock_);
    year.Run();
    auto report = BuildAnnualReport(stores_, form_, config_, 2025, Day(2026, 1, 15));
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    report_ = *report;
  }
  void TearDown() override {
    db_.reset();
    scratch_.reset();
    if (!path_.empty()) {
      for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_.string() + suffix);
    }
  }

  const Figure& F(const std::string& key) const { return report_.figures.at(key); }
  void ExpectCount(const std::string& key, int64_t n, const std::string& unit) const {
    SCOPED_TRACE(key);
    ASSERT_EQ(F(key).kind, Figure::Kind::kCount) << FigureText(F(key));
    EXPECT_EQ(F(key).count, n);
    EXPECT_EQ(F(key).unit, unit);
    EXPECT_FALSE(F(key).method.empty());
  }
  void ExpectRate(const std::string& key, int64_t num, int64_t den) const {
    SCOPED_TRACE(key);
    ASSERT_EQ(F(key).kind, Figure::Kind::kRate) << FigureText(F(key));
    EXPECT_EQ(F(key).numerator, num);
    EXPECT_EQ(F(key).denominator, den);
  }
  void ExpectNotAvailable(const std::string& key, const std::string& why) const {
    SCOPED_TRACE(key);
    ASSERT_EQ(F(key).kind, Figure::Kind::kNotAvailable) << FigureText(F(key));
    EXPECT_NE(F(key).not_available.find(why), std::string::npos) << F(key).not_available;
  }
  void ExpectText(const std::string& key, const std::string& contains) const {
    SCOPED_TRACE(key);
    ASSERT_EQ(F(key).kind, Figure::Kind::kText) << FigureText(F(key));
    EXPECT_NE(F(key).text.find(contains), std::string::npos) << F(key).text;
  }
  const TechnologyFigures& Tech(const std::string& name) const {
    for (const auto& t : report_.technologies) {
      if (t.technology == name) return t;
    }
    ADD_FAILURE() << "no technology " << name;
    static TechnologyFigures none;
    return none;
  }

  std::shared_ptr<FakeClock> clock_;
  std::unique_ptr<cases::CaseStore> cases_;
  std::unique_ptr<bank::BankStore> banks_;
  std::unique_ptr<stats::VolumeCounterSink> volumes_;
  std::unique_ptr<store::testing::ScratchDatabase> scratch_;  // destroyed after db_
  std::unique_ptr<store::Database> db_;
  fs::path path_;
  ReportStores stores_;
  StandardForm form_;
  ReportConfig config_;
  AnnualReport report_;
};

TEST_P(AnnualReportTest, VolumesCountItemsOncePerDayAndRegion) {
  ExpectCount("volume.image.eu", 100, "images");  // 3 technologies saw the same 100 items
  ExpectCount("volume.image.non_eu", 40, "images");
  ExpectCount("volume.video.eu", 7, "videos");
  ExpectCount("volume.video.non_eu", 0, "videos");
  ExpectCount("volume.other.eu", 5, "files");
  ExpectCount("volume.other.non_eu", 0, "files");
  EXPECT_NE(F("volume.other.eu").method.find("file types: application/pdf"), std::string::npos);
  ExpectText("volume.content_data", "yes");
  ExpectText("volume.other_information", "in neither the EU nor the non-EU rows): 9.");
  ExpectText("volume.other_information", "pdq@1: 149 processed, 3 flagged.");
  ExpectNotAvailable("volume.text_bytes.eu", "no text (solicitation) detection yet");
  ExpectText("provider.services", "Example Chat messaging");
}

TEST_P(AnnualReportTest, CasesReportedInThePeriodByTypeForEuUsers) {
  // Known: C0 (opened in 2024, reported in 2025), C1, C2 (image + video).
  ExpectCount("cases.known.reports", 3, "reports");
  ExpectCount("cases.known.images", 3, "images");
  ExpectCount("cases.known.videos", 1, "videos");
  ExpectCount("cases.known.other_files", 0, "files");
  ExpectCount("cases.known.accounts_sending", 3, "accounts");
  ExpectNotAvailable("cases.known.accounts_receiving", "not its recipients");
  // New: C5 and C6 of one account; C4 is a non-EU user's.
  ExpectCount("cases.new.reports", 2, "reports");
  ExpectCount("cases.new.images", 1, "images");
  ExpectCount("cases.new.other_files", 1, "files");
  EXPECT_NE(F("cases.new.other_files").method.find("file types: application/pdf"),
            std::string::npos);
  ExpectCount("cases.new.accounts_sending", 1, "accounts");
  ExpectCount("cases.solicitation.reports", 1, "reports");
  ExpectCount("cases.solicitation.accounts_soliciting", 1, "accounts");
  ExpectNotAvailable("cases.solicitation.accounts_soliciting_child_in_eu",
                     "not where the child is");
  ExpectCount("cases.known.confirmed", 3, "cases");
  ExpectCount("cases.new.confirmed", 2, "cases");
  ExpectCount("cases.solicitation.confirmed", 1, "cases");
}

TEST_P(AnnualReportTest, ComplaintsAndReinstatementsComeFromCaseStates) {
  ExpectCount("complaints.known.content_items.actioned", 3, "content_items");  // C1 + C2's two
  ExpectCount("complaints.known.content_items.internal.complaints", 3, "content_items");
  ExpectCount("complaints.known.content_items.internal.restored", 1, "content_items");
  ASSERT_EQ(F("complaints.known.content_items.internal.average_time").kind,
            Figure::Kind::kDuration);
  // C1: 3 hours from appeal to reinstatement; C2: 1 hour to the rejection.
  EXPECT_DOUBLE_EQ(F("complaints.known.content_items.internal.average_time").seconds, 7200);
  ExpectCount("complaints.new.content_items.actioned", 1, "content_items");  // C5 (C4 is non-EU)
  ExpectCount("complaints.new.content_items.internal.complaints", 0, "content_items");
  ExpectNotAvailable("complaints.new.content_items.internal.average_time",
                     "no complaint was decided in the period");
  ExpectNotAvailable("complaints.known.content_items.internal.reasons", "redress issue");
  ExpectNotAvailable("complaints.known.content_items.judicial.complaints", "judicial authority");
  ExpectNotAvailable("complaints.solicitation.accounts.actioned", "suspended the account");
  ExpectCount("complaints.internal.total", 2, "complaints");
  ExpectNotAvailable("complaints.judicial.total", "redress issue");
  ExpectCount("reinstatements.content_items", 1, "content_items");
}

TEST_P(AnnualReportTest, ErrorCountsFollowTheCohortOfThePeriod) {
  // Known: C1, C2 (two items), C3; C3 was not CSAM.
  ExpectCount("errors.known.A", 4, "content_items");
  ExpectCount("errors.known.B", 1, "content_items");
  ExpectCount("errors.known.C", 4, "content_items");
  ExpectRate("errors.known.rate", 1, 4);
  // New: C4, C5, C6, C10 (reviewed, awaiting a second opinion).
  ExpectCount("errors.new.A", 4, "content_items");
  ExpectCount("errors.new.B", 0, "content_items");
  ExpectCount("errors.new.C", 4, "content_items");
  ExpectRate("errors.new.rate", 0, 4);
  ExpectText("errors.new.other", "Of A, 1 awaited human review");
  // Solicitation counts EU accounts: f (C7 not solicitation, C9 pending) and g.
  ExpectCount("errors.solicitation.A", 2, "accounts");
  ExpectCount("errors.solicitation.B", 1, "accounts");
  ExpectCount("errors.solicitation.C", 2, "accounts");
  ExpectRate("errors.solicitation.rate", 1, 2);
  ExpectRate("measures.known.error_rate_achieved", 1, 4);
}

TEST_P(AnnualReportTest, PerTechnologyFiguresWithBothMethods) {
  const TechnologyFigures& pdq = Tech(kPdq);
  EXPECT_EQ(pdq.flagged, 4);
  EXPECT_EQ(pdq.not_confirmed, 1);
  EXPECT_EQ(pdq.reviewed, 4);
  EXPECT_EQ(pdq.actioned, 3);               // C1, C2's two items
  EXPECT_EQ(pdq.reversed_on_complaint, 1);  // C1
  const TechnologyFigures& md5 = Tech(kMd5);
  EXPECT_EQ(md5.flagged, 1);
  EXPECT_EQ(md5.actioned, 1);
  EXPECT_EQ(md5.reversed_on_complaint, 1);
  const TechnologyFigures& classifier = Tech(kClassifier);
  EXPECT_EQ(classifier.flagged, 4);
  EXPECT_EQ(classifier.not_confirmed, 0);
  EXPECT_EQ(classifier.reviewed, 4);
  EXPECT_EQ(classifier.pending_review, 1);
  EXPECT_EQ(classifier.actioned, 2);  // C4, C5
  const TechnologyFigures& grooming = Tech(kGrooming);
  EXPECT_EQ(grooming.flagged, 3);
  EXPECT_EQ(grooming.not_confirmed, 1);
  EXPECT_EQ(grooming.reviewed, 2);
  EXPECT_EQ(grooming.pending_review, 1);
  EXPECT_EQ(grooming.actioned, 0);
  EXPECT_EQ(report_.technologies.size(), 4u);  // C11's entry 4 is next year's
}

TEST_P(AnnualReportTest, MeasuresFromQaAlertsAndBanks) {
  ExpectRate("measures.qa_disagreement_rate", 1, 1);  // bob disagreed on C5
  ExpectRate("measures.double_review_share", 0, 9);   // C0-C8 decided in 2025
  ExpectText("measures.new.sample_review", "sampled for a second (QA) review: 9 of 9");
  ExpectText("measures.new.reviewer_quality_control", "alice: 1 of 1;");
  ExpectCount("measures.cluster_alerts", 2, "alerts");  // entries 1 (C1) and 2 (C2)
  ExpectText("measures.known.other", "Cluster alerts raised in the period: 2 (0 paused");
  ExpectCount("measures.hashes_retired", 1, "bank_entries");
  ExpectText("measures.known.indicator_quality", "Every entry verified twice");
  ExpectText("measures.known.indicator_quality",
             "retired in the period: 1. Active entries "
             "awaiting re-verification after a match was "
             "found not to be CSAM: 1.");
  ExpectText("measures.known.systematic_review",
             "4 of 4 flagged were reviewed by a human (100.00 %)");
  ExpectText("measures.known.reviewer_training", "Two weeks");
  ExpectNotAvailable("measures.new.reviewer_training",
                     "answers.\"measures.new.reviewer_training\"");
}

TEST_P(AnnualReportTest, ConfiguredAndMissingFiguresAreExplicit) {
  ExpectText("grounds.processing", "Art 6(1)(c)");
  ExpectNotAvailable("grounds.transfer",
                     "not given in the configuration (answers.\"grounds.transfer\")");
  ExpectText("organisations.ncmec", "NCMEC");
  ExpectText("organisations.eu_centre", "none: no data shared");
  ExpectText("organisations.other", "Hotline X");
  ExpectNotAvailable("retention.purged", "ReportStores::erasures");
  ExpectNotAvailable("organisations.reports_per_organisation", "ReportStores::report_outbox");
  // Every row of the form has an answer of its kind or an explicit reason.
  for (const FormRow& row : report_.rows) {
    const Figure& f = F(row.figure);
    if (f.kind == Figure::Kind::kNotAvailable) {
      EXPECT_FALSE(f.not_available.empty()) << row.id;
    } else if (row.answer == AnswerKind::kCount) {
      EXPECT_EQ(f.kind, Figure::Kind::kCount) << row.id;
    } else if (row.answer == AnswerKind::kRate) {
      EXPECT_EQ(f.kind, Figure::Kind::kRate) << row.id;
    } else if (row.answer == AnswerKind::kDuration) {
      EXPECT_EQ(f.kind, Figure::Kind::kDuration) << row.id;
    } else {
      EXPECT_EQ(f.kind, Figure::Kind::kText) << row.id;
    }
  }
}

// The published schema, read from docs/ and validated with an independent JSON Schema library.
bool Validates(const nlohmann::json& doc, std::string* errors) {
  std::ifstream in(fs::path(VIGIL_SOURCE_DIR) / "docs" / "report-schema.json");
  const nlohmann::json schema_doc = nlohmann::json::parse(in);
  valijson::Schema schema;
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter schema_adapter(schema_doc);
  parser.populateSchema(schema_adapter, schema);
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter doc_adapter(doc);
  const bool ok = validator.validate(schema, doc_adapter, &results);
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    for (const auto& c : e.context) *errors += c;
    *errors += ": " + e.description + "\n";
  }
  return ok;
}

TEST_P(AnnualReportTest, JsonFollowsThePublishedSchemaAndCompares) {
  const nlohmann::json j = nlohmann::json::parse(AnnualReportJson(report_));
  std::string errors;
  EXPECT_TRUE(Validates(j, &errors)) << errors;
  EXPECT_EQ(j["rows"].size(), 147u);
  EXPECT_EQ(j["provider"]["name"], "Example Chat");
  EXPECT_EQ(j["cases"]["total"]["value"], 6);
  // A report the schema must refuse: a count turned into a silent zero-less string.
  nlohmann::json bad = j;
  bad["cases"]["known_csam"] = {{"value", "3"}};
  errors.clear();
  EXPECT_FALSE(Validates(bad, &errors));
  bad = j;
  bad["figures"]["errors.known.rate"]["rate"]["denominator"] = 0;
  EXPECT_FALSE(Validates(bad, &errors));
  // vigil's own report is a valid input of `report compare`.
  auto parsed = ParseProviderReport(j.dump(), "vigil.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  Comparison c = Compare({*parsed});
  bool pdq_rate = false;
  for (const RateCheck& r : c.rates) {
    if (r.technology == kPdq && r.method == kMethodFlaggedNotConfirmed) {
      pdq_rate = true;
      EXPECT_EQ(r.numerator, 1);
      EXPECT_EQ(r.denominator, 4);
      EXPECT_EQ(r.verdict, RateVerdict::kConsistent);
    }
  }
  EXPECT_TRUE(pdq_rate);
}

TEST_P(AnnualReportTest, HtmlIsOneSelfContainedPageAndCsvHasEveryRow) {
  const std::string html = AnnualReportHtml(report_);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("Example Chat"), std::string::npos);
  EXPECT_NE(html.find("1 of 4 = 25.00 %"), std::string::npos);
  EXPECT_NE(
      html.find("<tr><td>md5@1</td><td>application/pdf</td><td>eu</td><td>5</td><td>1</td></tr>"),
      std::string::npos);
  for (const char* external : {"<script", "src=", "href=", "@import", "url("}) {
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  }
  const std::string csv = AnnualReportCsv(report_);
  std::istringstream in(csv);
  bank::LineReader lines(in, 1 << 16);
  bank::CsvRecordReader records(lines, 1 << 16);
  size_t n = 0;
  while (records.Next()) ++n;  // records, not lines: answers may hold line breaks
  EXPECT_EQ(n, 1 + 147 + std::size(kExtraFigures));
  EXPECT_NE(
      csv.find("errors.known.rate,25.0000,content_items,\"1 of 4; false_positive_rate_of_flagged"),
      std::string::npos);
}

TEST_P(AnnualReportTest, AnItemGroupedIntoLastYearsCaseCountsInTheYearItJoined) {
  // A case opened on 31 December 2025 takes a second item of its account on 1 January 2026.
  cases::ReviewConfig config;
  NoSink sink;
  auto service = *cases::ReviewService::Create(*stores_.cases, sink, clock_, config);
  clock_->Set(Day(2025, 12, 31, 23));
  auto first = service->FileItems(
      {.account_id = "acct-q", .surface = "chat", .items = {Item("q1", "image", {Known(7)})}});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  clock_->Set(Day(2026, 1, 1, 2));
  auto second = service->FileItems(
      {.account_id = "acct-q", .surface = "chat", .items = {Item("q2", "image", {Known(7)})}});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(second->opened.id, first->opened.id);  // grouped into the December case
  auto y2025 = BuildAnnualReport(stores_, form_, config_, 2025, Day(2026, 1, 15));
  auto y2026 = BuildAnnualReport(stores_, form_, config_, 2026, Day(2026, 1, 15));
  ASSERT_TRUE(y2025.ok() && y2026.ok());
  EXPECT_EQ(y2025->figures.at("errors.known.A").count, 4 + 1);  // the scenario's 4, and q1
  EXPECT_EQ(y2026->figures.at("errors.known.A").count, 1 + 1);  // C11, and q2
}

// Art 3(1)(j): confirmation to report, for the EU cases reported in 2025 (hand-computed from
// Run: C0 1 h, C1 1 h, C2 2 h (actioned first), C5 2 h (QA first), C6 1 h, C8 1 h; C4 is a
// non-EU user's). Sorted: 1, 1, 1, 1, 2, 2 h. Nearest rank: median rank ceil(0.5 * 6) = 3,
// 1 h; 95th rank ceil(0.95 * 6) = 6, 2 h.
TEST_P(AnnualReportTest, ReportDelaysAreNearestRankPercentilesOfConfirmationToReport) {
  for (const auto& [key, seconds] :
       {std::pair{"reports.delay.median", 3600.0}, {"reports.delay.p95", 7200.0}}) {
    SCOPED_TRACE(key);
    ASSERT_EQ(F(key).kind, Figure::Kind::kDuration) << FigureText(F(key));
    EXPECT_DOUBLE_EQ(F(key).seconds, seconds);
    EXPECT_EQ(F(key).unit, "seconds");
    EXPECT_NE(F(key).method.find("nearest rank"), std::string::npos);
    EXPECT_NE(F(key).method.find("over the 6 EU users' confirmed cases"), std::string::npos);
  }
  // 2026: C11 is confirmed but not reported, so there is no delay to state.
  auto y2026 = BuildAnnualReport(stores_, form_, config_, 2026, Day(2027, 1, 15));
  ASSERT_TRUE(y2026.ok()) << y2026.status().ToString();
  for (const char* key : {"reports.delay.median", "reports.delay.p95"}) {
    EXPECT_EQ(y2026->figures.at(key).kind, Figure::Kind::kNotAvailable);
    EXPECT_EQ(y2026->figures.at(key).not_available,
              "no EU user's confirmed case was reported in the period");
  }
}

TEST(NearestRankPercentile, PicksTheObservedValueAtTheCeilingRank) {
  using internal::NearestRankPercentile;
  EXPECT_EQ(NearestRankPercentile({42}, 50), 42);
  EXPECT_EQ(NearestRankPercentile({42}, 95), 42);
  // Unsorted input; n = 4: median rank 2 (20), 95th rank ceil(3.8) = 4 (40).
  EXPECT_EQ(NearestRankPercentile({40, 10, 30, 20}, 50), 20);
  EXPECT_EQ(NearestRankPercentile({40, 10, 30, 20}, 95), 40);
  // n = 20 (1..20): median rank 10, 95th rank exactly 19 (no rounding up past it).
  std::vector<int64_t> twenty;
  for (int64_t v = 20; v >= 1; --v) twenty.push_back(v * 60);
  EXPECT_EQ(NearestRankPercentile(twenty, 50), 600);
  EXPECT_EQ(NearestRankPercentile(twenty, 95), 1140);
  EXPECT_EQ(NearestRankPercentile(twenty, 100), 1200);
  // n = 7: median rank 4, 95th rank ceil(6.65) = 7; duplicates count as separate ranks.
  EXPECT_EQ(NearestRankPercentile({5, 5, 5, 9, 9, 100, 7}, 50), 7);
  EXPECT_EQ(NearestRankPercentile({5, 5, 5, 9, 9, 100, 7}, 95), 100);
}

INSTANTIATE_TEST_SUITE_P(Backends, AnnualReportTest,
                         ::testing::Values(Backend{"InMemory"}, Backend{"Sqlite"},
                                           Backend{"Postgres"}),
                         [](const auto& info) { return info.param.name; });

TEST(AnnualReport, ErasureCountsOfTheYearBecomeRetentionFigures) {
  cases::InMemoryCaseStore cases;
  bank::InMemoryBankStore banks;
  stats::InMemoryVolumeCounters volumes;
  const StandardForm form = *BuiltInForm(kDefaultFormId);
  std::vector<std::pair<TimePoint, TimePoint>> asked;
  ReportStores stores{&cases, &volumes, &banks};
  stores.erasures = [&](TimePoint from, TimePoint to) -> Result<std::vector<ErasureTotal>> {
    asked.emplace_back(from, to);
    return std::vector<ErasureTotal>{{"expired", "reporting", 14},
                                     {"expired", "blocking", 14},
                                     {"not_csam", "reporting", 7},
                                     {"expired", "reporting", 7}};
  };
  auto r = BuildAnnualReport(stores, form, ReportConfig{}, 2025, Day(2026, 1, 2));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].first, Day(2025, 1, 1));
  EXPECT_EQ(asked[0].second, Day(2026, 1, 1));
  EXPECT_EQ(r->figures.at("retention.purged").count, 35);
  EXPECT_NE(r->figures.at("retention.purged").method.find("blocking 14, reporting 21"),
            std::string::npos)
      << r->figures.at("retention.purged").method;
  EXPECT_EQ(r->figures.at("retention.purged.reporting").count, 21);
  EXPECT_EQ(r->figures.at("retention.erased_not_csam").count, 7);
  stores.erasures = [](TimePoint, TimePoint) -> Result<std::vector<ErasureTotal>> {
    return UnavailableError("database down");
  };
  EXPECT_EQ(BuildAnnualReport(stores, form, ReportConfig{}, 2025, Day(2026, 1, 2)).status().code(),
            StatusCode::kUnavailable);
}

TEST(AnnualReport, AYearWithoutActivityHasNotAvailableVolumesAndUndefinedRates) {
  cases::InMemoryCaseStore cases;
  bank::InMemoryBankStore banks;
  stats::InMemoryVolumeCounters volumes;
  const StandardForm form = *BuiltInForm(kDefaultFormId);
  auto r =
      BuildAnnualReport({&cases, &volumes, &banks}, form, ReportConfig{}, 2025, Day(2026, 1, 2));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->figures.at("volume.image.eu").not_available,
            "no volume counters were recorded in 2025");
  EXPECT_EQ(r->figures.at("errors.known.rate").kind, Figure::Kind::kNotAvailable);
  EXPECT_NE(r->figures.at("errors.known.rate").not_available.find("the rate is undefined"),
            std::string::npos);
  EXPECT_EQ(r->figures.at("grounds.processing").not_available, "no configuration given (--config)");
  const nlohmann::json j = nlohmann::json::parse(AnnualReportJson(*r));
  std::string errors;
  EXPECT_TRUE(Validates(j, &errors)) << errors;
  EXPECT_FALSE(
      BuildAnnualReport({&cases, &volumes, &banks}, form, ReportConfig{}, 1999, Day(2026, 1, 2))
          .ok());
}

// Art 7: organisations hashes were received from or shared with through exchanges in the year
// are listed by kind with their counts, beside the configured ones; other years' do not count.
TEST(AnnualReport, OrganisationsIncludeThoseHashesWereExchangedWith) {
  cases::InMemoryCaseStore cases;
  bank::InMemoryBankStore banks;
  stats::InMemoryVolumeCounters volumes;
  exchange::InMemoryExchangeStore exchanges(banks);
  ASSERT_TRUE(banks.CreateBank({.name = "b"}).ok());
  auto ncmec = exchanges.CreateExchange(
      {.name = "n", .bank = "b", .organisation = "NCMEC", .organisation_kind = "ncmec",
       .endpoint = "https://x.invalid"},
      Day(2025, 1, 1));
  auto tc = exchanges.CreateExchange(
      {.name = "t", .bank = "b", .organisation = "Tech Coalition", .endpoint = "/x.csv"},
      Day(2025, 1, 1));
  ASSERT_TRUE(ncmec.ok() && tc.ok());
  exchange::FetchedPage page{.updates = {{.type = bank::SignalType::kMd5,
                                          .value = std::string(32, 'a')}},
                             .next_cursor = "1"};
  ASSERT_TRUE(exchanges.ApplyPage(ncmec->id, "", page, Day(2025, 3, 1)).ok());
  ASSERT_TRUE(exchanges.RecordShared(ncmec->id, 2, Day(2025, 6, 1)).ok());
  ASSERT_TRUE(exchanges.RecordShared(tc->id, 5, Day(2024, 6, 1)).ok());  // another year
  const StandardForm form = *BuiltInForm(kDefaultFormId);
  auto config = ParseReportConfig(kConfig, "config.json", form);
  ASSERT_TRUE(config.ok());
  ReportStores stores{&cases, &volumes, &banks, &exchanges};
  auto r = BuildAnnualReport(stores, form, *config, 2025, Day(2026, 1, 2));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->figures.at("organisations.ncmec").text,
            "NCMEC; NCMEC (hashes received: 1, shared: 2)");
  EXPECT_EQ(r->figures.at("organisations.ncmec").source, "store and configuration");
  EXPECT_EQ(r->figures.at("organisations.other").text, "Hotline X");
  auto unconfigured = BuildAnnualReport(stores, form, ReportConfig{}, 2025, Day(2026, 1, 2));
  ASSERT_TRUE(unconfigured.ok());
  EXPECT_EQ(unconfigured->figures.at("organisations.ncmec").text,
            "NCMEC (hashes received: 1, shared: 2)");
  EXPECT_EQ(unconfigured->figures.at("organisations.other").kind, Figure::Kind::kNotAvailable);
}

TEST(ReportConfigTest, BadConfigurationsAreRefusedNamingTheField) {
  const StandardForm form = *BuiltInForm(kDefaultFormId);
  for (auto [json, expect] : std::vector<std::pair<std::string, std::string>>{
           {"{}", "c.json: provider: must be an object"},
           {R"({"provider":{}})", "missing field \"name\""},
           {R"({"provider":{"name":"P"},"answers":{"grounds.procesing":"x"}})",
            "\"grounds.procesing\" is not the figure of a text row"},
           {R"({"provider":{"name":"P"},"answers":{"errors.known.A":"7"}})",
            "\"errors.known.A\" is not the figure of a text row"},
           {R"({"provider":{"name":"P"},"organisations":[{"name":"X","kind":"police"}]})",
            "kind \"police\""},
           {R"({"provider":{"name":"P"},"extra":1})", "unknown field \"extra\""},
           {R"({"provider":{"name":"P"},"services":[""]})", "services[0]: must be a non-empty"},
       }) {
    auto c = ParseReportConfig(json, "c.json", form);
    ASSERT_FALSE(c.ok()) << json;
    EXPECT_NE(c.status().message().find(expect), std::string::npos) << c.status().message();
  }
}

}  // namespace
}  // namespace vigil::transparency
