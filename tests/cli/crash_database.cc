#include "cli/crash_database.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <utility>

namespace vigil::testing {

namespace fs = std::filesystem;

CliRun RunCrashingAt(const std::string& point, const std::string& args) {
  ::setenv("VIGIL_CRASH_AT", point.c_str(), 1);
  CliRun run = RunVigil(args);
  ::unsetenv("VIGIL_CRASH_AT");
  return run;
}

bool Killed(const CliRun& run) { return run.exit_code == 137 || run.exit_code == -1; }

void CrashDatabase::Prepare(Backend backend, const fs::path& dir) {
  if (backend != Backend::kPostgres) {
    fs::create_directories(dir);
    SetSqlitePath(dir / "v.db");
    return;
  }
  SKIP_WITHOUT_POSTGRES();
  auto scratch = store::testing::MustCreateScratch();
  ASSERT_NE(scratch, nullptr);
  SetScratch(std::move(scratch));
}

void CrashDatabase::PrepareCopyOf(const CrashDatabase& source, const fs::path& dir) {
  if (source.scratch_ == nullptr) {
    fs::create_directories(dir);
    // Every process that wrote it has exited, so its WAL is checkpointed into the file; copy
    // any -wal left anyway.
    for (const char* suffix : {"", "-wal"}) {
      if (fs::exists(source.path_ + suffix)) {
        fs::copy_file(source.path_ + suffix, (dir / "v.db").string() + suffix);
      }
    }
    SetSqlitePath(dir / "v.db");
    return;
  }
  static std::atomic<int> copies{0};
  const std::string name = fmt::format("{}_c{}", source.scratch_->name(), copies++);
  auto server = store::testing::ScratchDatabase::ConnectToServer();
  ASSERT_TRUE(server.ok()) << server.status().message();
  const Status created = (*server)->ExecScript(
      fmt::format("CREATE DATABASE {} TEMPLATE {}", name, source.scratch_->name()));
  ASSERT_TRUE(created.ok()) << created.message();
  SetScratch(std::make_unique<store::testing::ScratchDatabase>(
      name, store::testing::WithDatabase(store::testing::TestServerUrl(), name)));
}

void CrashDatabase::SetSqlitePath(const fs::path& path) {
  path_ = path.string();
  flag_ = "--db '" + path_ + "'";
}

void CrashDatabase::SetScratch(std::unique_ptr<store::testing::ScratchDatabase> scratch) {
  scratch_ = std::move(scratch);
  flag_ = "--db '" + scratch_->url() + "'";
}

int64_t CrashDatabase::Query(const std::string& sql) const {
  if (scratch_ == nullptr) {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);  // read-write: WAL recovery may write
    return db.execAndGet(sql).getInt64();
  }
  auto conn = scratch_->Connect();
  if (!conn.ok()) {
    ADD_FAILURE() << conn.status().message();
    return -1;
  }
  auto rows = (*conn)->Exec(sql);
  if (!rows.ok() || rows->rows() != 1) {
    ADD_FAILURE() << sql << ": " << (rows.ok() ? "not one row" : rows.status().message());
    return -1;
  }
  return rows->Int(0, 0);
}

void CrashDatabase::Execute(const std::string& sql) const {
  if (scratch_ == nullptr) {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    db.exec(sql);
    return;
  }
  auto conn = scratch_->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().message();
  auto done = (*conn)->Exec(sql);
  ASSERT_TRUE(done.ok()) << sql << ": " << done.status().message();
}

std::string CrashDatabase::IntegrityCheck() const {
  if (scratch_ == nullptr) {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    return db.execAndGet("PRAGMA integrity_check").getString();
  }
  int64_t open = 0;
  for (int i = 0; i < 50; ++i) {
    open = Query(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
        "pg_backend_pid() AND state LIKE 'idle in transaction%'");
    if (open == 0) return "ok";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return fmt::format("{} transaction(s) left open", open);
}

}  // namespace vigil::testing
