// `vigil report ncmec`: a case's NCMEC CyberTipline report, built and validated against the
// schema; --dry-run prints it (and each file's details) without sending anything.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/database.h"
#include "cli/evidence_options.h"
#include "cli/file_batch.h"
#include "core/file.h"
#include "match/bank_verification_sink.h"
#include "report/report.h"
#include "report/stored_evidence.h"

namespace vigil::cli {
namespace {

constexpr uint64_t kMaxConfigBytes = 1 << 20;

struct NcmecFlags {
  std::string db;
  int64_t case_id = 0;
  std::string config;
  std::string xsd;
  EvidenceFlags evidence;
  bool dry_run = false;
};

Result<report::ncmec::NcmecConfig> LoadConfig(const NcmecFlags& flags) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(flags.config, kMaxConfigBytes));
  ASSIGN_OR_RETURN(report::ncmec::NcmecConfig config,
                   report::ncmec::ParseNcmecConfig(
                       std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                       flags.config));
  if (!flags.xsd.empty()) config.xsd_path = flags.xsd;
  if (config.xsd_path.empty()) {
    return InvalidArgumentError(
        fmt::format("{}: no xsd_path, and --xsd not given: reports are validated against "
                    "cyber_tipline.xsd before anything is sent",
                    flags.config));
  }
  return config;
}

void Print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

Status DryRun(const NcmecFlags& flags) {
  if (!flags.dry_run) {
    return InvalidArgumentError(
        "vigil report ncmec sends through the outbox (vigil report send); use --dry-run to "
        "print a case's report");
  }
  ASSIGN_OR_RETURN(report::ncmec::NcmecConfig config, LoadConfig(flags));
  ASSIGN_OR_RETURN(auto validator, report::ncmec::SchemaValidator::Load(config.xsd_path));
  ASSIGN_OR_RETURN(auto db, OpenCommandDatabase(flags.db));
  ASSIGN_OR_RETURN(cases::Case c, db->cases().GetCase(flags.case_id));
  ASSIGN_OR_RETURN(std::unique_ptr<privacy::EvidenceStore> store,
                   OpenReportEvidence(flags.evidence));
  report::StoredEvidenceSource evidence(&db->privacy(), store.get());
  ASSIGN_OR_RETURN(report::ncmec::BuiltReport built,
                   report::ncmec::BuildReportFromSource(c, cases::ReviewConfig{}, config, {},
                                                        evidence, *validator));
  Print(fmt::format("<!-- report of case {} (dry run: not sent) -->\n", c.id));
  Print(built.report_xml);
  for (const auto& file : built.files) {
    // NCMEC assigns the report and file ids on submission; 0 and "pending" stand in for them.
    ASSIGN_OR_RETURN(std::string details,
                     report::ncmec::BuildFileDetails(file, 0, "pending", *validator));
    Print(fmt::format("<!-- file of item {}: {} bytes, md5 {}, sha256 {} -->\n",
                      file.evidence.item_id, file.evidence.bytes.size(), file.md5_hex,
                      file.sha256_hex));
    Print(details);
  }
  return Status::Ok();
}

}  // namespace

void RegisterReportNcmecCommand(CLI::App& report, int* exit_code) {
  auto flags = std::make_shared<NcmecFlags>();
  CLI::App* cmd = report.add_subcommand(
      "ncmec", "A case's NCMEC CyberTipline report (XML validated against the schema)");
  cmd->add_option("--case", flags->case_id, "The case to report")->required();
  cmd->add_option("--config", flags->config, "NCMEC settings (JSON, docs/reporting.md)")
      ->required();
  cmd->add_option("--xsd", flags->xsd, "cyber_tipline.xsd (overrides the config's xsd_path)");
  AddEvidenceOptions(*cmd, flags->evidence);
  cmd->add_option("--db", flags->db, "Database URL (default: $VIGIL_DATABASE_URL or vigil.db)");
  cmd->add_flag("--dry-run", flags->dry_run, "Print the report and file details; send nothing");
  cmd->callback([flags, exit_code] {
    Status s = DryRun(*flags);
    if (!s.ok()) PrintError(s);
    *exit_code = s.ok() ? 0 : ExitCodeFor(s.code());
  });
}

}  // namespace vigil::cli
