// Registration of the `vigil` subcommands. Each command parses its flags with CLI11, calls
// the library, prints, and stores its process exit code in *exit_code.
#ifndef VIGIL_CLI_COMMANDS_H_
#define VIGIL_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace vigil::cli {

void RegisterHashCommand(CLI::App& app, int* exit_code);
void RegisterMatchCommand(CLI::App& app, int* exit_code);
void RegisterScanCommand(CLI::App& app, int* exit_code);
void RegisterCasesCommand(CLI::App& app, int* exit_code);
void RegisterBankCommand(CLI::App& app, int* exit_code);
void RegisterReportCommand(CLI::App& app, int* exit_code);
// Adds `ncmec` under the `report` command registered by RegisterReportCommand.
void RegisterReportNcmecCommand(CLI::App& report, int* exit_code);
// Adds `send`, `outbox` and `overdue` under the `report` command.
void RegisterReportOutboxCommands(CLI::App& report, int* exit_code);
void RegisterAuditCommand(CLI::App& app, int* exit_code);
void RegisterStatsCommand(CLI::App& app, int* exit_code);
void RegisterPrivacyCommand(CLI::App& app, int* exit_code);
void RegisterClassifyCommand(CLI::App& app, int* exit_code);
void RegisterCalibrateCommand(CLI::App& app, int* exit_code);
void RegisterKeysCommand(CLI::App& app, int* exit_code);
void RegisterServeCommand(CLI::App& app, int* exit_code);
void RegisterRedressCommand(CLI::App& app, int* exit_code);
void RegisterNoticeCommand(CLI::App& app, int* exit_code);
void RegisterWorkerCommand(CLI::App& app, int* exit_code);
void RegisterQueueCommand(CLI::App& app, int* exit_code);
void RegisterExchangeCommand(CLI::App& app, int* exit_code);
// `hold`, `purge`, `retention` and `dpia` (data protection in the database).
void RegisterRetentionCommands(CLI::App& app, int* exit_code);

}  // namespace vigil::cli

#endif  // VIGIL_CLI_COMMANDS_H_
