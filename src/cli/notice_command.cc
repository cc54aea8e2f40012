// `vigil notice`: the general user-facing explanation of the scanning (Art 3(1)(g)(v)), in text
// or HTML, generated from the configuration in use: the detection rules (technologies, automatic
// action), the annual-report configuration (provider, organisations reported to) and the
// redress configuration (service, supervisory authority, complaint deadline).
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "cli/file_batch.h"
#include "detect/rules.h"
#include "redress/redress.h"
#include "transparency/transparency.h"

namespace vigil::cli {
namespace {

struct NoticeFlags {
  std::string config;
  std::string report_config;
  std::string rules;
  std::string language;
  std::string format = "text";
  std::string out;
};

Result<redress::ScanningFacts> Facts(const NoticeFlags& flags,
                                     const redress::RedressFileConfig& config) {
  ASSIGN_OR_RETURN(transparency::StandardForm form,
                   transparency::BuiltInForm(transparency::kDefaultFormId));
  ASSIGN_OR_RETURN(transparency::ReportConfig report,
                   transparency::LoadReportConfig(flags.report_config, form));
  if (!report.organisations_given) {
    return InvalidArgumentError(fmt::format(
        "{}: \"organisations\" is missing; the notice must name who reports go to (give [] when "
        "none)",
        flags.report_config));
  }
  ASSIGN_OR_RETURN(detect::RuleSet rules, detect::RuleSet::ParseFile(flags.rules));
  redress::ScanningFacts facts{
      .service_name = config.redress.service_name,
      .provider_name = report.provider_name,
      .supervisory_authority = config.redress.supervisory_authority,
      .complaint_deadline_days = static_cast<int>(config.redress.complaint_deadline.count()),
      .generated_at = SystemClock().Now()};
  std::set<std::string> seen;
  for (const detect::Rule& r : rules.rules()) {
    if (r.action == detect::Action::kIgnore) continue;
    if (seen.insert(r.detector).second) facts.detectors.push_back(r.detector);
    facts.automatic_action = facts.automatic_action || (rules.auto_action_enabled() &&
                                                        r.action == detect::Action::kAutoAction);
  }
  for (const transparency::Organisation& o : report.organisations) {
    facts.organisations.push_back(o.name);
  }
  return facts;
}

Status Render(const NoticeFlags& flags) {
  if (flags.format != "text" && flags.format != "html") {
    return InvalidArgumentError(
        fmt::format("--format must be text or html, not {}", flags.format.substr(0, 20)));
  }
  ASSIGN_OR_RETURN(redress::RedressFileConfig config, redress::LoadRedressConfig(flags.config));
  ASSIGN_OR_RETURN(redress::ScanningFacts facts, Facts(flags, config));
  ASSIGN_OR_RETURN(auto templates, redress::EmbeddedScanningNoticeTemplates());
  const std::string language =
      flags.language.empty() ? config.redress.default_language : flags.language;
  auto t = templates.find(language);
  if (t == templates.end()) {
    std::string known;
    for (const auto& [l, unused] : templates) known += (known.empty() ? "" : ", ") + l;
    return NotFoundError(fmt::format("no scanning-notice template for language {} (available: {})",
                                     language.substr(0, 20), known));
  }
  ASSIGN_OR_RETURN(redress::RenderedScanningNotice notice,
                   redress::RenderScanningNotice(t->second, facts));
  const std::string& body = flags.format == "html" ? notice.html : notice.text;
  if (flags.out.empty() || flags.out == "-") {
    std::fwrite(body.data(), 1, body.size(), stdout);
    return Status::Ok();
  }
  std::ofstream f(flags.out, std::ios::binary | std::ios::trunc);
  f << body;
  f.close();
  if (!f) return UnavailableError(fmt::format("cannot write {}", flags.out));
  return Status::Ok();
}

}  // namespace

void RegisterNoticeCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<NoticeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "notice", "The general scanning notice for users (Art 3(1)(g)(v)), from the configuration");
  cmd->add_option("--config", flags->config, "Redress settings (JSON, docs/redress.md)")
      ->required();
  cmd->add_option("--report-config", flags->report_config,
                  "Annual-report configuration: provider and organisations (docs/transparency.md)")
      ->required();
  cmd->add_option("--rules", flags->rules, "Detection rules (default: the built-in rules)");
  cmd->add_option("--language", flags->language, "Language (default: the config's)");
  cmd->add_option("--format", flags->format, "text or html")->capture_default_str();
  cmd->add_option("--out", flags->out, "Output file (default: standard output)");
  cmd->callback([flags, exit_code] {
    Status s = Render(*flags);
    if (!s.ok()) PrintError(s);
    *exit_code = s.ok() ? 0 : ExitCodeFor(s.code());
  });
}

}  // namespace vigil::cli
