// The server's request handling in-process (Server::ServeOne: routing, authentication, the
// handlers' JSON and query parsing, audit): input is "METHOD /path?query\n" then the body (the
// uploaded file on upload routes), sent with an admin key, against a scratch SQLite database in
// /dev/shm (or /tmp). HTTP framing is cpp-httplib's and is covered by the slow-loris and body-limit
// tests (tests/server).
#include <httplib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "auth/auth.h"
#include "core/clock.h"
#include "server/audit_recorder.h"
#include "server/server.h"
#include "store/store.h"

using namespace vigil;

namespace {

constexpr char kSecret[] = "fuzz-admin-secret";

struct Env {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<server::AuditLogRecorder> audit;
  std::unique_ptr<server::Server> server;
};

Env* MakeEnv() {
  const std::string dir = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
  const std::string path = dir + "/vigil-fuzz-server-" + std::to_string(::getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto* env = new Env;
  auto db = store::OpenDatabase(path);
  if (!db.ok()) std::abort();
  env->db = std::move(*db);
  auto key = auth::CreateApiKey(env->db->api_keys(),
                                {"fuzz", {auth::Role::kAdmin}, auth::HashSecret(kSecret)},
                                SystemClock().Now());
  if (!key.ok()) std::abort();
  env->audit = std::make_unique<server::AuditLogRecorder>(env->db->audit());
  server::ServerConfig config;
  config.database = path;
  config.limits.max_list = 50;
  auto s = server::Server::Create(config, *env->db, *env->audit);
  if (!s.ok()) std::abort();
  env->server = std::move(*s);
  return env;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Env* env = MakeEnv();  // one server for the whole run, never destroyed
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  const std::string_view line = input.substr(0, eol);
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  httplib::Request req;
  req.method = std::string(line.substr(0, space));
  std::string_view target = line.substr(space + 1);
  const size_t q = target.find('?');
  req.path = std::string(target.substr(0, q));
  // Revoking keys would lock the fuzzer out for the rest of the run.
  if (req.path.rfind("/v1/keys/", 0) == 0) return 0;
  if (q != std::string_view::npos) {
    httplib::detail::parse_query_text(std::string(target.substr(q + 1)), req.params);
  }
  const std::string body = eol == std::string_view::npos ? "" : std::string(input.substr(eol + 1));
  req.set_header("Authorization", std::string("Bearer ") + kSecret);
  if (req.method == "POST" && (req.path == "/v1/items" || req.path == "/v1/hash" ||
                               req.path == "/h/hash" || req.path == "/m/lookup")) {
    // Upload routes: the body is the uploaded file, as cpp-httplib hands a parsed multipart form.
    req.set_header("Content-Type", "multipart/form-data; boundary=x");
    req.files.emplace("file", httplib::MultipartFormData{"file", body, "f", ""});
    req.files.emplace("item_id", httplib::MultipartFormData{"item_id", "i1", "", ""});
    req.files.emplace("account_id", httplib::MultipartFormData{"account_id", "a1", "", ""});
  } else {
    req.set_header("Content-Type", "application/json");
    req.body = body;
  }
  httplib::Response res;
  env->server->ServeOne(req, res);
  if (res.status >= 500 && res.status != 503) __builtin_trap();  // a handler bug, not bad input
  return 0;
}
