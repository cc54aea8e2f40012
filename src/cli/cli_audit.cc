#include "cli/cli_audit.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <vector>

namespace vigil::cli {

std::string CliOrigin() {
  const uid_t uid = geteuid();
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
      found->pw_name != nullptr && found->pw_name[0] != '\0') {
    return fmt::format("cli:{}", found->pw_name);
  }
  return fmt::format("cli:uid{}", uid);
}

Status RecordCliEvent(store::Database& db, std::string_view actor, std::string_view action,
                      std::string_view target, const nlohmann::json& details) {
  Status s = db.audit()
                 .Append({.actor = std::string(actor),
                          .action = std::string(action),
                          .target = std::string(target),
                          .origin = CliOrigin(),
                          .details = details.dump()})
                 .status();
  if (s.ok()) return s;
  return Status(s.code(), fmt::format("{} was done but NOT recorded in the audit log: {}", action,
                                      s.message()));
}

}  // namespace vigil::cli
