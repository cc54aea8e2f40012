// Public face of the `server` module: vigil's HTTP/JSON service (`vigil serve`).
//
// It serves Meta HMA's hashing, matching and curation routes under HMA's paths and JSON shapes
// (so HMA clients work unchanged) and vigil's richer API under /v1/, with API keys and roles,
// an audit record of every state change and evidence view, Prometheus metrics and an OpenAPI
// document generated from the one route table (docs/server.md). The server is thin: it parses,
// calls the library, and maps Status codes through HttpStatusFor.
//
// Thread safety: Start, Stop and Wait are called from one controlling thread; requests are
// served on the server's own thread pool.
#ifndef VIGIL_SERVER_SERVER_H_
#define VIGIL_SERVER_SERVER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "queue/nats.h"
#include "server/audit_recorder.h"
#include "store/store.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace vigil::server {

struct ServerLimits {
  uint64_t max_body_bytes = 64ull << 20;  // larger request bodies get 413
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds write_timeout{10000};
  std::chrono::seconds keep_alive_timeout{5};
  int keep_alive_max_requests = 10000;
  size_t max_list = 1000;  // the most rows one list call returns
  // The longest a request may take to arrive whole (line, headers, body), however steadily it
  // trickles in: read_timeout bounds each read only (slow-loris, connection_guard.h).
  std::chrono::milliseconds request_timeout{30000};
};

// The bank poll's default interval when the server follows bank events (ServerConfig::bank_poll).
inline constexpr std::chrono::seconds kBankPollWithEvents{60};

struct ServerConfig {
  std::string address = "127.0.0.1";
  int port = 8080;  // 0: any free port (see Server::port)
  std::string database = store::kDefaultDatabaseUrl;
  std::vector<std::string> banks;  // banks the matcher loads; empty: all
  int threads = 8;                 // request worker threads
  ServerLimits limits;
  int pdq_radius = 31;
  int min_pdq_quality = 50;
  std::string rules_file;  // detection rules (docs/review.md); empty: the defaults
  // Redress settings (docs/redress.md); empty: the /v1 redress routes answer 503.
  std::string redress_config;
  // How long an authenticated key is trusted before it is looked up again, so a revocation
  // from another process takes effect within this time.
  std::chrono::seconds auth_cache{5};
  // The reporting config shared with `vigil cases decide` (report::ReportingConfig): where a
  // confirming decision is reported, and the Art 3(1)(j) limit. Empty: nowhere, 24 h.
  std::string reporting_file;
  // The reviewer console's built assets (web/dist, docs/console.md); empty: not served.
  std::string console_dir;
  // How often bank changes made by another process (e.g. `vigil bank import`) are looked for;
  // when a bank was added or an entry added or retired, the matcher is reloaded and swapped in
  // atomically. 0: never (changes then need a restart). With `nats`, other processes' changes
  // arrive as bank events within a second and the poll is only the safety net for events that
  // were lost: ParseServerConfig then defaults it to kBankPollWithEvents.
  std::chrono::seconds bank_poll{10};
  // How often every hash exchange is synced in the background (docs/exchanges.md); 0: never.
  std::chrono::seconds exchange_sync_interval{0};
  // Data protection (docs/privacy.md): the encrypted evidence directory and its master key file
  // (empty: the VIGIL_EVIDENCE_KEYS variable): POST /v1/items keeps flagged items' media there,
  // the console's media routes read it from there (none without it), a "not CSAM" decision
  // erases a case's files at once;
  // and how often the server purges expired data (0: never; run `vigil purge` instead).
  std::string evidence_dir;
  std::string evidence_keys_file;
  std::chrono::seconds purge_interval{0};
  // Scale-out (docs/scaling.md): the NATS JetStream server of the workers. With a url, every
  // bank change is published to them, POST /v1/jobs queues scan jobs and /v1/dead-letters shows
  // the jobs they gave up on; empty url: none (those routes answer 503).
  queue::NatsOptions nats{.url = {}, .client_name = "vigil-serve"};
  // Pseudonymisation keys (privacy/pseudonym.h; empty: the VIGIL_PSEUDONYM_KEYS variable, and
  // none when that is unset too). With keys, POST /v1/items takes the clear account_id, stores
  // its pseudonym and keeps the clear id sealed for hotline reports, which needs evidence_dir.
  std::string pseudonym_keys_file;
  // The image classifiers POST /v1/items runs on every uploaded image and video, in the format of
  // `vigil scan --classifiers` (classify/image_classifiers.h; relative model paths are relative
  // to that file); empty: none. A score at or above a classifier's threshold flags the item as
  // new material for human confirmation, never automatic action (Art 3(1)(g)(iii)).
  std::string classifiers_file;
  // How often the server tries again the items it kept because a classifier failed (every kept
  // media item, oldest first, up to 1000 a round; docs/classify.md); 0: never (run
  // `vigil scan --classifiers FILE` without inputs instead).
  std::chrono::seconds classifier_retry_interval{300};
};

// Parses the JSON configuration (docs/server.md). Unknown keys and wrong types are
// kInvalidArgument naming the key, so a typo never silently falls back to a default.
Result<ServerConfig> ParseServerConfig(std::string_view json);
// Reads and parses the file at `path`; errors name it.
Result<ServerConfig> LoadServerConfig(const std::string& path);

class Server {
 public:
  // Loads the matcher (config.banks), rules and review service over `db`, which must outlive
  // the server. `audit` receives the audit events (must outlive the server; normally an
  // AuditLogRecorder over db.audit()); `clock` defaults to the system clock. Errors: kNotFound for
  // a missing bank or rules file, kInvalidArgument for bad rules or limits.
  static Result<std::unique_ptr<Server>> Create(const ServerConfig& config, store::Database& db,
                                                AuditRecorder& audit,
                                                std::shared_ptr<const Clock> clock = {});
  ~Server();

  // Binds the listening socket and starts serving on background threads. kUnavailable when
  // the address cannot be bound.
  Status Start();
  // The bound port (useful with config.port 0); valid after Start.
  int port() const;
  // Stops accepting connections, lets in-flight requests finish, and joins the workers.
  void Stop();

  // Answers one already-parsed request in-process, exactly as one read from the socket (routing,
  // authentication, handler, audit, metrics); needs no Start. For the fuzz target.
  void ServeOne(const httplib::Request& req, httplib::Response& res);

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::server

#endif  // VIGIL_SERVER_SERVER_H_
