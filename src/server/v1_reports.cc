// vigil's /v1 API for hotline reporting: confirmed cases not reported within the Art 3(1)(j)
// limit of the reporting config ("without delay"; default 24 h), also counted on /metrics.
#include "report/outbox.h"
#include "server/routes.h"

namespace vigil::server {

Result<std::vector<report::OverdueCase>> ListOverdueReports(ServerContext& ctx) {
  report::OutboxOptions options;
  options.report_limit = ctx.reporting.report_limit;
  // No reporters: ListOverdue only reads the cases.
  report::ReportOutbox outbox(ctx.db->cases(), *ctx.review, ctx.db->report_outbox(), {}, nullptr,
                              ctx.clock, options);
  return outbox.ListOverdue();
}

namespace handlers {

Result<Reply> V1OverdueReports(Call& call) {
  ASSIGN_OR_RETURN(std::vector<report::OverdueCase> overdue, ListOverdueReports(call.ctx));
  Json list = Json::array();
  for (const report::OverdueCase& o : overdue) {
    list.push_back({{"case_id", o.case_id},
                    {"confirmed_at", FormatUtc(o.confirmed_at)},
                    {"waiting_seconds", o.waiting.count()}});
  }
  return JsonReply({{"limit_seconds", call.ctx.reporting.report_limit.count()},
                    {"destinations", call.ctx.reporting.destinations},
                    {"overdue", list}});
}

}  // namespace handlers
}  // namespace vigil::server
