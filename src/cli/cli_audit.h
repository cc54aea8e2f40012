// Audit records for what CLI commands change or show. The audit log covers every state change
// and every view of evidence, whoever makes it (issue 6; Art 3(1)(h) accountability); the
// server records its own requests (server/audit_recorder.h), the CLI records through this.
#ifndef VIGIL_CLI_CLI_AUDIT_H_
#define VIGIL_CLI_CLI_AUDIT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/store.h"

namespace vigil::cli {

// "cli:<login>" for the operating-system user running the command ("cli:uid<N>" when the user
// has no name), recorded as the event's origin beside the actor the command names.
std::string CliOrigin();

// Appends one event after the change it describes committed. An error means the change
// happened but was not recorded: the command then fails with a message saying so, so the
// operator can record it by hand rather than lose the trail silently.
Status RecordCliEvent(store::Database& db, std::string_view actor, std::string_view action,
                      std::string_view target, const nlohmann::json& details);

}  // namespace vigil::cli

#endif  // VIGIL_CLI_CLI_AUDIT_H_
