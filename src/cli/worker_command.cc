// `vigil worker --config FILE`: a scale-out worker (docs/scaling.md). Pulls scan jobs from NATS
// JetStream, runs the detection pipeline, commits the results to PostgreSQL exactly once and
// acknowledges after the commit; bank events keep its matcher current. Runs until SIGTERM or
// SIGINT, then finishes the deliveries in hand.
#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/file_batch.h"
#include "core/periodic_task.h"
#include "detect/pipeline.h"
#include "match/bank_verification_sink.h"
#include "privacy/account_identity.h"
#include "privacy/evidence_store.h"
#include "privacy/legal_basis.h"
#include "store/store.h"
#include "worker/config.h"
#include "worker/ledger_purge.h"
#include "worker/live_matcher.h"
#include "worker/worker.h"

namespace vigil::cli {
namespace {

struct WorkerFlags {
  std::string config;
};

int Fail(const Status& s) {
  PrintError(s);
  return ExitCodeFor(s.code());
}

// Serves GET /metrics on `listen` ("host:port", port 0 picks one) until destroyed.
class MetricsServer {
 public:
  Status Start(const std::string& listen, const worker::Worker& w) {
    const size_t colon = listen.rfind(':');
    if (colon == std::string::npos) {
      return InvalidArgumentError(fmt::format("metrics_listen '{}' is not host:port", listen));
    }
    const std::string host = listen.substr(0, colon);
    const int port = std::atoi(listen.c_str() + colon + 1);
    server_.Get("/metrics", [&w](const httplib::Request&, httplib::Response& res) {
      res.set_content(w.PrometheusText(), "text/plain; version=0.0.4");
    });
    port_ =
        port == 0 ? server_.bind_to_any_port(host) : (server_.bind_to_port(host, port) ? port : -1);
    if (port_ < 0) return UnavailableError(fmt::format("cannot listen on {}", listen));
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    return Status::Ok();
  }
  ~MetricsServer() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
};

// The pseudonymisation and evidence keys (worker.h, docs/privacy.md): none unless pseudonym_keys
// or VIGIL_PSEUDONYM_KEYS is given; then the evidence keys are required.
struct LoadedKeys {
  std::optional<privacy::Pseudonymiser> pseudonyms;
  std::optional<privacy::EvidenceCipher> cipher;
};
Result<LoadedKeys> LoadKeys(const worker::WorkerConfig& config, const std::string& where) {
  LoadedKeys keys;
  const char* pseudonym_env = std::getenv("VIGIL_PSEUDONYM_KEYS");
  if (config.pseudonym_keys_file.empty() && (pseudonym_env == nullptr || *pseudonym_env == '\0')) {
    return keys;
  }
  const char* evidence_env = std::getenv("VIGIL_EVIDENCE_KEYS");
  if (config.evidence_keys_file.empty() && (evidence_env == nullptr || *evidence_env == '\0')) {
    return InvalidArgumentError(fmt::format(
        "{}: pseudonym_keys needs evidence_keys (or VIGIL_EVIDENCE_KEYS): the clear account id a "
        "hotline report needs is kept only sealed with the evidence master key",
        where));
  }
  ASSIGN_OR_RETURN(keys.pseudonyms,
                   privacy::LoadPseudonymiser(config.pseudonym_keys_file,
                                              pseudonym_env ? pseudonym_env : "", ""));
  ASSIGN_OR_RETURN(keys.cipher, privacy::LoadEvidenceCipher(config.evidence_keys_file,
                                                            evidence_env ? evidence_env : "", ""));
  return keys;
}

int RunWorker(const WorkerFlags& flags) {
  auto config = worker::LoadWorkerConfig(flags.config);
  if (!config.ok()) return Fail(config.status());
  auto rules = detect::RuleSet::ParseFile(config->rules_file);
  if (!rules.ok()) return Fail(rules.status());
  auto basis = privacy::LegalBasisById(config->legal_basis.empty() ? privacy::kDefaultLegalBasis
                                                                   : config->legal_basis);
  if (!basis.ok()) return Fail(basis.status());
  auto keys = LoadKeys(*config, flags.config);
  if (!keys.ok()) return Fail(keys.status());
  store::DatabaseOptions db_options;
  db_options.max_connections = config->worker.threads + 2;  // one pinned per thread, + reads
  auto db = store::OpenDatabase(config->database, db_options);
  if (!db.ok()) return Fail(db.status());
  auto nats = queue::NatsQueue::Connect(config->nats);
  if (!nats.ok()) return Fail(nats.status());
  match::MatcherOptions match_options;
  match_options.banks = config->banks;
  auto live = worker::LiveMatcher::Start((*db)->banks(), match_options, **nats);
  if (!live.ok()) return Fail(live.status());
  auto clock = std::make_shared<SystemClock>();
  match::BankVerificationSink sink((*db)->banks());
  auto review = cases::ReviewService::Create((*db)->cases(), sink, clock, cases::ReviewConfig{});
  if (!review.ok()) return Fail(review.status());
  detect::Pipeline pipeline(&(*live)->matcher(), &*rules, review->get(), &(*db)->volume(), clock,
                            *basis);
  queue::NatsQueue* q = nats->get();
  worker::AccountKeys account_keys;
  if (keys->pseudonyms) {
    account_keys = {&*keys->pseudonyms, &*keys->cipher, &(*db)->privacy()};
  }
  worker::Worker w(
      config->worker, [q] { return q->OpenJobSource(); }, (*db)->job_ledger(), pipeline, clock,
      account_keys);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  MetricsServer metrics;
  if (!config->metrics_listen.empty()) {
    if (Status s = metrics.Start(config->metrics_listen, w); !s.ok()) return Fail(s);
  }
  std::fprintf(
      stderr, "vigil: worker %s on %s (database %s, %d threads)%s%s\n", config->worker.name.c_str(),
      config->nats.url.c_str(), (*db)->url().c_str(), config->worker.threads,
      metrics.port() > 0 ? fmt::format(", metrics on port {}", metrics.port()).c_str() : "",
      keys->pseudonyms ? ", account ids pseudonymised" : "");
  std::atomic<bool> stop{false};
  std::thread signal_waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::fprintf(stderr, "vigil: worker %s: signal %d; finishing deliveries in hand\n",
                 config->worker.name.c_str(), sig);
    stop = true;
  });
  // Ledger rows older than the retention are deleted every minute, counted for the annual
  // report (Art 3(1)(h), worker/ledger_purge.h).
  PeriodicTask ledger_purge;
  ledger_purge.Start(std::chrono::minutes(1), PeriodicTask::FirstRun::kAtOnce, [&] {
    const TimePoint now = SystemClock().Now();
    auto purged =
        worker::PurgeJobLedger((*db)->job_ledger(), (*db)->privacy(),
                               now - std::chrono::hours(config->ledger_retention_hours), now);
    if (!purged.ok()) spdlog::warn("job ledger purge: {}", purged.status().ToString());
  });
  Status run = w.Run(stop);
  if (!run.ok()) {
    stop = true;
    pthread_kill(signal_waiter.native_handle(), SIGTERM);
  }
  signal_waiter.join();
  ledger_purge.Stop();
  const worker::WorkerMetrics m = w.Metrics();
  std::fprintf(stderr,
               "vigil: worker %s stopped: %llu processed, %llu duplicates, %llu dead-lettered\n",
               config->worker.name.c_str(), static_cast<unsigned long long>(m.processed),
               static_cast<unsigned long long>(m.duplicates),
               static_cast<unsigned long long>(m.dead_lettered));
  return run.ok() ? 0 : Fail(run);
}

}  // namespace

void RegisterWorkerCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<WorkerFlags>();
  CLI::App* cmd =
      app.add_subcommand("worker",
                         "Run a scale-out worker: scan jobs from NATS JetStream into PostgreSQL "
                         "(docs/scaling.md)");
  cmd->add_option("--config", flags->config, "Worker configuration (JSON)")->required();
  cmd->callback([flags, exit_code] { *exit_code = RunWorker(*flags); });
}

}  // namespace vigil::cli
