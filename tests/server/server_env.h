// A real vigil server on a loopback port for integration tests: a fresh SQLite database (or a
// scratch PostgreSQL database when UsePostgres(); skipped without VIGIL_TEST_POSTGRES_URL), one
// API key per role (secret "secret-<role>"), the database's audit log, and an HTTP client.
#ifndef VIGIL_TESTS_SERVER_SERVER_ENV_H_
#define VIGIL_TESTS_SERVER_SERVER_ENV_H_

#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "auth/auth.h"
#include "privacy/evidence_store.h"
#include "server/audit_recorder.h"
#include "server/server.h"
#include "store/pg_test_database.h"
#include "store/store.h"

namespace vigil::server::testing {

// The secret of the test key holding `role` alone.
std::string SecretFor(auth::Role role);

// A 64x64 24-bit BMP with a textured pattern (PDQ quality well above 50); `seed` varies it.
std::string TexturedBmp(int seed);

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Fixtures that run on PostgreSQL override this.
  virtual bool UsePostgres() const { return false; }

  // Starts the server (SetUp calls it with the default config); stops a running one first.
  void StartServer(ServerConfig config);
  ServerConfig DefaultConfig() const;
  // Points `config` at an encrypted evidence store among the test's temporary files, where
  // POST /v1/items keeps flagged items' media and the console's media routes read it.
  void UseEvidenceStore(ServerConfig& config) const;
  // That store (with the same master key), for tests that keep evidence of a case directly.
  std::unique_ptr<privacy::EvidenceStore> OpenTestEvidence() const;

  httplib::Headers Auth(auth::Role role) const;
  httplib::Result Get(const std::string& path, auth::Role role);
  httplib::Result PostJson(const std::string& path, const std::string& body, auth::Role role);
  httplib::Result PutJson(const std::string& path, const std::string& body, auth::Role role);
  httplib::Result Delete(const std::string& path, auth::Role role);
  httplib::Result PostFiles(const std::string& path, const httplib::MultipartFormDataItems& items,
                            auth::Role role);
  // The JSON body of a result, asserting its status first.
  nlohmann::json Json(const httplib::Result& r, int status);

  std::string path_;  // the SQLite file; also the stem of other temporary files
  std::string url_;   // the database the server and db_ use
  std::unique_ptr<store::testing::ScratchDatabase> scratch_;  // PostgreSQL; dropped after db_
  std::unique_ptr<store::Database> db_;
  // The database's hash-chained audit log, and the recorder the server gets (tests may swap it).
  std::vector<audit::AuditRecord> AuditLog();
  std::unique_ptr<AuditLogRecorder> audit_;
  AuditRecorder* recorder_ = nullptr;
  std::shared_ptr<const Clock> clock_;  // the server's; null: the system clock
  std::unique_ptr<Server> server_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace vigil::server::testing

#endif  // VIGIL_TESTS_SERVER_SERVER_ENV_H_
