// Art 8 statistics from records of received reports: de-duplication across channels, figures
// that records do not give (not available, never zero), bad input named by file and line, and
// the EU totals of the Commission's second report reproduced from its per-country rows.
#include "transparency/member_state.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bank/csv.h"

namespace vigil::transparency {
namespace {

namespace fs = std::filesystem;

class TempFiles {
 public:
  TempFiles() {
    dir_ = fs::temp_directory_path() /
           ("vigil-ms-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  ~TempFiles() { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) const {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

 private:
  fs::path dir_;
};

const char kHeader[] =
    "report_id,original_id,source,source_kind,provider_type,received,children_female,"
    "children_male,children_gender_unspecified,perpetrators_convicted\n";

// Report A reached the police three times (from NCMEC, a hotline and the provider); B once,
// from NCMEC; C once from a hotline, without outcome data.
const std::string kRecords =
    std::string(kHeader) +
    "N-1,A,NCMEC,ncmec,interpersonal communications,2024-02-01,1,0,0,\n"
    "H-7,A,Hotline X,hotline,,2024-02-03,1,,0,1\n"
    "P-3,A,Provider Y,provider,interpersonal communications,2024-01-30,,,,\n"
    "N-2,B,NCMEC,ncmec,social media,2024-05-05,0,2,0,not available\n"
    "H-8,,Hotline X,hotline,,2024-06-01,,,,\n";

TEST(MemberStateStatisticsTest, ReportsReceivedOnSeveralChannelsCountOnce) {
  TempFiles files;
  auto records = ImportReceivedReports(files.Write("r.csv", kRecords));
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 5u);
  auto s = BuildMemberStateStatistics("SE", 2024, *records, 40);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->reports_total, Statistic{.value = 3});                    // A, B, H-8
  EXPECT_EQ(s->reports_received_more_than_once, Statistic{.value = 1});  // A
  EXPECT_EQ(s->records, Statistic{.value = 5});
  EXPECT_EQ(s->by_source_kind,
            (std::map<std::string, int64_t>{{"hotline", 2}, {"ncmec", 2}, {"provider", 1}}));
  EXPECT_EQ(s->by_provider_type,
            (std::map<std::string, int64_t>{
                {"interpersonal communications", 1}, {"not given", 1}, {"social media", 1}}));
  // A: 1 girl, 0 boys (merged from NCMEC and the hotline), B: 2 boys; H-8 gives nothing.
  EXPECT_EQ(s->children_female, (Statistic{.value = 1, .reports_without_data = 1}));
  EXPECT_EQ(s->children_male, (Statistic{.value = 2, .reports_without_data = 1}));
  EXPECT_EQ(s->children_total, (Statistic{.value = 3, .reports_without_data = 1}));
  // Only A gives a conviction; B says "not available", H-8 leaves it empty.
  EXPECT_EQ(s->perpetrators_convicted, (Statistic{.value = 1, .reports_without_data = 2}));
  EXPECT_EQ(s->ncmec_reports_received, Statistic{.value = 2});
  EXPECT_EQ(s->ncmec_referrals_published, Statistic{.value = 40});

  nlohmann::json j = nlohmann::json::parse(MemberStateStatisticsJson(*s));
  EXPECT_EQ(j["figures"]["reports_total"]["value"], 3);
  EXPECT_EQ(j["figures"]["perpetrators_convicted"]["reports_without_data"], 2);
  EXPECT_DOUBLE_EQ(j["ncmec_comparison"]["received_percent_of_published"], 5.0);
  const std::string csv = MemberStateStatisticsCsv(*s);
  EXPECT_NE(
      csv.find("SE,2024,perpetrators_convicted,1,partial,2 reports do not give this figure\n"),
      std::string::npos)
      << csv;
  EXPECT_NE(csv.find("SE,2024,reports_received_more_than_once,1,complete,\n"), std::string::npos);
}

TEST(MemberStateStatisticsTest, FiguresNoRecordGivesAreNotAvailableNotZero) {
  TempFiles files;
  auto records = ImportReceivedReports(
      files.Write("r.csv", "report_id,source,source_kind,received\nX-1,NCMEC,ncmec,2024-03-01\n"));
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  auto s = BuildMemberStateStatistics("FI", 2024, *records, std::nullopt);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->reports_total, Statistic{.value = 1});
  EXPECT_FALSE(s->children_female.value.has_value());
  EXPECT_EQ(s->children_female.not_available, "no report record gives children_female");
  EXPECT_EQ(s->perpetrators_convicted.not_available,
            "no report record gives perpetrators_convicted");
  EXPECT_EQ(s->ncmec_referrals_published.not_available,
            "no NCMEC referral count given for FI 2024");
  const std::string csv = MemberStateStatisticsCsv(*s);
  EXPECT_NE(
      csv.find("FI,2024,children_female,,not_available,no report record gives children_female"),
      std::string::npos)
      << csv;
  // A year without records: not available, not zero.
  auto empty = BuildMemberStateStatistics("FI", 2023, *records, std::nullopt);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->reports_total.not_available, "no records received in 2023 in the input");
  EXPECT_EQ(empty->records_outside_year, 1);
}

TEST(MemberStateStatisticsTest, AReportCountsInTheYearItWasFirstReceived) {
  TempFiles files;
  auto records = ImportReceivedReports(files.Write(
      "r.jsonl",
      R"({"report_id":"N-1","original_id":"A","source":"NCMEC","source_kind":"ncmec","received":"2023-12-30"})"
      "\n"
      R"({"report_id":"H-1","original_id":"A","source":"Hotline","source_kind":"hotline","received":"2024-01-02"})"
      "\n"));
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  auto s2024 = BuildMemberStateStatistics("DK", 2024, *records, std::nullopt);
  ASSERT_TRUE(s2024.ok());
  EXPECT_FALSE(s2024->reports_total.value.has_value());
  EXPECT_EQ(s2024->records_outside_year, 2);
  auto s2023 = BuildMemberStateStatistics("DK", 2023, *records, std::nullopt);
  ASSERT_TRUE(s2023.ok());
  EXPECT_EQ(s2023->reports_total, Statistic{.value = 1});
  EXPECT_EQ(s2023->reports_received_more_than_once, Statistic{.value = 1});
}

TEST(MemberStateStatisticsTest, JsonArraysAndJsonLinesGiveTheSameRecords) {
  TempFiles files;
  auto array = ImportReceivedReports(files.Write("r.json", R"([
  {"report_id": "N-1", "source": "NCMEC", "source_kind": "ncmec", "received": "2024-02-01",
   "children_female": 2},
  {"report_id": "H-1", "source": "Hotline", "source_kind": "hotline", "received": "2024-02-02"}
])"));
  ASSERT_TRUE(array.ok()) << array.status().ToString();
  ASSERT_EQ(array->size(), 2u);
  EXPECT_EQ((*array)[0].children_female, 2);
  EXPECT_EQ((*array)[0].line, 2u);
  EXPECT_EQ((*array)[1].line, 4u);
  EXPECT_EQ((*array)[1].original_id, "H-1");
}

TEST(MemberStateStatisticsTest, ConflictingDuplicatesNameBothRecords) {
  TempFiles files;
  const std::string path =
      files.Write("r.csv", std::string(kHeader) +
                               "N-1,A,NCMEC,ncmec,social media,2024-02-01,1,0,0,\n"
                               "H-1,A,Hotline,hotline,social media,2024-02-02,2,0,0,\n");
  auto records = ImportReceivedReports(path);
  ASSERT_TRUE(records.ok());
  auto s = BuildMemberStateStatistics("SE", 2024, *records, std::nullopt);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), path + ": line 3: report A gives children_female 2, but " + path +
                                      ": line 2 (same original report) gives 1");
  const std::string twice =
      files.Write("t.csv",
                  "report_id,source,source_kind,received\nN-1,NCMEC,ncmec,2024-01-01\n"
                  "N-1,NCMEC,ncmec,2024-01-02\n");
  auto dup = BuildMemberStateStatistics("SE", 2024, *ImportReceivedReports(twice), std::nullopt);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("line 3: report N-1 from NCMEC is listed twice"),
            std::string::npos);
}

TEST(MemberStateStatisticsTest, BadInputIsAnErrorNamingFileAndLine) {
  TempFiles files;
  const std::string h = "report_id,source,source_kind,received\n";
  struct Case {
    std::string name, text, expect;
    StatusCode code = StatusCode::kInvalidArgument;
  };
  for (const Case& c : std::vector<Case>{
           {"a.csv", h + "N-1,NCMEC,ncmec,2024-13-01\n",
            "a.csv: line 2: received \"2024-13-01\" is not a date"},
           {"b.csv", h + "N-1,NCMEC,police,2024-01-01\n", "b.csv: line 2: source_kind \"police\""},
           {"c.csv", h + "N-1,NCMEC,ncmec\n", "c.csv: line 2: 3 fields, the header has 4"},
           {"d.csv", h + "N-1,\"NCMEC,ncmec,2024-01-01\n",
            "d.csv: line 2: unterminated quoted field"},
           {"e.csv", "report_id,source,kind,received\n", "e.csv: line 1: unknown column \"kind\""},
           {"f.csv", "report_id,source,received\n",
            "f.csv: line 1: missing column \"source_kind\""},
           {"g.csv",
            "report_id,source,source_kind,received,perpetrators_convicted\n"
            "N-1,NCMEC,ncmec,2024-01-01,-2\n",
            "g.csv: line 2: perpetrators_convicted must be a whole number"},
           {"h.csv", h + ",NCMEC,ncmec,2024-01-01\n", "h.csv: line 2: report_id is missing"},
           {"i.json",
            "[\n{\"report_id\":\"N-1\",\"source\":\"S\",\"source_kind\":\"ncmec\",\"received\":"
            "\"2024-01-01\"},\n"
            "{\"report_id\":\"N-2\",\"source\":\"S\",\"source_kind\":\"ncmec\",\"received\":\"2024-"
            "01-01\",\"extra\":1}\n]",
            "i.json: line 3: unknown field \"extra\""},
           {"j.json", "[\n" + std::string(40, '[') + std::string(40, ']') + "\n]",
            "j.json: line 2: JSON nested deeper than 32 levels"},
           {"k.json", "[\n{\"report_id\": }\n]", "k.json: line 2: malformed JSON"},
           {"l.jsonl",
            "{\"report_id\":\"N-1\",\"source\":\"S\",\"source_kind\":\"ncmec\",\"received\":\"2024-"
            "01-01\"}\n{oops\n",
            "l.jsonl: line 2: malformed JSON"},
           {"m.jsonl", "{\"report_id\":[1],\"source\":\"S\"}\n",
            "m.jsonl: line 1: field \"report_id\" must be a string or a whole number, not array"},
           {"n.csv", "", "n.csv: empty: expected a header row"},
       }) {
    auto r = ImportReceivedReports(files.Write(c.name, c.text));
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), c.code) << r.status().ToString();
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().message();
  }
  EXPECT_EQ(ImportReceivedReports(files.Write("x", "")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ImportReceivedReports("/nonexistent/records.csv").status().code(),
            StatusCode::kNotFound);
}

TEST(MemberStateStatisticsTest, HugeFilesAndLinesAreRefusedBeforeReading) {
  TempFiles files;
  std::string big = "report_id,source,source_kind,received\n";
  for (int i = 0; i < 2000; ++i) big += "N-" + std::to_string(i) + ",NCMEC,ncmec,2024-01-01\n";
  const std::string path = files.Write("big.csv", big);
  auto r = ImportReceivedReports(path, ImportLimits{.max_file_bytes = 10000});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("big.csv: " + std::to_string(big.size()) +
                                      " bytes is over the limit of 10000 bytes"),
            std::string::npos);
  auto line =
      ImportReceivedReports(files.Write("long.csv", "report_id,source,source_kind,received\n" +
                                                        std::string(5000, 'x') + "\n"),
                            ImportLimits{.max_line_bytes = 1000});
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(line.status().message().find("long.csv: line 2"), std::string::npos)
      << line.status().message();
  auto array = ImportReceivedReports(files.Write("a.json", "[" + std::string(3000, ' ') + "]"),
                                     ImportLimits{.max_json_array_bytes = 1000});
  EXPECT_EQ(array.status().code(), StatusCode::kResourceExhausted);
}

// COM(2025)740 Tabell 6-8: the per-country rows of member_states.csv, turned into statistics
// files and combined, give the printed EU totals; countries without a figure are listed.
TEST(EuTotalsTest, CommissionTotalsAreReproducedFromPerCountryFigures) {
  const fs::path csv =
      fs::path(VIGIL_SHARED_DIR) / "testdata" / "transparency" / "member_states.csv";
  if (!fs::exists(csv)) GTEST_SKIP() << "shared test data not found: " << csv;
  const std::vector<std::string> states = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI",
                                           "FR", "DE", "EL", "HU", "IE", "IT", "LV", "LT", "LU",
                                           "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"};
  const std::map<std::string, std::string> metric_to_figure = {
      {"reports_received_total", "reports_total"},
      {"ncmec_referrals", "ncmec_referrals_published"},
      {"children_identified", "children_total"}};
  std::map<std::string, std::map<std::string, nlohmann::json>> by_year;  // year -> state -> doc
  std::map<std::pair<std::string, std::string>, int64_t> printed;        // (year, figure) -> total
  std::ifstream in(csv);
  std::string line;
  bank::CsvSplitter splitter;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    auto f = splitter.Split(line);
    ASSERT_TRUE(f.ok()) << line;
    const std::string report((*f)[0]), state((*f)[1]), year((*f)[2]), metric((*f)[3]),
        value((*f)[4]), subcategory((*f)[7]), qualifier((*f)[8]);
    auto figure = metric_to_figure.find(metric);
    if (report != "COM(2025)740" || figure == metric_to_figure.end() || !subcategory.empty())
      continue;
    if (state == "EU" && qualifier == "printed_total") {
      printed[{year, figure->second}] = std::stoll(value);
    } else if (std::find(states.begin(), states.end(), state) != states.end()) {
      by_year[year][state]["figures"][figure->second] = {{"value", std::stoll(value)}};
    }
  }
  ASSERT_EQ(printed.size(), 9u);
  for (const std::string year : {"2022", "2023", "2024"}) {
    std::vector<MemberStateStatistics> parsed;
    for (const std::string& state : states) {
      nlohmann::json doc = by_year[year][state];
      doc["member_state"] = state;
      doc["year"] = std::stoi(year);
      if (!doc.contains("figures")) doc["figures"] = nlohmann::json::object();
      auto s = ParseMemberStateStatistics(doc.dump(), state + ".json");
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      parsed.push_back(*s);
    }
    auto totals = CombineEuTotals(parsed);
    ASSERT_TRUE(totals.ok()) << totals.status().ToString();
    for (const auto& [figure, total] : totals->figures) {
      auto p = printed.find({year, figure});
      if (p == printed.end()) continue;
      EXPECT_EQ(total.value, p->second) << year << " " << figure;
    }
    // Tabell 6: Portugal gave no report totals in any year, Spain only for 2022.
    const auto& missing = totals->figures.at("reports_total").not_available;
    EXPECT_NE(std::find(missing.begin(), missing.end(), "PT"), missing.end()) << year;
    EXPECT_EQ(std::find(missing.begin(), missing.end(), "ES") != missing.end(), year != "2022");
    nlohmann::json j = nlohmann::json::parse(EuTotalsJson(*totals));
    EXPECT_EQ(j["figures"]["perpetrators_convicted"]["not_available"],
              "no Member State gives this figure");
  }
}

TEST(EuTotalsTest, StatisticsOfDifferentYearsOrTwiceTheSameStateAreRefused) {
  MemberStateStatistics a{.member_state = "SE", .year = 2024};
  MemberStateStatistics b{.member_state = "FI", .year = 2023};
  EXPECT_EQ(CombineEuTotals({a, b}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CombineEuTotals({a, a}).status().code(), StatusCode::kInvalidArgument);
  auto bad = ParseMemberStateStatistics(
      R"({"member_state":"SE","year":2024,"figures":{"reports_total":{"value":-3}}})", "se.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("se.json: figures.reports_total"), std::string::npos);
}

}  // namespace
}  // namespace vigil::transparency
