// InMemoryBankStore against the BankStore contract.
#include "bank/bank_store_contract.h"

namespace vigil::bank::testing {
namespace {

class InMemoryBackend final : public BankStoreBackend {
 public:
  Status Open(std::shared_ptr<const Clock> clock) override {
    store_ = std::make_unique<InMemoryBankStore>(std::move(clock));
    return Status::Ok();
  }
  BankStore& store() override { return *store_; }
  Status Reopen() override { return UnimplementedError("in memory"); }
  Result<std::vector<std::pair<int, TimePoint>>> AppliedMigrations() override {
    return UnimplementedError("in memory");
  }
  Status CloseAndMarkNewerSchema() override { return UnimplementedError("in memory"); }
  Status CloseAndCorrupt() override { return UnimplementedError("in memory"); }
  std::string storage_name() const override { return "memory"; }

 private:
  std::unique_ptr<InMemoryBankStore> store_;
};

INSTANTIATE_TEST_SUITE_P(InMemory, BankStoreContractTest,
                         ::testing::Values(BackendFactory{
                             "InMemory", [] { return std::make_unique<InMemoryBackend>(); }}),
                         BackendName);

}  // namespace
}  // namespace vigil::bank::testing
