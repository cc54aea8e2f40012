#include "server/routes.h"

#include <algorithm>

namespace vigil::server {
namespace {

using auth::Role;
namespace h = handlers;

constexpr Role kBank = Role::kBankManager;
constexpr Role kReview = Role::kReviewer;
constexpr Role kAudit = Role::kAuditor;
constexpr Role kIngest = Role::kIngestClient;
constexpr Role kReport = Role::kReporter;

Route Public(std::string_view method, std::string_view path, Handler handler,
             std::string_view summary) {
  return Route{method, path, {}, true, Audit::kNone, handler, summary, false};
}

Route Keyed(std::string_view method, std::string_view path, std::vector<Role> roles, Audit audit,
            Handler handler, std::string_view summary) {
  return Route{method, path, std::move(roles), false, audit, handler, summary, false};
}

// A route that publishes to the scale-out queue (Route::back_pressure).
Route Queued(Route r) {
  r.back_pressure = true;
  return r;
}

// THE route table. Admin may call every keyed route; the lists name the other roles.
std::vector<Route> BuildRoutes() {
  const Audit none = Audit::kNone, change = Audit::kChange, view = Audit::kView;
  return {
      Public("GET", "/healthz", h::Healthz, "Liveness: the process serves requests"),
      Public("GET", "/readyz", h::Readyz, "Readiness: index loaded and database reachable"),
      Public("GET", "/status", h::HmaStatus, "HMA status: I-AM-ALIVE when the index is loaded"),
      Public("GET", "/status/live", h::StatusLive, "HMA liveness"),
      Public("GET", "/site-map", h::SiteMap, "HMA: every route path, sorted"),
      Public("GET", "/openapi.json", h::OpenApi, "This OpenAPI 3 document"),
      Public("GET", "/metrics", h::MetricsText, "Prometheus metrics"),
      Public("GET", "/", h::RootRedirect, "Redirects to the reviewer console"),
      Public("GET", "/console", h::ConsoleIndex, "The reviewer console (docs/console.md)"),
      Public("GET", "/console/{file}", h::ConsoleFile, "A file of the reviewer console"),
      // HMA hashing (/h), matching (/m) and curation (/c): HMA's paths and JSON shapes.
      Keyed("GET", "/h/hash", {kIngest, kBank}, none, h::HmaHashUrl,
            "HMA: hash a URL (not supported: answers 501; POST the file)"),
      Keyed("POST", "/h/hash", {kIngest, kBank}, none, h::HmaHashUpload,
            "HMA: hash one uploaded photo or video"),
      Keyed("GET", "/m/raw_lookup", {kIngest, kBank}, none, h::HmaRawLookup,
            "HMA: ids of bank entries matching a signal"),
      Keyed("GET", "/m/lookup", {kIngest, kBank}, none, h::HmaLookup,
            "HMA: matches of a signal by bank"),
      Keyed("POST", "/m/lookup", {kIngest, kBank}, none, h::HmaLookupUpload,
            "HMA: matches of an uploaded file by signal type and bank"),
      Keyed("POST", "/m/compare", {kIngest, kBank}, none, h::HmaCompare,
            "HMA: compare two signals of each type"),
      Keyed("GET", "/m/index/status", {kIngest, kBank, kAudit, kReport}, none, h::HmaIndexStatus,
            "HMA: index size per signal type"),
      Keyed("GET", "/c/banks", {kBank, kAudit, kReport}, none, h::HmaListBanks, "HMA: banks"),
      Keyed("POST", "/c/banks", {kBank}, change, h::HmaCreateBank, "HMA: create a bank"),
      Keyed("GET", "/c/bank/{bank_name}", {kBank, kAudit, kReport}, none, h::HmaGetBank,
            "HMA: one bank"),
      Keyed("PUT", "/c/bank/{bank_name}", {kBank}, change, h::HmaUpdateBank,
            "HMA: update a bank (rename and disabling are not supported)"),
      Keyed("DELETE", "/c/bank/{bank_name}", {kBank}, change, h::HmaDeleteBank,
            "HMA: delete a bank (refused: banks are never deleted)"),
      Keyed("POST", "/c/bank/{bank_name}/signal", {kBank}, change, h::HmaAddSignal,
            "HMA: add a signal to a bank"),
      Keyed("POST", "/c/bank/{bank_name}/content", {kBank}, change, h::HmaAddContent,
            "HMA: hash an uploaded file and add its signals to a bank"),
      Keyed("GET", "/c/bank/{bank_name}/content/{content_id}", {kBank, kAudit, kReview}, view,
            h::HmaGetContent, "HMA: one bank entry"),
      Keyed("PUT", "/c/bank/{bank_name}/content/{content_id}", {kBank}, change, h::HmaUpdateContent,
            "HMA: disable (retire) a bank entry"),
      Keyed("DELETE", "/c/bank/{bank_name}/content/{content_id}", {kBank}, change,
            h::HmaDeleteContent, "HMA: delete a bank entry (vigil retires it instead)"),
      // vigil's API.
      Keyed("POST", "/v1/hash", {kIngest, kBank}, none, h::V1Hash, "Hash an uploaded file"),
      Keyed("POST", "/v1/match", {kIngest, kBank}, none, h::V1Match,
            "Match one signal against the loaded banks"),
      Keyed("POST", "/v1/items", {kIngest}, change, h::V1SubmitItem,
            "Run an uploaded item through the detection pipeline (bank matching and the "
            "configured image classifiers)"),
      // Scale-out (docs/scaling.md). Queuing changes no record of vigil's (the workers' results
      // are recorded where they are committed), so it is not audited: one record per item at
      // billions a day would bury the log.
      Queued(Keyed("POST", "/v1/jobs", {kIngest}, none, h::V1QueueJobs,
                   "Queue scan jobs (hashes) for the scale-out workers")),
      Keyed("GET", "/v1/dead-letters", {kIngest, kAudit}, view, h::V1ListDeadLetters,
            "Jobs the workers gave up on, oldest first"),
      Queued(Keyed("POST", "/v1/dead-letters/{seq}/requeue", {kIngest}, change,
                   h::V1RequeueDeadLetter, "Queue a dead letter's job again as a new job")),
      Keyed("POST", "/v1/dead-letters/{seq}/discard", {kIngest}, change, h::V1DiscardDeadLetter,
            "Remove a dead letter without running its job"),
      Keyed("GET", "/v1/banks", {kBank, kAudit, kReport, kReview}, none, h::V1ListBanks,
            "Banks with their policies"),
      Keyed("POST", "/v1/banks", {kBank}, change, h::V1CreateBank, "Create a bank"),
      Keyed("GET", "/v1/banks/{bank}", {kBank, kAudit, kReport}, none, h::V1GetBank,
            "One bank with entry counts"),
      Keyed("GET", "/v1/banks/{bank}/entries", {kBank, kAudit}, view, h::V1ListEntries,
            "A page of a bank's entries"),
      Keyed("POST", "/v1/banks/{bank}/entries", {kBank}, change, h::V1AddEntry,
            "Add an entry to a bank"),
      Keyed("GET", "/v1/entries/{id}", {kBank, kAudit, kReview}, view, h::V1GetEntry,
            "One bank entry with its provenance"),
      Keyed("POST", "/v1/entries/{id}/retire", {kBank}, change, h::V1RetireEntry,
            "Retire a bank entry (entries are never deleted)"),
      Keyed("GET", "/v1/review/queue", {kReview, kAudit}, none, h::V1Queue,
            "Claimable cases by priority"),
      Keyed("POST", "/v1/review/claim", {kReview}, change, h::V1Claim,
            "Claim a case (or the next one) for review"),
      Keyed("POST", "/v1/cases/{id}/release", {kReview}, change, h::V1Release,
            "Give up a claimed case"),
      Keyed("POST", "/v1/cases/{id}/decision", {kReview}, change, h::V1Decide,
            "Record a review decision"),
      // Redress (docs/redress.md): the actor and the second reviewer are the calling key.
      Keyed("POST", "/v1/cases/{id}/actions", {kReview}, change, h::V1TakeAction,
            "Take an action on a decided case; writes the user notice (Art 3(1)(g)(vi))"),
      Keyed("GET", "/v1/cases/{id}/redress", {kReview, kAudit}, view, h::V1CaseRedress,
            "A case's actions, user notices and complaints"),
      Keyed("POST", "/v1/complaints", {kIngest}, change, h::V1FileComplaint,
            "File a user's complaint against an action (the operator's backend)"),
      Keyed("GET", "/v1/complaints", {kReview, kAudit}, none, h::V1ListComplaints,
            "Complaints (open ones unless open=false), oldest first, with their decision target "
            "and whether the caller may decide them"),
      Keyed("GET", "/v1/complaints/{id}", {kReview, kAudit}, view, h::V1GetComplaint,
            "One complaint with the user's grounds and the action complained about"),
      Keyed("POST", "/v1/complaints/{id}/decision", {kReview}, change, h::V1DecideComplaint,
            "Decide a complaint: a second reviewer, never the original decider"),
      Keyed("GET", "/v1/cases", {kReview, kAudit}, none, h::V1ListCases,
            "Cases by state, ascending by id"),
      Keyed("GET", "/v1/cases/{id}", {kReview, kAudit}, view, h::V1GetCase,
            "One case with its items, flags and reviews"),
      Keyed("GET", "/v1/keys", {}, none, h::V1ListKeys, "API keys (never their secrets)"),
      Keyed("POST", "/v1/keys", {}, change, h::V1CreateKey,
            "Create an API key; the secret is returned once"),
      Keyed("POST", "/v1/keys/{name}/revoke", {}, change, h::V1RevokeKey, "Revoke an API key"),
      Keyed("GET", "/v1/reports/overdue", {kAudit, kReport}, none, h::V1OverdueReports,
            "Confirmed cases not reported within the Art 3(1)(j) limit, oldest first"),
      Keyed("GET", "/v1/exchanges", {kBank, kAudit, kReport}, none, h::V1ListExchanges,
            "Hash exchanges: last sync, counts, last error and hashes waiting to be shared"),
      Keyed("GET", "/v1/exchanges/{name}", {kBank, kAudit, kReport}, none, h::V1GetExchange,
            "One hash exchange's sync and sharing state"),
      // What the reviewer console needs beyond the above (docs/console.md).
      Keyed("GET", "/v1/me", {kBank, kReview, kAudit, kIngest, kReport}, none, h::V1Me,
            "The calling key: name, roles, wellness settings and today's exposure"),
      Keyed("PUT", "/v1/me/wellness", {kReview}, change, h::V1SetMyWellness,
            "Set one's own blur and greyscale (admins also the daily exposure cap)"),
      Keyed("PUT", "/v1/reviewers/{name}/wellness", {}, change, h::V1SetReviewerWellness,
            "Set a reviewer's wellness settings and daily exposure cap"),
      Keyed("GET", "/v1/cases/{id}/events", {kReview, kAudit}, view, h::V1CaseEvents,
            "A case's history (its audit events), ascending"),
      Keyed("GET", "/v1/alerts", {kReview, kAudit}, none, h::V1Alerts,
            "Cluster alerts (open ones unless open=false)"),
      Keyed("POST", "/v1/alerts/{id}/acknowledge", {kReview}, change, h::V1AcknowledgeAlert,
            "Acknowledge a cluster alert with a note (who and when are recorded)"),
      Keyed("GET", "/v1/pauses", {kReview, kAudit}, none, h::V1ListPauses,
            "Subjects (technologies, bank entries) whose automatic action a cluster alert paused"),
      Keyed("POST", "/v1/pauses/resume", {kReview}, change, h::V1ResumeAutoAction,
            "Resume automatic action for a paused subject, with the reason (recorded)"),
      Keyed("GET", "/v1/review/qa-queue", {kReview, kAudit}, none, h::V1QaQueue,
            "Decided cases sampled for quality assurance"),
      Keyed("POST", "/v1/review/qa-claim", {kReview}, change, h::V1QaClaim,
            "Claim a sampled case for its QA review"),
      Keyed("POST", "/v1/cases/{id}/qa-review", {kReview}, change, h::V1QaReview,
            "Record a QA review (agreement is counted, the outcome never changes)"),
      Keyed("GET", "/v1/cases/{id}/items/{n}/media", {kReview, kAudit}, view, h::V1ItemMedia,
            "An item's media (image), for the holder of the case"),
      Keyed("POST", "/v1/cases/{id}/items/{n}/reveal", {kReview, kAudit}, view, h::V1RevealItem,
            "Record that the holder revealed an item unblurred"),
      Keyed("GET", "/v1/cases/{id}/items/{n}/frames", {kReview, kAudit}, view, h::V1ItemFrames,
            "A video item's frame thumbnails (PNG, base64), for the holder of the case"),
      Keyed("GET", "/v1/audit", {kAudit}, none, h::V1AuditLog,
            "A page of the hash-chained audit log, ascending (or newest first: order=desc)"),
      Keyed("GET", "/v1/rules", {kBank, kReview, kAudit}, none, h::V1Rules,
            "Detection rules, thresholds and review settings"),
  };
}

const std::vector<Route>& Table() {
  static const std::vector<Route> routes = BuildRoutes();
  return routes;
}

// Matches `path` against a pattern with {name} segments, collecting the parameters.
bool MatchPath(std::string_view pattern, std::string_view path,
               std::map<std::string, std::string>* params) {
  while (!pattern.empty() && !path.empty()) {
    const size_t pe = pattern.find('/', 1), qe = path.find('/', 1);
    std::string_view pseg = pattern.substr(0, pe), qseg = path.substr(0, qe);
    if (pseg.size() > 2 && pseg[1] == '{') {
      if (qseg.size() < 2) return false;  // an empty parameter
      (*params)[std::string(pseg.substr(2, pseg.size() - 3))] = std::string(qseg.substr(1));
    } else if (pseg != qseg) {
      return false;
    }
    pattern = pe == std::string_view::npos ? std::string_view() : pattern.substr(pe);
    path = qe == std::string_view::npos ? std::string_view() : path.substr(qe);
  }
  return pattern.empty() && path.empty();
}

}  // namespace

std::span<const Route> AllRoutes() { return Table(); }

bool Allowed(const Route& route, const auth::ApiKey& key) {
  if (key.Has(Role::kAdmin)) return true;
  return std::any_of(route.roles.begin(), route.roles.end(), [&](Role r) { return key.Has(r); });
}

RouteMatch FindRoute(std::string_view method, std::string_view path) {
  RouteMatch out;
  for (const Route& r : Table()) {
    std::map<std::string, std::string> params;
    if (!MatchPath(r.path, path, &params)) continue;
    out.path_exists = true;
    out.allowed_methods.push_back(r.method);
    if (r.method == method && out.route == nullptr) {
      out.route = &r;
      out.params = std::move(params);
    }
  }
  return out;
}

}  // namespace vigil::server
