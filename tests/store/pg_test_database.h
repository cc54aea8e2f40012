// Fresh PostgreSQL databases for tests, on the server named by VIGIL_TEST_POSTGRES_URL.
//
// scripts/test (through scripts/with-postgres) starts a throw-away PostgreSQL 15 cluster and
// sets the variable; without it every PostgreSQL test skips with a message saying how to run it.
// Each ScratchDatabase gets a unique name and is dropped when destroyed, so tests are independent
// and run in parallel (ctest -j).
#ifndef VIGIL_TESTS_STORE_PG_TEST_DATABASE_H_
#define VIGIL_TESTS_STORE_PG_TEST_DATABASE_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/pg_connection.h"

namespace vigil::store::testing {

inline constexpr char kNoPostgresMessage[] =
    "VIGIL_TEST_POSTGRES_URL is not set, so the PostgreSQL tests cannot run. Run ./scripts/test "
    "(it starts a throw-away PostgreSQL 15 cluster), or e.g. `scripts/with-postgres ctest "
    "--test-dir build -R 'Postgres|Pg'`, or set the variable to a server where the user may CREATE "
    "DATABASE.";

// The test server's URL (a database on it to connect to for CREATE DATABASE), or "" when unset.
std::string TestServerUrl();

// Skips the current test when there is no test server.
#define SKIP_WITHOUT_POSTGRES()                                    \
  do {                                                             \
    if (::vigil::store::testing::TestServerUrl().empty()) {        \
      GTEST_SKIP() << ::vigil::store::testing::kNoPostgresMessage; \
    }                                                              \
  } while (false)

// `url` with its database name replaced by `dbname`.
std::string WithDatabase(std::string_view url, std::string_view dbname);

class ScratchDatabase {
 public:
  // Creates an empty database with a name no other test uses.
  static Result<std::unique_ptr<ScratchDatabase>> Create();
  // Drops it, ending any connections still open to it.
  ~ScratchDatabase();

  const std::string& name() const { return name_; }
  const std::string& url() const { return url_; }

  // A plain connection to it, for setting up states the stores never produce.
  Result<std::unique_ptr<PgConnection>> Connect() const;
  // A plain connection to the server's own test database (not this one).
  static Result<std::unique_ptr<PgConnection>> ConnectToServer();

  ScratchDatabase(std::string name, std::string url)
      : name_(std::move(name)), url_(std::move(url)) {}

 private:
  std::string name_;
  std::string url_;
};

// A fresh ScratchDatabase; fails the test when one cannot be made.
std::unique_ptr<ScratchDatabase> MustCreateScratch();

// The backends a store contract suite runs on.
enum class Backend { kMemory, kSqlite, kPostgres };

// "InMemory", "Sqlite", "Postgres": the name suffix of each instantiation.
std::string BackendTestName(const ::testing::TestParamInfo<Backend>& info);

// Where one contract test keeps its database: nothing for kMemory, a fresh SQLite file (removed
// with this object, so declare it before the Database that uses it), or a scratch PostgreSQL
// database (the test skips without a server).
class BackendStorage {
 public:
  BackendStorage() = default;
  BackendStorage(const BackendStorage&) = delete;
  BackendStorage& operator=(const BackendStorage&) = delete;
  ~BackendStorage();

  // Call from SetUp, then return when IsSkipped() or HasFatalFailure(). `file_stem` names the
  // SQLite file (the process id is appended).
  void Prepare(Backend backend, std::string_view file_stem);

  // Empty for kMemory.
  const std::string& url() const { return url_; }
  const std::string& sqlite_path() const { return path_; }
  ScratchDatabase* scratch() const { return scratch_.get(); }

 private:
  std::unique_ptr<ScratchDatabase> scratch_;
  std::string path_;
  std::string url_;
};

}  // namespace vigil::store::testing

#endif  // VIGIL_TESTS_STORE_PG_TEST_DATABASE_H_
