// `vigil bank create|list|import|export|add|retire|stats`: manage hash banks in the database.
// Reference vPDQ files (one video each) go in and out through bank_vpdq.cc.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bank/bank.h"
#include "bank/csv.h"
#include "cli/bank_events.h"
#include "cli/bank_flags.h"
#include "cli/bank_vpdq.h"
#include "cli/cli_audit.h"
#include "cli/commands.h"
#include "cli/database.h"
#include "cli/hash_output.h"
#include "store/store.h"

namespace vigil::cli {
namespace bank_cli {

using nlohmann::ordered_json;

int Fail(const Status& status) {
  std::fprintf(stderr, "vigil: %s\n", status.message().c_str());
  return ExitCodeFor(status.code());
}

// Records a change (or an export of a list) in the audit log after it committed (issue 6,
// Art 3(1)(h)); 0 when recorded. Bank provenance keeps the entries' history, the audit log says
// who did it.
int Record(store::Database& db, const BankFlags& f, std::string_view action, std::string target,
           const nlohmann::json& details) {
  Status s = RecordCliEvent(db, f.by.empty() ? CliOrigin() : f.by, action, target, details);
  return s.ok() ? 0 : Fail(s);
}

int RecordChange(store::Database& db, const BankFlags& f, const BankChangeTarget& target,
                 std::string_view action, std::string target_name, nlohmann::json details) {
  const Status lost = target.publish_failure();
  if (target.publishes()) details["events"] = lost.ok() ? "published" : "not published";
  if (int rc = Record(db, f, action, std::move(target_name), details); rc != 0) return rc;
  return lost.ok() ? 0 : Fail(lost);
}

// Reading commands do not create a database file that is not there (a typo in --db would
// otherwise leave an empty vigil.db behind and report "no banks").
Result<std::unique_ptr<store::Database>> Open(const BankFlags& flags, bool create) {
  auto db = store::OpenDatabase(ResolveDatabaseUrl(flags.db), {.create_if_missing = create});
  if (!db.ok() && db.status().code() == StatusCode::kNotFound && !create) {
    return NotFoundError(db.status().message() + "; create a bank first with `vigil bank create`");
  }
  return db;
}

namespace {

// Text written by another program could hold invalid UTF-8; replace it rather than throw.
std::string Dump(const ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ordered_json BankJson(const bank::Bank& b) {
  return {{"name", b.name},
          {"id", b.id},
          {"owner", b.owner},
          {"description", b.description},
          {"source_list", b.source_list},
          {"policy", bank::ActionPolicyName(b.policy)},
          {"created_at", FormatUtc(b.created_at)}};
}

int RunCreate(const BankFlags& f) {
  auto db = Open(f, /*create=*/true);
  if (!db.ok()) return Fail(db.status());
  auto target = BankChangeTarget::Open(**db, f.events);
  if (!target.ok()) return Fail(target.status());
  auto bank = (*target)->banks().CreateBank({.name = f.name,
                                             .owner = f.owner,
                                             .description = f.description,
                                             .source_list = f.source_list,
                                             .policy = f.auto_action
                                                           ? bank::ActionPolicy::kAutoAction
                                                           : bank::ActionPolicy::kReviewRequired});
  if (!bank.ok()) return Fail(bank.status());
  if (f.format == "jsonl") {
    std::printf("%s\n", Dump(BankJson(*bank)).c_str());
  } else {
    std::printf("created bank %s (%s)\n", bank->name.c_str(),
                std::string(bank::ActionPolicyName(bank->policy)).c_str());
  }
  return RecordChange(**db, f, **target, "bank.create", "bank:" + bank->name,
                      {{"policy", bank::ActionPolicyName(bank->policy)},
                       {"owner", bank->owner},
                       {"source_list", bank->source_list}});
}

int RunList(const BankFlags& f) {
  auto db = Open(f, /*create=*/false);
  if (!db.ok()) return Fail(db.status());
  auto banks = (*db)->banks().ListBanks();
  if (!banks.ok()) return Fail(banks.status());
  if (f.format == "jsonl") {
    for (const auto& b : *banks) std::printf("%s\n", Dump(BankJson(b)).c_str());
  } else if (f.format == "csv") {
    std::printf("name,policy,owner,source_list,created_at,description\n");
    for (const auto& b : *banks) {
      std::printf("%s\n", fmt::format("{},{},{},{},{},{}", bank::CsvQuote(b.name),
                                      bank::ActionPolicyName(b.policy), bank::CsvQuote(b.owner),
                                      bank::CsvQuote(b.source_list), FormatUtc(b.created_at),
                                      bank::CsvQuote(b.description))
                              .c_str());
    }
  } else {
    size_t width = 4;
    for (const auto& b : *banks) width = std::max(width, b.name.size());
    std::printf("%-*s  %-15s  %-20s  %s\n", static_cast<int>(width), "NAME", "POLICY", "CREATED",
                "OWNER");
    for (const auto& b : *banks) {
      std::printf("%-*s  %-15s  %-20s  %s\n", static_cast<int>(width), b.name.c_str(),
                  std::string(bank::ActionPolicyName(b.policy)).c_str(),
                  FormatUtc(b.created_at).c_str(), b.owner.c_str());
    }
  }
  return 0;
}

int RunExport(const BankFlags& f) {
  auto format = bank::ParseListFormat(f.format.empty() || f.format == "vpdq" ? "csv" : f.format);
  if (!format.ok()) return Fail(format.status());
  auto db = Open(f, /*create=*/false);
  if (!db.ok()) return Fail(db.status());
  auto b = (*db)->banks().GetBank(f.name);
  if (!b.ok()) return Fail(b.status());
  const nlohmann::json exported = {{"format", f.format.empty() ? "csv" : f.format},
                                   {"output", f.output.empty() ? "-" : f.output},
                                   {"include_retired", f.include_retired}};
  if (f.format == "vpdq") {
    const int rc = ExportVpdqFiles((*db)->banks(), *b, f.output, f.include_retired, f.quiet);
    return rc != 0 ? rc : Record(**db, f, "bank.export", "bank:" + f.name, exported);
  }
  std::ofstream file;
  if (!f.output.empty() && f.output != "-") {
    file.open(f.output, std::ios::binary | std::ios::trunc);
    if (!file) return Fail(UnavailableError(fmt::format("{}: cannot create", f.output)));
  }
  std::ostream& out = file.is_open() ? static_cast<std::ostream&>(file) : std::cout;
  auto n = bank::ExportBank((*db)->banks(), b->id,
                            {.format = *format, .include_retired = f.include_retired}, out);
  if (!n.ok()) return Fail(f.output.empty() ? n.status() : n.status().WithContext(f.output));
  if (!f.quiet) {
    std::fprintf(stderr, "vigil: exported %llu entr%s of %s\n", static_cast<unsigned long long>(*n),
                 *n == 1 ? "y" : "ies", f.name.c_str());
  }
  nlohmann::json details = exported;
  details["entries"] = *n;
  return Record(**db, f, "bank.export", "bank:" + f.name, details);
}

int RunAdd(const BankFlags& f) {
  auto type = bank::ParseSignalType(f.type);
  if (!type.ok()) return Fail(type.status());
  bank::EntryBatch batch;
  for (const std::string& value : f.values) {
    Status s = batch.Add({.signal_type = *type,
                          .value = value,
                          .source_ref = f.source_ref,
                          .verifications = f.verifications,
                          .needs_verification = f.needs_verification});
    if (!s.ok()) return Fail(s.WithContext(bank::EscapeForMessage(value)));
  }
  auto db = Open(f, /*create=*/false);
  if (!db.ok()) return Fail(db.status());
  auto target = BankChangeTarget::Open(**db, f.events);
  if (!target.ok()) return Fail(target.status());
  bank::BankStore& banks = (*target)->banks();
  auto b = banks.GetBank(f.name);
  if (!b.ok()) return Fail(b.status());
  auto added = banks.AddEntries(b->id, batch);
  if (!added.ok()) return Fail(added.status());
  nlohmann::json entry_ids = nlohmann::json::array();
  for (size_t i = 0; i < batch.size(); ++i) {
    const std::string hex = batch.Get(i).value;
    auto e = banks.FindEntry(b->id, *type, hex);
    if (!e.ok()) return Fail(e.status());
    entry_ids.push_back(e->id);
    std::printf("%s\n", fmt::format("entry {} {} {}{}", e->id, bank::SignalTypeName(*type), hex,
                                    e->retired ? " (retired)" : "")
                            .c_str());
  }
  if (!f.quiet) {
    std::fprintf(stderr, "vigil: %llu added to %s, %llu already present\n",
                 static_cast<unsigned long long>(added->added), f.name.c_str(),
                 static_cast<unsigned long long>(added->already_present));
  }
  return RecordChange(**db, f, **target, "bank.add", "bank:" + f.name,
                      {{"type", bank::SignalTypeName(*type)},
                       {"entries", entry_ids},
                       {"added", added->added},
                       {"already_present", added->already_present},
                       {"source_ref", f.source_ref}});
}

int RunRetire(const BankFlags& f) {
  auto db = Open(f, /*create=*/false);
  if (!db.ok()) return Fail(db.status());
  auto target = BankChangeTarget::Open(**db, f.events);
  if (!target.ok()) return Fail(target.status());
  bank::BankStore& banks = (*target)->banks();
  auto b = banks.GetBank(f.name);
  if (!b.ok()) return Fail(b.status());
  Result<bank::BankEntry> entry = NotFoundError("");
  if (f.id > 0) {
    entry = banks.GetEntry(f.id);
    if (entry.ok() && entry->bank_id != b->id) {
      entry = NotFoundError(fmt::format("entry {} is not in bank {}", f.id, f.name));
    }
  } else if (!f.type.empty() && f.values.size() == 1) {
    auto type = bank::ParseSignalType(f.type);
    if (!type.ok()) return Fail(type.status());
    entry = banks.FindEntry(b->id, *type, f.values[0]);
  } else {
    return Fail(InvalidArgumentError("name the entry: --id N, or TYPE VALUE"));
  }
  if (!entry.ok()) return Fail(entry.status());
  auto retired = banks.RetireEntry(entry->id, f.reason);
  if (!retired.ok()) return Fail(retired.status());
  std::printf("%s\n", fmt::format("retired entry {} {} {} in {} at {}: {}", retired->id,
                                  bank::SignalTypeName(retired->signal_type), retired->value,
                                  f.name, FormatUtc(retired->retired_at), retired->retired_reason)
                          .c_str());
  return RecordChange(**db, f, **target, "bank.retire", fmt::format("bank_entry:{}", retired->id),
                      {{"bank", f.name}, {"reason", retired->retired_reason}});
}

int RunStats(const BankFlags& f) {
  auto db = Open(f, /*create=*/false);
  if (!db.ok()) return Fail(db.status());
  auto b = (*db)->banks().GetBank(f.name);
  if (!b.ok()) return Fail(b.status());
  auto st = (*db)->banks().GetStats(b->id);
  if (!st.ok()) return Fail(st.status());
  if (f.format == "jsonl") {
    ordered_json by_type = ordered_json::object();
    for (const auto& [type, c] : st->by_type) {
      by_type[std::string(bank::SignalTypeName(type))] = {{"active", c.active},
                                                          {"retired", c.retired}};
    }
    ordered_json j = {{"bank", b->name},          {"total", st->total},
                      {"active", st->active},     {"retired", st->retired},
                      {"verified", st->verified}, {"needs_verification", st->needs_verification},
                      {"by_type", by_type}};
    std::printf("%s\n", Dump(j).c_str());
    return 0;
  }
  std::string text = fmt::format(
      "bank {} ({}{}{})\n"
      "entries: {} total, {} active, {} retired\n"
      "active: {} verified, {} needing verification\n",
      b->name, bank::ActionPolicyName(b->policy), b->owner.empty() ? "" : ", owner ", b->owner,
      st->total, st->active, st->retired, st->verified, st->needs_verification);
  for (const auto& [type, c] : st->by_type) {
    text +=
        fmt::format("{}: {} active, {} retired\n", bank::SignalTypeName(type), c.active, c.retired);
  }
  std::fputs(text.c_str(), stdout);
  return 0;
}

// Adds a subcommand with the flags every bank command shares.
// Commands that change a bank or write out its list also take --by for the audit log.
CLI::App* AddCommand(CLI::App* bank, const char* name, const char* help,
                     const std::shared_ptr<BankFlags>& flags, int (*run)(const BankFlags&),
                     int* exit_code, bool audited = true) {
  CLI::App* cmd = bank->add_subcommand(name, help);
  cmd->add_option("--db", flags->db, "Database URL (default: $VIGIL_DATABASE_URL or vigil.db)");
  if (audited) {
    cmd->add_option("--by", flags->by,
                    "Who makes the change, for the audit log (default: the system user)");
  }
  cmd->callback([flags, run, exit_code] { *exit_code = run(*flags); });
  return cmd;
}

}  // namespace
}  // namespace bank_cli

void RegisterBankCommand(CLI::App& app, int* exit_code) {
  using bank_cli::AddCommand;
  using bank_cli::BankFlags;
  using bank_cli::RunAdd, bank_cli::RunCreate, bank_cli::RunExport, bank_cli::RunImport,
      bank_cli::RunList, bank_cli::RunRetire, bank_cli::RunStats;
  CLI::App* bank = app.add_subcommand("bank", "Create, fill and inspect hash banks");
  bank->require_subcommand(1);
  const auto output = CLI::IsMember({"text", "csv", "jsonl"});

  auto f = std::make_shared<BankFlags>();
  CLI::App* cmd = AddCommand(bank, "create", "Create a bank", f, RunCreate, exit_code);
  cmd->add_option("name", f->name, "Bank name: letters, digits, '_', '-', '.'")->required();
  cmd->add_option("--owner", f->owner, "Organisation the list comes from");
  cmd->add_option("--description", f->description, "What the bank holds");
  cmd->add_option("--source-list", f->source_list, "The list's name at its source");
  cmd->add_flag("--auto-action", f->auto_action,
                "Matches may be acted on without human review (default: review required)");
  cmd->add_option("-f,--format", f->format, "Output: text or jsonl")->check(output);
  cmd->add_option("--events", f->events,
                  "NATS server URL: also tell the scale-out workers, which then match the bank")
      ->envname("VIGIL_NATS_URL");

  f = std::make_shared<BankFlags>();
  cmd = AddCommand(bank, "list", "List banks", f, RunList, exit_code, /*audited=*/false);
  cmd->add_option("-f,--format", f->format, "Output: text, csv or jsonl")->check(output);

  f = std::make_shared<BankFlags>();
  cmd = AddCommand(bank, "import", "Import a hash list into a bank (all rows or none)", f,
                   RunImport, exit_code);
  cmd->add_option("name", f->name, "Bank")->required();
  cmd->add_option("files", f->files,
                  "List file, or - for standard input; with --format vpdq, one file per video")
      ->required();
  cmd->add_option("-f,--format", f->format,
                  "Input: csv, jsonl, te, or vpdq (reference vPDQ files; default: from extension)")
      ->check(CLI::IsMember({"csv", "jsonl", "te", "vpdq"}));
  cmd->add_option("--type", f->type,
                  "Type of rows without one (bare hashes): pdq, md5, sha256, vpdq");
  cmd->add_option("--source-ref", f->source_ref,
                  "vpdq: the source's reference for every file (default: the file's name)");
  cmd->add_option("--verifications", f->verifications, "vpdq: reviewers who verified them")
      ->check(CLI::Range(0, bank::kMaxVerifications));
  cmd->add_flag("--needs-verification", f->needs_verification, "vpdq: flag them for verification");
  cmd->add_flag("--skip-invalid", f->skip_invalid, "Import the valid rows even if some are not");
  cmd->add_flag("!--no-progress", f->progress, "No progress bar");
  cmd->add_flag("-q,--quiet", f->quiet, "No progress bar or duplicate report");
  cmd->add_option("--events", f->events,
                  "NATS server URL: also publish the change to the scale-out workers")
      ->envname("VIGIL_NATS_URL");

  f = std::make_shared<BankFlags>();
  cmd =
      AddCommand(bank, "export", "Write a bank's entries as a hash list", f, RunExport, exit_code);
  cmd->add_option("name", f->name, "Bank")->required();
  cmd->add_option(
         "-f,--format", f->format,
         "Output: csv (default), jsonl, te, or vpdq (a reference file per video into -o DIR)")
      ->check(CLI::IsMember({"csv", "jsonl", "te", "vpdq"}));
  cmd->add_flag("--include-retired", f->include_retired, "Also export retired entries");
  cmd->add_option("-o,--output", f->output,
                  "Output file (default: standard output); the directory for --format vpdq");
  cmd->add_flag("-q,--quiet", f->quiet, "No summary");

  f = std::make_shared<BankFlags>();
  cmd = AddCommand(bank, "add", "Add hashes to a bank", f, RunAdd, exit_code);
  cmd->add_option("name", f->name, "Bank")->required();
  cmd->add_option("type", f->type, "pdq, md5, sha256 or vpdq")->required();
  cmd->add_option("values", f->values, "Hash values (hex; vpdq: frame lines joined by ';')")
      ->required();
  cmd->add_option("--source-ref", f->source_ref, "The source's reference for these hashes");
  cmd->add_option("--verifications", f->verifications, "Reviewers who verified them")
      ->check(CLI::Range(0, bank::kMaxVerifications));
  cmd->add_flag("--needs-verification", f->needs_verification, "Flag them for verification");
  cmd->add_flag("-q,--quiet", f->quiet, "No summary");
  cmd->add_option("--events", f->events,
                  "NATS server URL: also publish the change to the scale-out workers")
      ->envname("VIGIL_NATS_URL");

  f = std::make_shared<BankFlags>();
  cmd = AddCommand(bank, "retire", "Retire an entry: it stops matching but is kept", f, RunRetire,
                   exit_code);
  cmd->add_option("name", f->name, "Bank")->required();
  cmd->add_option("type", f->type, "Type of the entry's value (or use --id)");
  cmd->add_option("values", f->values, "The entry's value")->expected(0, 1);
  cmd->add_option("--id", f->id, "The entry's id");
  cmd->add_option("--reason", f->reason, "Why, e.g. 'false positive confirmed on review'")
      ->required();
  cmd->add_option("--events", f->events,
                  "NATS server URL: also publish the change to the scale-out workers")
      ->envname("VIGIL_NATS_URL");

  f = std::make_shared<BankFlags>();
  cmd = AddCommand(bank, "stats", "Count a bank's entries", f, RunStats, exit_code,
                   /*audited=*/false);
  cmd->add_option("name", f->name, "Bank")->required();
  cmd->add_option("-f,--format", f->format, "Output: text or jsonl")
      ->check(CLI::IsMember({"text", "jsonl"}));
}

}  // namespace vigil::cli
