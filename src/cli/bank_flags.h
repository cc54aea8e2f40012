// What the `vigil bank` subcommands share: their flags and the helpers for opening the database,
// failing with a message and recording changes in the audit log. Internal to the CLI.
#ifndef VIGIL_CLI_BANK_FLAGS_H_
#define VIGIL_CLI_BANK_FLAGS_H_

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace vigil::cli {
class BankChangeTarget;
}  // namespace vigil::cli

namespace vigil::cli::bank_cli {

struct BankFlags {
  std::string db;
  std::string name;
  std::string format;
  // create
  std::string owner, description, source_list;
  bool auto_action = false;
  // import / add / retire
  std::string file;
  std::vector<std::string> files;
  std::string type;
  bool skip_invalid = false;
  std::vector<std::string> values;
  std::string source_ref;
  int verifications = 0;
  bool needs_verification = false;
  int64_t id = 0;
  std::string reason;
  std::string events;  // NATS URL: publish add/retire/import to the scale-out workers
  // export
  bool include_retired = false;
  std::string output;
  bool progress = true;
  bool quiet = false;
  std::string by;  // who makes the change, for the audit log (default: the system user)
};

// Prints the error and returns its exit code.
int Fail(const Status& status);

// Opens the database; reading commands (create = false) do not create a missing file.
Result<std::unique_ptr<store::Database>> Open(const BankFlags& flags, bool create);

// Records a change (or an export of a list) in the audit log after it committed; 0 when
// recorded, else the failure's exit code after printing it.
int Record(store::Database& db, const BankFlags& f, std::string_view action, std::string target,
           const nlohmann::json& details);

// Records a committed change made through `target` like Record, with whether its bank events
// were published when --events was given ("events" in the details); then, when they were not,
// prints that failure and returns its exit code (10), so the record never depends on NATS.
int RecordChange(store::Database& db, const BankFlags& f, const BankChangeTarget& target,
                 std::string_view action, std::string target_name, nlohmann::json details);

// `vigil bank import` (bank_import_command.cc).
int RunImport(const BankFlags& flags);

}  // namespace vigil::cli::bank_cli

#endif  // VIGIL_CLI_BANK_FLAGS_H_
