// The PostgreSQL backend (a scratch database per test) against the BankStore contract, the same
// suite the SQLite backend and the in-memory fake pass.
#include "bank/bank_store_contract.h"
#include "store/pg_test_database.h"
#include "store/store.h"

namespace vigil::bank::testing {
namespace {

using store::testing::ScratchDatabase;

// Records a skip in the running test: called from SetUp (through Open), it stops the test body
// from running, and the test is reported as skipped with the reason rather than passing.
void SkipWithoutServer() { GTEST_SKIP() << store::testing::kNoPostgresMessage; }

class PostgresBackend final : public BankStoreBackend {
 public:
  Status Open(std::shared_ptr<const Clock> clock) override {
    if (store::testing::TestServerUrl().empty()) {
      SkipWithoutServer();
      return Status::Ok();
    }
    clock_ = std::move(clock);
    ASSIGN_OR_RETURN(scratch_, ScratchDatabase::Create());
    return Reopen();
  }
  BankStore& store() override { return db_->banks(); }
  Status Reopen() override {
    db_.reset();
    ASSIGN_OR_RETURN(db_, store::OpenDatabase(scratch_->url(), {.clock = clock_}));
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
    ASSIGN_OR_RETURN(auto conn, scratch_->Connect());
    return conn->ExecScript("INSERT INTO schema_migrations VALUES (999, 'from the future', 0)");
  }
  // A server keeps its files intact, so "corrupt" here is the damage an operator or another
  // program can do: schema_migrations replaced by a table of junk.
  Status CloseAndCorrupt() override {
    db_.reset();
    ASSIGN_OR_RETURN(auto conn, scratch_->Connect());
    return conn->ExecScript(
        "DROP TABLE schema_migrations; CREATE TABLE schema_migrations (junk BYTEA); "
        "INSERT INTO schema_migrations VALUES ('\\x00ff13'), ('\\xdeadbeef')");
  }
  std::string storage_name() const override { return scratch_->url(); }

 private:
  std::shared_ptr<const Clock> clock_;
  std::unique_ptr<ScratchDatabase> scratch_;  // dropped after db_ is closed
  std::unique_ptr<store::Database> db_;
};

INSTANTIATE_TEST_SUITE_P(Postgres, BankStoreContractTest,
                         ::testing::Values(BackendFactory{
                             "Postgres", [] { return std::make_unique<PostgresBackend>(); }}),
                         BackendName);

}  // namespace
}  // namespace vigil::bank::testing
