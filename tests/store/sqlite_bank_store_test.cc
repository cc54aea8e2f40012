// The SQLite backend (a temporary file) against the BankStore contract.
#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "bank/bank_store_contract.h"
#include "store/store.h"

namespace vigil::bank::testing {
namespace {

namespace fs = std::filesystem;

class SqliteBackend final : public BankStoreBackend {
 public:
  SqliteBackend() {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("vigil_store_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(dir_);
    path_ = (dir_ / "vigil.db").string();
  }
  ~SqliteBackend() override {
    db_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Status Open(std::shared_ptr<const Clock> clock) override {
    clock_ = std::move(clock);
    return Reopen();
  }
  BankStore& store() override { return db_->banks(); }
  Status Reopen() override {
    db_.reset();
    auto db = store::OpenDatabase(path_, {.clock = clock_});
    if (!db.ok()) return db.status();
    db_ = std::move(db).value();
    return Status::Ok();
  }
  Result<std::vector<std::pair<int, TimePoint>>> AppliedMigrations() override {
    ASSIGN_OR_RETURN(auto migrations, db_->AppliedMigrations());
    std::vector<std::pair<int, TimePoint>> out;
    for (const auto& m : migrations) out.emplace_back(m.version, m.applied_at);
    return out;
  }
  Status CloseAndMarkNewerSchema() override {
    db_.reset();
    SQLite::Database raw(path_, SQLite::OPEN_READWRITE);
    raw.exec("INSERT INTO schema_migrations VALUES (999, 'from the future', 0)");
    return Status::Ok();
  }
  Status CloseAndCorrupt() override {
    db_.reset();
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    for (int i = 0; i < 8192; ++i) out.put(static_cast<char>((i * 7919) & 0xff));
    fs::remove(path_ + "-wal");
    fs::remove(path_ + "-shm");
    return Status::Ok();
  }
  std::string storage_name() const override { return path_; }

 private:
  fs::path dir_;
  std::string path_;
  std::shared_ptr<const Clock> clock_;
  std::unique_ptr<store::Database> db_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, BankStoreContractTest,
                         ::testing::Values(BackendFactory{
                             "Sqlite", [] { return std::make_unique<SqliteBackend>(); }}),
                         BackendName);

}  // namespace
}  // namespace vigil::bank::testing
