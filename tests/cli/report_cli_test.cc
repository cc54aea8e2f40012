// `vigil report compare` as a user runs it: reports in, tables and flags out; bad files named.
#include <gtest/gtest.h>

#include <string>

#include "cli/cli_runner.h"

namespace vigil::testing {
namespace {

const char kMeta[] = R"({"provider":{"name":"Meta"},"period":{"label":"2021"},
  "cases":{"total":{"value":340000,"unit":"accounts","scope":"eu"}},
  "complaints":{"total":{"value":4900,"unit":"users","scope":"eu"}},
  "error_rates":[{"technology":"all","method":"reinstatement_rate_of_complaints",
                  "numerator":207,"denominator":4900,"percent":4.22}]})";
const char kGoogle[] = R"({"provider":{"name":"Google"},"period":{"label":"2024"},
  "cases":{"total":{"value":1824,"unit":"content_items","scope":"unspecified"}},
  "error_rates":[{"technology":"hash","method":"false_positive_rate_of_flagged",
                  "numerator":10,"denominator":1834,"percent":0.54}]})";

TEST(ReportCompareCli, PrintsTablesRecomputedRatesAndFlags) {
  TempDir dir;
  const std::string a = dir.Write("meta.json", kMeta);
  const std::string b = dir.Write("google.json", kGoogle);
  CliRun run = RunVigil("report compare " + a + " " + b);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Cases of online child sexual abuse identified, by type"),
            std::string::npos);
  EXPECT_NE(run.out.find("207 of 4900"), std::string::npos);
  EXPECT_NE(run.out.find("10 of 1834 = 0.5453 %; stated 0.54 % is truncated"), std::string::npos);
  EXPECT_NE(run.out.find("error rates not comparable: 2 different methods"), std::string::npos);
  EXPECT_NE(run.out.find("cases not comparable: counted in different units"), std::string::npos);

  CliRun json = RunVigil("report compare --format json " + a + " " + b);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json j = nlohmann::json::parse(json.out);
  ASSERT_EQ(j["rates"].size(), 2u);
  EXPECT_EQ(j["rates"][0]["check"], "consistent");
  EXPECT_EQ(j["rates"][1]["check"], "truncated");
}

TEST(ReportCompareCli, BadFilesAreNamedWithTheLineAndNothingIsPrinted) {
  TempDir dir;
  const std::string good = dir.Write("good.json", kMeta);
  const std::string bad = dir.Write("bad.json", "{\n  \"provider\": {\"name\": \"X\"},\n  oops\n}");
  CliRun run = RunVigil("report compare " + good + " " + bad);
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("bad.json: line 3: malformed JSON"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
  CliRun missing = RunVigil("report compare " + dir.path().string() + "/none.json");
  EXPECT_EQ(missing.exit_code, 4);
  CliRun format = RunVigil("report compare --format xml " + good);
  EXPECT_EQ(format.exit_code, 3);
}

}  // namespace
}  // namespace vigil::testing

namespace vigil::testing {
namespace {

TEST(StatsMemberStateCli, DeduplicatesAndWritesJsonCsvAndEuTotals) {
  TempDir dir;
  const std::string records =
      dir.Write("r.csv",
                "report_id,original_id,source,source_kind,received,children_female\n"
                "N-1,A,NCMEC,ncmec,2024-02-01,1\n"
                "H-1,A,Hotline,hotline,2024-02-02,\n"
                "N-2,B,NCMEC,ncmec,2024-03-01,\n");
  const std::string ncmec = dir.Write("ncmec.csv", "member_state,year,referrals\nSE,2024,10\n");
  CliRun json =
      RunVigil("stats member-state --state SE --year 2024 --ncmec " + ncmec + " " + records);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["figures"]["reports_total"]["value"], 2);
  EXPECT_EQ(j["figures"]["reports_received_more_than_once"]["value"], 1);
  EXPECT_EQ(j["figures"]["children_female"]["value"], 1);
  EXPECT_EQ(j["figures"]["children_female"]["reports_without_data"], 1);
  EXPECT_EQ(j["figures"]["perpetrators_convicted"]["not_available"],
            "no report record gives perpetrators_convicted");
  EXPECT_EQ(j["ncmec_comparison"]["published_referrals"], 10);

  CliRun csv = RunVigil("stats member-state --state SE --year 2024 --format csv " + records);
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_NE(csv.out.find("SE,2024,reports_total,2,complete,\n"), std::string::npos) << csv.out;

  const std::string se = dir.Write("se.json", json.out);
  const std::string fi = dir.Write(
      "fi.json", R"({"member_state":"FI","year":2024,"figures":{"reports_total":{"value":5}}})");
  CliRun eu = RunVigil("stats eu-total " + se + " " + fi);
  ASSERT_EQ(eu.exit_code, 0) << eu.err;
  nlohmann::json t = nlohmann::json::parse(eu.out);
  EXPECT_EQ(t["figures"]["reports_total"]["value"], 7);
  EXPECT_EQ(t["figures"]["children_female"]["not_available_from"], nlohmann::json({"FI"}));
}

TEST(StatsMemberStateCli, BadRecordsAreNamedWithTheirLine) {
  TempDir dir;
  const std::string bad =
      dir.Write("bad.csv", "report_id,source,source_kind,received\nN-1,S,ncmec,yesterday\n");
  CliRun run = RunVigil("stats member-state --state SE --year 2024 " + bad);
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("bad.csv: line 2: received \"yesterday\" is not a date"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(RunVigil("stats member-state --state Sweden --year 2024 " + bad).exit_code, 3);
  EXPECT_EQ(RunVigil("stats member-state --state SE --year 2024 " + dir.path().string() + "/no.csv")
                .exit_code,
            4);
}

}  // namespace
}  // namespace vigil::testing

namespace vigil::testing {
namespace {

TEST(ReportAnnualCli, WritesJsonHtmlAndCsvFromTheDatabase) {
  TempDir dir;
  const std::string db = "--db '" + (dir.path() / "v.db").string() + "'";
  const std::string config =
      dir.Write("c.json", R"({"provider":{"name":"Example Chat"},"services":["Chat"],
                    "answers":{"grounds.transfer":"No transfers outside the Union"}})");
  CliRun json = RunVigil("report annual --year 2025 --config " + config + " " + db);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["provider"]["name"], "Example Chat");
  EXPECT_EQ(j["rows"].size(), 147u);
  EXPECT_EQ(j["figures"]["grounds.transfer"]["text"], "No transfers outside the Union");
  EXPECT_EQ(j["figures"]["volume.image.eu"]["not_available"],
            "no volume counters were recorded in 2025");
  // The report of one provider feeds the comparison.
  const std::string saved = dir.Write("report.json", json.out);
  CliRun compare = RunVigil("report compare " + saved);
  EXPECT_EQ(compare.exit_code, 0) << compare.err;
  EXPECT_NE(compare.out.find("Example Chat"), std::string::npos);

  CliRun html = RunVigil("report annual --year 2025 --format html --config " + config + " " + db);
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_EQ(html.out.rfind("<!DOCTYPE html>", 0), 0u);
  CliRun csv = RunVigil("report annual --year 2025 --format csv " + db);
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_NE(csv.out.find("grounds.processing,,,no configuration given (--config),not_available"),
            std::string::npos)
      << csv.out.substr(0, 2000);
}

TEST(ReportAnnualCli, BadConfigurationOrYearIsAClearError) {
  TempDir dir;
  const std::string db = "--db '" + (dir.path() / "v.db").string() + "'";
  const std::string bad =
      dir.Write("bad.json", R"({"provider":{"name":"P"},"answers":{"typo":"x"}})");
  CliRun run = RunVigil("report annual --year 2025 --config " + bad + " " + db);
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("bad.json: answers: \"typo\" is not the figure of a text row"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(RunVigil("report annual --year 1850 " + db).exit_code, 3);
  EXPECT_EQ(RunVigil("report annual --year 2025 --format pdf " + db).exit_code, 3);
  EXPECT_EQ(RunVigil("report annual --year 2025 --form 2099-1 " + db).exit_code, 4);
}

}  // namespace
}  // namespace vigil::testing
