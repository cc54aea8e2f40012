// `vigil redress act|complain|decide|judicial|judicial-outcome|show|export-case`: actions on
// decided cases, complaints and their second review, judicial complaints and the case file
// (docs/redress.md).
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "cli/cli_audit.h"
#include "cli/commands.h"
#include "cli/crash_point.h"
#include "cli/database.h"
#include "cli/file_batch.h"
#include "match/bank_verification_sink.h"
#include "redress/redress.h"

namespace vigil::cli {
namespace {

struct RedressFlags {
  std::string db;
  std::string config;
  int64_t case_id = 0;
  int64_t action_id = 0;
  int64_t complaint_id = 0;
  int64_t judicial_id = 0;
  std::string kind;
  std::string item;
  std::string reason;
  std::string actor;
  std::string language;
  std::string text;
  std::string outcome;
  std::string authority;
  std::string reference;
  std::string out;
};

void Print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

// The database's redress store with the crash point "redress-action-written" inside an action's
// transaction (crash_point.h): after the action and its notice are written, before the case's
// change is applied and the transaction commits, so the durability tests can check that a kill
// there leaves neither.
class CrashPointRedressStore final : public redress::RedressStore {
 public:
  explicit CrashPointRedressStore(redress::RedressStore& inner) : inner_(inner) {}
  using redress::RedressStore::RecordAction;
  Result<redress::Action> RecordAction(const redress::Action& action,
                                       const redress::NoticeMaker& make_notice,
                                       const redress::CaseChangeMaker& make_case_change) override {
    if (!make_case_change) return inner_.RecordAction(action, make_notice, nullptr);
    return inner_.RecordAction(action, make_notice, [&](const redress::Action& stored) {
      auto change = make_case_change(stored);
      CrashPoint("redress-action-written");
      return change;
    });
  }
  Result<redress::Action> GetAction(redress::ActionId id) override { return inner_.GetAction(id); }
  Result<std::vector<redress::Action>> ListActions(cases::CaseId case_id) override {
    return inner_.ListActions(case_id);
  }
  Result<redress::Action> ReverseAction(redress::ActionId id,
                                        const redress::Reversal& reversal) override {
    return inner_.ReverseAction(id, reversal);
  }
  Result<redress::Notice> GetNotice(redress::NoticeId id) override { return inner_.GetNotice(id); }
  Result<std::vector<redress::Notice>> ListDueNotices(TimePoint now, size_t limit) override {
    return inner_.ListDueNotices(now, limit);
  }
  Result<std::vector<redress::Notice>> ListNotices(std::optional<cases::CaseId> case_id) override {
    return inner_.ListNotices(case_id);
  }
  Result<bool> UpdateNotice(const redress::Notice& n) override { return inner_.UpdateNotice(n); }
  Result<redress::Complaint> FileComplaint(const redress::Complaint& complaint) override {
    return inner_.FileComplaint(complaint);
  }
  Result<redress::Complaint> GetComplaint(redress::ComplaintId id) override {
    return inner_.GetComplaint(id);
  }
  Result<std::vector<redress::Complaint>> ListComplaints(
      const redress::ComplaintFilter& filter) override {
    return inner_.ListComplaints(filter);
  }
  Result<bool> UpdateComplaint(const redress::Complaint& c) override {
    return inner_.UpdateComplaint(c);
  }
  Result<redress::JudicialComplaint> RecordJudicial(const redress::JudicialComplaint& j) override {
    return inner_.RecordJudicial(j);
  }
  Result<redress::JudicialComplaint> GetJudicial(redress::JudicialId id) override {
    return inner_.GetJudicial(id);
  }
  Result<bool> UpdateJudicial(const redress::JudicialComplaint& j) override {
    return inner_.UpdateJudicial(j);
  }
  Result<std::vector<redress::JudicialComplaint>> ListJudicial(
      std::optional<cases::CaseId> case_id) override {
    return inner_.ListJudicial(case_id);
  }

 private:
  redress::RedressStore& inner_;
};

using RedressFn = std::function<Status(store::Database&, redress::RedressService&)>;

// Runs `fn` with the database and a redress service configured from --config.
int WithRedress(const RedressFlags& flags, const RedressFn& fn) {
  Status s = [&]() -> Status {
    ASSIGN_OR_RETURN(redress::RedressFileConfig config, redress::LoadRedressConfig(flags.config));
    ASSIGN_OR_RETURN(redress::NoticeTemplates templates, redress::LoadNoticeTemplates(config));
    ASSIGN_OR_RETURN(auto db, OpenCommandDatabase(flags.db));
    match::BankVerificationSink sink(db->banks());
    auto clock = std::make_shared<SystemClock>();
    ASSIGN_OR_RETURN(auto review,
                     cases::ReviewService::Create(db->cases(), sink, clock, cases::ReviewConfig{}));
    CrashPointRedressStore redress_store(db->redress());
    ASSIGN_OR_RETURN(auto service,
                     redress::RedressService::Create(*review,
                                                     {.cases = &db->cases(),
                                                      .redress = &redress_store,
                                                      .banks = &db->banks(),
                                                      .report_outbox = &db->report_outbox()},
                                                     std::move(templates), clock, config.redress));
    return fn(*db, *service);
  }();
  if (!s.ok()) PrintError(s);
  return s.ok() ? 0 : ExitCodeFor(s.code());
}

// Runs `fn` with the database only (reading commands need no configuration).
int WithDatabase(const RedressFlags& flags, const std::function<Status(store::Database&)>& fn) {
  Status s = [&]() -> Status {
    ASSIGN_OR_RETURN(auto db, OpenCommandDatabase(flags.db));
    return fn(*db);
  }();
  if (!s.ok()) PrintError(s);
  return s.ok() ? 0 : ExitCodeFor(s.code());
}

std::string ActionLine(const redress::Action& a) {
  std::string line = fmt::format("action {} case {}: {} {} by {} at {}; reason: {}", a.id,
                                 a.case_id, redress::ActionKindName(a.kind),
                                 a.item_id.empty() ? "account " + a.account_id : a.item_id, a.actor,
                                 FormatUtc(a.taken_at), a.reason);
  if (a.reversed_at) {
    line += fmt::format("; reversed {} by {}", FormatUtc(*a.reversed_at), a.reversed_by);
  }
  return line + "\n";
}

std::string ComplaintLine(const redress::Complaint& c) {
  std::string line = fmt::format("complaint {} against action {} (case {}): {}", c.id, c.action_id,
                                 c.case_id, redress::ComplaintStateName(c.state));
  if (c.outcome) {
    line += fmt::format(", {} by {}", redress::ComplaintOutcomeName(*c.outcome), c.reviewer);
  }
  if (!c.report_followup.empty()) line += "; reports: " + c.report_followup;
  return line + "\n";
}

Status Show(store::Database& db, cases::CaseId id) {
  RETURN_IF_ERROR(db.cases().GetCase(id).status());
  ASSIGN_OR_RETURN(auto actions, db.redress().ListActions(id));
  for (const auto& a : actions) Print(ActionLine(a));
  ASSIGN_OR_RETURN(auto notices, db.redress().ListNotices(id));
  for (const auto& n : notices) {
    Print(fmt::format("notice {} for action {} ({} {}): {} after {} attempt(s){}\n", n.id,
                      n.action_id, n.language, n.template_version,
                      redress::NoticeStateName(n.state), n.attempts,
                      n.last_error.empty() ? "" : "; last error: " + n.last_error));
  }
  ASSIGN_OR_RETURN(auto complaints, db.redress().ListComplaints({.case_id = id}));
  for (const auto& c : complaints) Print(ComplaintLine(c));
  ASSIGN_OR_RETURN(auto judicial, db.redress().ListJudicial(id));
  for (const auto& j : judicial) {
    Print(fmt::format("judicial complaint {} ({} {}): {}\n", j.id, j.authority, j.reference,
                      j.outcome.empty() ? "pending" : j.outcome));
  }
  return Status::Ok();
}

Status Export(store::Database& db, const RedressFlags& flags) {
  ASSIGN_OR_RETURN(std::string file,
                   redress::ExportCaseFile(db.cases(), db.redress(), &db.report_outbox(),
                                           flags.case_id, SystemClock().Now()));
  // A case file is a view of the case's evidence: recorded before it is released.
  RETURN_IF_ERROR(RecordCliEvent(db, flags.actor.empty() ? CliOrigin() : flags.actor, "case.export",
                                 fmt::format("case:{}", flags.case_id),
                                 {{"out", flags.out.empty() ? "-" : flags.out}}));
  if (flags.out.empty() || flags.out == "-") {
    Print(file);
    return Status::Ok();
  }
  const std::string tmp = flags.out + ".tmp";
  std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
  f << file;
  f.close();
  if (!f || std::rename(tmp.c_str(), flags.out.c_str()) != 0) {
    std::remove(tmp.c_str());
    return UnavailableError(fmt::format("cannot write {}", flags.out));
  }
  return Status::Ok();
}

void DbAndConfig(CLI::App* sub, RedressFlags& flags) {
  sub->add_option("--db", flags.db, "Database URL (default: $VIGIL_DATABASE_URL or vigil.db)");
  sub->add_option("--config", flags.config, "Redress settings (JSON, docs/redress.md)")->required();
}

void RegisterWriteCommands(CLI::App& redress, const std::shared_ptr<RedressFlags>& f,
                           int* exit_code) {
  CLI::App* act = redress.add_subcommand("act", "Take an action on a decided case");
  DbAndConfig(act, *f);
  act->add_option("--case", f->case_id, "Case id")->required();
  act->add_option("--kind", f->kind,
                  "remove_content, block_content, suspend_account, terminate_account or "
                  "preserve_evidence")
      ->required();
  act->add_option("--item", f->item, "The item (content actions)");
  act->add_option("--reason", f->reason, "Why")->required();
  act->add_option("--actor", f->actor, "Who takes it")->required();
  act->add_option("--language", f->language, "Language of the user notice");
  act->callback([f, exit_code] {
    *exit_code = WithRedress(*f, [&](store::Database& db, redress::RedressService& s) -> Status {
      ASSIGN_OR_RETURN(redress::ActionKind kind, redress::ParseActionKind(f->kind));
      ASSIGN_OR_RETURN(redress::Action a, s.TakeAction({.case_id = f->case_id,
                                                        .kind = kind,
                                                        .item_id = f->item,
                                                        .reason = f->reason,
                                                        .actor = f->actor,
                                                        .language = f->language}));
      Print(ActionLine(a));
      return RecordCliEvent(
          db, a.actor, "redress.action", fmt::format("case:{}", a.case_id),
          {{"action_id", a.id}, {"kind", redress::ActionKindName(a.kind)}, {"item_id", a.item_id}});
    });
  });
  CLI::App* complain = redress.add_subcommand("complain", "File a user's complaint");
  DbAndConfig(complain, *f);
  complain->add_option("--action", f->action_id, "The action complained about")->required();
  complain->add_option("--text", f->text, "The user's grounds")->required();
  complain->add_option("--by", f->actor, "Who files it (the operator's backend)")->required();
  complain->callback([f, exit_code] {
    *exit_code = WithRedress(*f, [&](store::Database& db, redress::RedressService& s) -> Status {
      ASSIGN_OR_RETURN(
          redress::Complaint c,
          s.FileComplaint({.action_id = f->action_id, .text = f->text, .filed_by = f->actor}));
      Print(ComplaintLine(c));
      return RecordCliEvent(db, f->actor, "redress.complaint.file",
                            fmt::format("case:{}", c.case_id),
                            {{"complaint_id", c.id}, {"action_id", c.action_id}});
    });
  });
  CLI::App* decide = redress.add_subcommand("decide", "Decide a complaint (second reviewer)");
  DbAndConfig(decide, *f);
  decide->add_option("--complaint", f->complaint_id, "Complaint id")->required();
  decide->add_option("--reviewer", f->actor, "The second reviewer")->required();
  decide
      ->add_option("--outcome", f->outcome,
                   "action_upheld, content_reinstated, account_reinstated or both_reinstated")
      ->required();
  decide->add_option("--rationale", f->reason, "Why")->required();
  decide->callback([f, exit_code] {
    *exit_code = WithRedress(*f, [&](store::Database& db, redress::RedressService& s) -> Status {
      ASSIGN_OR_RETURN(redress::ComplaintOutcome outcome,
                       redress::ParseComplaintOutcome(f->outcome));
      ASSIGN_OR_RETURN(redress::Complaint c, s.DecideComplaint({.complaint_id = f->complaint_id,
                                                                .reviewer = f->actor,
                                                                .outcome = outcome,
                                                                .rationale = f->reason}));
      Print(ComplaintLine(c));
      return RecordCliEvent(db, f->actor, "redress.complaint.decide",
                            fmt::format("case:{}", c.case_id),
                            {{"complaint_id", c.id}, {"outcome", f->outcome}});
    });
  });
}

void RegisterJudicialCommands(CLI::App& redress, const std::shared_ptr<RedressFlags>& f,
                              int* exit_code) {
  CLI::App* judicial =
      redress.add_subcommand("judicial", "Record a complaint taken to a court (Art 5)");
  DbAndConfig(judicial, *f);
  judicial->add_option("--case", f->case_id, "Case id")->required();
  judicial->add_option("--action", f->action_id, "The action concerned (optional)");
  judicial->add_option("--authority", f->authority, "The court or authority")->required();
  judicial->add_option("--reference", f->reference, "Its file reference")->required();
  judicial->add_option("--by", f->actor, "Who records it")->required();
  judicial->callback([f, exit_code] {
    *exit_code = WithRedress(*f, [&](store::Database& db, redress::RedressService& s) -> Status {
      redress::JudicialRequest r{.case_id = f->case_id,
                                 .authority = f->authority,
                                 .reference = f->reference,
                                 .recorded_by = f->actor};
      if (f->action_id != 0) r.action_id = f->action_id;
      ASSIGN_OR_RETURN(redress::JudicialComplaint j, s.RecordJudicial(r));
      Print(fmt::format("judicial complaint {} recorded for case {}\n", j.id, j.case_id));
      return RecordCliEvent(db, f->actor, "redress.judicial.record",
                            fmt::format("case:{}", j.case_id),
                            {{"judicial_id", j.id}, {"authority", j.authority}});
    });
  });
  CLI::App* outcome =
      redress.add_subcommand("judicial-outcome", "Record the outcome of a judicial complaint");
  DbAndConfig(outcome, *f);
  outcome->add_option("--id", f->judicial_id, "Judicial complaint id")->required();
  outcome->add_option("--outcome", f->outcome, "What the court decided")->required();
  outcome->add_option("--by", f->actor, "Who records it")->required();
  outcome->callback([f, exit_code] {
    *exit_code = WithRedress(*f, [&](store::Database& db, redress::RedressService& s) -> Status {
      ASSIGN_OR_RETURN(redress::JudicialComplaint j,
                       s.RecordJudicialOutcome(f->judicial_id, f->outcome, f->actor));
      Print(fmt::format("judicial complaint {}: {}\n", j.id, j.outcome));
      return RecordCliEvent(db, f->actor, "redress.judicial.outcome",
                            fmt::format("case:{}", j.case_id), {{"judicial_id", j.id}});
    });
  });
}

}  // namespace

void RegisterRedressCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<RedressFlags>();
  CLI::App* redress = app.add_subcommand(
      "redress", "Actions, user notices, complaints and judicial complaints (docs/redress.md)");
  redress->require_subcommand(1);
  RegisterWriteCommands(*redress, f, exit_code);
  RegisterJudicialCommands(*redress, f, exit_code);
  CLI::App* send = redress->add_subcommand(
      "send-notices", "Deliver the due user notices to the configured webhook once");
  DbAndConfig(send, *f);
  send->callback([f, exit_code] {
    *exit_code = WithRedress(*f, [&](store::Database& db, redress::RedressService&) -> Status {
      ASSIGN_OR_RETURN(redress::RedressFileConfig config, redress::LoadRedressConfig(f->config));
      ASSIGN_OR_RETURN(auto sink, redress::MakeWebhookSink(config.webhook));
      redress::NoticeOutbox outbox(db.redress(), *sink, std::make_shared<SystemClock>(),
                                   config.webhook);
      ASSIGN_OR_RETURN(redress::NoticeSendSummary s, outbox.SendDue());
      for (const auto& e : s.errors) std::fprintf(stderr, "vigil: %s\n", e.c_str());
      Print(fmt::format("delivered {}, account deleted {}, retrying {}, failed {}\n", s.delivered,
                        s.account_deleted, s.retrying, s.failed));
      return Status::Ok();
    });
  });
  CLI::App* show = redress->add_subcommand("show", "A case's actions, notices and complaints");
  show->add_option("--db", f->db, "Database URL");
  show->add_option("--case", f->case_id, "Case id")->required();
  show->callback([f, exit_code] {
    *exit_code = WithDatabase(*f, [&](store::Database& db) { return Show(db, f->case_id); });
  });
  CLI::App* exp = redress->add_subcommand(
      "export-case", "Write a case file (JSON, evidence hashes, never media) for a court");
  exp->add_option("--db", f->db, "Database URL");
  exp->add_option("--case", f->case_id, "Case id")->required();
  exp->add_option("--out", f->out, "Output file (default: standard output)");
  exp->add_option("--by", f->actor, "Who exports it (audit actor; default: the system user)");
  exp->callback([f, exit_code] {
    *exit_code = WithDatabase(*f, [&](store::Database& db) { return Export(db, *f); });
  });
}

}  // namespace vigil::cli
