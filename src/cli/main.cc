// The `vigil` command. Thin: parses arguments, calls the library, maps statuses to exit codes.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "core/logging.h"

int main(int argc, char** argv) {
  CLI::App app{"vigil: detect, review, report and account for known abusive material"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "vigil 0.1.0");
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();

  int exit_code = 0;
  vigil::cli::RegisterHashCommand(app, &exit_code);
  vigil::cli::RegisterMatchCommand(app, &exit_code);
  vigil::cli::RegisterScanCommand(app, &exit_code);
  vigil::cli::RegisterCasesCommand(app, &exit_code);
  vigil::cli::RegisterBankCommand(app, &exit_code);
  vigil::cli::RegisterReportCommand(app, &exit_code);
  vigil::cli::RegisterReportNcmecCommand(*app.get_subcommand("report"), &exit_code);
  vigil::cli::RegisterReportOutboxCommands(*app.get_subcommand("report"), &exit_code);
  vigil::cli::RegisterAuditCommand(app, &exit_code);
  vigil::cli::RegisterStatsCommand(app, &exit_code);
  vigil::cli::RegisterPrivacyCommand(app, &exit_code);
  vigil::cli::RegisterClassifyCommand(app, &exit_code);
  vigil::cli::RegisterCalibrateCommand(app, &exit_code);
  vigil::cli::RegisterKeysCommand(app, &exit_code);
  vigil::cli::RegisterServeCommand(app, &exit_code);
  vigil::cli::RegisterRedressCommand(app, &exit_code);
  vigil::cli::RegisterNoticeCommand(app, &exit_code);
  vigil::cli::RegisterWorkerCommand(app, &exit_code);
  vigil::cli::RegisterQueueCommand(app, &exit_code);
  vigil::cli::RegisterExchangeCommand(app, &exit_code);
  vigil::cli::RegisterRetentionCommands(app, &exit_code);
  app.parse_complete_callback([&] {
    vigil::Status s = vigil::SetUpStderrLogging(log_level);
    if (!s.ok()) throw CLI::ValidationError("--log-level", s.message());
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the message (or the help); every usage error exits 2 (docs/cli.md).
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    // The library reports errors as values; anything thrown here is a bug or out-of-memory.
    std::fprintf(stderr, "vigil: internal error: %s\n", e.what());
    return 12;
  }
  return exit_code;
}
