// `Compare` on the Commission's own figures: ../shared/testdata/transparency/providers.csv is
// turned into one vigil report JSON per provider and year, and the comparison must recompute
// every rate the documents print as "x of y" and flag what the documents themselves say is not
// comparable (README of the test data, "Figures computed by different methods").
#include "transparency/compare.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "bank/csv.h"

namespace vigil::transparency {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
const fs::path kProviders =
    fs::path(VIGIL_SHARED_DIR) / "testdata" / "transparency" / "providers.csv";

using CsvRow = std::map<std::string, std::string>;

std::vector<CsvRow> ReadCsv(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
  bank::CsvSplitter splitter;
  while (std::getline(in, line)) {
    auto fields = splitter.Split(line);
    EXPECT_TRUE(fields.ok()) << line;
    if (!fields.ok()) continue;
    if (header.empty()) {
      for (auto f : *fields) header.emplace_back(f);
      continue;
    }
    CsvRow row;
    for (size_t i = 0; i < fields->size() && i < header.size(); ++i) {
      row[header[i]] = std::string((*fields)[i]);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string Scope(const CsvRow& r) {
  const std::string& s = r.at("technology_or_scope");
  std::string geo = s.substr(s.find(';') + 1);
  return geo == "EU" ? "eu" : geo == "EU_or_global_unclear" ? "eu_or_global_unclear" : geo;
}
std::string Technology(const CsvRow& r) {
  const std::string& s = r.at("technology_or_scope");
  return s.substr(0, s.find(';'));
}

json Count(const CsvRow& r) {
  json c = {
      {"value", std::stoll(r.at("value"))}, {"unit", r.at("counted_entity")}, {"scope", Scope(r)}};
  if (!r.at("qualifier").empty()) c["qualifier"] = r.at("qualifier");
  return c;
}

// One report per (document, provider, year): counts from the technology "all" (or the only)
// row, preferring EU scope; every stated rate with its printed counts.
std::map<std::string, json> ProviderReports(const std::vector<CsvRow>& rows) {
  const std::map<std::string, std::pair<std::string, std::string>> slots = {
      {"cases_known_csam", {"cases", "known_csam"}},
      {"cases_new_csam", {"cases", "new_csam"}},
      {"cases_solicitation", {"cases", "solicitation"}},
      {"cases_identified", {"cases", "total"}},
      {"complaints_internal", {"complaints", "internal"}},
      {"complaints_judicial", {"complaints", "judicial"}},
      {"complaints_total", {"complaints", "total"}},
      {"content_reinstated", {"reinstatements", "content_items"}},
      {"accounts_reinstated", {"reinstatements", "accounts"}}};
  const std::set<std::string> providers = {"Google", "LinkedIn", "Meta", "Microsoft", "X", "Yubo"};
  const std::set<std::string> methods = {kMethodFlaggedNotConfirmed, kMethodReinstatedOfComplaints,
                                         kMethodReinstatedOfActioned};
  std::map<std::string, json> reports;
  for (const CsvRow& r : rows) {
    const std::string& year = r.at("year");
    // Provider-years only: not the tool and research facts, retention periods (scope n/a) or
    // statements spanning years.
    if (!providers.count(r.at("provider")) || year.size() != 4 || Scope(r) == "n/a") continue;
    const std::string key = r.at("report") + " " + r.at("provider") + " " + year;
    json& rep = reports[key];
    if (rep.is_null()) {
      rep = {{"provider", {{"name", r.at("provider")}}},
             {"period", {{"label", year}}},
             {"error_rates", json::array()}};
    }
    const std::string& metric = r.at("metric");
    if (auto s = slots.find(metric); s != slots.end()) {
      json& slot = rep[s->second.first][s->second.second];
      const bool better = slot.is_null() || (Technology(r) == "all" && Scope(r) == "eu");
      if (better) slot = Count(r);
    } else if (methods.count(metric)) {
      json rate = {{"technology", Technology(r)},
                   {"category", "all"},
                   {"method", metric},
                   {"percent", std::stod(r.at("value"))},
                   {"unit", r.at("counted_entity")},
                   {"scope", Scope(r)}};
      if (!r.at("numerator").empty()) rate["numerator"] = std::stoll(r.at("numerator"));
      if (!r.at("denominator").empty()) rate["denominator"] = std::stoll(r.at("denominator"));
      rep["error_rates"].push_back(rate);
    }
  }
  return reports;
}

class CompareCommissionFigures : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kProviders)) GTEST_SKIP() << "shared test data not found: " << kProviders;
    for (const auto& [key, rep] : ProviderReports(ReadCsv(kProviders))) {
      auto parsed = ParseProviderReport(rep.dump(), key);
      ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
      reports_.push_back(*parsed);
    }
    comparison_ = Compare(reports_);
  }

  // The check of the rate `method` stated for provider/period with the given numerator.
  const RateCheck* Rate(const std::string& provider, const std::string& period,
                        const std::string& method, std::optional<int64_t> numerator) const {
    for (const RateCheck& c : comparison_.rates) {
      if (c.provider == provider && c.period == period && c.method == method &&
          c.numerator == numerator) {
        return &c;
      }
    }
    return nullptr;
  }

  bool Flagged(const std::string& text) const {
    for (const std::string& f : comparison_.flags) {
      if (f.find(text) != std::string::npos) return true;
    }
    return false;
  }

  std::vector<ProviderReport> reports_;
  Comparison comparison_;
};

TEST_F(CompareCommissionFigures, EveryRatePrintedAsXOfYIsRecomputed) {
  struct Expect {
    std::string provider, period, method;
    int64_t n, d;
    RateVerdict verdict;
    std::string message;
  };
  // The README's "Other checks that hold in the documents" and inconsistency notes.
  const std::vector<Expect> expected = {
      {"Meta", "2021", kMethodReinstatedOfComplaints, 207, 4900, RateVerdict::kConsistent,
       "207 of 4900 = 4.2245 %; stated 4.22 %: consistent"},
      {"Meta", "2021", kMethodReinstatedOfActioned, 207, 340000, RateVerdict::kConsistent,
       "207 of 340000 = 0.0609 %; stated 0.06 %: consistent"},
      {"Meta", "2022", kMethodReinstatedOfComplaints, 3700, 29000, RateVerdict::kConsistent,
       "3700 of 29000 = 12.7586 %; stated 12.8 %: consistent"},
      {"Meta", "2022", kMethodReinstatedOfActioned, 3700, 6600000, RateVerdict::kConsistent, ""},
      {"Meta", "2023", kMethodReinstatedOfActioned, 11600, 3600000, RateVerdict::kConsistent,
       "11600 of 3600000 = 0.3222 %; stated 0.32 %: consistent"},
      {"Meta", "2024", kMethodReinstatedOfActioned, 1800, 1500000, RateVerdict::kConsistent, ""},
      {"X", "2021", kMethodReinstatedOfComplaints, 100, 7000, RateVerdict::kConsistent,
       "100 of 7000 = 1.4286 %; stated 1.43 %: consistent"},
      {"X", "2021", kMethodReinstatedOfActioned, 100, 166000, RateVerdict::kConsistent, ""},
      {"X", "2022", kMethodReinstatedOfActioned, 500, 501000, RateVerdict::kConsistent,
       "500 of 501000 = 0.0998 %; stated 0.1 %: consistent"},
      {"Google", "2023", kMethodFlaggedNotConfirmed, 18, 1576, RateVerdict::kConsistent,
       "18 of 1576 = 1.1421 %; stated 1.14 %: consistent"},
      {"Google", "2021", kMethodReinstatedOfComplaints, 0, 8, RateVerdict::kConsistent, ""},
      {"Google", "2021", kMethodReinstatedOfActioned, 0, 33, RateVerdict::kConsistent, ""},
      {"Google", "2022", kMethodReinstatedOfComplaints, 0, 378, RateVerdict::kConsistent, ""},
      // Printed 0,54 % for 10/1834 = 0.5453 %: truncated, not rounded (README note).
      {"Google", "2024", kMethodFlaggedNotConfirmed, 10, 1834, RateVerdict::kTruncated,
       "10 of 1834 = 0.5453 %; stated 0.54 % is truncated: rounding gives 0.55 %"},
      // Printed "2,17 % (500 ud af 7 000)": 500/7000 is 7.14 % (README inconsistency 1).
      {"X", "2022", kMethodReinstatedOfComplaints, 500, 7000, RateVerdict::kInconsistent,
       "500 of 7000 = 7.1429 %; stated 2.17 % does not follow from these counts"},
      // LinkedIn "0 % (0:0)": nothing to divide.
      {"LinkedIn", "2023", kMethodReinstatedOfComplaints, 0, 0, RateVerdict::kUndefined,
       "0 of 0: undefined (nothing to divide); stated 0 %"},
  };
  for (const Expect& e : expected) {
    SCOPED_TRACE(e.provider + " " + e.period + " " + e.method);
    const RateCheck* c = Rate(e.provider, e.period, e.method, e.n);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->denominator, e.d);
    EXPECT_EQ(c->verdict, e.verdict) << c->message;
    if (!e.message.empty()) {
      EXPECT_EQ(c->message, e.message);
    }
    if (e.d > 0) {
      EXPECT_DOUBLE_EQ(*c->recomputed_percent, 100.0 * static_cast<double>(e.n) / e.d);
    }
  }
}

TEST_F(CompareCommissionFigures, RatesWithoutCountsAreFlaggedNotRecomputed) {
  // Yubo gave only percentages; Google 2022's actioned rate has no denominator.
  const RateCheck* yubo = Rate("Yubo", "2023", kMethodFlaggedNotConfirmed, std::nullopt);
  ASSERT_NE(yubo, nullptr);
  EXPECT_EQ(yubo->verdict, RateVerdict::kMissingCounts);
  EXPECT_EQ(yubo->message,
            "stated 20 %; numerator and denominator not given: cannot be recomputed");
  EXPECT_FALSE(yubo->recomputed_percent.has_value());
  const RateCheck* google = Rate("Google", "2022", kMethodReinstatedOfActioned, std::nullopt);
  ASSERT_NE(google, nullptr);
  EXPECT_EQ(google->verdict, RateVerdict::kMissingCounts);
  EXPECT_TRUE(
      Flagged("Google 2022 reinstatement_rate_of_actioned (all): stated 0 %; numerator "
              "and denominator not given"));
}

TEST_F(CompareCommissionFigures, DifferentMethodsAndUnitsAreFlaggedAsNotComparable) {
  EXPECT_TRUE(Flagged("error rates not comparable: 3 different methods"));
  EXPECT_TRUE(Flagged(
      "cases not comparable: counted in different units: accounts (Google 2021, Meta 2021"));
  EXPECT_TRUE(Flagged("cases not comparable: different geographic scopes"));
  EXPECT_TRUE(
      Flagged("Google 2021: internal and judicial complaints are not separated (only a "
              "combined 8)"));
  // Meta 2021 counted users who complained, Meta 2022 content items (README, "Units differ").
  EXPECT_TRUE(Flagged("complaints not comparable: counted in different units"));
  EXPECT_TRUE(Flagged("users (Meta 2021)"));
  EXPECT_TRUE(Flagged("X 2022 reinstatement_rate_of_complaints (automated): 500 of 7000"));
}

TEST_F(CompareCommissionFigures, CasesByTypeAddUpWhereTheDocumentsSaySo) {
  // Yubo 2023: 2 + 938 + 6780 = 7720; LinkedIn 2021: 6 + 25 (+ no solicitation figure).
  EXPECT_FALSE(Flagged("cases by type add up"));
  const ComparisonTable& cases = comparison_.tables.at(0);
  bool yubo = false;
  for (const auto& row : cases.rows) {
    if (row[0] == "Yubo" && row[1] == "2023") {
      yubo = true;
      EXPECT_EQ(row[2], "2");
      EXPECT_EQ(row[3], "938");
      EXPECT_EQ(row[4], "6780");
      EXPECT_EQ(row[5], "7720");
      EXPECT_EQ(row[6], "accounts, eu");
    }
  }
  EXPECT_TRUE(yubo);
  EXPECT_TRUE(Flagged("Yubo 2024: not available (not in the report): cases.known_csam"));
}

TEST(Compare, ApproximateAndLowerBoundCountsKeepTheirQualifier) {
  auto r = ParseProviderReport(
      R"({"provider":{"name":"P"},"period":{"label":"2025"},
          "cases":{"total":{"value":9000,"unit":"content_items","scope":"eu","qualifier":"over"}},
          "complaints":{"total":{"value":90000,"unit":"complaints","scope":"eu","qualifier":"approx"}}})",
      "p.json");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Comparison c = Compare({*r});
  EXPECT_EQ(c.tables[0].rows[0][5], ">9000");
  EXPECT_EQ(c.tables[1].rows[0][4], "~90000");
  EXPECT_NE(FormatComparisonText(c).find("no error rate given"), std::string::npos);
}

TEST(Compare, MoreReinstatementsThanComplaintsIsInconsistent) {
  auto r = ParseProviderReport(
      R"({"provider":{"name":"P"},"period":{"label":"2025"},
          "complaints":{"internal":{"value":3},"judicial":{"value":0}},
          "reinstatements":{"content_items":{"value":5}}})",
      "p.json");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Comparison c = Compare({*r});
  EXPECT_NE(std::find(c.flags.begin(), c.flags.end(),
                      "P 2025: inconsistent: 5 reinstated but only 3 complaints"),
            c.flags.end());
}

TEST(Compare, BadReportsAreRefusedNamingFileAndField) {
  struct Case {
    std::string json, expect;
  };
  const std::string head = R"({"provider":{"name":"P"},"period":{"label":"2025"},)";
  for (const Case& c : std::vector<Case>{
           {"{\n\"provider\": ,}", "bad.json: line 2: malformed JSON"},
           {std::string(50, '[') + std::string(50, ']'), "bad.json: line 1: JSON nested deeper"},
           {"[]", "bad.json: must be an object"},
           {R"({"period":{"label":"2025"}})", "bad.json: provider: must be an object"},
           {head + R"("cases":{"total":{"value":-1}}})", "cases.total: value -1 is negative"},
           {head + R"("cases":{"total":{}}})", "exactly one"},
           {head + R"("cases":{"total":{"value":"12"}}})", "field \"value\" must be an integer"},
           {head + R"("error_rates":[{"method":"m","numerator":5,"denominator":3}]})",
            "error_rates[0]: numerator 5 exceeds denominator 3"},
           {head + R"("error_rates":[{"numerator":5}]})", "missing field \"method\""},
           {head + R"("error_rates":{}})", "error_rates: must be an array"},
       }) {
    auto r = ParseProviderReport(c.json, "bad.json");
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace vigil::transparency
