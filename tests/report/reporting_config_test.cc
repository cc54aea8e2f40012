// The reporting configuration shared by `vigil cases decide` and `vigil serve`: destinations and
// the Art 3(1)(j) limit, and every bad file named with the field at fault.
#include "report/reporting_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace vigil::report {
namespace {

TEST(ReportingConfig, ReadsDestinationsAndTheLimit) {
  auto c = ParseReportingConfig(
      R"({"destinations": ["ncmec", "nl-authority"], "report_limit_hours": 6})", "r.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->destinations, (std::vector<std::string>{"ncmec", "nl-authority"}));
  EXPECT_EQ(c->report_limit, std::chrono::hours(6));
  auto defaults = ParseReportingConfig(R"({"destinations": []})", "r.json");
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->destinations.empty());
  EXPECT_EQ(defaults->report_limit, std::chrono::hours(24));
}

TEST(ReportingConfig, BadFilesAreNamedWithTheField) {
  const auto message = [](const std::string& json) {
    auto c = ParseReportingConfig(json, "r.json");
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << json;
    return c.status().message();
  };
  EXPECT_EQ(message("{"), "r.json: not valid JSON");
  EXPECT_EQ(message("[]"), "r.json: must be a JSON object");
  EXPECT_EQ(message("{}"), "r.json: \"destinations\" is required (an empty list reports nowhere)");
  EXPECT_EQ(message(R"({"destinations": "ncmec"})"),
            "r.json: \"destinations\" must be an array of names");
  EXPECT_EQ(message(R"({"destinations": [1]})"),
            "r.json: \"destinations\" must be an array of names");
  EXPECT_EQ(message(R"({"destinations": ["NCMEC"]})"),
            "r.json: \"destinations\" has an invalid name 'NCMEC' (1 to 64 of a-z 0-9 . _ -)");
  EXPECT_EQ(message(R"({"destinations": [""]})"),
            "r.json: \"destinations\" has an invalid name '' (1 to 64 of a-z 0-9 . _ -)");
  EXPECT_NE(
      message(R"({"destinations": [")" + std::string(65, 'a') + R"("]})").find("invalid name"),
      std::string::npos);
  EXPECT_EQ(message(R"({"destinations": ["a/../b"]})"),
            "r.json: \"destinations\" has an invalid name 'a/../b' (1 to 64 of a-z 0-9 . _ -)");
  EXPECT_EQ(message(R"({"destinations": ["ncmec", "ncmec"]})"),
            "r.json: \"destinations\" names 'ncmec' twice");
  EXPECT_EQ(message(R"({"destinations": [], "report_limit_hours": 0})"),
            "r.json: \"report_limit_hours\" must be an integer from 1 to 720");
  EXPECT_EQ(message(R"({"destinations": [], "report_limit_hours": 721})"),
            "r.json: \"report_limit_hours\" must be an integer from 1 to 720");
  EXPECT_EQ(message(R"({"destinations": [], "report_limit_hours": "24"})"),
            "r.json: \"report_limit_hours\" must be an integer from 1 to 720");
  EXPECT_EQ(message(R"({"destinations": [], "report_limit_hours": 1.5})"),
            "r.json: \"report_limit_hours\" must be an integer from 1 to 720");
  EXPECT_EQ(message(R"({"destinations": [], "destination": ["x"]})"),
            "r.json: unknown field \"destination\"");
}

TEST(ReportingConfig, LoadNamesAMissingOrHugeFile) {
  auto missing = LoadReportingConfig("/nonexistent/reporting.json");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/nonexistent/reporting.json"), std::string::npos);
  const std::string path =
      (std::filesystem::temp_directory_path() / ("reporting-" + std::to_string(::getpid())))
          .string();
  {
    std::ofstream out(path);
    out << "{\"destinations\": [\"ncmec\"]}" << std::string(2 << 20, ' ');
  }
  EXPECT_EQ(LoadReportingConfig(path).status().code(), StatusCode::kResourceExhausted);
  {
    std::ofstream out(path);
    out << "{\"destinations\": [\"ncmec\"]}";
  }
  auto ok = LoadReportingConfig(path);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->destinations, std::vector<std::string>{"ncmec"});
  std::remove(path.c_str());
}

}  // namespace
}  // namespace vigil::report
