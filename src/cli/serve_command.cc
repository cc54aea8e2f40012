// `vigil serve --config FILE`: runs the HTTP service until SIGTERM or SIGINT, then stops
// accepting connections and finishes the requests in flight before exiting.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/file_batch.h"
#include "server/server.h"

namespace vigil::cli {
namespace {

struct ServeFlags {
  std::string config;
};

int Fail(const Status& s) {
  PrintError(s);
  return ExitCodeFor(s.code());
}

int RunServe(const ServeFlags& flags) {
  auto config = server::LoadServerConfig(flags.config);
  if (!config.ok()) return Fail(config.status());
  auto db = store::OpenDatabase(config->database);
  if (!db.ok()) return Fail(db.status());
  // Every change and evidence view goes to the database's hash-chained audit log.
  server::AuditLogRecorder audit((*db)->audit());
  // Signals are blocked before any thread starts, so every thread inherits the mask and only
  // sigwait below receives them: no async handler, no global flag.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto srv = server::Server::Create(*config, **db, audit);
  if (!srv.ok()) return Fail(srv.status());
  if (Status s = (*srv)->Start(); !s.ok()) return Fail(s);
  std::fprintf(stderr, "vigil: serving on http://%s:%d (database %s)\n", config->address.c_str(),
               (*srv)->port(), (*db)->url().c_str());
  int sig = 0;
  sigwait(&signals, &sig);
  std::fprintf(stderr, "vigil: %s received; finishing requests in flight\n",
               sig == SIGTERM ? "SIGTERM" : "SIGINT");
  (*srv)->Stop();
  std::fprintf(stderr, "vigil: stopped\n");
  return 0;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the HTTP service (docs/server.md)");
  cmd->add_option("--config", flags->config, "Server configuration (JSON)")->required();
  cmd->callback([flags, exit_code] { *exit_code = RunServe(*flags); });
}

}  // namespace vigil::cli
