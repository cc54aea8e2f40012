// Data protection in the database (docs/privacy.md):
//   vigil hold add (--case N | --account ID) --reason TEXT (--until DATE | --review DATE) --by WHO
//   vigil hold list [--active] [-f text|jsonl]
//   vigil hold release ID --by WHO
//   vigil purge [--batch N] [--verify-only] [evidence options]
//   vigil retention show | set FILE
//   vigil dpia add --technology T --date DATE --authority A --outcome O --link URL --by WHO
//   vigil dpia list [--technology T]
// Holds placed and released are written to the audit log. `vigil purge` exits 0 only when the
// verification after it finds nothing past its expiry (else kFailedPrecondition, listing what
// remains).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "bank/timestamp.h"
#include "cli/commands.h"
#include "cli/crash_point.h"
#include "cli/database.h"
#include "cli/evidence_options.h"
#include "cli/file_batch.h"
#include "core/file.h"
#include "privacy/purge.h"

namespace vigil::cli {
namespace {

struct RetentionFlags {
  std::string db;
  std::string format = "text";
  int64_t case_id = 0;
  std::string account, reason, until, review, by;
  bool active = false;
  int64_t hold_id = 0;
  size_t batch = 100;
  bool verify_only = false;
  std::string policy_file;
  std::string technology, date, authority, outcome, link;
  EvidenceFlags evidence;
};

// Runs `fn` on the opened database and maps an error to the exit code.
void Run(const RetentionFlags& flags, int* exit_code,
         const std::function<Status(store::Database&)>& fn) {
  auto db = OpenCommandDatabase(flags.db);
  const Status s = db.ok() ? fn(**db) : db.status();
  if (!s.ok()) {
    PrintError(s);
    *exit_code = ExitCodeFor(s.code());
  }
}

Result<std::optional<TimePoint>> OptionalDate(const std::string& text) {
  if (text.empty()) return std::optional<TimePoint>();
  ASSIGN_OR_RETURN(TimePoint t, bank::ParseUtcTimestamp(text));
  return std::optional<TimePoint>(t);
}

std::string HoldLine(const privacy::HoldRecord& h, const std::string& format) {
  nlohmann::ordered_json j{{"id", h.id},
                           {"subject", h.subject},
                           {"reason", h.reason},
                           {"placed_by", h.placed_by},
                           {"placed_at", FormatUtc(h.placed_at)}};
  j["review_at"] = h.review_at ? FormatUtc(*h.review_at) : "";
  j["ends_at"] = h.ends_at ? FormatUtc(*h.ends_at) : "";
  j["released_at"] = h.released_at ? FormatUtc(*h.released_at) : "";
  j["released_by"] = h.released_by;
  if (format == "jsonl") return j.dump();
  return fmt::format("{}  {}  placed {} by {}  review {}  ends {}  released {}  {}", h.id,
                     h.subject, FormatUtc(h.placed_at), h.placed_by,
                     h.review_at ? FormatUtc(*h.review_at) : "-",
                     h.ends_at ? FormatUtc(*h.ends_at) : "-",
                     h.released_at ? FormatUtc(*h.released_at) : "-", h.reason);
}

Status AddHold(store::Database& db, const RetentionFlags& f) {
  if ((f.case_id > 0) == !f.account.empty()) {
    return InvalidArgumentError("give exactly one of --case N and --account ID");
  }
  privacy::HoldRecord h{
      .subject = f.case_id > 0 ? fmt::format("case:{}", f.case_id) : "account:" + f.account,
      .reason = f.reason,
      .placed_by = f.by,
      .placed_at = SystemClock().Now()};
  ASSIGN_OR_RETURN(h.ends_at, OptionalDate(f.until));
  ASSIGN_OR_RETURN(h.review_at, OptionalDate(f.review));
  ASSIGN_OR_RETURN(privacy::HoldRecord placed,
                   privacy::PlaceHold(db.privacy(), db.audit(), h, "cli"));
  std::puts(HoldLine(placed, f.format).c_str());
  return Status::Ok();
}

Status Purge(store::Database& db, const RetentionFlags& f) {
  ASSIGN_OR_RETURN(std::unique_ptr<privacy::EvidenceStore> evidence, OpenEvidenceStore(f.evidence));
  const TimePoint now = SystemClock().Now();
  if (!f.verify_only) {
    ASSIGN_OR_RETURN(privacy::PurgeSummary s,
                     privacy::Purge(db.privacy(), evidence.get(), now,
                                    {.batch_size = f.batch,
                                     .after_batch =
                                         [](int) {
                                           CrashPoint("purge-batch-committed");
                                           return Status::Ok();
                                         },
                                     .before_erase =
                                         [](int64_t) {
                                           CrashPoint("purge-files-deleted");
                                           return Status::Ok();
                                         },
                                     .audit_log = &db.audit()}));
    std::puts(fmt::format("purged {} case(s), {} record(s) in {} batch(es)", s.cases, s.records,
                          s.batches)
                  .c_str());
    for (const auto& [purpose, n] : s.records_by_purpose) {
      std::puts(fmt::format("  {}: {}", purpose, n).c_str());
    }
    std::puts(fmt::format("purged outside cases: {} legal hold(s), {} DPIA record(s), {} "
                          "reviewer exposure row(s), {} audit record(s), {} classifier retry "
                          "item(s)",
                          s.outside_cases.legal_holds, s.outside_cases.dpia_records,
                          s.outside_cases.reviewer_exposure, s.audit_records,
                          s.outside_cases.classify_retries)
                  .c_str());
  }
  ASSIGN_OR_RETURN(std::vector<std::string> problems,
                   privacy::VerifyRetention(db.privacy(), evidence.get(), now, &db.audit()));
  for (const std::string& p : problems) std::puts(p.c_str());
  if (!problems.empty()) {
    return FailedPreconditionError(fmt::format(
        "verification: {} record(s) past their expiry remain (listed above)", problems.size()));
  }
  std::puts(fmt::format("verified: nothing past its expiry remains at {}", FormatUtc(now)).c_str());
  return Status::Ok();
}

Status SetPolicy(store::Database& db, const RetentionFlags& f) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(f.policy_file, 1 << 20));
  ASSIGN_OR_RETURN(privacy::RetentionPolicy policy,
                   privacy::ParseRetentionPolicyJson(
                       std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                       f.policy_file));
  return db.privacy().PutRetentionPolicy(policy, SystemClock().Now());
}

Status ShowPolicy(store::Database& db) {
  ASSIGN_OR_RETURN(privacy::RetentionPolicy policy, db.privacy().GetRetentionPolicy());
  for (const auto& [purpose, days] : policy.max_age) {
    std::puts(fmt::format("{}: {} days", privacy::PurposeName(purpose), days.count()).c_str());
  }
  return Status::Ok();
}

Status AddDpia(store::Database& db, const RetentionFlags& f) {
  ASSIGN_OR_RETURN(TimePoint on, bank::ParseUtcTimestamp(f.date));
  ASSIGN_OR_RETURN(privacy::DpiaRecord r,
                   db.privacy().AddDpia({.technology = f.technology,
                                         .assessed_on = on,
                                         .authority = f.authority,
                                         .outcome = f.outcome,
                                         .link = f.link,
                                         .recorded_by = f.by,
                                         .recorded_at = SystemClock().Now()}));
  RETURN_IF_ERROR(db.audit()
                      .Append({.actor = f.by,
                               .action = "privacy.dpia.add",
                               .target = "technology:" + f.technology,
                               .origin = "cli",
                               .details = nlohmann::json{{"id", r.id}, {"link", r.link}}.dump()})
                      .status());
  std::puts(fmt::format("DPIA record {} for {}", r.id, r.technology).c_str());
  return Status::Ok();
}

Status ListDpia(store::Database& db, const RetentionFlags& f) {
  ASSIGN_OR_RETURN(
      std::vector<privacy::DpiaRecord> records,
      db.privacy().ListDpia(f.technology.empty() ? std::nullopt : std::optional(f.technology)));
  for (const privacy::DpiaRecord& r : records) {
    std::puts(fmt::format("{}  {}  {}  {}  {}  {}", r.id, r.technology,
                          FormatUtc(r.assessed_on).substr(0, 10), r.authority, r.outcome, r.link)
                  .c_str());
  }
  return Status::Ok();
}

void RegisterHold(CLI::App& app, const std::shared_ptr<RetentionFlags>& f, int* exit_code) {
  CLI::App* hold = app.add_subcommand("hold", "Legal holds: suspend expiry of a case or account");
  hold->require_subcommand(1);
  hold->fallthrough();  // --db and -f also after the subcommand
  hold->add_option("--db", f->db, "Database URL (default: VIGIL_DATABASE_URL or vigil.db)");
  hold->add_option("-f,--format", f->format, "Output: text or jsonl");
  CLI::App* add = hold->add_subcommand("add", "Place a hold (audited)");
  add->add_option("--case", f->case_id, "Case id");
  add->add_option("--account", f->account, "Account id as stored in cases");
  add->add_option("--reason", f->reason, "Pending complaint or legal procedure")->required();
  add->add_option("--until", f->until, "End date (UTC, e.g. 2027-06-30)");
  add->add_option("--review", f->review, "Review date (UTC)");
  add->add_option("--by", f->by, "Who places it (audit actor)")->required();
  add->callback(
      [f, exit_code] { Run(*f, exit_code, [&](store::Database& db) { return AddHold(db, *f); }); });
  CLI::App* list = hold->add_subcommand("list", "List holds");
  list->add_flag("--active", f->active, "Only holds active now");
  list->callback([f, exit_code] {
    Run(*f, exit_code, [&](store::Database& db) -> Status {
      ASSIGN_OR_RETURN(
          auto holds,
          db.privacy().ListHolds(f->active ? std::optional(SystemClock().Now()) : std::nullopt));
      for (const auto& h : holds) std::puts(HoldLine(h, f->format).c_str());
      return Status::Ok();
    });
  });
  CLI::App* release = hold->add_subcommand("release", "Release a hold (audited)");
  release->add_option("id", f->hold_id, "Hold id")->required();
  release->add_option("--by", f->by, "Who releases it (audit actor)")->required();
  release->callback([f, exit_code] {
    Run(*f, exit_code, [&](store::Database& db) -> Status {
      ASSIGN_OR_RETURN(auto h, privacy::ReleaseHold(db.privacy(), db.audit(), f->hold_id, f->by,
                                                    SystemClock().Now(), "cli"));
      std::puts(HoldLine(h, f->format).c_str());
      return Status::Ok();
    });
  });
}

}  // namespace

void RegisterRetentionCommands(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<RetentionFlags>();
  RegisterHold(app, f, exit_code);

  CLI::App* purge = app.add_subcommand(
      "purge", "Erase expired cases and evidence in batches, then verify nothing expired remains");
  purge->add_option("--db", f->db, "Database URL (default: VIGIL_DATABASE_URL or vigil.db)");
  purge->add_option("--batch", f->batch, "Cases per batch (1-10000)")->capture_default_str();
  purge->add_flag("--verify-only", f->verify_only, "Only verify");
  AddEvidenceOptions(*purge, f->evidence);
  purge->callback(
      [f, exit_code] { Run(*f, exit_code, [&](store::Database& db) { return Purge(db, *f); }); });

  CLI::App* retention =
      app.add_subcommand("retention", "The retention policy new records are stamped with");
  retention->require_subcommand(1);
  retention->fallthrough();
  retention->add_option("--db", f->db, "Database URL (default: VIGIL_DATABASE_URL or vigil.db)");
  retention->add_subcommand("show", "Days per purpose")->callback([f, exit_code] {
    Run(*f, exit_code, [&](store::Database& db) { return ShowPolicy(db); });
  });
  CLI::App* set = retention->add_subcommand(
      "set", "Set days per purpose from a JSON file (each 1-365, Art 3(1)(h))");
  set->add_option("file", f->policy_file, "{\"reporting\": 365, ...}")->required();
  set->callback([f, exit_code] {
    Run(*f, exit_code, [&](store::Database& db) { return SetPolicy(db, *f); });
  });

  CLI::App* dpia = app.add_subcommand(
      "dpia", "DPIA / prior-consultation records per technology (Art 3(1)(c)-(d))");
  dpia->require_subcommand(1);
  dpia->fallthrough();
  dpia->add_option("--db", f->db, "Database URL (default: VIGIL_DATABASE_URL or vigil.db)");
  CLI::App* add = dpia->add_subcommand("add", "Record an assessment or consultation (audited)");
  add->add_option("--technology", f->technology, "As named in rules and flags")->required();
  add->add_option("--date", f->date, "Date of the assessment (UTC)")->required();
  add->add_option("--authority", f->authority, "Data protection authority consulted")->required();
  add->add_option("--outcome", f->outcome, "Outcome")->required();
  add->add_option("--link", f->link, "Where the document is")->required();
  add->add_option("--by", f->by, "Who records it (audit actor)")->required();
  add->callback(
      [f, exit_code] { Run(*f, exit_code, [&](store::Database& db) { return AddDpia(db, *f); }); });
  CLI::App* list = dpia->add_subcommand("list", "List records");
  list->add_option("--technology", f->technology, "Only this technology");
  list->callback([f, exit_code] {
    Run(*f, exit_code, [&](store::Database& db) { return ListDpia(db, *f); });
  });
}

}  // namespace vigil::cli
