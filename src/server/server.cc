// Server: the cpp-httplib front end. Every request goes through Impl::Dispatch, which finds the
// route in the one route table, authenticates and authorises the key, calls the handler, maps
// the Status to an HTTP status, records the audit entry and the metrics.
#include "server/server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "match/bank_verification_sink.h"
#include "privacy/account_identity.h"
#include "privacy/purge_scheduler.h"
#include "redress/redress.h"
#include "server/api.h"
#include "server/connection_guard.h"
#include "server/exchange_sync.h"
#include "server/metrics.h"
#include "core/periodic_task.h"
#include "server/routes.h"

namespace vigil::server {
namespace {

Status Unauthenticated(std::string message) { return PermissionDeniedError(std::move(message)); }

void LogPurge(const privacy::PurgeRun& run) {
  if (!run.summary.ok()) {
    spdlog::error("scheduled purge failed (the next run resumes it): {}",
                  run.summary.status().ToString());
    return;
  }
  const privacy::RecordPurge& other = run.summary->outside_cases;
  spdlog::info(
      "scheduled purge: {} case(s), {} record(s) erased or deleted (of them {} classifier retry "
      "item(s), {} legal hold(s), {} DPIA record(s), {} exposure row(s), {} audit record(s) past "
      "their periods)",
      run.summary->cases, run.summary->records, other.classify_retries, other.legal_holds,
      other.dpia_records, other.reviewer_exposure, run.summary->audit_records);
  for (const std::string& v : run.violations) spdlog::error("retention verification: {}", v);
}

}  // namespace

class Server::Impl {
 public:
  Metrics metrics;
  ServerContext ctx;
  std::unique_ptr<RequestGuard> guard;  // the per-request read deadline (slow-loris)
  httplib::Server http;
  std::thread listener;
  int port = 0;
  PeriodicTask bank_poller;   // config.bank_poll
  PeriodicTask kept_retrier;  // config.classifier_retry_interval, with classifiers
  std::unique_ptr<ExchangeScheduler> exchanges;    // syncs hash exchanges when configured
  std::unique_ptr<privacy::PurgeScheduler> purge;  // when config.purge_interval > 0

  Result<std::shared_ptr<const auth::ApiKey>> Authenticate(const httplib::Request& req);
  Reply Handle(const httplib::Request& req, const RouteMatch& m);
  void Dispatch(const httplib::Request& req, httplib::Response& res);
  void Configure();
  void PollBanks();
};

void Server::Impl::PollBanks() {
  Result<bool> reloaded = ctx.PollBanks();
  if (!reloaded.ok()) {
    // The old matcher keeps serving; the next poll tries again.
    spdlog::warn("looking for bank changes failed: {}", reloaded.status().ToString());
  } else if (*reloaded) {
    spdlog::info("banks changed by another process: matcher reloaded");
  }
}

Result<std::shared_ptr<const auth::ApiKey>> Server::Impl::Authenticate(
    const httplib::Request& req) {
  const std::string header = req.get_header_value("Authorization");
  if (header.empty()) {
    return Unauthenticated("missing API key: send the header 'Authorization: Bearer <key>'");
  }
  if (header.rfind("Bearer ", 0) != 0) {
    return Unauthenticated("the Authorization header must be 'Bearer <key>'");
  }
  // Only the hash is handled from here on, so the secret cannot reach a log or an error.
  const std::string hash = auth::HashSecret(std::string_view(header).substr(7));
  const TimePoint now = ctx.clock->Now();
  if (auto cached = ctx.key_cache->Get(hash, now)) return cached;
  auto key = ctx.db->api_keys().FindBySecretHash(hash);
  if (!key.ok() && key.status().code() == StatusCode::kNotFound) {
    return Unauthenticated("unknown API key");
  }
  if (!key.ok()) return key.status();
  if (key->revoked()) return Unauthenticated(fmt::format("API key '{}' was revoked", key->name));
  auto shared = std::make_shared<const auth::ApiKey>(std::move(*key));
  ctx.key_cache->Put(hash, shared, now);
  return shared;
}

Reply Server::Impl::Handle(const httplib::Request& req, const RouteMatch& m) {
  if (m.route == nullptr) {
    if (!m.path_exists) {
      return ErrorReply(NotFoundError(
          fmt::format("no route {} {}", req.method, bank::EscapeForMessage(req.path, 200))));
    }
    Reply r{405,
            ErrorBody(InvalidArgumentError(
                fmt::format("method {} is not allowed on {}", req.method, req.path))),
            "application/json",
            {{"Allow", fmt::format("{}", fmt::join(m.allowed_methods, ", "))}}};
    return r;
  }
  const Route& route = *m.route;
  std::shared_ptr<const auth::ApiKey> key;
  if (!route.is_public) {
    auto authed = Authenticate(req);
    if (!authed.ok() && authed.status().code() == StatusCode::kPermissionDenied) {
      Reply r = ErrorReply(authed.status());
      r.status = 401;
      r.headers.push_back({"WWW-Authenticate", "Bearer"});
      return r;
    }
    if (!authed.ok()) return ErrorReply(authed.status());
    const auth::ApiKey& k = **authed;
    if (!Allowed(route, k)) {
      return ErrorReply(
          PermissionDeniedError(fmt::format("API key '{}' (roles {}) may not call {} {}", k.name,
                                            auth::JoinRoles(k.roles), route.method, route.path)));
    }
    key = std::move(*authed);
  }
  Call call{req, ctx, key.get(), m.params};
  Result<Reply> result = InternalError("handler did not run");
  try {
    result = route.handler(call);
  } catch (const std::exception& e) {
    // The library reports errors as values; anything thrown is a bug or out-of-memory.
    spdlog::error("{} {}: internal error: {}", req.method, route.path, e.what());
    result = InternalError(fmt::format("internal error in {} {}", req.method, route.path));
  }
  Reply reply = result.ok() ? std::move(*result) : ErrorReply(result.status());
  if (route.audit == Audit::kNone || reply.status >= 300) return reply;
  Json details = {{"status", reply.status}, {"key_id", key->id}, {"params", call.params}};
  Status recorded =
      ctx.audit->Record({key->name, fmt::format("{} {}", route.method, route.path), req.path,
                         fmt::format("{}:{}", req.remote_addr, req.remote_port), details.dump()});
  if (!recorded.ok()) {
    // No evidence leaves and no change is reported as done without its audit record.
    spdlog::error("audit record for {} {} failed: {}", req.method, req.path, recorded.ToString());
    return ErrorReply(UnavailableError("the audit log is unavailable: " + recorded.message()));
  }
  return reply;
}

void Server::Impl::Dispatch(const httplib::Request& req, httplib::Response& res) {
  const RequestGuard::Handling handling;  // the request has arrived whole
  const auto start = std::chrono::steady_clock::now();
  const RouteMatch m = FindRoute(req.method, req.path);
  Reply reply = Handle(req, m);
  res.status = reply.status;
  for (auto& [name, value] : reply.headers) res.set_header(name, value);
  res.set_content(std::move(reply.body), reply.content_type.c_str());
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  metrics.ObserveRequest(req.method, m.route ? m.route->path : "unmatched", reply.status,
                         took.count());
}

void Server::Impl::Configure() {
  const ServerConfig& c = ctx.config;
  const size_t threads = static_cast<size_t>(c.threads);
  // cpp-httplib owns the queue it gets from this factory (its API takes a raw pointer).
  guard = std::make_unique<RequestGuard>(c.limits.request_timeout);
  http.new_task_queue = [this, threads] { return guard->MakeTaskQueue(threads); };
  http.set_payload_max_length(c.limits.max_body_bytes);
  http.set_read_timeout(c.limits.read_timeout);
  http.set_write_timeout(c.limits.write_timeout);
  http.set_keep_alive_timeout(c.limits.keep_alive_timeout.count());
  http.set_keep_alive_max_count(static_cast<size_t>(c.limits.keep_alive_max_requests));
  http.set_tcp_nodelay(true);
  // SO_REUSEADDR only: cpp-httplib's default also sets SO_REUSEPORT, which would let a second
  // process bind the same port and take a share of the requests (and the API keys sent).
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // cpp-httplib (0.11) reads a chunked body into memory whole without checking the body limit,
  // so one that never ends would take all memory: a body must declare its Content-Length.
  // This runs before any of the body is read; the connection is closed after the answer.
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    std::string te = req.get_header_value("Transfer-Encoding");
    std::transform(te.begin(), te.end(), te.begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
    if (te.find("chunked") == std::string::npos) return httplib::Server::HandlerResponse::Unhandled;
    res.status = 411;
    res.set_header("Connection", "close");
    res.set_content(
        Json({{"message", "a chunked request body is not accepted: send Content-Length"},
              {"field", "body"}})
            .dump(),
        "application/json");
    metrics.ObserveRequest(req.method, "unrouted", res.status, 0);
    return httplib::Server::HandlerResponse::Handled;
  });
  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
    Dispatch(req, res);
  };
  http.Get(".*", dispatch);
  http.Post(".*", dispatch);
  http.Put(".*", dispatch);
  http.Delete(".*", dispatch);
  // Errors cpp-httplib answers itself (413 over the body limit, 400 for a malformed request,
  // unsupported methods) get the same JSON shape as the handlers' errors.
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        const std::string message = res.status == 413
                                        ? fmt::format("request body over the limit of {} bytes",
                                                      ctx.config.limits.max_body_bytes)
                                        : fmt::format("HTTP {}", res.status);
        Json j = {{"message", message}};
        if (res.status == 413) j["field"] = "body";
        res.set_content(j.dump(), "application/json");
        metrics.ObserveRequest(req.method, "unrouted", res.status, 0);
        return httplib::Server::HandlerResponse::Handled;
      }));
}

// The evidence store (items' media, "not CSAM" erasure), the pseudonymisation keys and the
// scheduled purge (docs/privacy.md).
static Status SetUpPrivacy(Server::Impl& impl) {
  ServerContext& ctx = impl.ctx;
  if (!ctx.config.evidence_dir.empty()) {
    const char* env = std::getenv("VIGIL_EVIDENCE_KEYS");
    ASSIGN_OR_RETURN(
        privacy::EvidenceCipher cipher,
        privacy::LoadEvidenceCipher(ctx.config.evidence_keys_file, env ? env : "", ""));
    ASSIGN_OR_RETURN(ctx.evidence,
                     privacy::EvidenceStore::Open(ctx.config.evidence_dir, std::move(cipher)));
  }
  const char* pseudonym_env = std::getenv("VIGIL_PSEUDONYM_KEYS");
  if (!ctx.config.pseudonym_keys_file.empty() ||
      (pseudonym_env != nullptr && *pseudonym_env != '\0')) {
    if (!ctx.evidence) {
      return InvalidArgumentError(
          "pseudonym_keys needs evidence_dir: the clear account id a hotline report needs is "
          "kept only sealed with the evidence master key");
    }
    ASSIGN_OR_RETURN(ctx.pseudonyms,
                     privacy::LoadPseudonymiser(ctx.config.pseudonym_keys_file,
                                                pseudonym_env ? pseudonym_env : "", ""));
  }
  if (ctx.config.purge_interval.count() > 0) {
    impl.purge = std::make_unique<privacy::PurgeScheduler>(ctx.db->privacy(), ctx.evidence.get(),
                                                           ctx.clock, ctx.config.purge_interval,
                                                           LogPurge, &ctx.db->audit());
  }
  return Status::Ok();
}

Result<std::unique_ptr<Server>> Server::Create(const ServerConfig& config, store::Database& db,
                                               AuditRecorder& audit,
                                               std::shared_ptr<const Clock> clock) {
  auto impl = std::make_unique<Impl>();
  ServerContext& ctx = impl->ctx;
  ctx.config = config;
  ctx.db = &db;
  ctx.clock = clock ? std::move(clock) : std::make_shared<SystemClock>();
  ctx.audit = &audit;
  ctx.metrics = &impl->metrics;
  ctx.key_cache = std::make_unique<KeyCache>(config.auth_cache);
  ASSIGN_OR_RETURN(ctx.rules, detect::RuleSet::ParseFile(config.rules_file));
  RETURN_IF_ERROR(LoadItemClassifiers(ctx));
  {
    // Every technology with a rule, the classifiers' included, needs its DPIA record first.
    ASSIGN_OR_RETURN(std::vector<privacy::DpiaRecord> dpia, db.privacy().ListDpia(std::nullopt));
    std::vector<std::string> assessed;
    for (const privacy::DpiaRecord& r : dpia) assessed.push_back(r.technology);
    Status s = detect::CheckAssessed(ctx.rules, assessed);
    if (!s.ok()) {
      return s.WithContext(config.classifiers_file.empty()
                               ? config.rules_file
                               : fmt::format("{}, {}", config.rules_file, config.classifiers_file));
    }
  }
  ctx.verification_sink = std::make_unique<match::BankVerificationSink>(db.banks());
  if (!config.reporting_file.empty()) {
    ASSIGN_OR_RETURN(ctx.reporting, report::LoadReportingConfig(config.reporting_file));
  } else {
    spdlog::warn("no \"reporting\" file in the config: confirmed cases queue no hotline report");
  }
  // The same destinations as `vigil cases decide --reporting`: a confirming decision from either
  // front end writes its outbox rows in the decision's transaction (Art 3(1)(j)).
  cases::ReviewConfig review_config;
  review_config.report_destinations = ctx.reporting.destinations;
  ASSIGN_OR_RETURN(ctx.review, cases::ReviewService::Create(db.cases(), *ctx.verification_sink,
                                                            ctx.clock, review_config));
  // Verifications an earlier process committed but did not deliver (it crashed in between).
  if (Status d = ctx.review->DeliverPendingVerifications(); !d.ok()) {
    spdlog::warn("bank verification of earlier decisions still pending: {}", d.ToString());
  }
  if (!config.redress_config.empty()) {
    ASSIGN_OR_RETURN(redress::RedressFileConfig rc,
                     redress::LoadRedressConfig(config.redress_config));
    ASSIGN_OR_RETURN(redress::NoticeTemplates templates, redress::LoadNoticeTemplates(rc));
    ASSIGN_OR_RETURN(ctx.redress,
                     redress::RedressService::Create(*ctx.review,
                                                     {.cases = &db.cases(),
                                                      .redress = &db.redress(),
                                                      .banks = &db.banks(),
                                                      .report_outbox = &db.report_outbox()},
                                                     std::move(templates), ctx.clock, rc.redress));
  }
  ctx.counters = std::make_unique<MetricsVolumeSink>(db.volume(), impl->metrics);
  RETURN_IF_ERROR(ConnectQueue(ctx));
  // The bank events' position before the matcher's snapshot, then the events after it (the
  // workers' order, docs/scaling.md "Bank changes").
  uint64_t events_from = 0;
  if (ctx.nats != nullptr) {
    ASSIGN_OR_RETURN(events_from, ctx.nats->LastSequence());
  }
  RETURN_IF_ERROR(ctx.ReloadDetection());
  RETURN_IF_ERROR(FollowBankEvents(ctx, events_from));
  ctx.hashers = std::make_unique<HasherPool>(detect::MediaHasherOptions{});
  RETURN_IF_ERROR(SetUpPrivacy(*impl));
  impl->Configure();
  impl->exchanges = std::make_unique<ExchangeScheduler>(impl->ctx);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  const ServerConfig& c = impl_->ctx.config;
  int port = c.port;
  if (port == 0) {
    port = impl_->http.bind_to_any_port(c.address);
  } else if (!impl_->http.bind_to_port(c.address, port)) {
    port = -1;
  }
  if (port <= 0) {
    return UnavailableError(fmt::format("cannot listen on {}:{}", c.address, c.port));
  }
  impl_->port = port;
  impl_->guard->set_port(port);
  impl_->listener = std::thread([this] { impl_->http.listen_after_bind(); });
  impl_->bank_poller.Start(c.bank_poll, PeriodicTask::FirstRun::kAfterInterval,
                           [this] { impl_->PollBanks(); });
  // Stop only works once the loop runs; wait for it so a quick Stop cannot be missed.
  while (!impl_->http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl_->exchanges->Start();
  if (impl_->purge) impl_->purge->Start();
  if (impl_->ctx.media_classifier != nullptr) {
    impl_->kept_retrier.Start(c.classifier_retry_interval, PeriodicTask::FirstRun::kAfterInterval,
                              [this] { RetryKeptItems(impl_->ctx).status().IgnoreError(); });
  }
  return Status::Ok();
}

int Server::port() const { return impl_->port; }

void Server::ServeOne(const httplib::Request& req, httplib::Response& res) {
  impl_->Dispatch(req, res);
}

void Server::Stop() {
  impl_->bank_poller.Stop();
  impl_->kept_retrier.Stop();
  // After the poller, which reads it; not under changes_mu, which an event being applied may be
  // waiting for (the subscription's end waits for that event).
  impl_->ctx.bank_events.reset();
  impl_->exchanges->Stop();
  if (!impl_->listener.joinable()) return;
  if (impl_->purge) impl_->purge->Stop();
  impl_->http.stop();
  impl_->listener.join();
}

}  // namespace vigil::server
