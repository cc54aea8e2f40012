// Fixtures and builders shared by the case store contract and the review rule suites.
#include <fmt/format.h>

#include "cases/case_store_contract.h"

namespace vigil::cases::testing {

Flag KnownFlag(BankEntryId entry, const std::string& technology, double distance) {
  return Flag{.technology = technology,
              .category = FlagCategory::kKnown,
              .raw_value = distance,
              .bank_entry_id = entry,
              .bank_name = "ncmec-esp",
              .bank_auto_action = false};
}

Flag NewFlag(double score, const std::string& technology) {
  return Flag{.technology = technology, .category = FlagCategory::kNew, .raw_value = score};
}

Flag SolicitationFlag(double score) {
  return Flag{.technology = kGrooming, .category = FlagCategory::kSolicitation, .raw_value = score};
}

NewCase CaseWith(std::vector<Flag> flags, int priority, const std::string& account) {
  NewCase c{.account_id = account, .surface = "photos/upload", .eu = true, .priority = priority};
  for (size_t i = 0; i < flags.size(); ++i) {
    c.items.push_back({.item_id = fmt::format("item-{}", i + 1),
                       .content_type = "image/jpeg",
                       .received_at = kStart - std::chrono::seconds(60),
                       .flags = {flags[i]}});
  }
  return c;
}

NewCase CaseOfItems(const Flag& flag, int items) {
  return CaseWith(std::vector<Flag>(static_cast<size_t>(items), flag));
}

void CaseBackendTest::SetUp() {
  clock_ = std::make_shared<FakeClock>(kStart);
  backend_ = GetParam().make();
  const Status opened = backend_->Open();
  ASSERT_TRUE(opened.ok()) << opened.ToString();
}

std::vector<CaseEvent> CaseBackendTest::Events(std::optional<CaseId> case_id) {
  auto events = store().ListEvents({.case_id = case_id, .limit = 100000});
  EXPECT_TRUE(events.ok()) << events.status().ToString();
  return events.ok() ? *events : std::vector<CaseEvent>{};
}

std::vector<std::string> CaseBackendTest::Actions(std::optional<CaseId> case_id) {
  std::vector<std::string> out;
  for (const CaseEvent& e : Events(case_id)) out.push_back(e.action);
  return out;
}

Case CaseStoreContractTest::Create(const NewCase& c, std::vector<AlertCheck> checks) {
  return CreateWithAlerts(c, std::move(checks)).opened;
}

OpenedCase CaseStoreContractTest::CreateWithAlerts(const NewCase& c,
                                                   std::vector<AlertCheck> checks) {
  auto opened = store().CreateCase(
      {.new_case = c,
       .at = clock_->Now(),
       .event = {.at = clock_->Now(), .actor = "system", .action = "opened", .details = "test"},
       .alert_checks = std::move(checks)});
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? *opened : OpenedCase{};
}

CaseChange CaseStoreContractTest::ChangeOf(const Case& c, CaseState state,
                                           const std::string& action) {
  CaseChange change{.id = c.id, .expected_version = c.version, .progress = c.progress};
  change.progress.state = state;
  change.events.push_back(
      {.case_id = c.id, .at = c.created_at, .actor = "tester", .action = action});
  return change;
}

Status FakeSink::FlagForVerification(BankEntryId entry_id, std::string_view reason) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fail_) return UnavailableError("bank store is down");
  calls_.emplace_back(entry_id, std::string(reason));
  return Status::Ok();
}

std::vector<std::pair<BankEntryId, std::string>> FakeSink::calls() {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

void FakeSink::set_fail(bool fail) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_ = fail;
}

void ReviewTest::SetUp() {
  CaseBackendTest::SetUp();
  if (HasFatalFailure() || IsSkipped()) return;
  Configure(BaseConfig());
}

ReviewConfig ReviewTest::BaseConfig() {
  ReviewConfig config;
  config.lease = std::chrono::minutes(15);
  config.confirmations_required = 1;
  config.qa = {.fraction = 0, .seed = 0};
  config.technology_alerts.reset();
  config.bank_entry_alerts.reset();
  config.default_wellness = {.blur_percent = 100, .greyscale = true, .daily_exposure_cap = 300};
  return config;
}

void ReviewTest::Configure(const ReviewConfig& config) {
  auto service = ReviewService::Create(store(), sink_, clock_, config);
  ASSERT_TRUE(service.ok()) << service.status().ToString();
  service_ = std::move(service).value();
}

Case ReviewTest::Open(const NewCase& c) {
  auto opened = service().OpenCase(c);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? opened->opened : Case{};
}

Case ReviewTest::ClaimOk(CaseId id, const std::string& reviewer) {
  auto claimed = service().Claim(id, reviewer);
  EXPECT_TRUE(claimed.ok()) << claimed.status().ToString();
  return claimed.ok() ? *claimed : Case{};
}

Result<DecisionResult> ReviewTest::Decide(CaseId id, const std::string& reviewer,
                                          Decision decision) {
  return service().Decide(id, {.reviewer = reviewer,
                               .decision = decision,
                               .rationale = fmt::format("{} looked", reviewer)});
}

DecisionResult ReviewTest::DecideOk(CaseId id, const std::string& reviewer, Decision decision) {
  auto decided = Decide(id, reviewer, decision);
  EXPECT_TRUE(decided.ok()) << decided.status().ToString();
  return decided.ok() ? *decided : DecisionResult{};
}

DecisionResult ReviewTest::Review(CaseId id, const std::string& reviewer, Decision decision) {
  ClaimOk(id, reviewer);
  return DecideOk(id, reviewer, decision);
}

Case ReviewTest::Get(CaseId id) {
  auto c = store().GetCase(id);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : Case{};
}

void ReviewTest::ConfigureQa(double fraction, uint64_t seed, int confirmations) {
  ReviewConfig config = BaseConfig();
  config.qa = {.fraction = fraction, .seed = seed};
  config.confirmations_required = confirmations;
  Configure(config);
}

void ReviewTest::ConfigureAlerts(std::optional<ClusterAlertRule> technology,
                                 std::optional<ClusterAlertRule> entry) {
  ReviewConfig config = BaseConfig();
  config.technology_alerts = technology;
  config.bank_entry_alerts = entry;
  Configure(config);
}

Case ReviewTest::QaReview(CaseId id, const std::string& reviewer, Decision decision) {
  auto claimed = service().ClaimForQa(id, reviewer);
  EXPECT_TRUE(claimed.ok()) << claimed.status().ToString();
  auto reviewed = service().SubmitQaReview(
      id, {.reviewer = reviewer, .decision = decision, .rationale = "second look"});
  EXPECT_TRUE(reviewed.ok()) << reviewed.status().ToString();
  return reviewed.ok() ? *reviewed : Case{};
}

std::vector<ClusterAlert> ReviewTest::OpenAlerts(const NewCase& c) {
  auto opened = service().OpenCase(c);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? opened->alerts : std::vector<ClusterAlert>{};
}

OpenedCase GroupingTest::File(const NewCase& n) {
  auto filed = service().FileItems(n);
  EXPECT_TRUE(filed.ok()) << filed.status().ToString();
  return filed.ok() ? *filed : OpenedCase{};
}

void GroupingTest::ConfigureGrouping(GroupingRule rule, int confirmations) {
  ReviewConfig config = BaseConfig();
  config.grouping = rule;
  config.confirmations_required = confirmations;
  Configure(config);
}

}  // namespace vigil::cases::testing
