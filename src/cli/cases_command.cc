// `vigil cases`: the review queue on a terminal: list, show, claim, release, decide.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cases/cases.h"
#include "cli/commands.h"
#include "cli/database.h"
#include "cli/file_batch.h"
#include "match/bank_verification_sink.h"

namespace vigil::cli {
namespace {

struct CasesFlags {
  std::string db;
  std::string format = "text";
  int64_t id = 0;
  bool next = false;
  std::string reviewer;
  std::string decision;
  std::string rationale;
  std::string state;
  size_t limit = 50;
};

nlohmann::ordered_json CaseJson(const cases::Case& c) {
  nlohmann::ordered_json j;
  j["id"] = c.id;
  j["state"] = cases::CaseStateName(c.progress.state);
  j["priority"] = c.priority;
  j["account_id"] = c.account_id;
  j["surface"] = c.surface;
  j["eu"] = c.eu;
  j["created_at"] = FormatUtc(c.created_at);
  if (c.progress.lease) {
    j["lease"] = {{"reviewer", c.progress.lease->reviewer},
                  {"expires_at", FormatUtc(c.progress.lease->expires_at)}};
  }
  if (c.progress.outcome) j["outcome"] = cases::DecisionName(*c.progress.outcome);
  j["items"] = nlohmann::json::array();
  for (const auto& item : c.items) {
    nlohmann::ordered_json ij;
    ij["item_id"] = item.item_id;
    ij["content_type"] = item.content_type;
    ij["flags"] = nlohmann::json::array();
    for (const auto& f : item.flags) {
      nlohmann::ordered_json fj;
      fj["technology"] = f.technology;
      fj["category"] = cases::FlagCategoryName(f.category);
      fj["value"] = f.raw_value;
      if (f.bank_entry_id) fj["bank_entry_id"] = *f.bank_entry_id;
      if (!f.bank_name.empty()) fj["bank"] = f.bank_name;
      ij["flags"].push_back(fj);
    }
    j["items"].push_back(ij);
  }
  j["reviews"] = nlohmann::json::array();
  for (const auto& r : c.reviews) {
    j["reviews"].push_back({{"kind", cases::ReviewKindName(r.kind)},
                            {"reviewer", r.reviewer},
                            {"decision", cases::DecisionName(r.decision)},
                            {"rationale", r.rationale},
                            {"decided_at", FormatUtc(r.decided_at)}});
  }
  return j;
}

std::string CaseLine(const cases::Case& c) {
  std::string techs;
  for (const auto& t : c.Technologies()) techs += (techs.empty() ? "" : ",") + t;
  return fmt::format(
      "case {}  {}  priority={} items={} account={} technologies={}{}{}\n", c.id,
      cases::CaseStateName(c.progress.state), c.priority, c.items.size(), c.account_id, techs,
      c.progress.lease ? " held-by=" + c.progress.lease->reviewer : "",
      c.progress.outcome ? " outcome=" + std::string(cases::DecisionName(*c.progress.outcome))
                         : "");
}

void PrintCase(const CasesFlags& flags, const cases::Case& c) {
  if (flags.format == "jsonl") {
    std::fputs(
        (CaseJson(c).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n").c_str(),
        stdout);
  } else {
    std::fputs(CaseLine(c).c_str(), stdout);
  }
}

// Opens the database and the review service, then runs `fn`; maps any error to an exit code.
int WithReview(const CasesFlags& flags,
               const std::function<Status(store::Database&, cases::ReviewService&)>& fn) {
  if (flags.format != "text" && flags.format != "jsonl") {
    PrintError(
        InvalidArgumentError(fmt::format("unknown format '{}' (text or jsonl)", flags.format)));
    return ExitCodeFor(StatusCode::kInvalidArgument);
  }
  auto db = OpenCommandDatabase(flags.db);
  if (!db.ok()) {
    PrintError(db.status());
    return ExitCodeFor(db.status().code());
  }
  match::BankVerificationSink sink((*db)->banks());
  auto review = cases::ReviewService::Create((*db)->cases(), sink, std::make_shared<SystemClock>(),
                                             cases::ReviewConfig{});
  Status s = review.ok() ? fn(**db, **review) : review.status();
  if (!s.ok()) {
    PrintError(s);
    return ExitCodeFor(s.code());
  }
  return 0;
}

Status RequireReviewer(const CasesFlags& flags) {
  return flags.reviewer.empty() ? InvalidArgumentError("--reviewer is required") : Status::Ok();
}

}  // namespace

void RegisterCasesCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<CasesFlags>();
  CLI::App* cmd = app.add_subcommand("cases", "Review cases: list, show, claim, release, decide");
  cmd->require_subcommand(1);
  auto common = [&](CLI::App* sub) {
    sub->add_option("--db", flags->db, "Database URL (default: $VIGIL_DATABASE_URL or vigil.db)");
    sub->add_option("-f,--format", flags->format, "Output: text or jsonl")->capture_default_str();
  };

  CLI::App* list = cmd->add_subcommand("list", "The review queue (or cases in --state)");
  common(list);
  list->add_option("--state", flags->state, "new, in_review, decided, actioned, reported, ...");
  list->add_option("--limit", flags->limit, "Most cases to print")->capture_default_str();
  list->callback([flags, exit_code] {
    *exit_code = WithReview(*flags, [&](store::Database& db, cases::ReviewService& review) {
      std::vector<cases::Case> found;
      if (flags->state.empty()) {
        ASSIGN_OR_RETURN(found, review.Queue(flags->limit));
      } else {
        cases::CaseFilter filter;
        ASSIGN_OR_RETURN(filter.state, cases::ParseCaseState(flags->state));
        filter.limit = flags->limit;
        ASSIGN_OR_RETURN(found, db.cases().ListCases(filter));
      }
      for (const auto& c : found) PrintCase(*flags, c);
      return Status::Ok();
    });
  });

  CLI::App* show = cmd->add_subcommand("show", "One case with its items, flags and reviews");
  common(show);
  show->add_option("id", flags->id, "Case id")->required();
  show->callback([flags, exit_code] {
    *exit_code = WithReview(*flags, [&](store::Database& db, cases::ReviewService&) -> Status {
      ASSIGN_OR_RETURN(cases::Case c, db.cases().GetCase(flags->id));
      std::fputs((CaseJson(c).dump(2) + "\n").c_str(), stdout);
      return Status::Ok();
    });
  });

  CLI::App* claim = cmd->add_subcommand("claim", "Take a case (or the next one) under a lease");
  common(claim);
  claim->add_option("id", flags->id, "Case id");
  claim->add_flag("--next", flags->next, "Claim the next case in the queue");
  claim->add_option("--reviewer", flags->reviewer, "Reviewer id")->required();
  claim->callback([flags, exit_code] {
    *exit_code = WithReview(*flags, [&](store::Database&, cases::ReviewService& review) -> Status {
      if (!flags->next && flags->id == 0) return InvalidArgumentError("give a case id or --next");
      ASSIGN_OR_RETURN(cases::Case c, flags->next ? review.ClaimNext(flags->reviewer)
                                                  : review.Claim(flags->id, flags->reviewer));
      PrintCase(*flags, c);
      return Status::Ok();
    });
  });

  CLI::App* release = cmd->add_subcommand("release", "Give a claimed case back to the queue");
  common(release);
  release->add_option("id", flags->id, "Case id")->required();
  release->add_option("--reviewer", flags->reviewer, "Reviewer id")->required();
  release->callback([flags, exit_code] {
    *exit_code = WithReview(*flags, [&](store::Database&, cases::ReviewService& review) -> Status {
      ASSIGN_OR_RETURN(cases::Case c, review.Release(flags->id, flags->reviewer));
      PrintCase(*flags, c);
      return Status::Ok();
    });
  });

  CLI::App* decide = cmd->add_subcommand("decide", "Record a reviewer's decision on a held case");
  common(decide);
  decide->add_option("id", flags->id, "Case id")->required();
  decide->add_option("--reviewer", flags->reviewer, "Reviewer id")->required();
  decide
      ->add_option("--decision", flags->decision,
                   "confirmed_known, confirmed_new, confirmed_solicitation, not_csam or "
                   "needs_second_opinion")
      ->required();
  decide->add_option("--rationale", flags->rationale, "Why (kept for the record and QA)")
      ->required();
  decide->callback([flags, exit_code] {
    *exit_code = WithReview(*flags, [&](store::Database&, cases::ReviewService& review) -> Status {
      RETURN_IF_ERROR(RequireReviewer(*flags));
      ASSIGN_OR_RETURN(cases::Decision d, cases::ParseDecision(flags->decision));
      ASSIGN_OR_RETURN(cases::DecisionResult r,
                       review.Decide(flags->id, {flags->reviewer, d, flags->rationale}));
      PrintCase(*flags, r.after);
      if (!r.verification.ok()) {
        PrintError(r.verification.WithContext("decision recorded; bank verification pending"));
      }
      return Status::Ok();
    });
  });
}

}  // namespace vigil::cli
