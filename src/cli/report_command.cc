// `vigil report`: the provider's annual report and the comparison of several providers' reports.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/database.h"
#include "cli/file_batch.h"
#include "transparency/transparency.h"

namespace vigil::cli {
namespace {

struct AnnualFlags {
  std::string db;
  int year = 0;
  std::string format = "json";
  std::string config;
  std::string form = transparency::kDefaultFormId;
  std::string form_file;
};

int Fail(const Status& s) {
  PrintError(s);
  return ExitCodeFor(s.code());
}

int RunAnnual(const AnnualFlags& flags) {
  if (flags.format != "json" && flags.format != "html" && flags.format != "csv") {
    return Fail(
        InvalidArgumentError(fmt::format("unknown format '{}' (json, html or csv)", flags.format)));
  }
  auto form = flags.form_file.empty() ? transparency::BuiltInForm(flags.form)
                                      : transparency::LoadStandardForm(flags.form_file);
  if (!form.ok()) return Fail(form.status());
  transparency::ReportConfig config;
  if (!flags.config.empty()) {
    auto loaded = transparency::LoadReportConfig(flags.config, *form);
    if (!loaded.ok()) return Fail(loaded.status());
    config = *std::move(loaded);
  }
  auto db = OpenCommandDatabase(flags.db);
  if (!db.ok()) return Fail(db.status());
  auto report = transparency::BuildAnnualReport(
      {.cases = &(*db)->cases(),
       .volumes = &(*db)->volume(),
       .banks = &(*db)->banks(),
       .exchanges = &(*db)->exchanges(),
       .report_outbox = &(*db)->report_outbox(),
       .erasures = [&db](TimePoint from,
                         TimePoint to) -> Result<std::vector<transparency::ErasureTotal>> {
         ASSIGN_OR_RETURN(auto counts, (*db)->privacy().ListErasureCounts(from, to));
         std::vector<transparency::ErasureTotal> out;
         for (const privacy::ErasureCount& c : counts) {
           out.push_back({std::string(privacy::ErasureReasonName(c.reason)), c.purpose, c.records});
         }
         return out;
       }},
      *form, config, flags.year, SystemClock().Now());
  if (!report.ok()) return Fail(report.status());
  const std::string out = flags.format == "html"  ? transparency::AnnualReportHtml(*report)
                          : flags.format == "csv" ? transparency::AnnualReportCsv(*report)
                                                  : transparency::AnnualReportJson(*report);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

struct CompareFlags {
  std::vector<std::string> files;
  std::string format = "text";
};

nlohmann::ordered_json ComparisonJson(const transparency::Comparison& c) {
  nlohmann::ordered_json j;
  j["tables"] = nlohmann::json::array();
  for (const auto& t : c.tables) {
    j["tables"].push_back({{"title", t.title}, {"header", t.header}, {"rows", t.rows}});
  }
  j["rates"] = nlohmann::json::array();
  for (const auto& r : c.rates) {
    nlohmann::ordered_json rj = {{"provider", r.provider},
                                 {"period", r.period},
                                 {"technology", r.technology},
                                 {"category", r.category},
                                 {"method", r.method}};
    if (r.numerator) rj["numerator"] = *r.numerator;
    if (r.denominator) rj["denominator"] = *r.denominator;
    if (r.stated_percent) rj["stated_percent"] = *r.stated_percent;
    if (r.recomputed_percent) rj["recomputed_percent"] = *r.recomputed_percent;
    rj["check"] = transparency::RateVerdictName(r.verdict);
    rj["message"] = r.message;
    j["rates"].push_back(rj);
  }
  j["flags"] = c.flags;
  return j;
}

int RunCompare(const CompareFlags& flags) {
  if (flags.format != "text" && flags.format != "json") {
    PrintError(
        InvalidArgumentError(fmt::format("unknown format '{}' (text or json)", flags.format)));
    return ExitCodeFor(StatusCode::kInvalidArgument);
  }
  // Every file is read before anything is printed, so a bad one never yields half a table.
  std::vector<transparency::ProviderReport> reports;
  Status first_error = Status::Ok();
  for (const std::string& file : flags.files) {
    auto report = transparency::LoadProviderReport(file);
    if (!report.ok()) {
      PrintError(report.status());
      if (first_error.ok()) first_error = report.status();
      continue;
    }
    reports.push_back(*std::move(report));
  }
  if (!first_error.ok()) return ExitCodeFor(first_error.code());
  const transparency::Comparison comparison = transparency::Compare(reports);
  const std::string out = flags.format == "json" ? ComparisonJson(comparison).dump(2) + "\n"
                                                 : transparency::FormatComparisonText(comparison);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

void RegisterReportCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd =
      app.add_subcommand("report", "Transparency reports: the annual report, comparisons");
  cmd->require_subcommand(1);

  auto annual_flags = std::make_shared<AnnualFlags>();
  CLI::App* annual = cmd->add_subcommand(
      "annual", "The annual report (Art 3(1)(g)(vii)) in the standard form, from the store");
  annual->add_option("--year", annual_flags->year, "Calendar year (UTC)")->required();
  annual->add_option("--format", annual_flags->format, "json, html or csv")->capture_default_str();
  annual->add_option("--config", annual_flags->config,
                     "Provider configuration (JSON): identification, services, organisations, "
                     "answers to the form's text rows");
  annual->add_option("--form", annual_flags->form, "Built-in standard form")->capture_default_str();
  annual->add_option("--form-file", annual_flags->form_file, "A standard form file instead");
  annual->add_option("--db", annual_flags->db,
                     "Database URL (default: VIGIL_DATABASE_URL or vigil.db)");
  annual->callback([annual_flags, exit_code] { *exit_code = RunAnnual(*annual_flags); });

  auto compare_flags = std::make_shared<CompareFlags>();
  CLI::App* compare = cmd->add_subcommand(
      "compare", "Compare providers' annual reports (JSON) as the Commission's tables do");
  compare->add_option("files", compare_flags->files, "Report JSON files")->required();
  compare->add_option("--format", compare_flags->format, "text or json")->capture_default_str();
  compare->callback([compare_flags, exit_code] { *exit_code = RunCompare(*compare_flags); });
}

}  // namespace vigil::cli
