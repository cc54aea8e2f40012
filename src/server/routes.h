// The route table: every HTTP route the server answers, with the roles allowed to call it, what
// the audit log records about it, and its handler. Authorisation, audit, metrics and the OpenAPI
// document are all derived from this one table, so a route cannot be added without declaring
// who may call it.
//
// Thread safety: the table is immutable.
#ifndef VIGIL_SERVER_ROUTES_H_
#define VIGIL_SERVER_ROUTES_H_

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth.h"
#include "report/outbox.h"
#include "server/api.h"
#include "server/metrics.h"

namespace vigil::server {

// What the audit log records for a successful call.
enum class Audit : uint8_t {
  kNone,    // reads that show no evidence (lists of banks, metrics, matching)
  kChange,  // a state change
  kView,    // a view of evidence (a case, a bank entry)
};

struct Route {
  std::string_view method;  // "GET", "POST", "PUT", "DELETE"
  std::string_view path;    // with {name} segments, e.g. "/v1/cases/{id}"
  // Roles allowed besides admin (which may call everything). Empty and is_public: no key.
  std::vector<auth::Role> roles;
  bool is_public = false;
  Audit audit = Audit::kNone;
  Handler handler = nullptr;
  std::string_view summary;  // one line for the OpenAPI document
  // The route publishes to the scale-out queue: it may answer 429 (queue full) or 503 (queue
  // unreachable) with Retry-After, which the OpenAPI document says.
  bool back_pressure = false;
};

// Every route, in the order the OpenAPI document lists them.
std::span<const Route> AllRoutes();

// True when `key` may call `route` (admin, or one of its roles).
bool Allowed(const Route& route, const auth::ApiKey& key);

// The outcome of looking up a request: the route and its path parameters, or whether the path
// exists under another method (405) or not at all (404).
struct RouteMatch {
  const Route* route = nullptr;
  std::map<std::string, std::string> params;
  bool path_exists = false;
  std::vector<std::string_view> allowed_methods;
};
RouteMatch FindRoute(std::string_view method, std::string_view path);

// The OpenAPI 3 document of AllRoutes().
std::string OpenApiDocument();

// Handlers, by area (ops_handlers.cc, hma_handlers.cc, v1_*.cc).
namespace handlers {
Result<Reply> Healthz(Call&);
Result<Reply> Readyz(Call&);
Result<Reply> HmaStatus(Call&);
Result<Reply> StatusLive(Call&);
Result<Reply> SiteMap(Call&);
Result<Reply> OpenApi(Call&);
Result<Reply> MetricsText(Call&);

Result<Reply> HmaHashUrl(Call&);
Result<Reply> HmaHashUpload(Call&);
Result<Reply> HmaRawLookup(Call&);
Result<Reply> HmaLookup(Call&);
Result<Reply> HmaLookupUpload(Call&);
Result<Reply> HmaCompare(Call&);
Result<Reply> HmaIndexStatus(Call&);
Result<Reply> HmaListBanks(Call&);
Result<Reply> HmaCreateBank(Call&);
Result<Reply> HmaGetBank(Call&);
Result<Reply> HmaUpdateBank(Call&);
Result<Reply> HmaDeleteBank(Call&);
Result<Reply> HmaAddSignal(Call&);
Result<Reply> HmaAddContent(Call&);
Result<Reply> HmaGetContent(Call&);
Result<Reply> HmaUpdateContent(Call&);
Result<Reply> HmaDeleteContent(Call&);

Result<Reply> V1Hash(Call&);
Result<Reply> V1Match(Call&);
Result<Reply> V1SubmitItem(Call&);
Result<Reply> V1ListBanks(Call&);
Result<Reply> V1CreateBank(Call&);
Result<Reply> V1GetBank(Call&);
Result<Reply> V1ListEntries(Call&);
Result<Reply> V1AddEntry(Call&);
Result<Reply> V1GetEntry(Call&);
Result<Reply> V1RetireEntry(Call&);
Result<Reply> V1Queue(Call&);
Result<Reply> V1Claim(Call&);
Result<Reply> V1Release(Call&);
Result<Reply> V1Decide(Call&);
Result<Reply> V1ListCases(Call&);
Result<Reply> V1GetCase(Call&);
Result<Reply> V1ListKeys(Call&);
Result<Reply> V1CreateKey(Call&);
Result<Reply> V1RevokeKey(Call&);
Result<Reply> V1TakeAction(Call&);
Result<Reply> V1FileComplaint(Call&);
Result<Reply> V1DecideComplaint(Call&);
Result<Reply> V1ListComplaints(Call&);
Result<Reply> V1GetComplaint(Call&);
Result<Reply> V1CaseRedress(Call&);
Result<Reply> V1OverdueReports(Call&);
// Scale-out (scaleout.cc): job ingest with back-pressure, dead letters.
Result<Reply> V1QueueJobs(Call&);
Result<Reply> V1ListDeadLetters(Call&);
Result<Reply> V1RequeueDeadLetter(Call&);
Result<Reply> V1DiscardDeadLetter(Call&);
Result<Reply> V1ListExchanges(Call&);
Result<Reply> V1GetExchange(Call&);

// The reviewer console: its static files (console_files.cc) and its routes (v1_console.cc).
Result<Reply> RootRedirect(Call&);
Result<Reply> ConsoleIndex(Call&);
Result<Reply> ConsoleFile(Call&);
Result<Reply> V1Me(Call&);
Result<Reply> V1SetMyWellness(Call&);
Result<Reply> V1SetReviewerWellness(Call&);
Result<Reply> V1CaseEvents(Call&);
Result<Reply> V1Alerts(Call&);
Result<Reply> V1AcknowledgeAlert(Call&);
Result<Reply> V1ListPauses(Call&);
Result<Reply> V1ResumeAutoAction(Call&);
Result<Reply> V1QaQueue(Call&);
Result<Reply> V1QaClaim(Call&);
Result<Reply> V1QaReview(Call&);
Result<Reply> V1ItemMedia(Call&);
Result<Reply> V1RevealItem(Call&);
Result<Reply> V1ItemFrames(Call&);
Result<Reply> V1AuditLog(Call&);
Result<Reply> V1Rules(Call&);
}  // namespace handlers

// The scale-out queue's gauges (scaleout.cc): jobs waiting, the stream's limit, dead letters;
// nothing without ctx.nats, -1 while NATS cannot be read.
void AppendQueueGauges(ServerContext& ctx, std::vector<Metrics::Gauge>& gauges);

// Art 3(1)(j): confirmed cases not reported within the reporting config's limit (v1_reports.cc).
Result<std::vector<report::OverdueCase>> ListOverdueReports(ServerContext& ctx);

}  // namespace vigil::server

#endif  // VIGIL_SERVER_ROUTES_H_
