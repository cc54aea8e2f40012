#include "store/pg_test_database.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "store/pg_url.h"

namespace vigil::store::testing {
namespace {

Result<std::unique_ptr<PgConnection>> ConnectTo(const std::string& url) {
  ASSIGN_OR_RETURN(PgUrl parsed, ParsePgUrl(url));
  return PgConnection::Connect({.url = std::move(parsed)});
}

}  // namespace

std::string TestServerUrl() {
  const char* url = std::getenv("VIGIL_TEST_POSTGRES_URL");
  return url == nullptr ? std::string() : std::string(url);
}

std::string WithDatabase(std::string_view url, std::string_view dbname) {
  const size_t authority = url.find("://") + 3;
  const size_t path = url.find_first_of("/?", authority);
  if (path == std::string_view::npos) return fmt::format("{}/{}", url, dbname);
  const size_t query = url.find('?', path);
  const std::string_view rest = query == std::string_view::npos ? "" : url.substr(query);
  return fmt::format("{}/{}{}", url.substr(0, path), dbname, rest);
}

Result<std::unique_ptr<ScratchDatabase>> ScratchDatabase::Create() {
  static std::atomic<int> counter{0};
  // The pid and counter keep parallel tests apart; the random part keeps apart a run that
  // reuses a server where an earlier, killed run left its databases.
  std::random_device random;
  const std::string name =
      fmt::format("vigil_t{}_{}_{:06x}", ::getpid(), counter++, random() & 0xffffff);
  ASSIGN_OR_RETURN(auto server, ConnectToServer());
  RETURN_IF_ERROR(server->ExecScript(fmt::format("CREATE DATABASE {}", name)));
  return std::make_unique<ScratchDatabase>(name, WithDatabase(TestServerUrl(), name));
}

ScratchDatabase::~ScratchDatabase() {
  auto server = ConnectToServer();
  if (server.ok()) {
    (*server)
        ->ExecScript(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name_))
        .IgnoreError();  // the cluster is thrown away after the run anyway
  }
}

Result<std::unique_ptr<PgConnection>> ScratchDatabase::Connect() const { return ConnectTo(url_); }

Result<std::unique_ptr<PgConnection>> ScratchDatabase::ConnectToServer() {
  return ConnectTo(TestServerUrl());
}

std::unique_ptr<ScratchDatabase> MustCreateScratch() {
  auto db = ScratchDatabase::Create();
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

std::string BackendTestName(const ::testing::TestParamInfo<Backend>& info) {
  switch (info.param) {
    case Backend::kMemory:
      return "InMemory";
    case Backend::kSqlite:
      return "Sqlite";
    case Backend::kPostgres:
      return "Postgres";
  }
  return "Unknown";
}

void BackendStorage::Prepare(Backend backend, std::string_view file_stem) {
  switch (backend) {
    case Backend::kMemory:
      return;
    case Backend::kSqlite:
      path_ =
          (std::filesystem::temp_directory_path() / fmt::format("{}_{}.db", file_stem, ::getpid()))
              .string();
      std::filesystem::remove(path_);
      url_ = path_;
      return;
    case Backend::kPostgres:
      SKIP_WITHOUT_POSTGRES();
      scratch_ = MustCreateScratch();
      ASSERT_NE(scratch_, nullptr);
      url_ = scratch_->url();
      return;
  }
}

BackendStorage::~BackendStorage() {
  if (path_.empty()) return;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
}

}  // namespace vigil::store::testing
