// `vigil exchange add|list|sync|status|share`: configure hash exchanges and sync them into their
// banks (docs/exchanges.md). Credentials are given as references (--credentials env:NAME or
// file:/path) and never printed.
#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "cli/database.h"
#include "exchange/exchange.h"
#include "store/store.h"

namespace vigil::cli {
namespace {

using nlohmann::ordered_json;

struct ExchangeFlags {
  std::string db;
  std::string name;
  std::string type = "file";
  std::string bank, organisation, kind, endpoint, credentials, options = "{}";
  bool share = false;
  std::string format = "table";
  bool all = false;
  uint64_t max_pages = 0;
  int attempts = 5;
  bool quiet = false;
};

int Fail(const Status& status) {
  std::fprintf(stderr, "vigil: %s\n", status.message().c_str());
  return ExitCodeFor(status.code());
}

std::string Dump(const ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string OptionalTime(const std::optional<TimePoint>& t) { return t ? FormatUtc(*t) : ""; }

ordered_json RecordJson(const exchange::ExchangeRecord& r) {
  const auto& c = r.config;
  const auto& s = r.state;
  return {{"name", c.name},
          {"type", exchange::ExchangeTypeName(c.type)},
          {"bank", c.bank},
          {"organisation", c.organisation},
          {"organisation_kind", c.organisation_kind},
          {"endpoint", c.endpoint},
          {"credentials", c.credentials_ref},  // a reference, never the secret
          {"options", ordered_json::parse(c.options, nullptr, false)},
          {"share", c.share},
          {"created_at", FormatUtc(c.created_at)},
          {"cursor", s.cursor},
          {"pages", s.pages},
          {"added", s.added},
          {"updated", s.updated},
          {"removed", s.removed},
          {"last_sync_at", OptionalTime(s.last_sync_at)},
          {"last_error", s.last_error},
          {"last_error_at", OptionalTime(s.last_error_at)}};
}

int RunAdd(const ExchangeFlags& f) {
  auto type = exchange::ParseExchangeType(f.type);
  if (!type.ok()) return Fail(type.status());
  auto db = OpenCommandDatabase(f.db);
  if (!db.ok()) return Fail(db.status());
  std::string kind = f.kind;
  if (kind.empty()) kind = *type == exchange::ExchangeType::kNcmec ? "ncmec" : "other";
  auto created = (*db)->exchanges().CreateExchange({.name = f.name,
                                                    .type = *type,
                                                    .bank = f.bank,
                                                    .organisation = f.organisation,
                                                    .organisation_kind = kind,
                                                    .endpoint = f.endpoint,
                                                    .credentials_ref = f.credentials,
                                                    .options = f.options,
                                                    .share = f.share},
                                                   SystemClock().Now());
  if (!created.ok()) return Fail(created.status());
  std::printf("added exchange %s (%s) feeding bank %s\n", created->name.c_str(),
              std::string(exchange::ExchangeTypeName(created->type)).c_str(),
              created->bank.c_str());
  return 0;
}

int RunList(const ExchangeFlags& f) {
  auto db = OpenCommandDatabase(f.db);
  if (!db.ok()) return Fail(db.status());
  auto all = (*db)->exchanges().ListExchanges();
  if (!all.ok()) return Fail(all.status());
  if (f.format == "jsonl") {
    for (const auto& r : *all) std::printf("%s\n", Dump(RecordJson(r)).c_str());
    return 0;
  }
  std::printf("%-20s  %-14s  %-16s  %-20s  %8s  %8s  %s\n", "NAME", "TYPE", "BANK", "LAST SYNC",
              "ADDED", "REMOVED", "LAST ERROR");
  for (const auto& r : *all) {
    std::printf("%-20s  %-14s  %-16s  %-20s  %8llu  %8llu  %s\n", r.config.name.c_str(),
                std::string(exchange::ExchangeTypeName(r.config.type)).c_str(),
                r.config.bank.c_str(), OptionalTime(r.state.last_sync_at).c_str(),
                static_cast<unsigned long long>(r.state.added),
                static_cast<unsigned long long>(r.state.removed), r.state.last_error.c_str());
  }
  return 0;
}

int RunStatus(const ExchangeFlags& f) {
  auto db = OpenCommandDatabase(f.db);
  if (!db.ok()) return Fail(db.status());
  auto r = (*db)->exchanges().GetExchange(f.name);
  if (!r.ok()) return Fail(r.status());
  auto shares = (*db)->share_queue().Counts(r->config.id);
  if (!shares.ok()) return Fail(shares.status());
  ordered_json j = RecordJson(*r);
  j["shares_pending"] = shares->pending;
  j["shares_shared"] = shares->shared;
  j["shares_refused"] = shares->refused;
  j["shares_cancelled"] = shares->cancelled;
  j["shares_withdrawing"] = shares->withdrawing;
  j["shares_withdrawn"] = shares->withdrawn;
  j["shares_withdraw_refused"] = shares->withdraw_refused;
  j["share_error"] = shares->last_error;
  if (f.format == "jsonl") {
    std::printf("%s\n", Dump(j).c_str());
    return 0;
  }
  for (const auto& [key, value] : j.items()) {
    std::printf("%-18s %s\n", (key + ":").c_str(),
                value.is_string() ? value.get<std::string>().c_str() : Dump(value).c_str());
  }
  return 0;
}

// Syncs one exchange; prints a line per page to stderr (unless quiet) and a summary.
Status SyncOne(store::Database& db, const std::string& name, const ExchangeFlags& f) {
  ASSIGN_OR_RETURN(exchange::ExchangeRecord r, db.exchanges().GetExchange(name));
  ASSIGN_OR_RETURN(std::unique_ptr<exchange::Exchange> x,
                   exchange::OpenExchange(r.config, {.banks = &db.banks()}));
  exchange::SyncOptions o{.max_attempts = f.attempts, .max_pages = f.max_pages};
  o.on_page = [&](const exchange::SyncProgress& p) {
    if (!f.quiet) {
      std::fprintf(
          stderr, "%s: page %llu: %llu added, %llu updated, %llu removed\n", name.c_str(),
          static_cast<unsigned long long>(p.pages), static_cast<unsigned long long>(p.added),
          static_cast<unsigned long long>(p.updated), static_cast<unsigned long long>(p.removed));
    }
    return Status::Ok();
  };
  const SystemClock clock;
  ASSIGN_OR_RETURN(exchange::SyncReport rep,
                   exchange::SyncExchange(db.exchanges(), *x, name, clock, o));
  std::printf(
      "%s: %llu pages, %llu added, %llu updated, %llu removed, %llu unchanged, %llu "
      "skipped, %llu retries%s\n",
      name.c_str(), static_cast<unsigned long long>(rep.pages),
      static_cast<unsigned long long>(rep.added), static_cast<unsigned long long>(rep.updated),
      static_cast<unsigned long long>(rep.removed), static_cast<unsigned long long>(rep.unchanged),
      static_cast<unsigned long long>(rep.skipped), static_cast<unsigned long long>(rep.retries),
      rep.complete ? "" : " (stopped early; the next sync continues)");
  return Status::Ok();
}

int RunSync(const ExchangeFlags& f) {
  if (f.all == !f.name.empty()) {
    return Fail(InvalidArgumentError("give an exchange name or --all, not both"));
  }
  auto db = OpenCommandDatabase(f.db);
  if (!db.ok()) return Fail(db.status());
  std::vector<std::string> names;
  if (f.all) {
    auto all = (*db)->exchanges().ListExchanges();
    if (!all.ok()) return Fail(all.status());
    for (const auto& r : *all) names.push_back(r.config.name);
  } else {
    names.push_back(f.name);
  }
  Status worst;
  for (const std::string& name : names) {
    Status s = SyncOne(**db, name, f);
    if (!s.ok()) {
      std::fprintf(stderr, "vigil: %s\n", s.message().c_str());
      if (worst.ok()) worst = s;
    }
  }
  return worst.ok() ? 0 : ExitCodeFor(worst.code());
}

// Queues the hashes of newly confirmed decisions and sends what is due to every exchange whose
// organisation agreed (Art 7); applies reversals (unsent hashes cancelled, sent ones withdrawn
// at the partner); what could not go waits for its next attempt.
int RunShare(const ExchangeFlags& f) {
  auto db = OpenCommandDatabase(f.db);
  if (!db.ok()) return Fail(db.status());
  const auto clock = std::make_shared<SystemClock>();
  exchange::ShareOutbox outbox((*db)->cases(), (*db)->exchanges(), (*db)->share_queue(), clock);
  auto run = outbox.Run({.banks = &(*db)->banks(), .clock = clock});
  if (!run.ok()) return Fail(run.status());
  std::printf(
      "%llu decisions queued, %llu hashes shared, %llu refused, %llu to retry\n",
      static_cast<unsigned long long>(run->requests), static_cast<unsigned long long>(run->shared),
      static_cast<unsigned long long>(run->refused), static_cast<unsigned long long>(run->failed));
  if (run->withdrawals > 0 || run->withdrawn > 0 || run->withdraw_refused > 0) {
    std::printf("%llu reversals applied, %llu hashes withdrawn, %llu withdrawals refused\n",
                static_cast<unsigned long long>(run->withdrawals),
                static_cast<unsigned long long>(run->withdrawn),
                static_cast<unsigned long long>(run->withdraw_refused));
  }
  for (const std::string& e : run->errors) std::fprintf(stderr, "vigil: %s\n", e.c_str());
  return run->errors.empty() ? 0 : ExitCodeFor(StatusCode::kUnavailable);
}

}  // namespace

void RegisterExchangeCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ExchangeFlags>();
  CLI::App* cmd = app.add_subcommand("exchange", "Sync banks with outside hash lists");
  cmd->require_subcommand(1);

  CLI::App* add = cmd->add_subcommand("add", "Configure an exchange feeding a bank");
  add->add_option("name", flags->name, "Exchange name")->required();
  add->add_option("--type", flags->type, "file, ncmec or threatexchange")->required();
  add->add_option("--bank", flags->bank, "The bank it feeds (must exist)")->required();
  add->add_option("--organisation", flags->organisation, "Who the hashes come from")->required();
  add->add_option("--kind", flags->kind, "Organisation kind: ncmec, eu_centre or other");
  add->add_option("--endpoint", flags->endpoint, "URL, or a file path for type file")->required();
  add->add_option("--credentials", flags->credentials,
                  "Where the secret is: env:VARIABLE or file:/path (never the secret)");
  add->add_option("--options", flags->options, "Type-specific options as a JSON object");
  add->add_flag("--share", flags->share, "The organisation agreed to receive confirmed hashes");
  add->add_option("--db", flags->db, "Database URL (default: $VIGIL_DATABASE_URL or vigil.db)");
  add->callback([flags, exit_code] { *exit_code = RunAdd(*flags); });

  CLI::App* list = cmd->add_subcommand("list", "List exchanges and their last sync");
  list->add_option("--format", flags->format, "table or jsonl");
  list->add_option("--db", flags->db, "Database URL (default: $VIGIL_DATABASE_URL or vigil.db)");
  list->callback([flags, exit_code] { *exit_code = RunList(*flags); });

  CLI::App* status = cmd->add_subcommand("status", "Show one exchange's settings and state");
  status->add_option("name", flags->name, "Exchange name")->required();
  status->add_option("--format", flags->format, "table or jsonl");
  status->add_option("--db", flags->db, "Database URL (default: $VIGIL_DATABASE_URL or vigil.db)");
  status->callback([flags, exit_code] { *exit_code = RunStatus(*flags); });

  CLI::App* sync = cmd->add_subcommand("sync", "Fetch and apply an exchange's changes");
  sync->add_option("name", flags->name, "Exchange name");
  sync->add_flag("--all", flags->all, "Sync every exchange");
  sync->add_option("--max-pages", flags->max_pages, "Stop after this many pages (0: no limit)");
  sync->add_option("--attempts", flags->attempts, "Fetch attempts per page")
      ->check(CLI::Range(1, 100));
  sync->add_flag("--quiet", flags->quiet, "No per-page progress");
  sync->add_option("--db", flags->db, "Database URL (default: $VIGIL_DATABASE_URL or vigil.db)");
  sync->callback([flags, exit_code] { *exit_code = RunSync(*flags); });

  CLI::App* share = cmd->add_subcommand(
      "share", "Send newly confirmed hashes to the organisations that agreed to receive them");
  share->add_option("--db", flags->db, "Database URL (default: $VIGIL_DATABASE_URL or vigil.db)");
  share->callback([flags, exit_code] { *exit_code = RunShare(*flags); });
}

}  // namespace vigil::cli
