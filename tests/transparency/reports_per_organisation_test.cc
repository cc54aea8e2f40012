// "organisations.reports_per_organisation" from the report outbox: reports delivered in the
// year, per destination, of EU users' cases only; pending, failed, earlier and non-EU reports
// are not counted; more deliveries than one page are all read.
#include <gtest/gtest.h>

#include "bank/in_memory_bank_store.h"
#include "cases/cases.h"
#include "report/outbox_store.h"
#include "stats/volume.h"
#include "transparency/annual_tally.h"
#include "transparency/transparency.h"

namespace vigil::transparency {
namespace {

TimePoint Day(int y, int m, int d) {
  return TimePoint{std::chrono::sys_days(std::chrono::year(y) / m / d)};
}

class ReportsPerOrganisationTest : public ::testing::Test {
 protected:
  cases::CaseId NewCase(bool eu) {
    cases::CaseOpening opening;
    opening.new_case = {.account_id = "acct-1", .surface = "photos/upload", .eu = eu};
    opening.new_case.items.push_back({.item_id = "item-1",
                                      .content_type = "image",
                                      .received_at = Day(2025, 3, 1),
                                      .flags = {{.technology = "md5", .bank_entry_id = 1}}});
    opening.at = Day(2025, 3, 1);
    opening.event = {.at = Day(2025, 3, 1), .actor = "system", .action = "opened"};
    auto opened = cases_.CreateCase(opening);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? opened->opened.id : 0;
  }
  // A report request for `case_id` to `destination`, delivered at `at` (pending without one).
  void Report(cases::CaseId case_id, const std::string& destination, std::optional<TimePoint> at,
              report::DeliveryState state = report::DeliveryState::kDelivered) {
    ++request_;
    ASSERT_TRUE(outbox_
                    .Enqueue({.id = request_,
                              .case_id = case_id,
                              .destination = destination,
                              .created_at = Day(2025, 3, 2)})
                    .ok());
    if (!at) return;
    report::Delivery d = *outbox_.Get(request_);
    d.state = state;
    d.delivered_at = at;
    ASSERT_TRUE(*outbox_.Update(d));
  }

  cases::InMemoryCaseStore cases_;
  report::InMemoryReportOutboxStore outbox_;
  int64_t request_ = 0;
};

TEST_F(ReportsPerOrganisationTest, CountsDeliveredReportsOfEuCasesInTheYearPerDestination) {
  const cases::CaseId eu1 = NewCase(true), eu2 = NewCase(true), outside = NewCase(false);
  Report(eu1, "ncmec", Day(2025, 3, 3));
  Report(eu1, "bka", Day(2025, 3, 4));  // one case, two organisations: one report each
  Report(eu2, "ncmec", Day(2025, 12, 31));
  Report(eu2, "bka", Day(2026, 1, 1));        // next year
  Report(outside, "ncmec", Day(2025, 5, 1));  // not an EU user's case
  Report(eu2, "europol", std::nullopt);       // still pending
  Report(eu2, "hotline-x", Day(2025, 6, 1), report::DeliveryState::kFailed);
  auto counted = internal::CountDeliveredReports(outbox_, cases_, Day(2025, 1, 1), Day(2026, 1, 1));
  ASSERT_TRUE(counted.ok()) << counted.status().ToString();
  const std::map<std::string, int64_t> expected = {{"bka", 1}, {"ncmec", 2}};
  EXPECT_EQ(*counted, expected);
}

TEST_F(ReportsPerOrganisationTest, ReadsEveryPage) {
  const cases::CaseId eu = NewCase(true);
  for (int i = 0; i < 2345; ++i) Report(eu, i % 3 == 0 ? "bka" : "ncmec", Day(2025, 7, 1));
  auto counted = internal::CountDeliveredReports(outbox_, cases_, Day(2025, 1, 1), Day(2026, 1, 1));
  ASSERT_TRUE(counted.ok()) << counted.status().ToString();
  const std::map<std::string, int64_t> expected = {{"bka", 782}, {"ncmec", 1563}};
  EXPECT_EQ(*counted, expected);
}

TEST_F(ReportsPerOrganisationTest, TheAnnualReportShowsTheTotalAndTheSplit) {
  const cases::CaseId eu = NewCase(true);
  Report(eu, "ncmec", Day(2025, 3, 3));
  Report(eu, "bka", Day(2025, 3, 4));
  Report(eu, "bka", Day(2025, 3, 5));
  bank::InMemoryBankStore banks(std::make_shared<SystemClock>());
  stats::InMemoryVolumeCounters volumes;
  auto form = BuiltInForm(kDefaultFormId);
  ASSERT_TRUE(form.ok()) << form.status().ToString();
  auto report = BuildAnnualReport(
      {.cases = &cases_, .volumes = &volumes, .banks = &banks, .report_outbox = &outbox_}, *form,
      ReportConfig{}, 2025, Day(2026, 1, 15));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const Figure& f = report->figures.at("organisations.reports_per_organisation");
  ASSERT_EQ(f.kind, Figure::Kind::kCount) << FigureText(f);
  EXPECT_EQ(f.count, 3);
  EXPECT_EQ(f.unit, "reports");
  EXPECT_NE(f.method.find("per destination: bka 2, ncmec 1"), std::string::npos) << f.method;
}

}  // namespace
}  // namespace vigil::transparency
