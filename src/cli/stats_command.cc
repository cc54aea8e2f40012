// `vigil stats`: Member State statistics under Art 8 of Regulation (EU) 2021/1232 and their EU
// totals.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/file_batch.h"
#include "core/file.h"
#include "transparency/transparency.h"

namespace vigil::cli {
namespace {

struct MemberStateFlags {
  std::vector<std::string> files;
  std::string state;
  int year = 0;
  std::string ncmec;
  std::string format = "json";
};

int Fail(const Status& s) {
  PrintError(s);
  return ExitCodeFor(s.code());
}

void Print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

int RunMemberState(const MemberStateFlags& flags) {
  if (flags.format != "json" && flags.format != "csv") {
    return Fail(
        InvalidArgumentError(fmt::format("unknown format '{}' (json or csv)", flags.format)));
  }
  if (flags.state.size() != 2) {
    return Fail(InvalidArgumentError("--state must be a two-letter EU code, e.g. SE"));
  }
  std::vector<transparency::ReceivedReport> records;
  for (const std::string& file : flags.files) {
    auto read = transparency::ImportReceivedReports(file);
    if (!read.ok()) return Fail(read.status());
    records.insert(records.end(), read->begin(), read->end());
  }
  std::optional<int64_t> published;
  if (!flags.ncmec.empty()) {
    auto ncmec = transparency::LoadNcmecReferrals(flags.ncmec);
    if (!ncmec.ok()) return Fail(ncmec.status());
    if (auto it = ncmec->find({flags.state, flags.year}); it != ncmec->end())
      published = it->second;
  }
  auto stats =
      transparency::BuildMemberStateStatistics(flags.state, flags.year, records, published);
  if (!stats.ok()) return Fail(stats.status());
  Print(flags.format == "csv" ? transparency::MemberStateStatisticsCsv(*stats)
                              : transparency::MemberStateStatisticsJson(*stats));
  return 0;
}

int RunEuTotal(const std::vector<std::string>& files) {
  std::vector<transparency::MemberStateStatistics> states;
  for (const std::string& file : files) {
    auto bytes = ReadFileBytes(file, 16 << 20);
    if (!bytes.ok()) return Fail(bytes.status());
    auto s = transparency::ParseMemberStateStatistics(
        std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), file);
    if (!s.ok()) return Fail(s.status());
    states.push_back(*std::move(s));
  }
  auto totals = transparency::CombineEuTotals(states);
  if (!totals.ok()) return Fail(totals.status());
  Print(transparency::EuTotalsJson(*totals));
  return 0;
}

}  // namespace

void RegisterStatsCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("stats", "Member State statistics (Art 8)");
  cmd->require_subcommand(1);

  auto ms = std::make_shared<MemberStateFlags>();
  CLI::App* member = cmd->add_subcommand(
      "member-state", "Art 8 statistics from records of reports received (CSV, JSON, JSON lines)");
  member->add_option("files", ms->files, "Files of received-report records")->required();
  member->add_option("--state", ms->state, "Two-letter EU code of the Member State")->required();
  member->add_option("--year", ms->year, "Calendar year")
      ->required()
      ->check(CLI::Range(1990, 2200));
  member->add_option("--ncmec", ms->ncmec, "CSV of NCMEC referrals: member_state,year,referrals");
  member->add_option("--format", ms->format, "json or csv")->capture_default_str();
  member->callback([ms, exit_code] { *exit_code = RunMemberState(*ms); });

  auto eu_files = std::make_shared<std::vector<std::string>>();
  CLI::App* eu = cmd->add_subcommand("eu-total", "EU totals of several Member States' statistics");
  eu->add_option("files", *eu_files, "Statistics JSON files of `vigil stats member-state`")
      ->required();
  eu->callback([eu_files, exit_code] { *exit_code = RunEuTotal(*eu_files); });
}

}  // namespace vigil::cli
