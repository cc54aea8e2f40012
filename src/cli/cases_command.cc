// `vigil cases`: the review queue on a terminal: list, show, assign (claim), release, decide;
// and the automatic action that cluster alerts paused: pauses, resume.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cases/cases.h"
#include "cli/case_output.h"
#include "cli/cli_audit.h"
#include "cli/commands.h"
#include "cli/crash_point.h"
#include "cli/database.h"
#include "cli/evidence_options.h"
#include "cli/file_batch.h"
#include "cli/reporting_flag.h"
#include "core/clock.h"
#include "match/bank_verification_sink.h"
#include "privacy/purge.h"

namespace vigil::cli {
namespace {

struct CasesFlags {
  std::string db;
  std::string format = "text";
  int64_t id = 0;
  bool next = false;
  std::string reviewer;
  std::string by;  // who assigns (assign --by); the reviewer when empty
  std::string decision;
  std::string rationale;
  std::string state;
  std::string reporting;  // the reporting config file (decide); $VIGIL_REPORTING_CONFIG when ""
  std::string subject;    // resume: technology or bank_entry
  std::string key;        // resume: the technology label or the bank entry id
  std::string reason;     // resume: why automatic action is safe again
  size_t limit = 50;
  EvidenceFlags evidence;
};

void PrintCase(const CasesFlags& flags, const cases::Case& c) {
  if (flags.format == "jsonl") {
    std::fputs(
        (CaseJson(c).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n").c_str(),
        stdout);
  } else {
    std::fputs(CaseLine(c).c_str(), stdout);
  }
}

// The bank store's verification sink with the crash point the durability tests use between a
// decision's commit and its delivery (crash_point.h).
class CrashPointSink final : public cases::EntryVerificationSink {
 public:
  explicit CrashPointSink(cases::EntryVerificationSink& next) : next_(next) {}
  Status FlagForVerification(cases::BankEntryId entry_id, std::string_view reason) override {
    CrashPoint("decision-committed");
    return next_.FlagForVerification(entry_id, reason);
  }

 private:
  cases::EntryVerificationSink& next_;
};

// Opens the database and the review service, then runs `fn`; maps any error to an exit code.
int WithReview(const CasesFlags& flags,
               const std::function<Status(store::Database&, cases::ReviewService&)>& fn,
               const cases::ReviewConfig& config = {}) {
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
  match::BankVerificationSink bank_sink((*db)->banks());
  CrashPointSink sink(bank_sink);
  auto review =
      cases::ReviewService::Create((*db)->cases(), sink, std::make_shared<SystemClock>(), config);
  if (review.ok()) {
    // Verifications a crashed or failed earlier run committed but did not deliver go out now,
    // so a not_csam decision always reaches its bank entry. A failure leaves them pending.
    if (Status d = (*review)->DeliverPendingVerifications(); !d.ok()) {
      PrintError(d.WithContext("earlier decisions' bank verification is still pending"));
    }
  }
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

// Art 3(1)(j): a confirming decision queues its hotline reports in the decision's transaction,
// to the destinations of the reporting config the server uses too.
int Decide(const CasesFlags& flags) {
  auto reporting = LoadCommandReporting(flags.reporting);
  if (!reporting.ok()) {
    PrintError(reporting.status());
    return ExitCodeFor(reporting.status().code());
  }
  cases::ReviewConfig config;
  if (*reporting) config.report_destinations = (*reporting)->destinations;
  return WithReview(
      flags,
      [&](store::Database& db, cases::ReviewService& review) -> Status {
        RETURN_IF_ERROR(RequireReviewer(flags));
        ASSIGN_OR_RETURN(cases::Decision d, cases::ParseDecision(flags.decision));
        // Opened first, so a bad key stops the decision before anything is written.
        ASSIGN_OR_RETURN(auto evidence, OpenEvidenceStore(flags.evidence));
        ASSIGN_OR_RETURN(cases::DecisionResult r,
                         review.Decide(flags.id, {flags.reviewer, d, flags.rationale}));
        if (r.after.progress.outcome == cases::Decision::kNotCsam) {
          // Art 3(1)(h): a flag found wrong leaves only what error accounting needs, at once.
          RETURN_IF_ERROR(
              privacy::EraseNotCsam(db.privacy(), evidence.get(), flags.id, SystemClock().Now())
                  .status());
          ASSIGN_OR_RETURN(r.after, db.cases().GetCase(flags.id));
        }
        PrintCase(flags, r.after);
        RETURN_IF_ERROR(RecordCliEvent(db, flags.reviewer, "case.decide",
                                       fmt::format("case:{}", flags.id),
                                       {{"decision", flags.decision}}));
        if (!r.verification.ok()) {
          PrintError(r.verification.WithContext("decision recorded; bank verification pending"));
        }
        if (!*reporting && r.after.progress.outcome &&
            cases::IsConfirmation(*r.after.progress.outcome)) {
          std::fputs(
              "vigil: warning: no reporting config (--reporting or $VIGIL_REPORTING_CONFIG): no "
              "hotline report was queued; the case will show as overdue (vigil report overdue)\n",
              stderr);
        }
        return Status::Ok();
      },
      config);
}

Status ListPauses(const CasesFlags& flags, store::Database& db) {
  ASSIGN_OR_RETURN(std::vector<cases::AutoActionPause> pauses, db.cases().ListPauses());
  for (const auto& p : pauses) {
    const std::string_view subject = cases::AlertSubjectName(p.subject);
    if (flags.format == "jsonl") {
      const nlohmann::ordered_json j = {{"subject", subject},
                                        {"key", p.key},
                                        {"paused_at", FormatUtc(p.paused_at)},
                                        {"alert_id", p.alert_id}};
      std::fputs((j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n").c_str(),
                 stdout);
    } else {
      std::fputs(fmt::format("{} {}  paused {} by alert {}\n", subject, p.key,
                             FormatUtc(p.paused_at), p.alert_id)
                     .c_str(),
                 stdout);
    }
  }
  if (pauses.empty() && flags.format == "text") {
    std::fputs("automatic action is not paused for any subject\n", stdout);
  }
  return Status::Ok();
}

// Lifts a pause (the store writes the case event in the same transaction), then records who
// asked in the audit log, as the server's POST /v1/pauses/resume does.
Status Resume(const CasesFlags& flags, store::Database& db, cases::ReviewService& review) {
  if (flags.by.empty()) return InvalidArgumentError("--by is required (who resumes)");
  ASSIGN_OR_RETURN(cases::AlertSubject subject, cases::ParseAlertSubject(flags.subject));
  if (flags.key.empty()) return InvalidArgumentError("--key is required");
  RETURN_IF_ERROR(review.ResumeAutoAction(subject, flags.key, flags.by, flags.reason));
  const std::string_view name = cases::AlertSubjectName(subject);
  std::fputs(fmt::format("automatic action resumed for {} {}\n", name, flags.key).c_str(), stdout);
  return RecordCliEvent(db, flags.by, "auto_action.resume", fmt::format("{}:{}", name, flags.key),
                        {{"reason", flags.reason}});
}

}  // namespace

void RegisterCasesCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<CasesFlags>();
  CLI::App* cmd = app.add_subcommand(
      "cases", "Review cases: list, show, assign (claim), release, decide; pauses, resume");
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
  show->add_option("--by", flags->by, "Who looks (audit actor; default: the system user)");
  show->callback([flags, exit_code] {
    *exit_code = WithReview(*flags, [&](store::Database& db, cases::ReviewService&) -> Status {
      ASSIGN_OR_RETURN(cases::Case c, db.cases().GetCase(flags->id));
      // A view of evidence: recorded before it is shown (as the server does).
      RETURN_IF_ERROR(RecordCliEvent(db, flags->by.empty() ? CliOrigin() : flags->by, "case.view",
                                     fmt::format("case:{}", c.id), nlohmann::json::object()));
      if (flags->format == "jsonl") {
        PrintCase(*flags, c);
      } else {
        std::fputs(CaseDetail(c).c_str(), stdout);
      }
      return Status::Ok();
    });
  });

  // `assign` is the documented verb; `claim` is the same command without --by, kept for
  // scripts written before assign existed.
  for (const char* verb : {"assign", "claim"}) {
    const bool assign = std::string_view(verb) == "assign";
    CLI::App* sub = cmd->add_subcommand(
        verb, assign ? "Assign a case (or the next one) to a reviewer under a lease"
                     : "Take a case (or the next one) under a lease (= assign)");
    common(sub);
    sub->add_option("id", flags->id, "Case id");
    sub->add_flag("--next", flags->next, "The next case in the queue the reviewer may take");
    sub->add_option("--reviewer", flags->reviewer, "Reviewer who will hold the case")->required();
    if (assign) sub->add_option("--by", flags->by, "Who assigns it (default: the reviewer)");
    sub->callback([flags, exit_code] {
      *exit_code =
          WithReview(*flags, [&](store::Database& db, cases::ReviewService& review) -> Status {
            if (flags->next == (flags->id != 0)) {
              return InvalidArgumentError("give either a case id or --next");
            }
            if (flags->next && !flags->by.empty() && flags->by != flags->reviewer) {
              return InvalidArgumentError(
                  "--next takes the reviewer's own next case; give a "
                  "case id to assign one to someone else");
            }
            const std::string& by = flags->by.empty() ? flags->reviewer : flags->by;
            ASSIGN_OR_RETURN(cases::Case c, flags->next
                                                ? review.ClaimNext(flags->reviewer)
                                                : review.Assign(flags->id, flags->reviewer, by));
            PrintCase(*flags, c);
            return RecordCliEvent(db, by, "case.assign", fmt::format("case:{}", c.id),
                                  {{"reviewer", flags->reviewer}});
          });
    });
  }

  CLI::App* release = cmd->add_subcommand("release", "Give a claimed case back to the queue");
  common(release);
  release->add_option("id", flags->id, "Case id")->required();
  release->add_option("--reviewer", flags->reviewer, "Reviewer id")->required();
  release->callback([flags, exit_code] {
    *exit_code =
        WithReview(*flags, [&](store::Database& db, cases::ReviewService& review) -> Status {
          ASSIGN_OR_RETURN(cases::Case c, review.Release(flags->id, flags->reviewer));
          PrintCase(*flags, c);
          return RecordCliEvent(db, flags->reviewer, "case.release", fmt::format("case:{}", c.id),
                                nlohmann::json::object());
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
  AddEvidenceOptions(*decide, flags->evidence);
  decide->add_option("--reporting", flags->reporting,
                     "Reporting config (destinations a confirmed case is reported to; default: "
                     "$VIGIL_REPORTING_CONFIG)");
  decide->callback([flags, exit_code] { *exit_code = Decide(*flags); });

  CLI::App* pauses = cmd->add_subcommand(
      "pauses", "Subjects whose automatic action a cluster alert paused (docs/review.md)");
  common(pauses);
  pauses->callback([flags, exit_code] {
    *exit_code = WithReview(
        *flags, [&](store::Database& db, cases::ReviewService&) { return ListPauses(*flags, db); });
  });

  CLI::App* resume =
      cmd->add_subcommand("resume", "Resume automatic action for a paused subject (audited)");
  common(resume);
  resume->add_option("--subject", flags->subject, "technology or bank_entry")->required();
  resume->add_option("--key", flags->key, "The technology label or the bank entry id")->required();
  resume->add_option("--by", flags->by, "Who resumes it (recorded)")->required();
  resume->add_option("--reason", flags->reason, "Why it is safe again (what was checked)")
      ->required();
  resume->callback([flags, exit_code] {
    *exit_code = WithReview(*flags, [&](store::Database& db, cases::ReviewService& review) {
      return Resume(*flags, db, review);
    });
  });
}

}  // namespace vigil::cli
