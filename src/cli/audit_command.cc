// `vigil audit`: check and read the hash-chained audit log (audit/audit.h).
//   vigil audit verify [--anchor SEQ:HASH]   exit 0 and the head when intact, 11 when broken
//   vigil audit list [--from SEQ] [--limit N] [-f text|jsonl]
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "audit/audit.h"
#include "cli/commands.h"
#include "cli/database.h"
#include "cli/file_batch.h"

namespace vigil::cli {
namespace {

struct AuditFlags {
  std::string db;
  std::string format = "text";
  std::string anchor;
  int64_t from_seq = 1;
  size_t limit = 100;
};

// Opens the database and runs `fn` on its audit log; maps any error to an exit code.
int WithAuditLog(const AuditFlags& flags, const std::function<Status(audit::AuditStore&)>& fn) {
  if (flags.format != "text" && flags.format != "jsonl") {
    PrintError(
        InvalidArgumentError(fmt::format("unknown format '{}' (text or jsonl)", flags.format)));
    return ExitCodeFor(StatusCode::kInvalidArgument);
  }
  auto db = OpenCommandDatabase(flags.db);
  Status s = db.ok() ? fn((*db)->audit()) : db.status();
  if (!s.ok()) {
    PrintError(s);
    return ExitCodeFor(s.code());
  }
  return 0;
}

Status Verify(const AuditFlags& flags, audit::AuditStore& log) {
  std::optional<std::pair<int64_t, std::string>> anchor;
  if (!flags.anchor.empty()) {
    ASSIGN_OR_RETURN(anchor, audit::ParseAnchor(flags.anchor));
  }
  ASSIGN_OR_RETURN(audit::ChainHead head, audit::VerifyChain(log));
  if (anchor) RETURN_IF_ERROR(audit::VerifyAnchor(log, anchor->first, anchor->second));
  if (flags.format == "jsonl") {
    nlohmann::ordered_json j{{"ok", true},
                             {"records", head.records},
                             {"head", fmt::format("{}:{}", head.seq, head.hash)}};
    if (anchor) j["anchor_checked"] = fmt::format("{}:{}", anchor->first, anchor->second);
    std::puts(j.dump().c_str());
  } else {
    std::puts(fmt::format("audit log intact: {} records{}\nhead {}:{}", head.records,
                          anchor ? ", anchor found" : "", head.seq, head.hash)
                  .c_str());
  }
  return Status::Ok();
}

void PrintRecord(const AuditFlags& flags, const audit::AuditRecord& r) {
  if (flags.format == "jsonl") {
    nlohmann::ordered_json j{{"seq", r.seq},
                             {"at", FormatUtc(r.at)},
                             {"actor", r.event.actor},
                             {"action", r.event.action},
                             {"target", r.event.target},
                             {"origin", r.event.origin},
                             {"details", r.event.details},
                             {"prev_hash", r.prev_hash},
                             {"hash", r.hash}};
    std::puts(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  std::string line = fmt::format("{}  {}  {}  {}  {}", r.seq, FormatUtc(r.at), r.event.actor,
                                 r.event.action, r.event.target);
  if (!r.event.origin.empty()) line += "  from " + r.event.origin;
  if (!r.event.details.empty()) line += "  " + r.event.details;
  std::puts(line.c_str());
}

}  // namespace

void RegisterAuditCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<AuditFlags>();
  CLI::App* cmd = app.add_subcommand("audit", "Check and read the hash-chained audit log");
  cmd->require_subcommand(1);
  auto common = [&](CLI::App* sub) {
    sub->add_option("--db", flags->db, "Database URL (default: $VIGIL_DATABASE_URL or vigil.db)");
    sub->add_option("-f,--format", flags->format, "Output: text or jsonl")->capture_default_str();
  };
  CLI::App* verify = cmd->add_subcommand(
      "verify", "Check every record's hash and link; print the head to keep as an anchor");
  common(verify);
  verify->add_option("--anchor", flags->anchor,
                     "SEQ:HASH printed by an earlier verify; fails if the log no longer has it");
  verify->callback([flags, exit_code] {
    *exit_code = WithAuditLog(*flags, [&](audit::AuditStore& log) { return Verify(*flags, log); });
  });
  CLI::App* list = cmd->add_subcommand("list", "Print records in order");
  common(list);
  list->add_option("--from", flags->from_seq, "First seq to print")->capture_default_str();
  list->add_option("--limit", flags->limit, "Most records to print")->capture_default_str();
  list->callback([flags, exit_code] {
    *exit_code = WithAuditLog(*flags, [&](audit::AuditStore& log) -> Status {
      ASSIGN_OR_RETURN(std::vector<audit::AuditRecord> records,
                       log.List(flags->from_seq, flags->limit));
      for (const audit::AuditRecord& r : records) PrintRecord(*flags, r);
      return Status::Ok();
    });
  });
}

}  // namespace vigil::cli
