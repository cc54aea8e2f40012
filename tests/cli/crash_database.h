// The database a crash-durability test (issue 14) kills `vigil` over, on SQLite or PostgreSQL,
// read and written on connections of the test's own: the database is inspected directly, since
// the CLI itself would repair what it can on start. Shared by tests/cli/crash_cli_test.cc and
// tests/cli/report_crash_cli_test.cc, which run each case on both backends (the PostgreSQL one
// skips without VIGIL_TEST_POSTGRES_URL).
#ifndef VIGIL_TESTS_CLI_CRASH_DATABASE_H_
#define VIGIL_TESTS_CLI_CRASH_DATABASE_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/cli_runner.h"
#include "store/pg_test_database.h"

namespace vigil::testing {

using store::testing::Backend;  // kSqlite or kPostgres here
using store::testing::BackendTestName;

// Runs `vigil args` with VIGIL_CRASH_AT=point (src/cli/crash_point.h).
CliRun RunCrashingAt(const std::string& point, const std::string& args);

// The shell reports a child killed by SIGKILL as 137, or the signal itself when it exec'd it.
bool Killed(const CliRun& run);

class CrashDatabase {
 public:
  // An empty database: the file `dir`/v.db (`dir` is created), or a scratch PostgreSQL database
  // (the test skips without a server). Call from SetUp, then return when IsSkipped() or
  // HasFatalFailure().
  void Prepare(Backend backend, const std::filesystem::path& dir);
  // A copy of `source` as it is now, on its backend: the file copied into `dir`, or a new database
  // with `source` as its template (no process may be connected to `source`; PostgreSQL waits a few
  // seconds for the last one to go).
  void PrepareCopyOf(const CrashDatabase& source, const std::filesystem::path& dir);

  // "--db '<path or url>'", for the command line.
  const std::string& flag() const { return flag_; }

  // A single integer a query returns.
  int64_t Query(const std::string& sql) const;
  // Runs a statement (to stand in for time passing, or for states the CLI never produces).
  void Execute(const std::string& sql) const;
  // "ok", or what is wrong. SQLite: its own integrity check of the file. PostgreSQL keeps its
  // files consistent through its WAL, so there the check is that no transaction of a killed
  // client is left open (the server ends its session when it reads the closed socket: allowed
  // 5 s).
  std::string IntegrityCheck() const;

 private:
  void SetSqlitePath(const std::filesystem::path& path);
  void SetScratch(std::unique_ptr<store::testing::ScratchDatabase> scratch);

  std::unique_ptr<store::testing::ScratchDatabase> scratch_;
  std::string path_;  // the SQLite file when scratch_ is null
  std::string flag_;
};

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_CLI_CRASH_DATABASE_H_
