// `vigil report send|outbox|overdue`: the hotline report outbox from the command line.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/crash_point.h"
#include "cli/database.h"
#include "cli/evidence_options.h"
#include "cli/file_batch.h"
#include "cli/reporting_flag.h"
#include "core/file.h"
#include "match/bank_verification_sink.h"
#include "report/outbox.h"
#include "report/report.h"
#include "report/stored_evidence.h"

namespace vigil::cli {
namespace {

struct OutboxFlags {
  std::string db;
  std::string config;
  std::string xsd;
  EvidenceFlags evidence;
  std::string reporting;  // its report_limit_hours when --limit-hours is not given
  int64_t case_id = 0;
  int64_t limit_hours = -1;  // not given: the reporting config's limit, else 24
};

void Print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

// Runs `fn` with the database, a review service and an outbox without reporters.
int WithOutbox(const OutboxFlags& flags,
               const std::function<Status(store::Database&, cases::ReviewService&,
                                          report::ReportOutbox&)>& fn) {
  Status s = [&]() -> Status {
    if (flags.limit_hours != -1 && (flags.limit_hours < 1 || flags.limit_hours > 720)) {
      return InvalidArgumentError("--limit-hours must be from 1 to 720");
    }
    ASSIGN_OR_RETURN(auto reporting, LoadCommandReporting(flags.reporting));
    ASSIGN_OR_RETURN(auto db, OpenCommandDatabase(flags.db));
    match::BankVerificationSink sink(db->banks());
    auto clock = std::make_shared<SystemClock>();
    ASSIGN_OR_RETURN(auto review,
                     cases::ReviewService::Create(db->cases(), sink, clock, cases::ReviewConfig{}));
    report::OutboxOptions options;
    if (reporting) options.report_limit = reporting->report_limit;
    if (flags.limit_hours > 0) options.report_limit = std::chrono::hours(flags.limit_hours);
    report::ReportOutbox outbox(db->cases(), *review, db->report_outbox(), {}, &db->audit(), clock,
                                options);
    return fn(*db, *review, outbox);
  }();
  if (!s.ok()) PrintError(s);
  return s.ok() ? 0 : ExitCodeFor(s.code());
}

Status ListOverdue(report::ReportOutbox& outbox) {
  ASSIGN_OR_RETURN(auto overdue, outbox.ListOverdue());
  for (const auto& o : overdue) {
    Print(fmt::format("case {} confirmed {} not reported for {} h\n", o.case_id,
                      FormatUtc(o.confirmed_at), o.waiting.count() / 3600));
  }
  return Status::Ok();
}

Status ListDeliveries(store::Database& db, const OutboxFlags& flags) {
  report::DeliveryFilter filter;
  if (flags.case_id) filter.case_id = flags.case_id;
  ASSIGN_OR_RETURN(auto deliveries, db.report_outbox().List(filter));
  for (const auto& d : deliveries) {
    std::string line =
        fmt::format("request {} case {} to {}: {} after {} attempt(s)", d.request_id, d.case_id,
                    d.destination, report::DeliveryStateName(d.state), d.attempts);
    if (d.remote_id) line += fmt::format("; report id {}", *d.remote_id);
    if (d.delivered_at) {
      line += fmt::format("; delivered {} s after confirmation",
                          (*d.delivered_at - d.confirmed_at).count());
    }
    if (!d.last_error.empty()) line += "; last error: " + d.last_error;
    Print(line + "\n");
  }
  return Status::Ok();
}

// The database's outbox store with the crash point "report-progress-saved" after every saved
// lease or step (crash_point.h), so the durability tests can kill `report send` between the
// hotline steps. Forwards everything else unchanged.
class CrashPointOutboxStore final : public report::ReportOutboxStore {
 public:
  explicit CrashPointOutboxStore(report::ReportOutboxStore& inner) : inner_(inner) {}
  Status Enqueue(const cases::ReportRequest& request) override { return inner_.Enqueue(request); }
  Result<int64_t> LastRequestId() override { return inner_.LastRequestId(); }
  Result<report::Delivery> Get(int64_t request_id) override { return inner_.Get(request_id); }
  Result<std::vector<report::Delivery>> ListDue(TimePoint now, size_t limit) override {
    return inner_.ListDue(now, limit);
  }
  Result<std::vector<report::Delivery>> List(const report::DeliveryFilter& filter) override {
    return inner_.List(filter);
  }
  Result<bool> Update(const report::Delivery& d) override {
    Result<bool> stored = inner_.Update(d);
    CrashPoint("report-progress-saved");
    return stored;
  }

 private:
  report::ReportOutboxStore& inner_;
};

Status Send(store::Database& db, cases::ReviewService& review, const OutboxFlags& flags) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(flags.config, 1 << 20));
  ASSIGN_OR_RETURN(report::ncmec::NcmecConfig config,
                   report::ncmec::ParseNcmecConfig(
                       std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                       flags.config));
  if (!flags.xsd.empty()) config.xsd_path = flags.xsd;
  ASSIGN_OR_RETURN(auto validator, report::ncmec::SchemaValidator::Load(config.xsd_path));
  ASSIGN_OR_RETURN(auto client, report::ncmec::NcmecClient::Create(config));
  ASSIGN_OR_RETURN(std::unique_ptr<privacy::EvidenceStore> store,
                   OpenReportEvidence(flags.evidence));
  report::StoredEvidenceSource evidence(&db.privacy(), store.get());
  auto clock = std::make_shared<SystemClock>();
  const cases::ReviewConfig review_config{};
  report::ncmec::NcmecReporter reporter(std::move(client), config, review_config, *validator,
                                        evidence, clock);
  CrashPointOutboxStore outbox_store(db.report_outbox());
  report::ReportOutbox outbox(db.cases(), review, outbox_store, {{"ncmec", &reporter}}, &db.audit(),
                              clock);
  ASSIGN_OR_RETURN(report::SendSummary summary, outbox.SendDue());
  for (const auto& e : summary.errors) std::fprintf(stderr, "vigil: %s\n", e.c_str());
  Print(fmt::format("delivered {}, retrying {}, failed {}, cancelled {}\n", summary.delivered,
                    summary.retrying, summary.failed, summary.cancelled));
  return Status::Ok();
}

}  // namespace

void RegisterReportOutboxCommands(CLI::App& report, int* exit_code) {
  auto flags = std::make_shared<OutboxFlags>();
  const auto db_flag = [&](CLI::App* sub) {
    sub->add_option("--db", flags->db, "Database URL (default: $VIGIL_DATABASE_URL or vigil.db)");
  };
  CLI::App* overdue = report.add_subcommand(
      "overdue", "Confirmed cases not reported within the limit (Art 3(1)(j))");
  db_flag(overdue);
  overdue->add_option("--limit-hours", flags->limit_hours,
                      "The limit (default: the reporting config's, else 24)");
  overdue->add_option("--reporting", flags->reporting,
                      "Reporting config (default: $VIGIL_REPORTING_CONFIG)");
  overdue->callback([flags, exit_code] {
    *exit_code =
        WithOutbox(*flags, [](store::Database&, cases::ReviewService&,
                              report::ReportOutbox& outbox) { return ListOverdue(outbox); });
  });
  CLI::App* list = report.add_subcommand("outbox", "Hotline report deliveries and their state");
  db_flag(list);
  list->add_option("--case", flags->case_id, "Only this case's deliveries");
  list->callback([flags, exit_code] {
    *exit_code = WithOutbox(
        *flags, [&](store::Database& db, cases::ReviewService&, report::ReportOutbox& outbox) {
          RETURN_IF_ERROR(outbox.Sync());
          return ListDeliveries(db, *flags);
        });
  });
  CLI::App* send = report.add_subcommand("send", "Deliver the due reports of the outbox once");
  db_flag(send);
  send->add_option("--config", flags->config, "NCMEC settings (JSON)")->required();
  send->add_option("--xsd", flags->xsd, "cyber_tipline.xsd (overrides the config's xsd_path)");
  AddEvidenceOptions(*send, flags->evidence);
  send->callback([flags, exit_code] {
    *exit_code =
        WithOutbox(*flags, [&](store::Database& db, cases::ReviewService& review,
                               report::ReportOutbox&) { return Send(db, review, *flags); });
  });
}

}  // namespace vigil::cli
